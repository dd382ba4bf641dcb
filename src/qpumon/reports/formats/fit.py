"""Tables that fit a terminal without cutting a digit.

A numeric cell is shown whole or its column is left out. To fit a width, a header may break
into two lines at a space, a ``wrap`` text column may wrap at spaces, and then columns are left
out by priority (duplicates of another column first, essential ones never), with a note naming
what was left out and how to see it. ``--columns`` chooses the columns instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...errors import UsageError
from ...model.metrics import ALIASES
from ...model.vocabulary import unknown
from ..tables import ESSENTIAL, Column, Table

#: Spaces between two columns (plain text and Rich draw the same).
SEPARATOR = 2
#: The narrowest a wrapped text column gets.
MIN_WRAP_WIDTH = 8


@dataclass(frozen=True, slots=True)
class Fitted:
    """How to draw a table: the kept columns (indices into ``table.columns``), each one's header
    lines and width, and the columns left out."""

    kept: tuple[int, ...]
    headers: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    dropped: tuple[Column, ...]

    @property
    def total(self) -> int:
        """Width of a drawn row."""
        return sum(self.widths) + SEPARATOR * max(len(self.widths) - 1, 0)


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)

    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def column_key(name: str) -> str:
    """The column key ``--columns`` or ``--sort`` means by ``name``: the key itself (any case), or
    the key a metric alias stands for (``t1`` -> ``t1_us``)."""
    lowered = name.strip().lower()
    return ALIASES.get(lowered, lowered)


def check_columns(tables: Iterable[Table], wanted: Sequence[str]) -> None:
    """A :class:`~qpumon.errors.UsageError` naming the nearest keys if a name in ``wanted`` is the
    key of no column of ``tables`` (the keys the CSV and JSON of the report show)."""
    keys = list(dict.fromkeys(c.key for t in tables for c in t.columns))
    known = {k.lower() for k in keys}
    for name in wanted:
        if column_key(name) not in known:
            if not keys:
                raise UsageError(f"--columns {name.strip()!r}: this report has no table columns")
            raise unknown("column", name.strip(), keys, where="--columns")


def choose_columns(table: Table, wanted: Sequence[str] | None) -> list[int]:
    """Indices of the columns ``--columns`` asks for (by key or a metric alias, any case; the
    names were checked against the whole report by :func:`check_columns`), always with the first
    column (the row's label); every column when none asked for is in this table."""
    all_columns = list(range(len(table.columns)))
    if not wanted:
        return all_columns
    names = {column_key(w) for w in wanted if w.strip()}
    chosen = [i for i, c in enumerate(table.columns) if c.key.lower() in names]
    if not chosen:
        return all_columns
    return sorted({0, *chosen})


def fit(table: Table, width: int | None, wanted: Sequence[str] | None = None) -> Fitted:
    """Lay ``table`` out in ``width`` terminal columns (None: as wide as it needs, headers on one
    line); see the module docstring."""
    kept = choose_columns(table, wanted)
    natural = [_natural_width(table, i) for i in kept]
    if width is None or _total(natural) <= width:
        return Fitted(
            tuple(kept), tuple((table.columns[i].header,) for i in kept), tuple(natural), ()
        )
    layouts = {i: _narrow(table, i) for i in kept}
    dropped: list[Column] = []
    while _total(layouts[i][1] for i in kept) > width:
        victim = _next_to_drop(table, kept)
        if victim is None:
            break
        kept.remove(victim)
        dropped.append(table.columns[victim])
    widths = _share_spare_room(table, kept, layouts, width)
    return Fitted(
        tuple(kept),
        tuple(layouts[i][0] for i in kept),
        tuple(widths),
        tuple(sorted(dropped, key=table.columns.index)),
    )


def dropped_note(fitted: Fitted, width: int) -> str | None:
    """The note naming the columns left out to fit ``width`` and how to see them."""
    if not fitted.dropped:
        return None
    names = [c.header for c in fitted.dropped if not c.same_as]
    copies: dict[str, list[str]] = {}
    for column in fitted.dropped:
        if column.same_as:
            copies.setdefault(column.same_as, []).append(column.header)
    names += [f"{', '.join(h)} (equal to {same} on every row)" for same, h in copies.items()]
    keys = ",".join(c.key for c in fitted.dropped)
    return (
        f"Left out to fit {width} columns: {'; '.join(names)}. "
        f"See them with --columns {keys}, a wider terminal, or -f plain."
    )


def _total(widths: Iterable[int]) -> int:
    values = list(widths)
    return sum(values) + SEPARATOR * max(len(values) - 1, 0)


def _cell_widths(table: Table, index: int) -> list[int]:
    return [display_width(row[index].text) for row in table.rows]


def _natural_width(table: Table, index: int) -> int:
    return max([display_width(table.columns[index].header), *_cell_widths(table, index)])


def _narrow(table: Table, index: int) -> tuple[tuple[str, ...], int]:
    """The narrowest header lines and width of a column that keeps every cell whole."""
    column = table.columns[index]
    if column.wrap:
        words = [display_width(w) for row in table.rows for w in row[index].text.split()]
        data = min(max([MIN_WRAP_WIDTH, *words]), _natural_width(table, index))
    else:
        data = max([0, *_cell_widths(table, index)])
    header = column.header
    best: tuple[tuple[str, ...], int] = ((header,), display_width(header))
    if best[1] > data:
        for cut in (i for i, ch in enumerate(header) if ch == " "):
            lines = (header[:cut], header[cut + 1 :])
            needed = max(display_width(line) for line in lines)
            if needed < best[1]:
                best = (lines, needed)
    return best[0], max(best[1], data)


def _next_to_drop(table: Table, kept: list[int]) -> int | None:
    """The column that gives way next: highest priority number, then the rightmost."""
    candidates = [i for i in kept if table.columns[i].priority != ESSENTIAL]
    if not candidates:
        return None
    return max(candidates, key=lambda i: (table.columns[i].priority, i))


def _share_spare_room(
    table: Table, kept: list[int], layouts: dict[int, tuple[tuple[str, ...], int]], width: int
) -> list[int]:
    """Give wrapped text columns the room left over, up to their natural width."""
    widths = {i: layouts[i][1] for i in kept}
    spare = width - _total(widths.values())
    for i in kept:
        if spare <= 0:
            break
        if table.columns[i].wrap:
            grow = min(spare, _natural_width(table, i) - widths[i])
            widths[i] += max(grow, 0)
            spare -= max(grow, 0)
    return [widths[i] for i in kept]
