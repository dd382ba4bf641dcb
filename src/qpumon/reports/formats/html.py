"""``html``: a monitor report as one self-contained page (everything inlined; opens offline).

The page shows what ``monitor`` shows, drawn from the same :class:`MonitorReport`: the summary
(same wording and flag counts), the qubit and gate tables (same rows, merged directions, hidden
virtual gates), plus the error map as inline SVG with a tooltip per qubit and coupler, the
distributions and, where the data has them, the layer-fidelity curve. Tables sort and filter (a
little vanilla JavaScript, no library); each value's tooltip says when it was measured, and
values measured more than :data:`STALE_AFTER_HOURS` before the snapshot are highlighted. Every
text is escaped, control characters included. The components are public so that the web
dashboard and notebooks draw the same HTML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape as html_escape
from typing import TYPE_CHECKING

from ...model import DeviceSnapshot
from ...model.metrics import GATE_ERROR, GATE_LENGTH, MISSING, all_qubit_metrics, value_getter
from ...model.vocabulary import coupler_text, gate_subject
from ...pictures.distributions import distribution
from ...pictures.errormap import error_map
from ...pictures.layer_fidelity import layer_fidelity_figure
from ...pictures.mpl import svg_text
from ...pictures.values import coupler_series, coupler_values, gate_label, qubit_series
from ...util.printable import printable
from ..document import Report
from ..monitor import MonitorReport
from ..tables import Cell, Column, Table
from . import RenderOptions
from .html_assets import CSS, JS

if TYPE_CHECKING:
    from ..health import Health

#: A value measured this long before the snapshot is highlighted as stale.
STALE_AFTER_HOURS = 24.0
#: Distributions drawn in the page.
DISTRIBUTIONS = ("t1", "t2", "readout", "2q_error")
_FLAG_CLASSES = {
    "failed": "flag",
    "off": "flag",
    "suspect": "odd",
    "missing": "missing",
    "mark": "mark",
}


def render(report: Report, options: RenderOptions) -> str:
    """The page of a monitor report."""
    assert isinstance(report, MonitorReport)
    data = tooltips(report.snapshot) if report.snapshot.has_calibration else None
    return page(f"{report.snapshot.name} · qpumon report", monitor_body(report), data)


def escape(text: str) -> str:
    """``text`` safe in HTML text and attribute values (control characters escaped too)."""
    return html_escape(printable(text), quote=True)


def page(title: str, body: str, data: object = None, head: str = "") -> str:
    """A whole HTML document with qpumon's inlined style and script; ``data`` is embedded as
    JSON for the script (tooltips)."""
    embedded = json.dumps(data if data is not None else {}).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style>{head}</head><body>\n{body}\n"
        '<div id="tooltip" role="tooltip"></div>'
        f'<script type="application/json" id="qpumon-data">{embedded}</script>'
        f"<script>{JS}</script></body></html>\n"
    )


def monitor_body(report: MonitorReport) -> str:
    """The monitor page's body: heading, summary cards, map, distributions, tables."""
    snapshot = report.snapshot
    parts = [
        f"<h1>{escape(snapshot.name)}</h1>",
        f'<p class="sub">{escape(subtitle(report))}</p>',
        summary_cards(report),
        *_notes(report.notes),
    ]
    if report.device_values is not None:
        rows = [(row, [None] * len(row)) for row in report.device_values.rows]
        parts += [
            "<h2>Device values</h2>",
            table_html(report.device_values, "device-values", rows, None, filter_box=False),
        ]
    parts += figures(snapshot)
    if report.health is not None:
        parts += health_section(report.health)
    if report.qubits is not None:
        parts += ["<h2>Qubits</h2>", qubit_table(report)]
    if report.gates is not None:
        parts += ["<h2>Gates</h2>", gate_table(report)]
    return "\n".join(parts)


def health_section(health: Health) -> list[str]:
    """The stored history's T1 timeline, episodes marked, and the table of every episode."""
    from ...pictures.timeline import timeline_figure

    svg = svg_text(timeline_figure(health.history, list(health.episodes)))
    rows = [(row, [None] * len(row)) for row in health.table.rows]
    return [
        "<h2>Health over time</h2>",
        f'<div class="figure" id="timeline">{svg}</div>',
        table_html(health.table, "episodes", rows, None),
    ]


