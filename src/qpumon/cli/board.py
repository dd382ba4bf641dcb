"""The ``--watch`` board: a live overview refreshed in place, with what changed highlighted.

:meth:`Board.refresh` fetches a new overview and compares it cell by cell (device, column) with
the previous one; :meth:`Board.renderable` draws it for Rich ``Live`` with the same table drawing
as every other report. A refresh that fails keeps the last table and says why, so a passing
network fault does not end the watch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..errors import QpumonError
from ..reports.overview import OverviewReport
from ..reports.tables import Table
from ..util.printable import printable

if TYPE_CHECKING:
    from rich.console import RenderableType

#: (device, column key) -> the cell's text.
Cells = dict[tuple[str, str], str]

CHANGED_STYLE = "bold black on yellow"


def table_cells(table: Table) -> Cells:
    """Every cell of an overview table keyed by its device and column."""
    cells: Cells = {}
    for row in table.rows:
        device = row[0].text
        for column, cell in zip(table.columns, row, strict=True):
            cells[(device, column.key)] = cell.text
    return cells


@dataclass
class Board:
    """Successive overviews from ``fetch``; ``changed`` holds the cells that differ from the
    previous refresh (every cell of a device that is new since then)."""

    fetch: Callable[[], OverviewReport]
    interval: float
    overview: OverviewReport | None = None
    fetched_at: datetime | None = None
    changed: set[tuple[str, str]] = field(default_factory=set)
    error: str | None = None
    refreshes: int = 0
    _cells: Cells | None = None

    def refresh(self) -> set[tuple[str, str]]:
        """Fetch a new overview; return the cells that changed since the last one."""
        try:
            overview = self.fetch()
        except QpumonError as exc:
            self.error = f"refresh failed at {_clock()}: {exc} (showing the previous data)"
            return set()
        cells = table_cells(overview.table)
        previous = self._cells
        self.changed = (
            set()
            if previous is None
            else {key for key, text in cells.items() if previous.get(key) != text}
        )
        self._cells, self.overview, self.error = cells, overview, None
        self.fetched_at = datetime.now(timezone.utc)
        self.refreshes += 1
        return self.changed

    def renderable(self, width: int) -> RenderableType:
        """The overview fitted to ``width``, changed cells highlighted, with a caption."""
        from rich.console import Group
        from rich.text import Text

        from ..reports.formats.rich_render import table_group

        if self.overview is None:
            return Text(
                printable(self.error or "fetching devices ..."),
                style="bold red" if self.error else "",
            )
        table = self.overview.table
        parts: list[RenderableType] = [
            table_group(
                table,
                width,
                highlight=lambda row, column: (row[0].text, column.key) in self.changed,
                highlight_style=CHANGED_STYLE,
            )
        ]
        parts += [Text(printable(note), style="dim") for note in self.overview.notes]
        parts.append(Text(self._caption(), style="bold"))
        if self.error:
            parts.append(Text(printable(self.error), style="bold red"))
        return Group(*parts)

    def _caption(self) -> str:
        when = "—" if self.fetched_at is None else self.fetched_at.strftime("%H:%M:%S UTC")
        changed = len(self.changed)
        return (
            f"Refreshed {when}, every {self.interval:g} s; {changed} cell"
            f"{'' if changed == 1 else 's'} changed since the last refresh (highlighted). "
            "Ctrl-C to quit."
        )


def _clock() -> str:
    return datetime.now(timezone.utc).strftime("%H:%M:%S UTC")
