"""The history database's tables and its versioned migrations, declared in code.

Tables (SQLAlchemy Core), schema version 3:

- ``schema_version``: one row per applied migration (``version``, ``description``, ``applied_at``);
- ``devices``: one row per device name;
- ``snapshots``: one row per stored calibration: device, ``calibrated_at``, ``recorded_at``,
  ``source``, ``synthetic``, ``content_hash`` (unique per device: recording the same calibration
  twice stores it once), the device status, ``shape_id`` (its shape) and ``data``: its meta
  document (:mod:`qpumon.store.codec`);
- ``shapes``: the static part of snapshots (configuration, coupling map, which gates on which
  qubits), stored once per distinct content (``digest``) and shared by every snapshot with it;
- ``snapshot_values``: the values, one row per snapshot and section (``q:t1_us``, ``g:cz``, ``t``
  for the measurement times), each a compressed float64 column block, keyed
  ``(snapshot_id, section)``;
- ``alert_state``: which alert is currently true for which subject (migration 2).

A 156-qubit snapshot takes 10-20 kB in all (its qpumon JSON is about 420 kB). Time-series reads go
through the index ``(device_id, calibrated_at)`` of ``snapshots`` and the primary key of
``snapshot_values``: one metric of one device over two years is one short row per snapshot. Times
are UTC; on SQLite they are stored as integer microseconds since the Unix epoch, on PostgreSQL as
``timestamptz``.

Schemas 1 and 2 kept one row per value (``qubit_values``, ``gate_values``) beside the snapshot's
whole JSON; migration 3 rewrites every stored snapshot into the new tables (checking each one reads
back equal) and drops the old ones.
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
    Column("shape_id", Integer, ForeignKey("shapes.id"), nullable=True),
    UniqueConstraint("device_id", "content_hash", name="uq_snapshots_device_hash"),
    Index("ix_snapshots_device_time", "device_id", "calibrated_at"),
)

shapes = Table(
    "shapes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("data", LargeBinary, nullable=False),
)

snapshot_values = Table(
    "snapshot_values",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), primary_key=True),
    Column("section", String(200), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# -- schema 1 and 2 (kept to create and migrate old stores) -----------------------------------

legacy = MetaData()

_legacy_devices = Table(
    "devices",
    legacy,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

legacy_snapshots = Table(
    "snapshots",
    legacy,
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
    legacy,
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("qubit", Integer, primary_key=True, autoincrement=False),
    Column("value", Float, nullable=False),
    Column("measured_at", UTCDateTime, nullable=True),
    sqlite_with_rowid=False,
)

gate_values = Table(
    "gate_values",
    legacy,
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
        tables[0].metadata.create_all(connection, tables=list(tables), checkfirst=True)

    return apply


def _compact(connection: Connection) -> None:
    """Schema 3: the compact value store (see the module docstring)."""
    from .migrate import to_compact

    to_compact(connection)


#: Every migration, in order. Append new ones; never edit an applied one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "devices, snapshots, qubit_values, gate_values",
        _create(_legacy_devices, legacy_snapshots, qubit_values, gate_values),
    ),
    Migration(2, "alert_state", _create(alert_state)),
    Migration(3, "shapes, snapshot_values: compact values, device-level values", _compact),
)

#: The schema version this qpumon writes.
LATEST = MIGRATIONS[-1].version
if LATEST != SCHEMA_VERSION:  # records.SCHEMA_VERSION is what readers without SQLAlchemy check
    raise ImportError(f"schema {LATEST} but records.SCHEMA_VERSION {SCHEMA_VERSION}")
