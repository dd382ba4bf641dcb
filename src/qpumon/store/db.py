"""The history store: record snapshots, list them, reload them, read value series.

Writing: :meth:`Store.record` (one snapshot, one transaction) and :meth:`Store.record_many` (many
snapshots, one transaction per ``batch``; what importers, ``backfill`` and ``demo-history`` use);
both skip a calibration already stored. Reading (:class:`~qpumon.store.records.Reader`):
``devices``, ``snapshots``, ``load``, ``qubit_series``, ``gate_series``, ``device_series``
(device-level values with their uncertainties), ``active_alerts``. The storage layout is
:mod:`qpumon.store.codec`'s.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError
from ..model import DeviceSnapshot
from ..model.serialize import snapshot_from_dict
from ..model.validate import check_values
from . import codec, rows
from . import engine as eng
from .epoch import epoch_us
from .records import DeviceInfo, Recorded, SnapshotInfo
from .schema import alert_state, devices, shapes, snapshot_values, snapshots

#: Snapshots written per transaction by :meth:`Store.record_many`.
BATCH = 50


class Store:
    """A history database at ``url`` (SQLite or PostgreSQL), migrated to the current schema."""

    def __init__(self, url: str, busy_timeout_s: float = eng.BUSY_TIMEOUT_S) -> None:
        self.url = url
        self._encoder = codec.Encoder()
        self._shape_ids: dict[str, int] = {}
        self._shapes: dict[int, codec.Shape] = {}
        self.engine: Engine = eng.make_engine(url, busy_timeout_s)
        try:
            self.schema_version = eng.migrate(self.engine, url)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden."""
        return eng.display_url(self.url)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _errors(self, doing: str) -> Any:
        return eng.translate_errors(self.url, doing)

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        snapshot: DeviceSnapshot,
        *,
        synthetic: bool = False,
        recorded_at: datetime | None = None,
    ) -> Recorded:
        """Store ``snapshot`` in one transaction, unless the same calibration is already stored."""
        return self.record_many([snapshot], synthetic=synthetic, recorded_at=recorded_at)[0]

    def record_many(
        self,
        snapshots: Iterable[DeviceSnapshot],
        *,
        synthetic: bool = False,
        recorded_at: datetime | None = None,
        batch: int = BATCH,
    ) -> list[Recorded]:
        """Store ``snapshots`` in order, ``batch`` to a transaction (an interruption leaves whole
        snapshots only), each unless the same calibration is already stored."""
        done: list[Recorded] = []
        pending: list[DeviceSnapshot] = []
        for snapshot in snapshots:
            # NaN, infinite or out-of-range values never reach a database (readers refuse them
            # first; PostgreSQL would store a NaN that SQLite refuses)
            check_values(snapshot, f"recording {snapshot.name}")
            pending.append(snapshot)
            if len(pending) >= batch:
                done += self._write(pending, synthetic, recorded_at)
                pending = []
        if pending:
            done += self._write(pending, synthetic, recorded_at)
        return done

    def _write(
        self, batch: Sequence[DeviceSnapshot], synthetic: bool, recorded_at: datetime | None
    ) -> list[Recorded]:
        when = recorded_at or datetime.now(timezone.utc)
        encoded = [(s, self._encoder.encode(s)) for s in batch]
        new_shapes: dict[str, int] = {}

        def work(connection: Connection) -> list[Recorded]:
            new_shapes.clear()
            return [
                _store(connection, s, e, synthetic, when, self._shape_ids, new_shapes)
                for s, e in encoded
            ]

        names = ", ".join(sorted({s.name for s in batch}))
        with self._errors(f"recording {names}"):
            try:
                found = eng.write(self.engine, work)
            except IntegrityError:  # another writer stored the same calibration just now
                found = eng.write(self.engine, work)
        self._shape_ids.update(new_shapes)
        return found

    # -- reading ---------------------------------------------------------------------------

    def devices(self) -> list[DeviceInfo]:
        """Every device with its snapshot count and time span, by name."""
        query = (
            select(
                devices.c.name,
                func.count(snapshots.c.id),
                func.min(snapshots.c.calibrated_at),
                func.max(snapshots.c.calibrated_at),
            )
            .select_from(devices.outerjoin(snapshots))
            .group_by(devices.c.name)
            .order_by(devices.c.name)
        )
        with self._errors("listing devices"), self.engine.connect() as connection:
            return [DeviceInfo(*r) for r in connection.execute(query)]

    def device_id(self, name: str) -> int:
        """The id of device ``name``; a clear error naming the stored devices if unknown."""
        with self._errors("reading devices"), self.engine.connect() as connection:
            found = connection.execute(select(devices.c.id).where(devices.c.name == name)).first()
        if found is None:
            known = ", ".join(d.name for d in self.devices()) or "none yet"
            raise StoreError(
                f"no history for device {name!r} in {eng.display_url(self.url)} "
                f"(stored devices: {known}); record it first with: qpumon record {name}"
            )
        return int(found[0])

    def snapshots(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[SnapshotInfo]:
        """The device's snapshots in calibration order (oldest first), within ``[since, until]``."""
        device_id = self.device_id(device)
        c = snapshots.c
        query = select(
            c.id,
            c.calibrated_at,
            c.recorded_at,
            c.source,
            c.synthetic,
            c.operational,
            c.pending_jobs,
        ).where(_window(device_id, since, until))
        query = query.order_by(c.calibrated_at, c.id)
        with self._errors(f"reading {device}"), self.engine.connect() as connection:
            return [
                SnapshotInfo(r[0], device, r[1], r[2], r[3], bool(r[4]), r[5], r[6])
                for r in connection.execute(query)
            ]

    def latest(self, device: str) -> SnapshotInfo | None:
        """The device's newest snapshot (by calibration time), None if it has none."""
        device_id = self.device_id(device)
        c = snapshots.c
        query = (
            select(c.id, c.calibrated_at, c.recorded_at, c.source, c.synthetic, c.operational)
            .add_columns(c.pending_jobs)
            .where(c.device_id == device_id)
            .order_by(c.calibrated_at.desc(), c.id.desc())
            .limit(1)
        )
        with self._errors(f"reading {device}"), self.engine.connect() as connection:
            r = connection.execute(query).first()
        return (
            None
            if r is None
            else SnapshotInfo(r[0], device, r[1], r[2], r[3], bool(r[4]), r[5], r[6])
        )

    def load(self, snapshot_id: int) -> DeviceSnapshot:
        """The stored snapshot ``snapshot_id``, exactly as it was recorded."""
        where = f"{eng.display_url(self.url)}: snapshot #{snapshot_id}"
        head = select(snapshots.c.data, snapshots.c.shape_id).where(snapshots.c.id == snapshot_id)
        parts = select(snapshot_values.c.section, snapshot_values.c.data).where(
            snapshot_values.c.snapshot_id == snapshot_id
        )
        with self._errors("reading a snapshot"), self.engine.connect() as connection:
            found = connection.execute(head).first()
            if found is None:
                raise StoreError(f"{eng.display_url(self.url)}: no snapshot #{snapshot_id}")
            shape = connection.execute(
                select(shapes.c.data).where(shapes.c.id == found[1])
            ).scalar()
            blobs = {name: bytes(blob) for name, blob in connection.execute(parts)}
        if shape is None:
            raise StoreError(f"{where}: its stored shape is missing")
        document = codec.decode(bytes(shape), blobs, bytes(found[0]), where)
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
        """``(snapshot_id, qubit, value, measured_at)`` of one per-qubit metric (``measured_at``
        None unless ``measured``), in calibration order; a missing value has no row."""
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
        """``(snapshot_id, qubits, error, length_ns, measured_at)`` of one gate (all its qubits
        unless ``qubits`` is given, as ``3-4``), in calibration order."""
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
        """``(snapshot_id, value, uncertainty, measured_at)`` of the device-level value ``key``
        (:data:`~qpumon.model.DEVICE_KEYS`), in calibration order."""
        c = snapshots.c
        query = select(c.id, c.data).where(_window(self.device_id(device), since, until))
        with self._errors(f"reading {device}"), self.engine.connect() as connection:
            found = [
                (i, bytes(b)) for i, b in connection.execute(query.order_by(c.calibrated_at, c.id))
            ]
        return codec.device_points(found, key, measured, f"{eng.display_url(self.url)}: {device}")

    def _sections(
        self,
        device: str,
        section: str,
        since: datetime | None,
        until: datetime | None,
        measured: bool,
    ) -> list[tuple[int, int, codec.Section, list[str | None] | None]]:
        """The decoded ``section`` of each of the device's snapshots in the window."""
        window = _window(self.device_id(device), since, until)
        c, v = snapshots.c, snapshot_values.c
        query = (
            select(c.id, c.shape_id, v.data)
            .select_from(snapshots.join(snapshot_values, v.snapshot_id == c.id))
            .where(window, v.section == section)
            .order_by(c.calibrated_at, c.id)
        )
        where = f"{eng.display_url(self.url)}: {device} {section}"
        with self._errors(f"reading {device}"), self.engine.connect() as connection:
            found = [(i, shape, bytes(blob)) for i, shape, blob in connection.execute(query)]

            def fetch(names: Sequence[str], ids: Sequence[int]) -> dict[tuple[int, str], bytes]:
                more = select(v.snapshot_id, v.section, v.data).where(
                    v.section.in_(names), v.snapshot_id.in_(select(c.id).where(window))
                )
                return {(i, n): bytes(b) for i, n, b in connection.execute(more)}

            decoded = codec.decode_series(found, fetch, measured, where)
            self._load_shapes(connection, {shape for _, shape, _, _ in decoded})
        codec.check_series_fit(decoded, self._shape, section, where)
        return decoded

    def _load_shapes(self, connection: Connection, wanted: set[int]) -> None:
        missing = sorted(wanted - set(self._shapes))
        if not missing:
            return
        query = select(shapes.c.id, shapes.c.data).where(shapes.c.id.in_(missing))
        for shape_id, blob in connection.execute(query):
            where = f"{eng.display_url(self.url)}: shape #{shape_id}"
            self._shapes[shape_id] = codec.read_shape(bytes(blob), where)

    def _shape(self, shape_id: int) -> codec.Shape:
        found = self._shapes.get(shape_id)
        if found is None:
            raise StoreError(f"{eng.display_url(self.url)}: stored shape #{shape_id} is missing")
        return found

    # -- alert state -----------------------------------------------------------------------

    def active_alerts(self, device: str) -> dict[tuple[str, str], datetime]:
        """``(rule, subject) -> since`` for the alerts currently true on ``device``."""
        c = alert_state.c
        query = select(c.rule, c.subject, c.since).where(c.device_id == self.device_id(device))
        with self._errors("reading alert state"), self.engine.connect() as connection:
            return {(r[0], r[1]): r[2] for r in connection.execute(query)}

    def set_alerts(
        self,
        device: str,
        raised: Sequence[tuple[str, str, float | None]],
        cleared: Sequence[tuple[str, str]],
        when: datetime,
    ) -> None:
        """Mark ``raised`` ``(rule, subject, value)`` alerts as active, ``cleared`` ones as not."""
        device_id = self.device_id(device)
        c = alert_state.c

        def work(connection: Connection) -> None:
            for rule, subject in [*cleared, *((r, s) for r, s, _ in raised)]:
                connection.execute(
                    delete(alert_state).where(
                        c.device_id == device_id, c.rule == rule, c.subject == subject
                    )
                )
            _bulk(
                connection,
                alert_state,
                ("device_id", "rule", "subject", "since", "value"),
                [(device_id, r, s, when, v) for r, s, v in raised],
            )

        with self._errors("writing alert state"):
            eng.write(self.engine, work)


def _window(device_id: int, since: datetime | None, until: datetime | None) -> Any:
    c = snapshots.c
    condition = c.device_id == device_id
    if since is not None:
        condition = and_(condition, c.calibrated_at >= since)
    if until is not None:
        condition = and_(condition, c.calibrated_at <= until)
    return condition


def _device_id(connection: Connection, name: str) -> int:
    query = select(devices.c.id).where(devices.c.name == name)
    found = connection.execute(query).scalar()
    if found is None:
        key = connection.execute(insert(devices).values(name=name)).inserted_primary_key
        assert key is not None
        found = key[0]
    return int(found)


def _store(
    connection: Connection,
    snapshot: DeviceSnapshot,
    encoded: codec.Encoded,
    synthetic: bool,
    when: datetime,
    known: dict[str, int],
    new_shapes: dict[str, int],
) -> Recorded:
    """Write one encoded snapshot (unless its calibration is stored already)."""
    device_id = _device_id(connection, snapshot.name)
    found = _find_hash(connection, device_id, encoded.content_hash)
    if found is not None:
        return Recorded(snapshot.name, found, snapshot.calibrated_at, False)
    row = rows.snapshot_row(snapshot, encoded)
    shape_id = _shape_id(connection, encoded, known, new_shapes)
    result = connection.execute(
        insert(snapshots).values(
            device_id=device_id, shape_id=shape_id, synthetic=synthetic, recorded_at=when, **row
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    snapshot_id = int(key[0])
    values = [(snapshot_id, name, blob) for name, blob in encoded.sections.items()]
    _bulk(connection, snapshot_values, ("snapshot_id", "section", "data"), values)
    return Recorded(snapshot.name, snapshot_id, snapshot.calibrated_at, True)


def _shape_id(
    connection: Connection,
    encoded: codec.Encoded,
    known: dict[str, int],
    new_shapes: dict[str, int],
) -> int:
    """The id of the encoded snapshot's shape, stored first if it is new."""
    digest = encoded.shape_digest
    found = known.get(digest) or new_shapes.get(digest)
    if found is None:
        query = select(shapes.c.id).where(shapes.c.digest == digest)
        found = connection.execute(query).scalar()
    if found is None:
        key = connection.execute(
            insert(shapes).values(digest=digest, data=encoded.shape)
        ).inserted_primary_key
        assert key is not None
        found = int(key[0])
    new_shapes[digest] = int(found)
    return int(found)


def _find_hash(connection: Connection, device_id: int, digest: str) -> int | None:
    query = select(snapshots.c.id).where(
        snapshots.c.device_id == device_id, snapshots.c.content_hash == digest
    )
    found = connection.execute(query).scalar()
    return None if found is None else int(found)


def _bulk(
    connection: Connection, table: Any, columns: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    """Insert many rows fast: COPY on PostgreSQL (psycopg), the driver's executemany on SQLite
    (times converted as :class:`~qpumon.store.schema.UTCDateTime` does), Core elsewhere."""
    if not values:
        return
    dialect = connection.dialect
    names = ", ".join(columns)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    elif dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        cache: dict[datetime | None, int | None] = {None: None}
        times = [i for i, c in enumerate(columns) if c in _TIME_COLUMNS]
        if times == [len(columns) - 1]:  # the value tables: only the last column is a time
            converted = [(*row[:-1], _stored(row[-1], cache)) for row in values]
        else:
            converted = [
                tuple(_stored(v, cache) if i in times else v for i, v in enumerate(row))
                for row in values
            ]
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})", converted
        )
    else:
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in values])


#: Columns holding times (stored as epoch microseconds on SQLite).
_TIME_COLUMNS = frozenset({"measured_at", "since", "calibrated_at", "recorded_at", "applied_at"})


def _stored(value: datetime | None, cache: dict[datetime | None, int | None]) -> int | None:
    try:
        return cache[value]
    except KeyError:
        assert value is not None
        found = cache[value] = epoch_us(value)
        return found
