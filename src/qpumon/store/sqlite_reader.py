"""Reading a SQLite history file with the standard library's sqlite3, without SQLAlchemy.

``qpumon history``, ``drift`` and ``diff`` only read; importing SQLAlchemy would cost them more
than the read itself. :class:`SqliteReader` runs the same queries as
:class:`~qpumon.store.db.Store`'s reading methods (tests compare the two on the same file), on a
read-only connection, and translates the driver's errors as the store does.
"""

from __future__ import annotations

import os
import sqlite3
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreBusyError, StoreError
from ..model import DeviceSnapshot
from ..model.serialize import snapshot_from_dict
from . import codec
from .epoch import epoch_us, to_datetime
from .records import SCHEMA_VERSION, DeviceInfo, SnapshotInfo

#: The columns of ``snapshots`` a :class:`~qpumon.store.records.SnapshotInfo` is made of.
_INFO_COLUMNS = "id, calibrated_at, recorded_at, source, synthetic, operational, pending_jobs"


def read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` read-only. A WAL-mode file needs its ``-shm`` file even to be
    read: where the file or its folder cannot be written (read-only media, a copy of someone
    else's history) and the ``-wal`` and ``-shm`` files are not both there already, the file is
    opened ``immutable`` (SQLite then takes no lock and reads the main file as it is)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not writable(path) and not all(
        path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-shm")
    ):
        uri += "&immutable=1"
    return uri


def writable(path: Path) -> bool:
    """True if ``path`` and its folder can be written (False on read-only media, even as root:
    ``os.access`` reports a read-only file system)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def current_file(path: Path) -> bool:
    """True if ``path`` is a SQLite history file at this qpumon's schema version (a reader can
    use it as it is; anything else goes through the store, which migrates or explains)."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error:
        return False
    try:
        found = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return bool(found) and found[0] == SCHEMA_VERSION


class SqliteReader:
    """A read-only view of the SQLite history file at ``path`` (see the module docstring)."""

    def __init__(self, path: Path, busy_timeout_s: float = 10.0) -> None:
        self.path = path
        self.display_url = f"sqlite:///{path}"
        self._connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=busy_timeout_s)
        self._shapes: dict[int, codec.Shape] = {}

    def close(self) -> None:
        """Release the file."""
        self._connection.close()

    def __enter__(self) -> SqliteReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                raise StoreBusyError(
                    f"{self.display_url}: {doing} failed: the database stayed locked ({message})"
                ) from exc
            if "not a database" in message or "malformed" in message:
                raise StoreError(
                    f"{self.display_url}: not a usable SQLite database ({message}); give "
                    "another --db"
                ) from exc
            raise StoreError(f"{self.display_url}: {doing} failed: {message}") from exc

    def _rows(self, doing: str, sql: str, values: Sequence[Any] = ()) -> list[Any]:
        with self._errors(doing):
            return self._connection.execute(sql, values).fetchall()

    def devices(self) -> list[DeviceInfo]:
        """Every device with its snapshot count and time span, by name."""
        found = self._rows(
            "listing devices",
            "SELECT d.name, count(s.id), min(s.calibrated_at), max(s.calibrated_at) "
            "FROM devices AS d LEFT OUTER JOIN snapshots AS s ON d.id = s.device_id "
            "GROUP BY d.name ORDER BY d.name",
        )
        return [DeviceInfo(n, c, to_datetime(a), to_datetime(b)) for n, c, a, b in found]

    def device_id(self, name: str) -> int:
        """The id of device ``name``; a clear error naming the stored devices if unknown."""
        found = self._rows("reading devices", "SELECT id FROM devices WHERE name = ?", [name])
        if not found:
            known = ", ".join(d.name for d in self.devices()) or "none yet"
            raise StoreError(
                f"no history for device {name!r} in {self.display_url} (stored devices: "
                f"{known}); record it first with: qpumon record {name}"
            )
        return int(found[0][0])

    @staticmethod
    def _stored_time(when: datetime) -> Any:
        """A time as the database compares it (SQLite: epoch microseconds)."""
        return epoch_us(when)

    def _window(
        self, device: str, since: datetime | None, until: datetime | None, table: str = ""
    ) -> tuple[str, list[Any]]:
        """The SQL condition (on ``table.`` columns if given) and values of a time window."""
        at = f"{table}." if table else ""
        condition, values = f"{at}device_id = ?", [self.device_id(device)]
        if since is not None:
            condition, values = (
                f"{condition} AND {at}calibrated_at >= ?",
                [*values, self._stored_time(since)],
            )
        if until is not None:
            condition, values = (
                f"{condition} AND {at}calibrated_at <= ?",
                [*values, self._stored_time(until)],
            )
        return condition, values

    def snapshots(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[SnapshotInfo]:
        """The device's snapshots in calibration order (oldest first), within ``[since, until]``."""
        condition, values = self._window(device, since, until)
        found = self._rows(
            f"reading {device}",
            f"SELECT {_INFO_COLUMNS} FROM snapshots WHERE {condition} ORDER BY calibrated_at, id",
            values,
        )
        return self._infos(device, found)

    @staticmethod
    def _infos(device: str, found: list[Any]) -> list[SnapshotInfo]:
        """Rows of :data:`_INFO_COLUMNS` as snapshot infos."""
        return [
            SnapshotInfo(
                i,
                device,
                to_datetime(calibrated),
                to_datetime(recorded) or datetime.min,
                source,
                bool(synthetic),
                None if operational is None else bool(operational),
                pending,
            )
            for i, calibrated, recorded, source, synthetic, operational, pending in found
        ]

    def latest(self, device: str) -> SnapshotInfo | None:
        """The device's newest snapshot (by calibration time), None if it has none."""
        condition, values = self._window(device, None, None)
        found = self._rows(
            f"reading {device}",
            f"SELECT {_INFO_COLUMNS} FROM snapshots WHERE {condition} "
            "ORDER BY calibrated_at DESC, id DESC LIMIT 1",
            values,
        )
        return self._infos(device, found)[0] if found else None

    def load(self, snapshot_id: int) -> DeviceSnapshot:
        """The stored snapshot ``snapshot_id``, exactly as it was recorded."""
        where = f"{self.display_url}: snapshot #{snapshot_id}"
        found = self._rows(
            "reading a snapshot",
            "SELECT s.data, h.data FROM snapshots AS s LEFT OUTER JOIN shapes AS h "
            "ON h.id = s.shape_id WHERE s.id = ?",
            [snapshot_id],
        )
        if not found:
            raise StoreError(f"{self.display_url}: no snapshot #{snapshot_id}")
        meta, shape = found[0]
        if shape is None:
            raise StoreError(f"{where}: its stored shape is missing")
        blobs = self._rows(
            "reading a snapshot",
            "SELECT section, data FROM snapshot_values WHERE snapshot_id = ?",
            [snapshot_id],
        )
        document = codec.decode(bytes(shape), {n: bytes(b) for n, b in blobs}, bytes(meta), where)
        return snapshot_from_dict(document, where)

    def qubit_series(
        self,
        device: str,
        metric: str,
        since: datetime | None = None,
        until: datetime | None = None,
        qubit: int | None = None,
        measured: bool = True,
    ) -> list[tuple[int, int, float, datetime | None]]:
        """``(snapshot_id, qubit, value, measured_at)`` of one per-qubit metric."""
        decoded = self._sections(device, codec.qubit_section(metric), since, until, measured)
        return codec.qubit_points(decoded, self._shape, qubit)

    def gate_series(
        self,
        device: str,
        gate: str,
        since: datetime | None = None,
        until: datetime | None = None,
        qubits: str | None = None,
        measured: bool = True,
    ) -> list[tuple[int, str, float | None, float | None, datetime | None]]:
        """``(snapshot_id, qubits, error, length_ns, measured_at)`` of one gate."""
        decoded = self._sections(device, codec.gate_section(gate), since, until, measured)
        return codec.gate_points(decoded, self._shape, gate, qubits)

    def value_columns(
        self,
        device: str,
        section: str,
        column: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[int, Sequence[str], array[float] | None]]:
        """``(snapshot_id, subjects, values)``: one stored column of ``section`` (``q:t1_us``,
        ``g:cz``) per snapshot, in calibration order (:func:`~qpumon.store.codec.value_columns`)."""
        decoded = self._sections(device, section, since, until, False)
        return codec.value_columns(decoded, self._shape, section, column)

    def device_series(
        self,
        device: str,
        key: str,
        since: datetime | None = None,
        until: datetime | None = None,
        measured: bool = True,
    ) -> list[tuple[int, float, float | None, datetime | None]]:
        """``(snapshot_id, value, uncertainty, measured_at)`` of a device-level value."""
        condition, values = self._window(device, since, until)
        found = self._rows(
            f"reading {device}",
            f"SELECT id, data FROM snapshots WHERE {condition} ORDER BY calibrated_at, id",
            values,
        )
        metas = [(i, bytes(b)) for i, b in found]
        return codec.device_points(metas, key, measured, f"{self.display_url}: {device}")

    def _sections(
        self,
        device: str,
        section: str,
        since: datetime | None,
        until: datetime | None,
        measured: bool,
    ) -> list[tuple[int, int, codec.Section, list[str | None] | None]]:
        condition, values = self._window(device, since, until)
        joined, _ = self._window(device, since, until, "s")
        found = self._rows(
            f"reading {device}",
            "SELECT s.id, s.shape_id, v.data FROM snapshots AS s JOIN snapshot_values AS v "
            f"ON v.snapshot_id = s.id WHERE v.section = ? AND {joined} "
            "ORDER BY s.calibrated_at, s.id",
            [section, *values],
        )

        def fetch(names: Sequence[str], ids: Sequence[int]) -> dict[tuple[int, str], bytes]:
            marks = ", ".join("?" * len(names))
            more = self._rows(
                f"reading {device}",
                f"SELECT snapshot_id, section, data FROM snapshot_values WHERE section IN "
                f"({marks}) AND snapshot_id IN (SELECT id FROM snapshots WHERE {condition})",
                [*names, *values],
            )
            return {(i, n): bytes(b) for i, n, b in more}

        where = f"{self.display_url}: {device} {section}"
        rows = [(i, shape, bytes(blob)) for i, shape, blob in found]
        with self._errors(f"reading {device}"):
            decoded = codec.decode_series(rows, fetch, measured, where)
        self._load_shapes({shape for _, shape, _, _ in decoded})
        codec.check_series_fit(decoded, self._shape, section, where)
        return decoded

    def _load_shapes(self, wanted: set[int]) -> None:
        for shape_id in sorted(wanted - set(self._shapes)):
            found = self._rows(
                "reading a shape", "SELECT data FROM shapes WHERE id = ?", [shape_id]
            )
            if found:
                where = f"{self.display_url}: shape #{shape_id}"
                self._shapes[shape_id] = codec.read_shape(bytes(found[0][0]), where)

    def _shape(self, shape_id: int) -> codec.Shape:
        found = self._shapes.get(shape_id)
        if found is None:
            raise StoreError(f"{self.display_url}: stored shape #{shape_id} is missing")
        return found

    def active_alerts(self, device: str) -> dict[tuple[str, str], datetime]:
        """``(rule, subject) -> since`` for the alerts currently true on ``device``."""
        found = self._rows(
            "reading alert state",
            "SELECT rule, subject, since FROM alert_state WHERE device_id = ?",
            [self.device_id(device)],
        )
        return {(r, s): to_datetime(since) or datetime.min for r, s, since in found}
