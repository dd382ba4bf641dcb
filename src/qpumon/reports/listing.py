"""``qpumon list``: every bundled device with its size, processor and snapshot date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..metrics import MISSING
from .document import TablesReport
from .tables import DETAIL, ESSENTIAL, USEFUL, Cell, Column, Table


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """One line of ``qpumon list``."""

    name: str
    num_qubits: int
    processor: str | None
    calibrated_at: datetime | None


_COLUMNS = (
    Column("device", "Device", numeric=False, priority=ESSENTIAL),
    Column("qubits", "Qubits", priority=ESSENTIAL),
    Column("processor", "Processor", numeric=False, priority=USEFUL),
    Column("snapshot", "Snapshot", numeric=False, priority=DETAIL),
)


def listing_report(devices: Sequence[DeviceListing]) -> TablesReport:
    """The devices as one table (JSON: one object per device)."""
    rows = tuple(
        (
            Cell(d.name, d.name),
            Cell(str(d.num_qubits), d.num_qubits),
            Cell(d.processor or MISSING, d.processor, None if d.processor else "missing"),
            Cell(
                MISSING if d.calibrated_at is None else f"{d.calibrated_at:%Y-%m-%d}",
                d.calibrated_at,
            ),
        )
        for d in devices
    )
    table = Table(f"Bundled devices ({len(devices)})", _COLUMNS, rows)
    data = [
        {
            "device": d.name,
            "qubits": d.num_qubits,
            "processor": d.processor,
            "snapshot": None if d.calibrated_at is None else d.calibrated_at.isoformat(),
        }
        for d in devices
    ]
    return TablesReport("list", "", (table,), data)
