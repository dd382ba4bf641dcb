"""The alerts on the pages (``qpumon serve --rules``): above the fleet table and on each
device's page, the alerts that hold and those cleared lately, every text escaped (a rule's name
and a device's name are anyone's text); and the line that says when a device was fetched and
when it will be next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..reports.formats.html import escape
from ..util.words import count
from .alerting import CLEARED_KEPT
from .fleet import device_url
from .state import LIVE, Alert, DeviceState, FleetView

#: The most recently cleared alerts listed on the fleet page (``/api/alerts`` has them all).
CLEARED_SHOWN = 10
_ACTIVE = ("Alert", "Subject", "Condition", "Value", "Limit", "Since (UTC)")
_CLEARED = ("Alert", "Subject", "Condition", "Since (UTC)", "Cleared (UTC)")


def fleet_alerts(view: FleetView, link: bool = True) -> str:
    """The fleet's alerts: a banner saying how many hold, their table, the latest cleared."""
    if not view.alerting:
        return ""
    return _section(view.active_alerts, view.cleared_alerts, with_device=link)


def device_alerts(view: FleetView, state: DeviceState) -> str:
    """One device's alerts, as on the fleet page without the device column."""
    if not view.alerting:
        return ""
    return _section(state.active_alerts, state.cleared_alerts, with_device=False)


def _section(active: Sequence[Alert], cleared: Sequence[Alert], with_device: bool) -> str:
    devices = len({a.device for a in active})
    if active:
        where = f" on {count(devices, 'device')}" if with_device else ""
        head = f'<p class="banner alert"><b>{escape(count(len(active), "active alert"))}</b>'
        head += f"{escape(where)}</p>"
    else:
        head = '<p class="banner ok">No alert holds.</p>'
    parts = [head]
    if active:
        parts.append(_table("alert-table", active, with_device, cleared=False))
    if cleared:
        shown = cleared[:CLEARED_SHOWN] if with_device else cleared
        hours = f"{CLEARED_KEPT.total_seconds() / 3600:g} h"
        parts.append(f'<p class="note">Cleared in the last {escape(hours)}:</p>')
        parts.append(_table("cleared-table", shown, with_device, cleared=True))
        if len(shown) < len(cleared):
            more = len(cleared) - len(shown)
            parts.append(
                f'<p class="note">and {more} more: <a href="/api/alerts">/api/alerts</a></p>'
            )
    return f'<section class="alerts" id="alerts">{"".join(parts)}</section>'


def _table(table_id: str, alerts: Sequence[Alert], with_device: bool, cleared: bool) -> str:
    headers = (("Device",) if with_device else ()) + (_CLEARED if cleared else _ACTIVE)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    rows = "".join(f"<tr>{_cells(a, with_device, cleared)}</tr>" for a in alerts)
    return (
        f'<div class="scroll alerts-scroll"><table class="alerts" id="{table_id}"><thead><tr>'
        f"{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _cells(alert: Alert, with_device: bool, cleared: bool) -> str:
    cells = []
    if with_device:
        href = escape(device_url(alert.device))
        cells.append(f'<td><a href="{href}">{escape(alert.device)}</a></td>')
    name = escape(alert.alert)
    if not alert.delivered:
        name += ' <span class="pending">(webhook not delivered yet)</span>'
    cells += [f"<td>{name}</td>", _td(alert.subject), _td(alert.condition)]
    if cleared:
        cells += [_td(stamp(alert.since), "num"), _td(stamp(alert.cleared_at), "num")]
    else:
        cells += [_td(_value(alert.value), "num"), _td(_value(alert.threshold), "num")]
        cells.append(_td(stamp(alert.since), "num"))
    return "".join(cells)


def _td(text: str, kind: str = "") -> str:
    return f'<td class="{kind}">{escape(text)}</td>' if kind else f"<td>{escape(text)}</td>"


def _value(value: float | bool | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:.6g}"


def stamp(when: datetime | None) -> str:
    """``2026-12-05 09:48:36`` (UTC), or ``—``."""
    return "—" if when is None else f"{when:%Y-%m-%d %H:%M:%S}"


def fetch_line(view: FleetView, state: DeviceState) -> str:
    """When the device was last fetched (or read) and when it will be next, as one line."""
    fetched = "not yet" if state.fetched_at is None else f"{stamp(state.fetched_at)} UTC"
    if state.kind != LIVE:
        return f"Read at {fetched}; read once, not fetched again."
    text = f"Last fetched {fetched}"
    if state.failed_at is not None:
        text += f" (a later fetch failed at {stamp(state.failed_at)} UTC)"
    status, calibration = view.next_status_at, view.next_calibration_at
    if status is None or calibration is None:
        return text + "; the next fetch is being planned."
    if calibration <= status:
        return text + f"; next fetch (calibration and status) {stamp(calibration)} UTC."
    return (
        text + f"; next fetch {stamp(status)} UTC (status), calibration {stamp(calibration)} UTC."
    )
