"""Reading a SQLite history file with the standard library's sqlite3, without SQLAlchemy.

``qpumon history``, ``drift`` and ``diff`` only read; importing SQLAlchemy would cost them more
than the read itself. :class:`SqliteReader` runs the same queries as
:class:`~qpumon.store.db.Store`'s reading methods (tests compare the two on the same file), on a
read-only connection, and translates the driver's errors as the store does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreBusyError, StoreError
from ..model import DeviceSnapshot
from . import rows
from .epoch import epoch_us, to_datetime
from .records import SCHEMA_VERSION, DeviceInfo, SnapshotInfo


def current_file(path: Path) -> bool:
    """True if ``path`` is a SQLite history file at this qpumon's schema version (a reader can
    use it as it is; anything else goes through the store, which migrates or explains)."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
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
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._connection = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s)

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

    def _window(
        self, device: str, since: datetime | None, until: datetime | None
    ) -> tuple[str, list[Any]]:
        condition, values = "device_id = ?", [self.device_id(device)]
        if since is not None:
            condition, values = condition + " AND calibrated_at >= ?", [*values, epoch_us(since)]
        if until is not None:
            condition, values = condition + " AND calibrated_at <= ?", [*values, epoch_us(until)]
        return condition, values

    def snapshots(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[SnapshotInfo]:
        """The device's snapshots in calibration order (oldest first), within ``[since, until]``."""
        condition, values = self._window(device, since, until)
        found = self._rows(
            f"reading {device}",
            "SELECT id, calibrated_at, recorded_at, source, synthetic, operational, pending_jobs "
            f"FROM snapshots WHERE {condition} ORDER BY calibrated_at, id",
            values,
        )
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

    def load(self, snapshot_id: int) -> DeviceSnapshot:
        """The stored snapshot ``snapshot_id``, exactly as it was recorded."""
        found = self._rows(
            "reading a snapshot", "SELECT data FROM snapshots WHERE id = ?", [snapshot_id]
        )
        if not found:
            raise StoreError(f"{self.display_url}: no snapshot #{snapshot_id}")
        return rows.decode(bytes(found[0][0]), f"{self.display_url}: snapshot #{snapshot_id}")

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
        condition, values = self._window(device, since, until)
        sql = (
            f"SELECT snapshot_id, qubit, value, {'measured_at' if measured else 'NULL'} "
            f"FROM qubit_values WHERE metric = ? AND snapshot_id IN "
            f"(SELECT id FROM snapshots WHERE {condition})"
        )
        values = [metric, *values]
        if qubit is not None:
            sql, values = sql + " AND qubit = ?", [*values, qubit]
        return self._series(device, sql, values)

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
        condition, values = self._window(device, since, until)
        sql = (
            f"SELECT snapshot_id, qubits, error, length_ns, "
            f"{'measured_at' if measured else 'NULL'} FROM gate_values WHERE gate = ? AND "
            f"snapshot_id IN (SELECT id FROM snapshots WHERE {condition})"
        )
        values = [gate, *values]
        if qubits is not None:
            sql, values = sql + " AND qubits = ?", [*values, qubits]
        return self._series(device, sql, values)

    def _series(self, device: str, sql: str, values: list[Any]) -> list[Any]:
        found = self._rows(f"reading {device}", sql, values)
        times: dict[Any, datetime | None] = {}  # a snapshot's values share few times
        out = []
        for row in found:
            raw = row[-1]
            when = times[raw] if raw in times else times.setdefault(raw, to_datetime(raw))
            out.append((*row[:-1], when))
        return out

    def active_alerts(self, device: str) -> dict[tuple[str, str], datetime]:
        """``(rule, subject) -> since`` for the alerts currently true on ``device``."""
        found = self._rows(
            "reading alert state",
            "SELECT rule, subject, since FROM alert_state WHERE device_id = ?",
            [self.device_id(device)],
        )
        return {(r, s): to_datetime(since) or datetime.min for r, s, since in found}
