"""A small, format-neutral table: what every renderer (Rich, plain text, Markdown, CSV) draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

#: Why a cell stands out: a failed-benchmark flag, a suspicious value, a missing value, a mark.
Flag = Literal["failed", "off", "suspect", "missing", "mark"]

#: Column priorities: an essential column is never left out to fit a terminal; the others are
#: left out in decreasing priority (the highest number first) until the table fits.
ESSENTIAL, USEFUL, DETAIL, MINOR, DUPLICATE = 0, 1, 2, 3, 5


class Cell(NamedTuple):
    """A table cell: ``text`` as shown, ``value`` as data (None when missing), a flag.

    A NamedTuple rather than a frozen dataclass: a large monitor report makes ~10,000 cells,
    and a tuple is built three times faster."""

    text: str
    value: Any = None
    flag: Flag | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its stable ``key`` (CSV/JSON name), the ``header`` shown, and how it is laid out.

    ``numeric`` columns are right-aligned and never wrapped or cut; a ``wrap`` text column may be
    wrapped at spaces to fit. ``priority`` says which columns give way first on a narrow terminal
    (see :data:`ESSENTIAL`); ``same_as`` names the header of a column this one repeats value for
    value (such a column gives way before any other).
    """

    key: str
    header: str
    numeric: bool = True
    priority: int = USEFUL
    wrap: bool = False
    same_as: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table with notes printed under it."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()


def cells(*values: tuple[str, Any]) -> tuple[Cell, ...]:
    """A row of plain cells from ``(text, value)`` pairs."""
    return tuple(Cell(text, value) for text, value in values)
