"""The fleet: the overview report of every device the server holds (the same report as
``qpumon overview``), and its table as the fleet page shows it, with each median's trend from
the store (drawn by the page's script from :func:`trend_data`), the calibration's age, where
each device comes from, its active alerts (``--rules``) and when it was fetched and will be
next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..errors import QpumonError
from ..model.summary import DeviceSummary, summarize
from ..reports.formats.json_format import dumps
from ..reports.overview import OverviewReport, build_overview
from ..reports.tables import MINOR, USEFUL, Cell, Column, Table
from ..util.printable import printable
from ..util.times import format_time
from .state import LIVE, DeviceState, FleetView
from .trends import TREND_FIELDS, values

#: Headers of the columns whose changes are not highlighted (they change as time passes).
QUIET_COLUMNS = ("Age", "Fetched", "Next")
_AGE = Column("calibration_age_hours", "Age", priority=USEFUL)
#: The overview's calibration date column, replaced by the age (the date is its tooltip).
_DATE = "calibrated"
_SOURCE = Column("source", "Source", numeric=False, priority=MINOR)
_ALERTS = Column("active_alerts", "Alerts", priority=USEFUL)
_FETCHED = Column("fetched_at", "Fetched", priority=MINOR)
_NEXT = Column("next_fetch_at", "Next", priority=MINOR)
FETCH_NOTE = (
    "Fetched, Next: when the server last fetched the device and will next (UTC); live devices "
    "follow the schedule above, bundled and file devices are read once."
)


def device_url(name: str, tail: str = "") -> str:
    """``/devices/<name><tail>``, the name percent-encoded."""
    return f"/devices/{quote(name, safe='')}{tail}"


def fleet_report(view: FleetView) -> OverviewReport:
    """The overview of every device with a snapshot (stale ones included) and a row for each
    that failed without one (its error in the notes). A device whose snapshot cannot be
    summarized, or whose summary cannot be written as JSON, is such a row too (with why), so
    that one bad device never takes the fleet down for the others."""
    states = list(view.devices.values())
    failures = [(s.name, s.error) for s in states if s.snapshot is None and s.error is not None]
    summaries: list[DeviceSummary] = []
    for state in states:
        if state.snapshot is not None:
            try:
                summaries.append(summarize(state.snapshot))
            except Exception as exc:  # any fault of one device's data
                failures.append((state.name, one_line(exc)))
    report = build_overview(summaries, "name", failures)
    if _writable(report.document()):
        return report
    kept = []  # rarely: find the devices whose values JSON cannot hold
    for summary in summaries:
        try:
            dumps(build_overview([summary], "name").document())
            kept.append(summary)
        except Exception as exc:
            failures.append((summary.name, one_line(exc)))
    return build_overview(kept, "name", failures)


def one_line(error: BaseException) -> str:
    """What went wrong, on one line: a qpumon error's message, else the error's type too."""
    text = str(error) if isinstance(error, QpumonError) else f"{type(error).__name__}: {error}"
    return printable(" ".join(text.split()))


def _writable(document: Any) -> bool:
    try:
        dumps(document)
        return True
    except Exception:
        return False


def fleet_notices(view: FleetView) -> list[tuple[str, str]]:
    """What the fleet page says above the table, as ``(tone, text)``: stale devices with their
    error (``stale``), the collector's problems (``error``), devices still loading."""
    notices = [("stale", stale_note(s)) for s in view.devices.values() if s.stale]
    notices += [("error", problem) for problem in view.problems]
    if view.loading:
        notices.append(("", f"loading: {', '.join(view.loading)}"))
    return notices


def stale_note(state: DeviceState) -> str:
    """``ibm_fez: stale: the fetch at ... failed: ...; showing the snapshot fetched at ...``."""
    return (
        f"{state.name}: stale: the fetch at {format_time(state.failed_at)} failed: {state.error}; "
        f"showing the snapshot fetched at {format_time(state.fetched_at)}"
    )


def fleet_table(report: OverviewReport, view: FleetView, now: datetime) -> Table:
    """The overview's table with the calibration's age in place of its date (the date is the
    age's tooltip, see :func:`fleet_rows`), each device's source (live, bundled, file; stale;
    error), when it was fetched and will be next, and, when the server checks rules, its
    active alerts beside its name (where an operator looks first)."""
    table = report.table
    keep = [i for i, c in enumerate(table.columns) if c.key != _DATE and i > 0]
    rows = []
    for row in table.rows:
        state = view.device(str(row[0].value))
        alerts = (_alert_count(state),) if view.alerting else ()
        fetch = (_clock(None if state is None else state.fetched_at), _next(view, state))
        kept = (row[i] for i in keep)
        rows.append((row[0], *alerts, *kept, _age(state, now), _source(state), *fetch))
    alerting = (_ALERTS,) if view.alerting else ()
    kept_columns = (table.columns[i] for i in keep)
    columns = (table.columns[0], *alerting, *kept_columns, _AGE, _SOURCE, _FETCHED, _NEXT)
    return Table(table.title, columns, tuple(rows), (*table.notes, FETCH_NOTE))


