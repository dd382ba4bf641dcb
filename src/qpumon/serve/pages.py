"""The dashboard's pages, drawn on the server with the ``html`` format's components
(:mod:`qpumon.reports.formats.html`: summary cards, tables, figures, tooltips) inside a page
shell that links the stylesheets and scripts instead of inlining them (the
Content-Security-Policy allows no inline script or style sheet)."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Sequence
from urllib.parse import quote

from ..model import MEASURED
from ..reports.formats import html
from ..reports.formats.html import escape
from ..reports.formats.html_assets import CSS as REPORT_CSS
from ..reports.formats.html_assets import JS as REPORT_JS
from ..reports.monitor import MonitorReport
from ..reports.overview import OverviewReport
from ..reports.tables import Table
from ..util.times import format_time
from ..util.words import count
from . import assets
from .alert_pages import device_alerts, fetch_line, fleet_alerts
from .fleet import (
    QUIET_COLUMNS,
    device_url,
    fleet_notices,
    fleet_rows,
    rows_with_dates,
    stale_note,
    trend_data,
)
from .state import BUNDLED, FILE, LIVE, DeviceState, FleetView

#: The files under ``/static/``: name -> (content, media type).
STATIC: dict[str, tuple[str, str]] = {
    "report.css": (REPORT_CSS, "text/css; charset=utf-8"),
    "serve.css": (assets.CSS, "text/css; charset=utf-8"),
    "report.js": (REPORT_JS, "text/javascript; charset=utf-8"),
    "serve.js": (assets.JS, "text/javascript; charset=utf-8"),
    "favicon.svg": (assets.FAVICON, "image/svg+xml"),
}
_VERSIONS = {
    name: hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    for name, (text, _) in STATIC.items()
}
#: How often the fleet page asks for changes (seconds).
POLL_SECONDS = 10
#: The map's default qubit metric (as ``qpumon map`` and the report draw it).
DEFAULT_QUBIT_METRIC = "readout_error"
_SINCE = (("", "all stored"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"))


def static_url(name: str) -> str:
    """The URL of a vendored file, with its content version (so it may be cached for long)."""
    return f"/static/{name}?v={_VERSIONS[name]}"


def shell(title: str, body: str, data: object = None) -> str:
    """A whole page: qpumon's stylesheets and scripts linked, ``data`` embedded as JSON for the
    report script (the map's tooltips)."""
    embedded = json.dumps(data if data is not None else {}).replace("</", "<\\/")
    styles = "".join(
        f'<link rel="stylesheet" href="{static_url(n)}">' for n in ("report.css", "serve.css")
    )
    scripts = "".join(f'<script src="{static_url(n)}"></script>' for n in ("report.js", "serve.js"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="icon" type="image/svg+xml" href="{static_url("favicon.svg")}">{styles}'
        f"</head><body>\n{_topbar()}\n{body}\n"
        '<div id="tooltip" role="tooltip"></div>'
        f'<script type="application/json" id="qpumon-data">{embedded}</script>{scripts}'
        "</body></html>\n"
    )


def _topbar() -> str:
    links = (
        ("/", "Fleet"),
        ("/api/devices", "JSON API"),
        ("/api/alerts", "Alerts (JSON)"),
        ("/api/openapi.json", "OpenAPI"),
        ("/metrics", "Metrics"),
    )
    nav = "".join(f'<a href="{href}">{escape(text)}</a>' for href, text in links)
    return (
        f'<header class="topbar"><a class="brand" href="/">qpumon</a><nav>{nav}</nav>'
        '<span class="clock" id="clock"></span></header>'
    )


# -- the fleet ----------------------------------------------------------------------------------


def fleet_page(
    view: FleetView,
    report: OverviewReport,
    table: Table,
    schedule: str,
    poll_seconds: float = POLL_SECONDS,
) -> str:
    """``/``: every device, its medians with their trends; kept current by the script."""
    body = (
        "<h1>Fleet</h1>"
        f'<div id="fleet" data-poll="/fleet/table" data-every="{poll_seconds:g}" '
        f'data-quiet="{escape("|".join(QUIET_COLUMNS))}" data-link-names>'
        f"{fleet_fragment(view, report, table, schedule)}</div>"
    )
    return shell("qpumon · fleet", body)


def fleet_fragment(view: FleetView, report: OverviewReport, table: Table, schedule: str) -> str:
    """What ``/fleet/table`` answers: the fleet's summary line, its alerts (``--rules``), what
    needs attention (stale devices, the collector's problems), the table and its notes."""
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in report.notes)
    notices = "".join(
        f'<p class="banner {tone}">{escape(text)}</p>' for tone, text in fleet_notices(view)
    )
    trends = json.dumps(trend_data(table, view)).replace("</", "<\\/")
    return (
        f'<p class="sub" data-part="summary">{escape(fleet_line(view, schedule))}</p>'
        f'<div data-part="alerts">{fleet_alerts(view)}</div>'
        f'<div data-part="notices">{notices}</div>'
        f"{html.table_html(table, 'fleet-table', fleet_rows(table, view), None)}"
        f'<div data-part="notes">{notes}</div>'
        f'<script type="application/json" id="fleet-trends">{trends}</script>'
    )


def fleet_line(view: FleetView, schedule: str) -> str:
    """``68 devices · 3 live (...) · 2 active alerts · 1 stale · history in sqlite:///...``."""
    states = list(view.devices.values())
    live = sum(1 for s in states if s.kind == LIVE)
    parts = [count(len(states), "device")]
    if view.alerting:
        parts.append(count(len(view.active_alerts), "active alert"))
    if live:
        parts.append(f"{live} live ({schedule})")
    for number, what in (
        (sum(1 for s in states if s.stale), "stale"),
        (sum(1 for s in states if s.snapshot is None and s.error is not None), "failed"),
        (len(view.loading), "loading"),
    ):
        if number:
            parts.append(f"{number} {what}")
    if view.store_url:
        parts.append(f"history in {view.store_url}")
    return " · ".join(parts)


# -- one device ---------------------------------------------------------------------------------


def device_page(
    view: FleetView,
    state: DeviceState,
    report: MonitorReport,
    figures: Sequence[str],
    drift: str,
    schedule: str,
    health: str = "",
) -> str:
    """``/devices/<name>``: when it was fetched and will be next, its alerts (``--rules``),
    summary, map with its metric chooser, distributions, layer fidelity, history, drift, its
    health over time (``health``: the timeline and episodes, when the store holds enough), and
    the qubit and gate tables."""
    snapshot = report.snapshot
    parts = [
        f"<h1>{escape(snapshot.name)}</h1>",
        f'<p class="sub">{escape(html.subtitle(report))}</p>',
        banner(state, schedule),
        f'<p class="sub fetched" id="fetched">{escape(fetch_line(view, state))}</p>',
        device_alerts(view, state),
        _links(state.name),
        html.summary_cards(report),
        *(f'<p class="note">{escape(n)}</p>' for n in report.notes),
        *figures,
    ]
    if snapshot.has_calibration:
        parts += ["<h2>History</h2>", history_form(state.name, report)]
        parts += ["<h2>Drift</h2>", drift]
        parts += [health] if health else []
    if report.qubits is not None:
        parts += ["<h2>Qubits</h2>", html.qubit_table(report)]
    if report.gates is not None:
        parts += ["<h2>Gates</h2>", html.gate_table(report)]
    data = html.tooltips(snapshot) if snapshot.has_calibration else None
    return shell(f"{snapshot.name} · qpumon", "\n".join(parts), data)


def banner(state: DeviceState, schedule: str) -> str:
    """Where the snapshot comes from, its status, and, when stale, the error."""
    snapshot = state.snapshot
    assert snapshot is not None
    origin = {
        LIVE: f"Live from IBM Quantum ({schedule}), fetched {format_time(state.fetched_at)}",
        BUNDLED: f"The snapshot bundled with qiskit-ibm-runtime ({snapshot.source})",
        FILE: f"Read once from {state.spec}",
    }.get(state.kind, snapshot.source)
    status = snapshot.status
    if status is not None:
        pending = "" if status.pending_jobs is None else f", {status.pending_jobs} pending jobs"
        state_text = "operational" if status.operational else "not operational"
        origin += f". Status: {state_text}{' (' + status.message + ')' if status.message else ''}"
        origin += pending
    if snapshot.provenance != MEASURED:
        origin += f". Its numbers are {snapshot.provenance}, not measurements"
    if state.stale:
        return f'<p class="banner stale"><b>Stale.</b> {escape(stale_note(state))}</p>'
    return f'<p class="banner">{escape(origin)}.</p>'


def _links(name: str) -> str:
    csv_name = f"monitor.{name}.csv"
    return (
        '<p class="links">'
        f'<a id="csv-download" href="{escape(device_url(name, "/monitor.csv"))}" '
        f'download="{escape(csv_name)}">Download CSV (qpumon monitor -f csv)</a>'
        f'<a href="{escape("/api/devices/" + quote(name, safe=""))}">JSON (monitor -f json)</a>'
        "</p>"
    )


def with_chooser(figures: Sequence[str], report: MonitorReport, name: str) -> list[str]:
    """The figures of device ``name``, the map's metric chooser placed above the map."""
    out = list(figures)
    at = next(
        (i for i, part in enumerate(out) if part.startswith('<div class="figure" id="map"')), None
    )
    if at is not None:
        out.insert(at, map_chooser(report, name))
    return out


def map_chooser(report: MonitorReport, name: str) -> str:
    """The qubit and coupler metric menus; the script redraws the map when they change."""
    metrics = _qubit_metrics(report)
    default = DEFAULT_QUBIT_METRIC if DEFAULT_QUBIT_METRIC in dict(metrics) else None
    qubits = _options(metrics, default)
    entangler = "/".join(g.upper() for g in report.snapshot.two_qubit_basis_gates) or "2q"
    edges = _options([("2q_error", f"{entangler} error"), ("length", f"{entangler} length")])
    src = escape(device_url(name, "/figures/map"))
    return (
        f'<form class="chooser" id="map-chooser" data-src="{src}" action="{src}">'
        f'<label>Qubits by <select name="qubit" id="qubit-metric">{qubits}</select></label>'
        f'<label>Couplers by <select name="edge" id="edge-metric">{edges}</select></label>'
        "</form>"
    )


def history_form(name: str, report: MonitorReport) -> str:
    """The history chooser (metric, qubit, window) and the figure it fills."""
    metrics = [*_qubit_metrics(report), ("2q_error", "2q error (every coupler)")]
    since = _options(list(_SINCE))
    top = max(report.snapshot.num_qubits - 1, 0)
    src = escape(device_url(name, "/figures/history"))
    api = escape("/api/devices/" + quote(name, safe="") + "/history")
    return (
        f'<form class="chooser" id="history-form" data-src="{src}" data-api="{api}" '
        f'action="{src}" method="get">'
        f'<label>Metric <select name="metric">{_options(metrics, "t1_us")}</select></label>'
        f'<label>Qubit <input type="number" name="qubit" min="0" max="{top}" '
        'placeholder="all"></label>'
        f'<label>Since <select name="since">{since}</select></label>'
        '<button type="submit">Show</button></form>'
        '<div class="figure" id="history"><p class="note">Loading the history…</p></div>'
        f'<p class="note"><a id="history-json" href="{api}">This history as JSON</a></p>'
    )


def _qubit_metrics(report: MonitorReport) -> list[tuple[str, str]]:
    columns = report.qubit_columns
    if columns is None:
        return []
    return [(metric.key, metric.header) for metric, _ in columns.shown]


def _options(choices: Sequence[tuple[str, str]], selected: str | None = None) -> str:
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices
    )


