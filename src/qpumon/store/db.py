"""The history store: record snapshots, list them, reload them, read value series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, delete, func, insert, null, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError
from ..model import DeviceSnapshot
from ..model.serialize import snapshot_to_dict
from . import engine as eng
from . import rows
from .epoch import epoch_us, to_datetime
from .records import DeviceInfo, Recorded, SnapshotInfo
from .schema import (
    alert_state,
    devices,
    gate_values,
    qubit_values,
    snapshots,
)


class Store:
    """A history database at ``url`` (SQLite or PostgreSQL), migrated to the current schema."""

    def __init__(self, url: str, busy_timeout_s: float = eng.BUSY_TIMEOUT_S) -> None:
        self.url = url
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
        data = snapshot_to_dict(snapshot)
        row = rows.snapshot_row(snapshot, data)
        row["synthetic"] = synthetic
        row["recorded_at"] = recorded_at or datetime.now(timezone.utc)

        def work(connection: Connection) -> Recorded:
            device_id = _device_id(connection, snapshot.name)
            found = _find_hash(connection, device_id, row["content_hash"])
            if found is not None:
                return Recorded(snapshot.name, found, snapshot.calibrated_at, False)
            result = connection.execute(insert(snapshots).values(device_id=device_id, **row))
            key = result.inserted_primary_key
            assert key is not None
            snapshot_id = int(key[0])
            _bulk(
                connection, qubit_values, rows.QUBIT_COLUMNS, rows.qubit_rows(snapshot, snapshot_id)
            )
            _bulk(connection, gate_values, rows.GATE_COLUMNS, rows.gate_rows(snapshot, snapshot_id))
            return Recorded(snapshot.name, snapshot_id, snapshot.calibrated_at, True)

        with self._errors(f"recording {snapshot.name}"):
            try:
                return eng.write(self.engine, work)
            except IntegrityError:  # another writer stored the same calibration just now
                return eng.write(self.engine, work)

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

    def load(self, snapshot_id: int) -> DeviceSnapshot:
        """The stored snapshot ``snapshot_id``, exactly as it was recorded."""
        query = select(snapshots.c.data).where(snapshots.c.id == snapshot_id)
        with self._errors("reading a snapshot"), self.engine.connect() as connection:
            blob = connection.execute(query).scalar()
        if blob is None:
            raise StoreError(f"{eng.display_url(self.url)}: no snapshot #{snapshot_id}")
        return rows.decode(bytes(blob), f"{eng.display_url(self.url)}: snapshot #{snapshot_id}")

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
        None unless ``measured``: leaving it out makes a year of 156 qubits twice as fast)."""
        v = qubit_values.c
        condition = and_(v.metric == metric, v.snapshot_id.in_(self._ids(device, since, until)))
        if qubit is not None:
            condition = and_(condition, v.qubit == qubit)
        when = v.measured_at if measured else null()
        query = select(v.snapshot_id, v.qubit, v.value, when).where(condition)
        return self._series(device, query)

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
        unless ``qubits`` is given, as ``3-4``)."""
        v = gate_values.c
        condition = and_(v.gate == gate, v.snapshot_id.in_(self._ids(device, since, until)))
        if qubits is not None:
            condition = and_(condition, v.qubits == qubits)
        when = v.measured_at if measured else null()
        query = select(v.snapshot_id, v.qubits, v.error, v.length_ns, when)
        return self._series(device, query.where(condition))

    def _series(self, device: str, query: Any) -> list[tuple[Any, ...]]:
        """Rows of a value query whose last column is a time (or NULL)."""
        with self._errors(f"reading {device}"), self.engine.connect() as connection:
            if connection.dialect.name != "sqlite":
                return [tuple(row) for row in connection.execute(query).all()]
            times: dict[Any, datetime | None] = {}  # a snapshot's values share few times
            out = []
            for row in _sqlite_rows(connection, query):
                raw = row[-1]
                when = times[raw] if raw in times else times.setdefault(raw, to_datetime(raw))
                out.append((*row[:-1], when))
            return out

    def _ids(self, device: str, since: datetime | None, until: datetime | None) -> Any:
        return select(snapshots.c.id).where(_window(self.device_id(device), since, until))

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


def _sqlite_rows(connection: Connection, query: Any) -> list[tuple[Any, ...]]:
    """``query`` run on the SQLite driver's own cursor: for the big time-series reads, building
    SQLAlchemy rows would cost as much as the read itself. Parameters are converted as the
    column types would (times to epoch microseconds)."""
    compiled = query.compile(dialect=connection.dialect)
    given = compiled.construct_params()
    order = compiled.positiontup or []
    values = [epoch_us(given[n]) if isinstance(given[n], datetime) else given[n] for n in order]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), values)
        return list(cursor.fetchall())
    finally:
        cursor.close()


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
