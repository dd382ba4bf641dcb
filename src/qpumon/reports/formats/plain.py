"""Plain aligned text: the ``table`` format when the output is not a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from ..tables import Table


def heading(title: str, underline: str = "-") -> list[str]:
    """A title underlined to its length."""
    return [title, underline * len(title)]


def pairs(items: Sequence[tuple[str, str]], indent: str = "") -> list[str]:
    """``label   value`` lines with the values aligned."""
    width = max((len(label) for label, _ in items), default=0)
    return [f"{indent}{label.ljust(width)}  {value}".rstrip() for label, value in items]


def table(t: Table) -> list[str]:
    """The table as aligned columns: numbers right-aligned, text left-aligned."""
    texts = [[c.header for c in t.columns]] + [[cell.text for cell in row] for row in t.rows]
    widths = [max(len(r[i]) for r in texts) for i in range(len(t.columns))]
    lines = []
    for r in texts:
        cells = [
            text.rjust(w) if col.numeric else text.ljust(w)
            for text, w, col in zip(r, widths, t.columns, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return heading(t.title) + lines + [f"Note: {n}" for n in t.notes]
