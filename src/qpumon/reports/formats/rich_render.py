"""Rich rendering for a terminal: the same content as the plain text, with colour and boxes."""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from ..monitor import MonitorReport
from ..overview import OverviewReport
from ..tables import Cell, Column, Flag, Table
from . import RenderOptions

_STYLES: dict[Flag | None, str] = {
    "failed": "bold red",
    "suspect": "yellow",
    "missing": "dim",
    "mark": "bold green",
    None: "",
}


def _pairs(items: tuple[tuple[str, str], ...], title: str) -> RichTable:
    grid = RichTable(
        box=None,
        show_header=False,
        title=title,
        title_justify="left",
        title_style="bold",
        pad_edge=False,
    )
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column()
    for label, value in items:
        grid.add_row(label, value)
    return grid


def rich_table(
    t: Table,
    title: str | None = None,
    highlight: Callable[[tuple[Cell, ...], Column], bool] | None = None,
    highlight_style: str = "bold black on yellow",
) -> RichTable:
    """``t`` as a Rich table, cells styled by their flag; cells for which ``highlight(row,
    column)`` is true get ``highlight_style`` instead (the live board marks changes so)."""
    table = RichTable(
        title=t.title if title is None else title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        pad_edge=False,
    )
    for column in t.columns:
        table.add_column(column.header, justify="right" if column.numeric else "left", no_wrap=True)
    for row in t.rows:
        table.add_row(
            *(
                Text(
                    cell.text,
                    style=highlight_style
                    if highlight is not None and highlight(row, column)
                    else _STYLES[cell.flag],
                )
                for column, cell in zip(t.columns, row, strict=True)
            )
        )
    return table


def _table(t: Table) -> RenderableType:
    notes = [Text(note, style="dim") for note in t.notes]
    return Group(rich_table(t), *notes)


def _render(parts: list[RenderableType], options: RenderOptions) -> str:
    console = Console(
        width=options.width, force_terminal=True, record=False, highlight=False, soft_wrap=False
    )
    with console.capture() as capture:
        for part in parts:
            console.print(part)
            console.print()
    return capture.get()


def rich_monitor(report: MonitorReport, options: RenderOptions) -> str:
    """The monitor report with Rich."""
    parts: list[RenderableType] = [_pairs(report.header, report.snapshot.name)]
    if report.summary_lines:
        parts.append(_pairs(report.summary_lines, "Summary"))
    parts.append(_pairs(tuple((f"{k}:", v) for k, v in report.configuration), "Configuration"))
    parts += [_table(t) for t in (report.qubits, report.gates) if t is not None]
    parts += [Text(note, style="yellow") for note in report.notes]
    return _render(parts, options)


def rich_overview(report: OverviewReport, options: RenderOptions) -> str:
    """The overview with Rich."""
    return _render([_table(report.table)], options)


def rich_tables(tables: list[Table], options: RenderOptions) -> str:
    """Any tables with Rich, one after the other (for reports other than monitor/overview)."""
    return _render([_table(t) for t in tables], options)
