"""``plain``: aligned text with no colour, every column at full width (never fitted to a
terminal: what ``table`` prints when its output is not a terminal, and the way to see every
column on any terminal). The drawing itself also serves ``table`` on a terminal, fitted."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ...util.printable import printable
from ..document import Notes, Pairs, Report, Section
from ..tables import Table
from . import RenderOptions
from .fit import SEPARATOR, Fitted, display_width, dropped_note, fit


def render(report: Report, options: RenderOptions) -> str:
    """``report`` as plain text, as wide as its widest row."""
    return draw(report, width=None, columns=options.columns)


def draw(report: Report, width: int | None, columns: Sequence[str] | None = None) -> str:
    """``report`` as plain text; with ``width``, tables are fitted to it (see :mod:`.fit`)."""
    lines: list[str] = heading(report.title, "=") if report.title else []
    for i, section in enumerate(report.sections()):
        if i:
            lines.append("")  # a blank line between sections
        lines += _section(section, width, columns)
    return "\n".join(lines) + "\n"


def heading(title: str, underline: str = "-") -> list[str]:
    """A title underlined to its length."""
    shown = printable(title)
    return [shown, underline * display_width(shown)]


def pairs(section: Pairs, width: int | None = None) -> list[str]:
    """``label   value`` lines with the values aligned (configuration style when ``code``)."""
    indent, colon = ("    ", ":") if section.code else ("", "")
    items = [(printable(k) + colon, printable(v)) for k, v in section.items]
    label_width = max((display_width(k) for k, _ in items), default=0)
    out = []
    for label, value in items:
        prefix = f"{indent}{label.ljust(label_width)}  "
        room = None if width is None else width - len(prefix)
        if room is None or room < 20 or display_width(value) <= room:
            out.append(f"{prefix}{value}".rstrip())
            continue
        wrapped = textwrap.wrap(value, room, break_long_words=False, break_on_hyphens=False)
        out.append(prefix + wrapped[0])
        out += [" " * len(prefix) + line for line in wrapped[1:]]
    return out


def table(t: Table, width: int | None = None, columns: Sequence[str] | None = None) -> list[str]:
    """The table as aligned columns (numbers right, text left), its notes under it."""
    fitted = fit(t, width, columns)
    lines = heading(t.title) + _header_lines(t, fitted)
    lines.append((" " * SEPARATOR).join("-" * w for w in fitted.widths))
    kept = zip(fitted.kept, fitted.widths, strict=True)
    layout = [(i, w, t.columns[i].numeric, t.columns[i].wrap) for i, w in kept]
    for row in t.rows:
        line = _single_line(row, layout)
        if line is None:
            lines += _row_lines(t, row, fitted)
        else:
            lines.append(line)
    notes = list(t.notes)
    if width is not None:
        note = dropped_note(fitted, width)
        notes += [note] if note else []
    return lines + [f"Note: {printable(n)}" for n in notes]


def _section(section: Section, width: int | None, columns: Sequence[str] | None) -> list[str]:
    if isinstance(section, Table):
        return table(section, width, columns)
    if isinstance(section, Pairs):
        title = heading(section.title) if section.title else []
        return title + pairs(section, width)
    return _notes(section, width)


def _notes(section: Notes, width: int | None) -> list[str]:
    out = []
    for line in section.lines:
        text = printable(line)
        out += textwrap.wrap(text, width) if width and len(text) > width else [text]
    return out


def _header_lines(t: Table, fitted: Fitted) -> list[str]:
    height = max((len(h) for h in fitted.headers), default=1)
    out = []
    for level in range(height):
        cells = []
        for i, lines, w in zip(fitted.kept, fitted.headers, fitted.widths, strict=True):
            text = lines[level - (height - len(lines))] if level >= height - len(lines) else ""
            cells.append(_align(printable(text), w, t.columns[i].numeric))
        out.append((" " * SEPARATOR).join(cells).rstrip())
    return out


def _single_line(row: tuple[object, ...], layout: list[tuple[int, int, bool, bool]]) -> str | None:
    """The common row, drawn fast: cells that need no wrapping, on one line; None for any other
    row, which :func:`_row_lines` draws. ASCII text is one terminal cell per character; other
    text is measured (``×``, ``µ``: one cell each; wide characters: two)."""
    cells = []
    for i, width, right, wrap in layout:
        text = printable(row[i].text)  # type: ignore[attr-defined]
        shown = len(text) if text.isascii() else display_width(text)
        if wrap and shown > width:
            return None
        pad = " " * max(width - shown, 0)
        cells.append(pad + text if right else text + pad)
    return (" " * SEPARATOR).join(cells).rstrip()


def _row_lines(t: Table, row: tuple[object, ...], fitted: Fitted) -> list[str]:
    texts: list[list[str]] = []
    for i, w in zip(fitted.kept, fitted.widths, strict=True):
        text = printable(row[i].text)  # type: ignore[attr-defined]
        wraps = t.columns[i].wrap and display_width(text) > w
        texts.append(textwrap.wrap(text, w, break_long_words=False) or [""] if wraps else [text])
    height = max(len(lines) for lines in texts)
    out = []
    for level in range(height):
        cells = [
            _align(lines[level] if level < len(lines) else "", w, t.columns[i].numeric)
            for i, lines, w in zip(fitted.kept, texts, fitted.widths, strict=True)
        ]
        out.append((" " * SEPARATOR).join(cells).rstrip())
    return out


def _align(text: str, width: int, right: bool) -> str:
    pad = " " * max(width - display_width(text), 0)
    return pad + text if right else text + pad
