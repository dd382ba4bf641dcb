"""A self-contained HTML report of one snapshot: everything inlined, opens offline.

Summary cards, the error map as inline SVG with a tooltip per qubit and coupler, sortable and
filterable qubit and gate tables (a little vanilla JavaScript, no library), distributions as inline
SVG, and the calibration age of every value: each cell's tooltip says when it was measured, and
values measured more than :data:`STALE_AFTER_HOURS` before the snapshot are highlighted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from html import escape

from ..metrics import GATE_ERROR, GATE_LENGTH, MISSING, Metric, all_qubit_metrics, value_getter
from ..model import DeviceSnapshot, GateCalibration, QubitCalibration
from ..summary import DeviceSummary, summarize
from .errormap import error_map
from .mpl import svg_text
from .report_assets import CSS, JS
from .values import coupler_series, coupler_values, gate_label, qubit_series

#: A value measured this long before the snapshot is highlighted as stale.
STALE_AFTER_HOURS = 24.0
#: Distributions drawn in the report.
DISTRIBUTIONS = ("t1", "t2", "readout", "2q_error")


def render_report(snapshot: DeviceSnapshot) -> str:
    """The report of ``snapshot`` as one HTML document."""
    from .distributions import distribution

    summary = summarize(snapshot)
    map_svg = svg_text(error_map(snapshot))
    dists = [
        svg_text(distribution([snapshot], name, "hist", size=(6.4, 3.6)))
        for name in DISTRIBUTIONS
        if _has_values(snapshot, name)
    ]
    body = "\n".join(
        [
            f"<h1>{escape(snapshot.name)}</h1>",
            f'<p class="sub">{escape(_subtitle(snapshot))}</p>',
            _cards(summary),
            "<h2>Error map</h2>",
            '<p class="note">Hover a qubit or coupler for its values. Magenta: '
            "IBM's error = 1 flag "
            "(failed benchmark, left out of colour ranges and medians); grey: no data.</p>",
            f'<div class="figure" id="map">{map_svg}</div>',
            "<h2>Distributions</h2>",
            '<div class="dists">'
            + "".join(f'<div class="figure">{svg}</div>' for svg in dists)
            + "</div>",
            *_layer_fidelity_section(snapshot),
            "<h2>Qubits</h2>",
            _qubit_table(snapshot),
            "<h2>Gates</h2>",
            _gate_table(snapshot),
        ]
    )
    data = json.dumps(_tooltips(snapshot)).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(snapshot.name)} · qpumon report</title>"
        f"<style>{CSS}</style></head><body>\n{body}\n"
        '<div id="tooltip" role="tooltip"></div>'
        f'<script type="application/json" id="qpumon-data">{data}</script>'
        f"<script>{JS}</script></body></html>\n"
    )


def _layer_fidelity_section(snapshot: DeviceSnapshot) -> list[str]:
    """The LF-vs-N curve, where the data has layer fidelities."""
    if not snapshot.layer_fidelities:
        return []
    from .layer_fidelity import layer_fidelity_figure

    svg = svg_text(layer_fidelity_figure(snapshot))
    return ["<h2>Layer fidelity</h2>", f'<div class="figure" id="layer-fidelity">{svg}</div>']


def _has_values(snapshot: DeviceSnapshot, name: str) -> bool:
    if name == "2q_error":
        return bool(coupler_series(snapshot).measured)
    return bool(qubit_series(snapshot, name).measured)


def _subtitle(snapshot: DeviceSnapshot) -> str:
    parts = [
        snapshot.processor or "unknown processor",
        f"{snapshot.num_qubits} qubits",
        f"source {snapshot.source}",
    ]
    if snapshot.backend_version:
        parts.append(f"version {snapshot.backend_version}")
    if snapshot.calibrated_at is not None:
        parts.append(f"calibrated {snapshot.calibrated_at:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)


def _cards(summary: DeviceSummary) -> str:
    def fmt(metric: Metric, value: float | None) -> str:
        text = metric.format(value)
        return f"{text} {metric.unit}" if metric.unit and value is not None else text

    from ..metrics import QUBIT_METRICS as Q

    gate = "/".join(g.upper() for g in summary.two_qubit_gates) or "2Q"
    one = (summary.one_qubit_gate or "1Q").upper()
    cards = [
        ("Qubits", str(summary.num_qubits), False),
        ("Median T1", fmt(Q["t1_us"], summary.median_t1_us), False),
        ("Median T2", fmt(Q["t2_us"], summary.median_t2_us), False),
        ("Median readout error", fmt(Q["readout_error"], summary.median_readout_error), False),
        (f"Median {one} error", fmt(GATE_ERROR, summary.median_1q_error), False),
        (f"Median {gate} error", fmt(GATE_ERROR, summary.median_2q_error), False),
        ("EPLG (100 qubits)", fmt(GATE_ERROR, summary.eplg_100), False),
        ("Failed gates (error = 1)", str(summary.failed_gates), summary.failed_gates > 0),
        ("Readout error ≥ 0.5", str(summary.unreliable_readouts), summary.unreliable_readouts > 0),
        ("T2 > 2·T1", str(summary.t2_exceeds_twice_t1), summary.t2_exceeds_twice_t1 > 0),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card{" warn" if warn else ""}"><div class="k">{escape(k)}</div>'
            f'<div class="v">{escape(v)}</div></div>'
            for k, v, warn in cards
        )
        + "</div>"
    )


def _age(measured: datetime | None, reference: datetime | None) -> float | None:
    """Hours between ``measured`` and the snapshot time (positive: measured before)."""
    if measured is None or reference is None:
        return None
    return (reference - measured).total_seconds() / 3600.0


def _age_text(hours: float | None) -> str:
    if hours is None:
        return MISSING
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.1f} d"


def _cell(
    metric: Metric,
    value: float | None,
    measured: datetime | None,
    reference: datetime | None,
    extra: str = "",
) -> str:
    if value is None:
        return '<td class="missing" data-v="">' + MISSING + "</td>"
    hours = _age(measured, reference)
    classes = [extra] if extra else []
    if hours is not None and hours > STALE_AFTER_HOURS:
        classes.append("stale")
    title = ""
    if measured is not None:
        title = f"measured {measured:%Y-%m-%d %H:%M} UTC"
        if hours is not None:
            title += f" ({_age_text(hours)} before the snapshot)"
    cls = f' class="{" ".join(classes)}"' if classes else ""
    return (
        f'<td{cls} data-v="{value!r}" title="{escape(title)}">{escape(metric.format(value))}</td>'
    )


def _table(table_id: str, headers: Iterable[str], rows: Iterable[str], flag_box: bool) -> str:
    box = (
        f'<label><input type="checkbox" data-flagged="{table_id}"> flagged only</label>'
        if flag_box
        else ""
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        f'<div class="controls"><input type="search" placeholder="Filter rows…" '
        f'data-filter="{table_id}" aria-label="filter"> {box}</div>'
        f'<div class="scroll"><table class="sortable" id="{table_id}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _qubit_table(snapshot: DeviceSnapshot) -> str:
    metrics = [
        m
        for m in all_qubit_metrics(snapshot)
        if any(v is not None for v in map(value_getter(snapshot, m), snapshot.qubits))
    ]
    headers = ["Qubit", *(m.header for m in metrics), "Oldest value age"]
    rows = [_qubit_row(snapshot, q, metrics) for q in snapshot.qubits]
    return _table("qubit-table", headers, rows, flag_box=True)


def _qubit_row(snapshot: DeviceSnapshot, qubit: QubitCalibration, metrics: list[Metric]) -> str:
    ref = snapshot.calibrated_at
    cells, dates = [f'<td data-v="{qubit.index}">Q{qubit.index}</td>'], []
    flagged = False
    for metric in metrics:
        value = value_getter(snapshot, metric)(qubit)
        when = _qubit_date(snapshot, qubit, metric)
        if value is not None and when is not None:
            dates.append(when)
        extra = ""
        if metric.key == "readout_error" and qubit.readout_unreliable:
            extra, flagged = "flag", True
        elif metric.key == "t2_us" and qubit.t2_exceeds_twice_t1:
            extra, flagged = "odd", True
        elif metric.gate is not None and value == 1.0:
            extra, flagged = "flag", True
        cells.append(_cell(metric, value, when, ref, extra))
    hours = max((h for h in (_age(d, ref) for d in dates) if h is not None), default=None)
    cells.append(f'<td data-v="{"" if hours is None else repr(hours)}">{_age_text(hours)}</td>')
    return f"<tr{' class=flagged' if flagged else ''}>{''.join(cells)}</tr>"


def _qubit_date(
    snapshot: DeviceSnapshot, qubit: QubitCalibration, metric: Metric
) -> datetime | None:
    if metric.key in qubit.measured_at:
        return qubit.measured_at[metric.key]
    gate = None if metric.gate is None else snapshot.gate(metric.gate, (qubit.index,))
    return gate.measured_at if gate is not None else None


def _gate_table(snapshot: DeviceSnapshot) -> str:
    headers = ["Gate", "Qubits", "Error", "Length (ns)", "State", "Age"]
    gates = sorted(snapshot.gates, key=lambda g: (-g.arity, g.gate, g.qubits))
    return _table("gate-table", headers, (_gate_row(snapshot, g) for g in gates), flag_box=True)


def _gate_row(snapshot: DeviceSnapshot, gate: GateCalibration) -> str:
    ref = snapshot.calibrated_at
    hours = _age(gate.measured_at, ref)
    state = "failed (error = 1)" if gate.failed else ("no error" if gate.error is None else "ok")
    qubits = ",".join(str(q) for q in gate.qubits)
    return (
        f"<tr{' class=flagged' if gate.failed else ''}><td>{escape(gate.gate)}</td>"
        f'<td data-v="{gate.qubits[0] if gate.qubits else ""}">{qubits}</td>'
        + _cell(GATE_ERROR, gate.error, gate.measured_at, ref, "flag" if gate.failed else "")
        + _cell(GATE_LENGTH, gate.length_ns, gate.measured_at, ref)
        + f"<td>{state}</td>"
        + f'<td data-v="{"" if hours is None else repr(hours)}">{_age_text(hours)}</td></tr>'
    )


def _tooltips(snapshot: DeviceSnapshot) -> dict[str, dict[str, str]]:
    """Tooltip text of every qubit and coupler of the map, keyed as in the SVG ids."""
    qubits: dict[str, str] = {}
    metrics = list(all_qubit_metrics(snapshot))
    for qubit in snapshot.qubits:
        lines = [f"Qubit {qubit.index}"]
        for metric in metrics:
            value = value_getter(snapshot, metric)(qubit)
            if value is not None:
                unit = f" {metric.unit}" if metric.unit else ""
                lines.append(f"{metric.label}: {metric.format(value)}{unit}")
        qubits[str(qubit.index)] = "\n".join(lines)
    couplers: dict[str, str] = {}
    label = gate_label(snapshot)
    for coupler in coupler_values(coupler_series(snapshot)):
        a, b = coupler.qubits
        lines = [f"Coupler {a}–{b} ({label})"]
        for gate in coupler.gates:
            error = "failed (error = 1)" if gate.failed else GATE_ERROR.format(gate.error)
            length = GATE_LENGTH.format(gate.length_ns)
            lines.append(
                f"{gate.gate} {gate.qubits[0]}→{gate.qubits[1]}: error {error}, {length} ns"
            )
        if not coupler.gates:
            lines.append("no calibration")
        couplers[f"{a}-{b}"] = "\n".join(lines)
    return {"qubits": qubits, "couplers": couplers}
