"""A small, format-neutral table: what every renderer (Rich, plain text, Markdown, CSV) draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

#: Why a cell stands out: a failed-benchmark flag, a suspicious value, a missing value, a mark.
Flag = Literal["failed", "suspect", "missing", "mark"]


class Cell(NamedTuple):
    """A table cell: ``text`` as shown, ``value`` as data (None when missing), a flag.

    A NamedTuple rather than a frozen dataclass: a large monitor report makes ~10,000 cells,
    and a tuple is built three times faster."""

    text: str
    value: Any = None
    flag: Flag | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its stable ``key`` (CSV/JSON name), the ``header`` shown, and its alignment."""

    key: str
    header: str
    numeric: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table with notes printed under it."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
