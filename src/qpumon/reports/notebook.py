"""What snapshots and reports show in a Jupyter notebook (``_repr_html_``): the ``html``
format's and the dashboard's own components (summary cards, chip map, distributions, tables),
without script and with the style sheet scoped to the output, so that a notebook's own look is
left alone and any number of outputs can share a page.

Tables are not sortable here (a notebook runs no script of an untrusted output); the map and
figures need matplotlib and are left out, with a note, without it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..errors import MissingExtraError
from ..model import DeviceSnapshot
from .document import Notes, Pairs
from .formats.html import (
    escape,
    figures,
    gate_table,
    qubit_table,
    subtitle,
    summary_cards,
    table_html,
)
from .formats.html_assets import CSS
from .monitor import MonitorReport, build_monitor
from .overview import OverviewReport
from .tables import Table

#: The class of the element every notebook output is wrapped in (the CSS is scoped to it).
ROOT = "qpumon-nb"
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_EXTRA_CSS = f"""
.{ROOT} {{ max-width: none; margin: 0; padding: 4px 0; background: transparent; }}
.{ROOT} .controls {{ display: none; }}
.{ROOT} details > summary {{ cursor: pointer; font-weight: 600; margin: 14px 0 6px; }}
.{ROOT} svg * {{ stroke-linejoin: round; stroke-linecap: butt; }}
"""


def snapshot_html(snapshot: DeviceSnapshot) -> str:
    """A snapshot as its monitor report shows in a notebook."""
    return monitor_html(build_monitor(snapshot))


def report_html(report: Any) -> str:
    """Any report in a notebook: a monitor or overview report with its own components; any
    other (history, drift, diff, check...) as its sections."""
    if isinstance(report, MonitorReport):
        return monitor_html(report)
    if isinstance(report, OverviewReport):
        return overview_html(report)
    return wrap(sections_html(report.sections()))


def monitor_html(report: MonitorReport, with_figures: bool = True) -> str:
    """Heading, summary cards, the figures (map, distributions, layer fidelity) and the qubit
    and gate tables, folded."""
    snapshot = report.snapshot
    parts = [
        f"<h2>{escape(snapshot.name)}</h2>",
        f'<p class="sub">{escape(subtitle(report))}</p>',
        summary_cards(report),
        *(f'<p class="note">{escape(n)}</p>' for n in report.notes),
    ]
    if with_figures:
        parts += _figures(snapshot)
    if report.qubits is not None:
        parts.append(_folded(f"Qubits ({len(report.qubits.rows)})", qubit_table(report)))
    if report.gates is not None:
        parts.append(_folded(f"Gates ({len(report.gates.rows)})", gate_table(report)))
    return wrap("\n".join(parts))


def overview_html(report: OverviewReport) -> str:
    """The overview's table and notes."""
    return wrap(sections_html(report.sections()))


def sections_html(sections: Any) -> str:
    """A report's sections: label/value pairs, tables and notes."""
    out = []
    for number, section in enumerate(sections):
        if isinstance(section, Table):
            rows = [(row, [None] * len(row)) for row in section.rows]
            title = f"<h3>{escape(section.title)}</h3>" if section.title else ""
            out.append(title + table_html(section, f"qpumon-table-{number}", rows, None, False))
        elif isinstance(section, Pairs):
            out.append(_pairs(section))
        elif isinstance(section, Notes):
            out += [f'<p class="note">{escape(line)}</p>' for line in section.lines]
    return "\n".join(out)


def wrap(body: str) -> str:
    """``body`` in the scoped root element, after the scoped style sheet."""
    return f'<div class="{ROOT}"><style>{scoped_css()}</style>{body}</div>'


@cache
def scoped_css() -> str:
    """The report's style sheet with every rule limited to the notebook output."""
    return _RULE.sub(_scope_rule, CSS) + _EXTRA_CSS


def _scope_rule(match: re.Match[str]) -> str:
    selectors = []
    for selector in match.group(1).split(","):
        text = selector.strip()
        if text == "body":
            selectors.append(f".{ROOT}")
        elif text:
            selectors.append(f".{ROOT} {text}")
    return f"{', '.join(selectors)} {{{match.group(2)}}}"


def _figures(snapshot: DeviceSnapshot) -> list[str]:
    """The map shown, the distributions and layer fidelity folded; without the map's hint
    to hover (tooltips need the page script, which a notebook does not run)."""
    try:
        parts = [_STYLE.sub("", part) for part in figures(snapshot)]
    except MissingExtraError as exc:
        return [f'<p class="note">{escape(str(exc))}</p>']
    parts = [p for p in parts if not p.startswith('<p class="note">Hover')]
    rest = next((i for i, p in enumerate(parts) if p == "<h2>Distributions</h2>"), len(parts))
    folded = [p for p in parts[rest:] if not p.startswith("<h2>")]
    shown = parts[:rest]
    if folded:
        shown.append(_folded("Distributions and layer fidelity", "".join(folded)))
    return shown


def _folded(title: str, content: str) -> str:
    return f"<details><summary>{escape(title)}</summary>{content}</details>"


def _pairs(section: Pairs) -> str:
    title = f"<h3>{escape(section.title)}</h3>" if section.title else ""
    cards = "".join(
        f'<div class="card"><div class="k">{escape(label)}</div>'
        f'<div class="v">{escape(value)}</div></div>'
        for label, value in section.items
    )
    return f'{title}<div class="cards">{cards}</div>'