def _alert_count(state: DeviceState | None) -> Cell:
    active = 0 if state is None else len(state.active_alerts)
    return Cell(str(active), active, "failed" if active else None)


def _clock(when: datetime | None) -> Cell:
    """A time of day (UTC) sorted by the instant."""
    if when is None:
        return Cell("—", None, "missing")
    return Cell(f"{when:%H:%M:%S}", when.timestamp())


def _next(view: FleetView, state: DeviceState | None) -> Cell:
    if state is not None and state.kind != LIVE:
        return Cell("read once", None, "missing")
    return _clock(None if state is None else view.next_fetch(state))


def fleet_rows(
    table: Table, view: FleetView
) -> list[tuple[tuple[Cell, ...], list[datetime | None]]]:
    """The fleet table's rows as :func:`~qpumon.reports.formats.html.table_html` takes them:
    the age cell dated with the calibration time (its tooltip)."""
    age = next(i for i, c in enumerate(table.columns) if c.key == _AGE.key)
    out = []
    for row in table.rows:
        state = view.device(str(row[0].value))
        dates: list[datetime | None] = [None] * len(row)
        if state is not None and state.snapshot is not None:
            dates[age] = state.snapshot.calibrated_at
        out.append((row, dates))
    return out


def trend_data(table: Table, view: FleetView) -> dict[str, Any]:
    """The stored trend of each median shown in ``table``, for the page's sparklines:
    ``{"columns": {column index: field}, "devices": {name: {field: [values]}}}``."""
    columns = {str(i): c.key for i, c in enumerate(table.columns) if c.key in TREND_FIELDS}
    devices = {
        name: {field: values(state.trend, field) for field in columns.values()}
        for name, state in view.devices.items()
        if len(state.trend) > 1
    }
    return {"columns": columns, "devices": devices}


def ages(view: FleetView, now: datetime) -> tuple[str, ...]:
    """Every device's calibration age as shown: the fleet page changes when one of them does."""
    return tuple(_age_text(s, now) for s in view.devices.values())


def devices_document(report: OverviewReport, view: FleetView) -> dict[str, Any]:
    """``/api/devices``: the overview document (``qpumon overview -f json``) and, under
    ``serving``, where each device comes from and how its last fetch went."""
    document = report.document()
    serving = {name: _serving(s, view.next_fetch(s)) for name, s in view.devices.items()}
    for entry in serving.values():
        if not _writable(entry["trend"]):  # a stored value JSON cannot hold
            entry["trend"] = {}
    document["serving"] = serving
    document["problems"] = list(view.problems)
    return document


def _serving(state: DeviceState, next_fetch: datetime | None) -> dict[str, Any]:
    return {
        "source": state.kind,
        "spec": state.spec,
        "stale": state.stale,
        "up": state.up,
        "error": state.error,
        "fetched_at": _iso(state.fetched_at),
        "next_fetch_at": _iso(next_fetch),
        "active_alerts": len(state.active_alerts),
        "failed_at": _iso(state.failed_at),
        "errors_total": state.errors_total,
        "trend": {
            "calibrated_at": [_iso(s.calibrated_at) for s in state.trend],
            **{field: values(state.trend, field) for field in TREND_FIELDS},
        },
    }


def _age(state: DeviceState | None, now: datetime) -> Cell:
    when = None if state is None or state.snapshot is None else state.snapshot.calibrated_at
    if when is None:
        return Cell("—", None, "missing")
    hours = (now - when).total_seconds() / 3600.0
    return Cell(age_text(hours), hours)


def age_text(hours: float) -> str:
    """A calibration age, short: ``12 min``, ``5.2 h``, ``23 d``, ``1.8 y``."""
    if hours < 1:
        return f"{max(0, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    days = hours / 24
    return f"{days:.0f} d" if days < 365 else f"{days / 365:.1f} y"


def _age_text(state: DeviceState, now: datetime) -> str:
    when = None if state.snapshot is None else state.snapshot.calibrated_at
    return "" if when is None else age_text((now - when).total_seconds() / 3600.0)


def _source(state: DeviceState | None) -> Cell:
    if state is None:
        return Cell("—", None, "missing")
    if state.stale:
        return Cell(f"{state.kind}, stale", "stale", "failed")
    if state.error is not None:
        return Cell("error", "error", "failed")
    return Cell(state.kind, state.kind)


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def rows_with_dates(table: Table) -> Sequence[tuple[tuple[Cell, ...], list[datetime | None]]]:
    """``table``'s rows as :func:`~qpumon.reports.formats.html.table_html` takes them (no cell
    of these tables carries a measurement time)."""
    return [(row, [None] * len(row)) for row in table.rows]