def drift_section(table: Table | None, problem: str | None) -> str:
    """The drift table (``qpumon drift``), or why there is none."""
    if table is None:
        return f'<p class="note">{escape(problem or "no drift")}</p>'
    return html.table_html(table, "drift-table", rows_with_dates(table), None)


def no_figures(reason: str) -> list[str]:
    """What stands instead of the figures when they cannot be drawn."""
    return [f'<p class="note">{escape(reason)}</p>']


# -- errors -------------------------------------------------------------------------------------


def not_found_page(name: str | None, view: FleetView, path: str = "") -> str:
    """The 404 page: no such device (the closest names), or no such page; every device."""
    names = list(view.devices)
    if name is None:
        title, text = "No such page", f"This server has no page {path!r}."
    else:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        title, text = "No such device", f"This server has no device named {name!r}.{hint}"
    body = (
        f'<h1>{escape(title)}</h1><p class="banner error">{escape(text)}</p>'
        f"<h2>Devices</h2>{device_list(names)}"
    )
    return shell(f"{title.lower()} · qpumon", body)


def unavailable_page(state: DeviceState) -> str:
    """A device with no snapshot yet: still loading, or every fetch so far failed."""
    if state.error is None:
        text = f"{state.name} is still loading; this page shows it once it is read."
    else:
        text = f"{state.name}: {state.error}"
    body = f'<h1>{escape(state.name)}</h1><p class="banner error">{escape(text)}</p>'
    return shell(f"{state.name} · qpumon", body)


def device_list(names: Sequence[str]) -> str:
    """Links to every device's page."""
    items = "".join(
        f'<li><a href="{escape(device_url(n))}">{escape(n)}</a></li>' for n in sorted(names)
    )
    return f'<ul class="devices-list">{items}</ul>'
