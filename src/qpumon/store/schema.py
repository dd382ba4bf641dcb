"""The history database's tables and its versioned migrations, declared in code.

Tables (SQLAlchemy Core):

- ``schema_version``: one row per applied migration (``version``, ``description``, ``applied_at``);
- ``devices``: one row per device name;
- ``snapshots``: one row per stored calibration: device, ``calibrated_at``, ``recorded_at``,
  ``source``, ``synthetic``, ``content_hash`` (unique per device: recording the same calibration
  twice stores it once), the device status, and ``data``: qpumon's snapshot JSON, zlib-compressed,
  from which the snapshot reloads losslessly;
- ``qubit_values``: one row per qubit and per-qubit metric (``metric`` is a key of
  :data:`qpumon.model.metrics.QUBIT_METRICS`), keyed ``(snapshot_id, metric, qubit)``;
- ``gate_values``: one row per gate on its qubits (``qubits`` written ``3-4``), with its ``error``
  and ``length_ns``, keyed ``(snapshot_id, gate, qubits)``;
- ``alert_state``: which alert is currently true for which subject (migration 2).

Time-series reads go through the index ``(device_id, calibrated_at)`` of ``snapshots`` and then the
primary key of the value tables (clustered on SQLite: ``WITHOUT ROWID``), so one metric of every
qubit over a year is 365 short range reads. Times are UTC; on SQLite they are stored as integer
microseconds since the Unix epoch (compact and fast to read), on PostgreSQL as ``timestamptz``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator, TypeEngine

from .epoch import epoch_us, to_datetime
from .records import SCHEMA_VERSION


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime: epoch microseconds on SQLite, ``timestamptz`` elsewhere."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """BigInteger on SQLite, DateTime(timezone=True) elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Aware datetimes only; naive ones are taken to be UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        if dialect.name == "sqlite":
            return epoch_us(value)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Back to an aware UTC datetime."""
        return to_datetime(value)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("calibrated_at", UTCDateTime, nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("source", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("content_hash", String(64), nullable=False),
    Column("num_qubits", Integer, nullable=False),
    Column("operational", Boolean, nullable=True),
    Column("pending_jobs", Integer, nullable=True),
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("device_id", "content_hash", name="uq_snapshots_device_hash"),
    Index("ix_snapshots_device_time", "device_id", "calibrated_at"),
)

qubit_values = Table(
    "qubit_values",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("qubit", Integer, primary_key=True, autoincrement=False),
    Column("value", Float, nullable=False),
    Column("measured_at", UTCDateTime, nullable=True),
    sqlite_with_rowid=False,
)

gate_values = Table(
    "gate_values",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), primary_key=True),
    Column("gate", String(40), primary_key=True),
    Column("qubits", String(40), primary_key=True),
    Column("error", Float, nullable=True),
    Column("length_ns", Float, nullable=True),
    Column("measured_at", UTCDateTime, nullable=True),
    sqlite_with_rowid=False,
)

alert_state = Table(
    "alert_state",
    metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True),
    Column("rule", String(200), primary_key=True),
    Column("subject", String(100), primary_key=True),
    Column("since", UTCDateTime, nullable=False),
    Column("value", Float, nullable=True),
)


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply(connection)`` runs inside the migration's transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create(*tables: Table) -> Callable[[Connection], None]:
    def apply(connection: Connection) -> None:
        metadata.create_all(connection, tables=list(tables), checkfirst=True)

    return apply


#: Every migration, in order. Append new ones; never edit an applied one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "devices, snapshots, qubit_values, gate_values",
        _create(devices, snapshots, qubit_values, gate_values),
    ),
    Migration(2, "alert_state", _create(alert_state)),
)

#: The schema version this qpumon writes.
LATEST = MIGRATIONS[-1].version
if LATEST != SCHEMA_VERSION:  # records.SCHEMA_VERSION is what readers without SQLAlchemy check
    raise ImportError(f"schema {LATEST} but records.SCHEMA_VERSION {SCHEMA_VERSION}")
