"""The default ``table`` format: Rich tables with colour on a terminal, plain text otherwise."""

from __future__ import annotations

from ..monitor import MonitorReport
from ..overview import OverviewReport
from . import RenderOptions, plain


def monitor(report: MonitorReport, options: RenderOptions) -> str:
    """The monitor report for a person to read."""
    if options.rich:
        from .rich_render import rich_monitor

        return rich_monitor(report, options)
    lines = plain.heading(report.snapshot.name, "=") + plain.pairs(report.header)
    if report.summary_lines:
        lines += [""] + plain.heading("Summary") + plain.pairs(report.summary_lines)
    lines += (
        [""]
        + plain.heading("Configuration")
        + plain.pairs([(f"{k}:", v) for k, v in report.configuration], indent="    ")
    )
    for table in (report.qubits, report.gates):
        if table is not None:
            lines += [""] + plain.table(table)
    lines += [""] + list(report.notes) if report.notes else []
    return "\n".join(lines) + "\n"


def overview(report: OverviewReport, options: RenderOptions) -> str:
    """The overview for a person to read."""
    if options.rich:
        from .rich_render import rich_overview

        return rich_overview(report, options)
    return "\n".join(plain.table(report.table)) + "\n"
