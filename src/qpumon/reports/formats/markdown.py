"""``markdown``: GitHub-flavoured Markdown, for issues, wikis and notebooks. Cells escape pipes
and show control characters (a newline included) as escapes, so a value cannot break a table."""

from __future__ import annotations

from ...util.printable import printable
from ..document import Notes, Pairs, Report, Section
from ..tables import Table
from . import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    """``report`` as Markdown: the title a level-1 heading, sections level 2."""
    lines = [f"# {escape(report.title)}", ""] if report.title else []
    for section in report.sections():
        lines += _section(section)
    return "\n".join(lines).rstrip("\n") + "\n"


def escape(text: str) -> str:
    """``text`` safe inside a Markdown table cell or heading."""
    return printable(text).replace("\\", "\\\\").replace("|", "\\|")


def _section(section: Section) -> list[str]:
    if isinstance(section, Table):
        return _table(section)
    if isinstance(section, Pairs):
        return _pairs(section)
    return _notes(section)


def _table(t: Table) -> list[str]:
    lines = [f"## {escape(t.title)}", ""]
    lines.append("| " + " | ".join(escape(c.header) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else ":---" for c in t.columns) + "|")
    for row in t.rows:
        lines.append("| " + " | ".join(_bold(escape(c.text), c.flag) for c in row) + " |")
    lines += [""] + [f"_{escape(note)}_" for note in t.notes]
    return lines + [""]


def _bold(text: str, flag: str | None) -> str:
    return f"**{text}**" if flag in ("failed", "off", "mark") and text else text


def _pairs(section: Pairs) -> list[str]:
    lines = [f"## {escape(section.title)}", ""] if section.title else []
    if section.code:
        lines += [f"- `{_code(k)}`: `{_code(v)}`" for k, v in section.items]
    else:
        lines += [f"- **{escape(k)}**: {escape(v)}" for k, v in section.items]
    return lines + [""]


def _code(text: str) -> str:
    return printable(text).replace("`", "'")


def _notes(section: Notes) -> list[str]:
    return [f"> {escape(line)}" for line in section.lines] + [""]
