"""What the store hands back, and the reading interface both of its implementations offer.

:class:`~qpumon.store.db.Store` (SQLAlchemy: SQLite and PostgreSQL, reads and writes) and
:class:`~qpumon.store.sqlite_reader.SqliteReader` (the standard library's sqlite3: reads of a
SQLite file, without importing SQLAlchemy) both provide :class:`Reader`; the history analyses
take a :class:`Reader`.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..model import DeviceSnapshot

#: The schema version this qpumon writes and reads (the last of ``schema.MIGRATIONS``).
SCHEMA_VERSION = 3


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :meth:`Store.record` did: ``stored`` is False when the snapshot was already there."""

    device: str
    snapshot_id: int
    calibrated_at: datetime | None
    stored: bool


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A stored snapshot's row, without its values."""

    id: int
    device: str
    calibrated_at: datetime | None
    recorded_at: datetime
    source: str
    synthetic: bool
    operational: bool | None
    pending_jobs: int | None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device in the store: how many snapshots, from when to when."""

    name: str
    snapshots: int
    first: datetime | None
    last: datetime | None


class Reader(Protocol):
    """Reading a history database."""

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden."""

    def devices(self) -> list[DeviceInfo]:
        """Every device with its snapshot count and time span, by name."""

    def device_id(self, name: str) -> int:
        """The id of device ``name``; a clear error naming the stored devices if unknown."""

    def snapshots(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[SnapshotInfo]:
        """The device's snapshots in calibration order, within ``[since, until]``."""

    def latest(self, device: str) -> SnapshotInfo | None:
        """The device's newest snapshot (by calibration time), None if it has none."""

    def load(self, snapshot_id: int) -> DeviceSnapshot:
        """The stored snapshot ``snapshot_id``, exactly as it was recorded."""

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

    def value_columns(
        self,
        device: str,
        section: str,
        column: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[int, Sequence[str], array[float] | None]]:
        """``(snapshot_id, subjects, values)``: one stored column of ``section`` per snapshot,
        NaN where a value is missing (see :func:`qpumon.store.codec.value_columns`)."""

    def device_series(
        self,
        device: str,
        key: str,
        since: datetime | None = None,
        until: datetime | None = None,
        measured: bool = True,
    ) -> list[tuple[int, float, float | None, datetime | None]]:
        """``(snapshot_id, value, uncertainty, measured_at)`` of a device-level value (schema 3)."""

    def active_alerts(self, device: str) -> dict[tuple[str, str], datetime]:
        """``(rule, subject) -> since`` for the alerts currently true on ``device``."""

    def close(self) -> None:
        """Release the database."""
