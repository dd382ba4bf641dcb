"""``markdown``: GitHub-flavoured Markdown, for issues, wikis and notebooks."""

from __future__ import annotations

from collections.abc import Sequence

from ..monitor import MonitorReport
from ..overview import OverviewReport
from ..tables import Table
from . import RenderOptions


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _table(t: Table, level: str = "##") -> list[str]:
    lines = [f"{level} {t.title}", ""]
    lines.append("| " + " | ".join(_escape(c.header) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else ":---" for c in t.columns) + "|")
    for row in t.rows:
        lines.append("| " + " | ".join(_escape(_bold(c.text, c.flag)) for c in row) + " |")
    lines += [""] + [f"_{_escape(note)}_" for note in t.notes]
    return lines + [""]


def _bold(text: str, flag: str | None) -> str:
    return f"**{text}**" if flag in ("failed", "mark") and text else text


def _pairs(items: Sequence[tuple[str, str]]) -> list[str]:
    return [f"- **{_escape(label)}**: {_escape(value)}" for label, value in items] + [""]


def monitor(report: MonitorReport, options: RenderOptions) -> str:
    """The monitor report as Markdown."""
    lines = [f"# {report.snapshot.name}", ""] + _pairs(report.header)
    if report.summary_lines:
        lines += ["## Summary", ""] + _pairs(report.summary_lines)
    lines += ["## Configuration", ""]
    lines += [f"- `{k}`: `{v}`" for k, v in report.configuration] + [""]
    for table in (report.qubits, report.gates):
        if table is not None:
            lines += _table(table)
    lines += [f"> {note}" for note in report.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def overview(report: OverviewReport, options: RenderOptions) -> str:
    """The overview as one Markdown table."""
    return "\n".join(_table(report.table, "#")).rstrip("\n") + "\n"