def subtitle(report: MonitorReport) -> str:
    """Processor, size, source, version and calibration time, as one line."""
    header = dict(report.header)
    parts = [
        header.get("Processor", MISSING),
        f"{header.get('Qubits', '?')} qubit{'' if header.get('Qubits') == '1' else 's'}",
    ]
    parts += [f"source {header.get('Source', MISSING)}", f"version {header.get('Version')}"]
    parts.append(f"calibrated {header.get('Calibrated', MISSING)}")
    return " · ".join(parts)


#: Summary lines whose card is marked when they count something (``Failed CZ (error = 1)``,
#: ``RZZ (fractional)`` is not: its flags are common and named in its own words).
_WARN_CARDS = ("Failed ", "Out of service", "Readout error >= 0.5", "T2 > 2·T1")


def summary_cards(report: MonitorReport) -> str:
    """The summary as cards: the same lines as ``monitor``'s summary, flagged ones marked."""
    cards = []
    for label, value in report.summary_lines:
        marked = label.startswith(_WARN_CARDS) and not value.startswith(("0", "—"))
        cards.append(
            f'<div class="card{" warn" if marked else ""}"><div class="k">{escape(label)}</div>'
            f'<div class="v">{escape(value)}</div></div>'
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _notes(notes: Iterable[str]) -> list[str]:
    return [f'<p class="note">{escape(n)}</p>' for n in notes]


def figures(snapshot: DeviceSnapshot) -> list[str]:
    """The error map, the distributions and the layer-fidelity curve, as inline SVG."""
    if not snapshot.has_calibration:
        return []

    def has_values(name: str) -> bool:
        series = coupler_series(snapshot) if name == "2q_error" else qubit_series(snapshot, name)
        return bool(series.measured)

    dists = [
        svg_text(distribution([snapshot], name, "hist", size=(6.4, 3.6)))
        for name in DISTRIBUTIONS
        if has_values(name)
    ]
    out = [
        "<h2>Error map</h2>",
        '<p class="note">Hover a qubit or coupler for its values. Magenta: IBM\'s error = 1 '
        "flag (failed benchmark, left out of colour ranges and medians); grey: no data.</p>",
        f'<div class="figure" id="map">{svg_text(error_map(snapshot))}</div>',
        "<h2>Distributions</h2>",
        '<div class="dists">' + "".join(f'<div class="figure">{s}</div>' for s in dists) + "</div>",
    ]
    if snapshot.layer_fidelities:
        svg = svg_text(layer_fidelity_figure(snapshot))
        out += ["<h2>Layer fidelity</h2>", f'<div class="figure" id="layer-fidelity">{svg}</div>']
    return out


def qubit_table(report: MonitorReport) -> str:
    """The monitor's qubit table, each value's measurement time in its tooltip."""
    assert report.qubits is not None and report.qubit_columns is not None
    snapshot = report.snapshot
    metrics = [m for m, _ in report.qubit_columns.shown]
    by_index = {q.index: q for q in snapshot.qubits}
    rows = []
    for row in report.qubits.rows:
        qubit = by_index[row[0].value]
        dates: list[datetime | None] = [None]
        for metric in metrics:
            if metric.gate is None:
                dates.append(qubit.measured_at.get(metric.key))
            else:
                gate = snapshot.gate(metric.gate, (qubit.index,))
                dates.append(None if gate is None else gate.measured_at)
        dates.append(None)
        rows.append((row, dates))
    return table_html(report.qubits, "qubit-table", rows, snapshot.calibrated_at)


def gate_table(report: MonitorReport) -> str:
    """The monitor's gate table, each value's measurement time in its tooltip."""
    assert report.gates is not None
    keys = [c.key for c in report.gates.columns]
    measured = keys.index("measured")
    dated = {"error", "uncertainty", "length_ns"}
    rows = []
    for row in report.gates.rows:
        when = row[measured].value if isinstance(row[measured].value, datetime) else None
        rows.append((row, [when if key in dated else None for key in keys]))
    return table_html(report.gates, "gate-table", rows, report.snapshot.calibrated_at)


def table_html(
    table: Table,
    table_id: str,
    rows: Sequence[tuple[tuple[Cell, ...], Sequence[datetime | None]]],
    reference: datetime | None,
    filter_box: bool = True,
) -> str:
    """``table`` as a sortable, filterable HTML table; ``rows`` pair each row with the
    measurement time of each of its cells (None: not dated)."""
    head = "".join(f"<th>{escape(c.header)}</th>" for c in table.columns)
    body = "".join(_row_html(table.columns, row, dates, reference) for row, dates in rows)
    controls = (
        f'<div class="controls"><input type="search" placeholder="Filter rows…" '
        f'data-filter="{table_id}" aria-label="filter"> <label><input type="checkbox" '
        f'data-flagged="{table_id}"> flagged only</label></div>'
        if filter_box
        else ""
    )
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in table.notes)
    return (
        f'{controls}<div class="scroll"><table class="sortable" id="{table_id}"><thead><tr>'
        f"{head}</tr></thead><tbody>{body}</tbody></table></div>{notes}"
    )


