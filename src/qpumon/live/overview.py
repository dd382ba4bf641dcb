"""The live overview: every device of the account side by side, failed devices included.

It reuses the overview report of the bundled data (summaries, marks, the table) and adds one row
per device that could not be fetched, with its error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from ..metrics import MISSING
from ..reports.overview import OverviewReport, build_overview
from ..reports.tables import Cell, Table
from ..summary import summarize
from ..times import iso
from .source import DeviceResult, LiveSource


@dataclass(frozen=True)
class LiveOverview:
    """An overview report of live devices, the per-device results and when they were fetched."""

    report: OverviewReport
    results: tuple[DeviceResult, ...]
    fetched_at: datetime

    @property
    def failures(self) -> dict[str, str]:
        """Device name -> the error that kept it out of the overview."""
        return {r.name: r.error for r in self.results if r.error is not None}


def live_overview(
    source: LiveSource,
    devices: Sequence[str] | None = None,
    *,
    sort: str = "name",
    include_flagged: bool = False,
) -> LiveOverview:
    """Fetch ``devices`` (default: every device of the account) and build their overview."""
    names = list(devices) if devices else source.names()
    results = tuple(source.fetch(names))
    summaries = [
        summarize(r.snapshot, include_flagged=include_flagged)
        for r in results
        if r.snapshot is not None
    ]
    report = build_overview(summaries, sort=sort)
    failed = [r for r in results if r.error is not None]
    if failed or source.options.at is not None:
        report = replace(report, table=_with_failures(report.table, failed, source))
    return LiveOverview(report, results, datetime.now(timezone.utc))


def _with_failures(table: Table, failed: list[DeviceResult], source: LiveSource) -> Table:
    rows = tuple(_error_row(table, r) for r in failed)
    notes = [f"{r.name}: {r.error}" for r in failed]
    if source.options.at is not None:
        notes.insert(
            0,
            f"Calibrations in force at {iso(source.options.at)}; status and queue "
            "are not historical and are left out.",
        )
    return replace(table, rows=table.rows + rows, notes=table.notes + tuple(notes))


def _error_row(table: Table, result: DeviceResult) -> tuple[Cell, ...]:
    cells = []
    for column in table.columns:
        if column.key == "device":
            cells.append(Cell(result.name, result.name))
        elif column.key == "status":
            cells.append(Cell("error", None, "failed"))
        else:
            cells.append(Cell(MISSING, None, "missing"))
    return tuple(cells)
