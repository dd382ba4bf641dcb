"""What every command's result is: a report of sections (label/value pairs, tables, notes) that
the one formats registry (:mod:`qpumon.reports.formats`) draws, plus the data behind it for the
machine formats.

A report provides:

- ``kind``: which command made it (``monitor``, ``overview``, ``history``...); formats that only
  make sense for some kinds (``legacy``, ``html``) say which;
- ``title`` and ``sections()``: what people read (table, plain, markdown, html);
- ``document()``: JSON-ready data (``-f json``), the most useful lossless form of the result;
- ``records()``: CSV rows, the header first (``-f csv``), one value or one item per row.

:class:`TablesReport` is the plain implementation most commands use; the monitor and overview
reports implement the same protocol over their richer data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..util import display
from .tables import Table


@dataclass(frozen=True, slots=True)
class Pairs:
    """A titled list of ``label  value`` lines; ``code`` marks values that are literal data
    (configuration keys and values), drawn as code where a format can."""

    title: str | None
    items: tuple[tuple[str, str], ...]
    code: bool = False


@dataclass(frozen=True, slots=True)
class Notes:
    """Paragraphs of text under a report (``tone``: ``note``, ``warning`` or ``error``)."""

    lines: tuple[str, ...]
    tone: str = "note"


Section = Pairs | Table | Notes


@runtime_checkable
class Report(Protocol):
    """What the formats registry draws (see the module docstring)."""

    @property
    def kind(self) -> str:
        """Which command made the report."""

    @property
    def title(self) -> str:
        """The report's heading."""

    def sections(self) -> Sequence[Section]:
        """What people read, in order."""

    def document(self) -> Any:
        """JSON-ready data."""

    def records(self) -> Sequence[Sequence[Any]]:
        """CSV rows, the header row first."""


@dataclass(frozen=True)
class TablesReport:
    """A report made of ready sections; its JSON and CSV come from ``data`` (or ``data_of()``,
    made only when asked: a long history's tidy rows cost more than its table) and ``rows``
    when given, else from its tables (every column by key, every value at full precision)."""

    kind: str
    title: str
    parts: tuple[Section, ...]
    data: Any = None
    rows: Callable[[], Sequence[Sequence[Any]]] | None = field(default=None, compare=False)
    data_of: Callable[[], Any] | None = field(default=None, compare=False)

    def _repr_html_(self) -> str:
        """The report in a notebook (Jupyter's rich display)."""
        return display.html(self)

    def sections(self) -> Sequence[Section]:
        """The sections as given."""
        return self.parts

    def tables(self) -> list[Table]:
        """The tables among the sections."""
        return [part for part in self.parts if isinstance(part, Table)]

    def document(self) -> Any:
        """``data`` (``data_of()``), or every table as ``{title, rows: [{key: value}], notes}``."""
        if self.data_of is not None:
            return self.data_of()
        if self.data is not None:
            return self.data
        tables = [table_document(t) for t in self.tables()]
        notes = [line for part in self.parts if isinstance(part, Notes) for line in part.lines]
        return {"title": self.title, "tables": tables, "notes": notes}

    def records(self) -> Sequence[Sequence[Any]]:
        """``rows()``, or the tables' rows (a ``table`` column first when there are several)."""
        if self.rows is not None:
            return self.rows()
        return tables_records(self.tables())


def table_document(table: Table) -> dict[str, Any]:
    """A table as JSON-ready data: every row as ``{column key: value}``."""
    return {
        "title": table.title,
        "rows": [
            {c.key: plain_value(cell.value) for c, cell in zip(table.columns, row, strict=True)}
            for row in table.rows
        ],
        "notes": list(table.notes),
    }


def tables_records(tables: Sequence[Table]) -> list[list[Any]]:
    """CSV rows of ``tables``: one table as its keys and values; several in one sheet with a
    ``table`` column naming each row's table, under the union of their keys."""
    if len(tables) == 1:
        (table,) = tables
        head: list[Any] = [c.key for c in table.columns]
        return [head] + [[plain_value(cell.value) for cell in row] for row in table.rows]
    keys = list(dict.fromkeys(c.key for t in tables for c in t.columns))
    out: list[list[Any]] = [["table", *keys]]
    for table in tables:
        for row in table.rows:
            values = {
                c.key: plain_value(cell.value) for c, cell in zip(table.columns, row, strict=True)
            }
            out.append([table.title, *(values.get(k) for k in keys)])
    return out


def plain_value(value: Any) -> Any:
    """A cell value as JSON/CSV data: datetimes as ISO-8601, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
