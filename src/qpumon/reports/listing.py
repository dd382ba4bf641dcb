"""``qpumon list``: every bundled device with its size, processor and snapshot date (and, when
asked, the other vendors' devices qpumon reads offline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..model import VENDOR_NAMES
from ..model.metrics import MISSING
from .document import TablesReport
from .tables import DETAIL, ESSENTIAL, USEFUL, Cell, Column, Table


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """One line of ``qpumon list``."""

    name: str
    num_qubits: int
    processor: str | None
    calibrated_at: datetime | None
    vendor: str = "ibm"


_COLUMNS = (
    Column("device", "Device", numeric=False, priority=ESSENTIAL),
    Column("vendor", "Vendor", numeric=False, priority=USEFUL),
    Column("qubits", "Qubits", priority=ESSENTIAL),
    Column("processor", "Processor", numeric=False, priority=USEFUL),
    Column("snapshot", "Snapshot", numeric=False, priority=DETAIL),
)


def listing_report(
    devices: Sequence[DeviceListing], title: str = "Bundled devices", notes: Sequence[str] = ()
) -> TablesReport:
    """The devices as one table (JSON: one object per device); the Vendor column only when
    more than IBM's are listed."""
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            Cell(d.name, d.name),
            Cell(VENDOR_NAMES.get(d.vendor, d.vendor), d.vendor),
            Cell(str(d.num_qubits), d.num_qubits),
            Cell(d.processor or MISSING, d.processor, None if d.processor else "missing"),
            Cell(
                MISSING if d.calibrated_at is None else f"{d.calibrated_at:%Y-%m-%d}",
                d.calibrated_at,
            ),
        )
        for d in devices
    )
    columns: tuple[Column, ...] = _COLUMNS
    if all(d.vendor == "ibm" for d in devices):
        columns = tuple(c for c in _COLUMNS if c.key != "vendor")
        rows = tuple(row[:1] + row[2:] for row in rows)
    table = Table(f"{title} ({len(devices)})", columns, rows, tuple(notes))
    data = [
        {
            "device": d.name,
            "vendor": d.vendor,
            "qubits": d.num_qubits,
            "processor": d.processor,
            "snapshot": None if d.calibrated_at is None else d.calibrated_at.isoformat(),
        }
        for d in devices
    ]
    return TablesReport("list", "", (table,), data)
