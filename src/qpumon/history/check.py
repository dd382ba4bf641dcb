"""Checking alert rules against a snapshot with the store's memory: baselines and alert state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import QpumonError
from ..metrics import GATE_ERROR, qubit_metric
from ..model import DeviceSnapshot
from ..store.db import Store
from .alerts import Firing, Rule, Rules, baseline_medians, evaluate, post_webhook
from .series import Selection, read_history


@dataclass(frozen=True)
class CheckResult:
    """What a check found: alerts that fired now, alerts still true (fired before), cleared ones."""

    device: str
    fired: tuple[Firing, ...]
    still_active: int
    cleared: tuple[tuple[str, str], ...]


def check(store: Store, snapshot: DeviceSnapshot, rules: Rules, now: datetime) -> CheckResult:
    """Evaluate ``rules`` on ``snapshot`` (whose device must be in the store) and update the
    stored alert state: a condition fires only when it becomes true."""
    true = evaluate(snapshot, rules.rules, lambda rule: _baselines(store, snapshot, rule, rules))
    active = store.active_alerts(snapshot.name)
    fired = [
        Firing(snapshot.name, rule, subject, value, threshold, snapshot.calibrated_at)
        for rule, subject, value, threshold in true
        if (rule.name, subject) not in active
    ]
    holding = {(rule.name, subject) for rule, subject, _, _ in true}
    cleared = [key for key in active if key not in holding]
    raised = [(f.rule.name, f.subject, _number(f.value)) for f in fired]
    if raised or cleared:
        store.set_alerts(snapshot.name, raised, cleared, now)
    return CheckResult(snapshot.name, tuple(fired), len(holding) - len(fired), tuple(cleared))


def _number(value: float | bool | None) -> float | None:
    return None if value is None else float(value)


def _baselines(
    store: Store, snapshot: DeviceSnapshot, rule: Rule, rules: Rules
) -> dict[str, float]:
    if snapshot.calibrated_at is None:
        return {}
    until = snapshot.calibrated_at - timedelta(microseconds=1)
    since = snapshot.calibrated_at - rules.baseline
    out: dict[str, float] = {}
    for selection, prefix in _selections(snapshot, rule.metric):
        history = read_history(store, snapshot.name, selection, since, until, measured=False)
        gate_errors = selection.gate is not None
        out.update(baseline_medians(history.series, prefix, gate_errors))
    return out


def _selections(snapshot: DeviceSnapshot, metric: str) -> list[tuple[Selection, str]]:
    if metric == "2q_error":
        return [(Selection(GATE_ERROR, g), g) for g in snapshot.two_qubit_basis_gates]
    found = qubit_metric(metric)
    return [(Selection(found, found.gate), "qubit")]


def deliver(results: Sequence[CheckResult], rules: Rules) -> list[str]:
    """POST the fired alerts that have the webhook action; the problems met, as lines."""
    hooked = [f for r in results for f in r.fired if "webhook" in f.rule.actions]
    if not hooked or rules.webhook is None:
        return []
    try:
        post_webhook(rules.webhook, hooked)
    except QpumonError as exc:  # a webhook failure must not lose the record
        return [str(exc)]
    return []
