"""Rich rendering for a terminal: the plain layout, fitted to the terminal's width (see
:mod:`.fit`), with colour for flags and boxes for headers. Every text is a ``rich.text.Text``
(never markup), shown through :func:`~qpumon.util.printable.printable`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from ...util.printable import printable
from ..document import Pairs, Report, Section
from ..tables import Cell, Column, Flag, Table
from . import RenderOptions
from .fit import SEPARATOR, dropped_note, fit

_STYLES: dict[Flag | None, str] = {
    "failed": "bold red",
    "off": "bold red",
    "suspect": "yellow",
    "missing": "dim",
    "mark": "bold green",
    None: "",
}
_TONES = {"note": "dim", "warning": "yellow", "error": "bold red"}
#: Used when the terminal's width is unknown.
DEFAULT_WIDTH = 100

#: ``highlight(row, column)``: True for the cells to draw in the highlight style.
Highlight = Callable[[tuple[Cell, ...], Column], bool]


def render(report: Report, options: RenderOptions) -> str:
    """``report`` drawn for a terminal of ``options.width`` columns."""
    width = options.width or DEFAULT_WIDTH
    sections = report.sections()
    parts: list[RenderableType] = [_title(report.title)] if report.title else []
    parts += [renderable(s, width, options.columns) for s in sections]
    # A table whose essential columns are wider than the terminal is drawn whole, never cut:
    # its lines run past the edge and the terminal wraps them.
    needed = [fit(s, width, options.columns).total for s in sections if isinstance(s, Table)]
    return _capture(parts, max([width, *needed]), options.color)


def renderable(
    section: Section,
    width: int,
    columns: Sequence[str] | None = None,
    highlight: Highlight | None = None,
) -> RenderableType:
    """One section as a Rich renderable fitted to ``width`` (the live board draws this too)."""
    if isinstance(section, Table):
        return table_group(section, width, columns, highlight)
    if isinstance(section, Pairs):
        return _pairs(section)
    return Group(*(Text(printable(line), style=_TONES[section.tone]) for line in section.lines))


def table_group(
    t: Table,
    width: int,
    columns: Sequence[str] | None = None,
    highlight: Highlight | None = None,
    highlight_style: str = "bold black on yellow",
) -> RenderableType:
    """``t`` fitted to ``width`` with its notes; ``highlight`` marks cells (the live board's
    changes)."""
    fitted = fit(t, width, columns)
    table = RichTable(
        title=printable(t.title),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, SEPARATOR - 1, 0, 0),
        pad_edge=False,
        header_style="bold",
    )
    for i, lines, w in zip(fitted.kept, fitted.headers, fitted.widths, strict=True):
        column = t.columns[i]
        table.add_column(
            "\n".join(printable(line) for line in lines),
            justify="right" if column.numeric else "left",
            no_wrap=not column.wrap,
            width=w,
        )
    for row in t.rows:
        table.add_row(
            *(_cell(row, t.columns[i], i, highlight, highlight_style) for i in fitted.kept)
        )
    notes = [*t.notes, *filter(None, [dropped_note(fitted, width)])]
    return Group(table, *(Text(printable(note), style="dim") for note in notes))


def _cell(
    row: tuple[Cell, ...],
    column: Column,
    index: int,
    highlight: Highlight | None,
    highlight_style: str,
) -> Text:
    cell = row[index]
    marked = highlight is not None and highlight(row, column)
    return Text(printable(cell.text), style=highlight_style if marked else _STYLES[cell.flag])


def _title(title: str) -> Text:
    return Text(printable(title), style="bold underline")


def _pairs(section: Pairs) -> RenderableType:
    grid = RichTable(
        box=None,
        show_header=False,
        title=None if section.title is None else printable(section.title),
        title_justify="left",
        title_style="bold",
        pad_edge=False,
    )
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column(overflow="fold")
    colon = ":" if section.code else ""
    for label, value in section.items:
        grid.add_row(Text(printable(label) + colon), Text(printable(value)))
    return grid


def _capture(parts: list[RenderableType], width: int, color: bool) -> str:
    console = Console(
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        record=False,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )
    with console.capture() as capture:
        for part in parts:
            console.print(part)
            console.print()
    return capture.get()
