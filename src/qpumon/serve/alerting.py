"""The alerts the server shows: after each rules check the collector turns the check's result
(:class:`~qpumon.history.check.CheckResult`) into the device's :class:`~.state.Alert` list:
every condition that holds, and those that stopped holding within :data:`CLEARED_KEPT` (at
most :data:`MAX_CLEARED` per device), the latest first. ``/api/alerts`` is
:func:`alerts_document`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..history.alerts import Firing, Rule
from ..history.check import CheckResult
from .state import Alert, FleetView

#: How long a cleared alert stays listed as recently cleared.
CLEARED_KEPT = timedelta(hours=24)
#: The most cleared alerts kept per device (the latest).
MAX_CLEARED = 50


def condition_text(rule: Rule) -> str:
    """The rule's condition as a rules file writes it: ``t1_us < 50``, ``2q_error > 2 *
    baseline``, ``operational == false``."""
    if rule.value is None:
        right = "baseline" if rule.factor == 1 else f"{rule.factor:g} * baseline"
    elif isinstance(rule.value, bool):
        right = "true" if rule.value else "false"
    else:
        right = f"{rule.value:g}"
    return f"{rule.metric} {rule.op} {right}"


def updated(previous: Sequence[Alert], result: CheckResult, now: datetime) -> tuple[Alert, ...]:
    """A device's alerts after the check ``result`` made at ``now``: what holds now (keeping
    the time it became active), what held before and no longer does (cleared now), and the
    earlier cleared ones still recent."""
    was = {a.key: a for a in previous if a.active}
    undelivered = {f.key for f in result.awaiting}
    active = []
    for firing, since in result.holding:
        before = was.get(firing.key)
        when = since if before is None else min(before.since, since)
        active.append(_alert(firing, when, firing.key not in undelivered))
    holding = {a.key for a in active}
    cleared = [_cleared(a, now) for key, a in was.items() if key not in holding]
    earlier = [a for a in previous if not a.active]
    return (*active, *recent([*cleared, *earlier], now))


def recent(cleared: Sequence[Alert], now: datetime) -> list[Alert]:
    """The cleared alerts of the last :data:`CLEARED_KEPT`, the latest first, at most
    :data:`MAX_CLEARED`."""
    kept = [a for a in cleared if a.cleared_at is not None and now - a.cleared_at <= CLEARED_KEPT]
    kept.sort(key=lambda a: a.cleared_at or now, reverse=True)
    return kept[:MAX_CLEARED]


def _alert(firing: Firing, since: datetime, delivered: bool) -> Alert:
    return Alert(
        device=firing.device,
        alert=firing.rule.name,
        condition=condition_text(firing.rule),
        metric=firing.rule.metric,
        subject=firing.subject,
        value=firing.value,
        threshold=firing.threshold,
        since=since,
        message=firing.message,
        delivered=delivered,
    )


def _cleared(alert: Alert, now: datetime) -> Alert:
    return replace(alert, cleared_at=now, delivered=True)


def alerts_document(view: FleetView) -> dict[str, Any]:
    """``/api/alerts``: whether the server checks rules, the active alerts (in the fleet's
    order) and those cleared within :data:`CLEARED_KEPT`, the latest first."""
    return {
        "alerting": view.alerting,
        "active": [a.document() for a in view.active_alerts],
        "cleared": [a.document() for a in view.cleared_alerts],
        "cleared_kept_hours": CLEARED_KEPT.total_seconds() / 3600,
    }