def _row_html(
    columns: Sequence[Column],
    row: tuple[Cell, ...],
    dates: Sequence[datetime | None],
    reference: datetime | None,
) -> str:
    flagged = any(cell.flag in ("failed", "off", "suspect") for cell in row)
    cells = "".join(
        _cell_html(column, cell, when, reference)
        for column, cell, when in zip(columns, row, dates, strict=True)
    )
    return f"<tr{' class=flagged' if flagged else ''}>{cells}</tr>"


def _cell_html(
    column: Column, cell: Cell, when: datetime | None, reference: datetime | None
) -> str:
    classes = [_FLAG_CLASSES[cell.flag]] if cell.flag else []
    title = ""
    if when is not None:
        title = f"measured {when:%Y-%m-%d %H:%M} UTC"
        if reference is not None:
            hours = (reference - when).total_seconds() / 3600.0
            title += f" ({_age_text(hours)} before the snapshot)"
            if hours > STALE_AFTER_HOURS:
                classes.append("stale")
    value = cell.value if column.numeric and isinstance(cell.value, int | float) else None
    data = "" if value is None else repr(value)
    attributes = f' data-v="{data}"' if column.numeric else ""
    attributes += f' class="{" ".join(classes)}"' if classes else ""
    attributes += f' title="{escape(title)}"' if title else ""
    return f"<td{attributes}>{escape(cell.text)}</td>"


def _age_text(hours: float) -> str:
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.1f} d"


def tooltips(snapshot: DeviceSnapshot) -> dict[str, dict[str, str]]:
    """Tooltip text of every qubit and coupler of the map, keyed as in the SVG ids."""
    qubits: dict[str, str] = {}
    metrics = list(all_qubit_metrics(snapshot))
    for qubit in snapshot.qubits:
        lines = [f"Qubit {qubit.index}"]
        for metric in metrics:
            value = value_getter(snapshot, metric)(qubit)
            if value is not None:
                lines.append(f"{metric.label}: {metric.format_with_unit(value)}")
        qubits[str(qubit.index)] = "\n".join(lines)
    couplers: dict[str, str] = {}
    label = gate_label(snapshot)
    for coupler in coupler_values(coupler_series(snapshot)):
        a, b = coupler.qubits
        lines = [f"Coupler {coupler_text((a, b), directed=False)} ({label})"]
        for gate in coupler.gates:
            error = "failed (error = 1)" if gate.failed else GATE_ERROR.format(gate.error)
            length = GATE_LENGTH.format_with_unit(gate.length_ns)
            lines.append(f"{gate_subject(gate.gate, gate.qubits)}: error {error}, {length}")
        if not coupler.gates:
            lines.append("no calibration")
        couplers[f"{a}-{b}"] = "\n".join(lines)
    return {"qubits": qubits, "couplers": couplers}
