"""Checking alert rules with the store's memory (baselines, alert state) and delivering them.

An alert is stored as active only once every one of its actions succeeded. ``print`` and
``exit`` are the caller's to do and cannot fail; ``webhook`` is a JSON POST that must be
answered 2xx within the rules' deadline (redirects are failures, never followed). A firing whose
delivery failed stays inactive, so the next check fires it again: delivery is at least once (if
the state cannot be stored after a delivery, the alert is delivered again).

The webhook firings of one check or round go out in one POST, after every device is recorded, in
a worker thread: a slow webhook delays nothing but itself, and a ``stop`` event set meanwhile is
honoured within :data:`~qpumon.util.threads.POLL_S`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..errors import EXIT_ALERT, DeliveryError, QpumonError, StoreError
from ..model import DeviceSnapshot
from ..model.metrics import GATE_ERROR, qubit_metric
from ..store.records import Recorded
from ..util.printable import printable
from ..util.threads import Abandoned, run_until
from .alerts import Firing, Rule, Rules, baseline_medians, evaluate
from .rules_format import DELIVERY_DEADLINE_S
from .series import Selection, read_history

if TYPE_CHECKING:
    # imported when a webhook is used (80 ms)
    import httpx

    from ..store.db import Store

#: At most this much of a webhook's error answer is read (and its start shown); the body of a
#: 2xx answer is never read.
REPLY_CAP_BYTES = 64 * 1024
_SHOWN_REPLY = 160
#: The header that carries a webhook delivery's id (also the body's ``delivery``).
DELIVERY_HEADER = "X-Qpumon-Delivery"
#: The namespace of the delivery ids (UUID version 5): fixed, so ids stay the same across runs.
_DELIVERY_NAMESPACE_TEXT = "5f0c1b9e-4d8a-5e2b-9a63-0b7c2e6d4f11"
#: The order in which problems decide the exit code: input first, then services, then deliveries.
_EXIT_ORDER = (2, 3, DeliveryError.exit_code)


@dataclass(frozen=True)
class CheckResult:
    """What a check found: alerts that fired now, alerts still true (fired before), cleared ones.

    ``awaiting``: the fired alerts whose webhook has not succeeded; they are not active and fire
    again at the next check. ``problem``: why their delivery failed. ``holding``: every alert
    true now (fired now or before), each with when it became active (the check's time for those
    fired now); ``qpumon serve`` shows them.
    """

    device: str
    fired: tuple[Firing, ...]
    still_active: int
    cleared: tuple[tuple[str, str], ...]
    awaiting: tuple[Firing, ...] = ()
    problem: str | None = None
    holding: tuple[tuple[Firing, datetime], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One device's record or check: what was stored, what the rules said, the problem met."""

    device: str
    recorded: Recorded | None = None
    alerts: CheckResult | None = None
    problem: str | None = None
    exit_code: int = 0  # of the problem: 2 input, 3 service, 4 delivery

    @property
    def exit_fired(self) -> bool:
        """True if an alert with the ``exit`` action fired."""
        return self.alerts is not None and any("exit" in f.rule.actions for f in self.alerts.fired)


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """The process exit code of a record or check: the code of the first kind of problem met,
    in the order 2 (input), 3 (service), 4 (a webhook failed); else 1 if an alert with the
    ``exit`` action fired; else 0."""
    codes = [o.exit_code or 2 for o in outcomes if o.problem is not None]
    if codes:
        return min(codes, key=lambda c: _EXIT_ORDER.index(c) if c in _EXIT_ORDER else -1)
    return EXIT_ALERT if any(o.exit_fired for o in outcomes) else 0


# -- checking ------------------------------------------------------------------------------


def assess(store: Store, snapshot: DeviceSnapshot, rules: Rules, now: datetime) -> CheckResult:
    """Evaluate ``rules`` on ``snapshot`` (whose device must be in the store) and store what
    needs no delivery: cleared alerts, and fired ones without the webhook action. Fired webhook
    alerts are returned as ``awaiting``: :func:`settle` delivers them."""
    memo: dict[str, dict[str, float]] = {}

    def baselines(rule: Rule) -> dict[str, float]:
        if rule.metric not in memo:  # many rules on one metric read its history once
            memo[rule.metric] = _baselines(store, snapshot, rule.metric, rules.baseline)
        return memo[rule.metric]

    true = evaluate(snapshot, rules.rules, baselines)
    active = store.active_alerts(snapshot.name)
    holding = {
        (rule.name, subject): Firing(
            snapshot.name, rule, subject, value, threshold, snapshot.calibrated_at
        )
        for rule, subject, value, threshold in true
    }
    fired = {key: firing for key, firing in holding.items() if key not in active}
    cleared = [key for key in active if key not in holding]
    at_once = [f for f in fired.values() if not f.rule.has_webhook]
    if at_once or cleared:
        store.set_alerts(snapshot.name, _raised(at_once), cleared, now)
    awaiting = tuple(f for f in fired.values() if f.rule.has_webhook)
    return CheckResult(
        snapshot.name,
        tuple(fired.values()),
        len(holding) - len(fired),
        tuple(cleared),
        awaiting,
        holding=tuple((f, active.get(key, now)) for key, f in holding.items()),
    )


def check(
    store: Store,
    snapshot: DeviceSnapshot,
    rules: Rules,
    now: datetime,
    stop: threading.Event | None = None,
) -> CheckResult:
    """:func:`assess` ``snapshot``, deliver its webhook alerts and store them as active if the
    delivery succeeded."""
    return _deliver(store, [assess(store, snapshot, rules, now)], rules, now, stop)[0]


def check_devices(
    store: Store,
    devices: Sequence[str],
    rules: Rules,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Check ``rules`` against the newest stored snapshot of each device (a device with none is
    an outcome with a problem), then deliver the webhook alerts of all of them in one POST."""
    now = now or datetime.now(timezone.utc)
    outcomes = []
    for device in devices:
        try:
            snapshot = _newest(store, device)
            outcomes.append(Outcome(device, alerts=assess(store, snapshot, rules, now)))
        except QpumonError as exc:
            outcomes.append(Outcome(device, problem=str(exc), exit_code=exc.exit_code))
    return settle(store, outcomes, rules, now, stop)


def _newest(store: Store, device: str) -> DeviceSnapshot:
    stored = store.snapshots(device)
    if not stored:
        shown = printable(device)
        raise StoreError(f"no snapshots of {shown} stored yet (qpumon record {shown})")
    return store.load(stored[-1].id)


def settle(
    store: Store,
    outcomes: Sequence[Outcome],
    rules: Rules,
    now: datetime,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Deliver the awaiting webhook alerts of ``outcomes`` in one POST and store them as active
    if it succeeded; otherwise each outcome concerned carries the problem (exit code 4)."""
    results = [o.alerts for o in outcomes if o.alerts is not None]
    delivered = iter(_deliver(store, results, rules, now, stop))
    settled = []
    for outcome in outcomes:
        if outcome.alerts is None:
            settled.append(outcome)
            continue
        result = next(delivered)
        if result.problem is None:
            settled.append(replace(outcome, alerts=result))
        else:
            code = DeliveryError.exit_code
            settled.append(replace(outcome, alerts=result, problem=result.problem, exit_code=code))
    return settled


def _deliver(
    store: Store,
    results: Sequence[CheckResult],
    rules: Rules,
    now: datetime,
    stop: threading.Event | None,
) -> list[CheckResult]:
    awaiting = [f for r in results for f in r.awaiting]
    if not awaiting:
        return list(results)
    try:
        if rules.webhook is None:
            raise DeliveryError("the rules use the webhook action but name no webhook URL")
        post_webhook(rules.webhook, awaiting, rules.deadline_s, stop)
    except DeliveryError as exc:
        return [
            replace(r, problem=_undelivered(exc, len(r.awaiting))) if r.awaiting else r
            for r in results
        ]
    for result in results:
        if result.awaiting:
            store.set_alerts(result.device, _raised(result.awaiting), [], now)
    return [replace(r, awaiting=()) for r in results]


def _undelivered(exc: DeliveryError, count: int) -> str:
    alerts = (
        "1 alert stays inactive and fires"
        if count == 1
        else f"{count} alerts stay inactive and fire"
    )
    return f"{exc} ({alerts} again at the next check)"


def _raised(firings: Sequence[Firing]) -> list[tuple[str, str, float | None]]:
    return [(f.rule.name, f.subject, None if f.value is None else float(f.value)) for f in firings]


def _baselines(
    store: Store, snapshot: DeviceSnapshot, metric: str, window: timedelta
) -> dict[str, float]:
    if snapshot.calibrated_at is None:
        return {}
    until = snapshot.calibrated_at - timedelta(microseconds=1)
    since = snapshot.calibrated_at - window
    out: dict[str, float] = {}
    for selection, prefix in _selections(snapshot, metric):
        history = read_history(store, snapshot.name, selection, since, until, measured=False)
        gate_errors = selection.gate is not None
        out.update(baseline_medians(history.series, prefix, gate_errors))
    return out


def _selections(snapshot: DeviceSnapshot, metric: str) -> list[tuple[Selection, str]]:
    if metric == "2q_error":
        return [(Selection(GATE_ERROR, g), g) for g in snapshot.two_qubit_basis_gates]
    found = qubit_metric(metric)
    return [(Selection(found, found.gate), "qubit")]


# -- delivery ------------------------------------------------------------------------------


def site(url: str) -> str:
    """``https://hooks.example.org``: a webhook URL without its path, query or credentials (a
    webhook's path is often its secret)."""
    import httpx

    try:
        parsed = httpx.URL(url)
        port = "" if parsed.port is None else f":{parsed.port}"
        return printable(f"{parsed.scheme}://{parsed.host}{port}")
    except httpx.InvalidURL:
        return "(an invalid URL)"


def post_webhook(
    url: str,
    firings: Sequence[Firing],
    deadline_s: float = DELIVERY_DEADLINE_S,
    stop: threading.Event | None = None,
) -> None:
    """POST ``{"delivery": ID, "alerts": [...]}`` as JSON to ``url`` (the id also as the
    :data:`DELIVERY_HEADER` header; see :func:`delivery_id`): done when it answers 2xx within
    ``deadline_s`` (everything included); a :class:`DeliveryError` otherwise (an error answer, a
    redirect, no answer in time, ``stop`` set)."""
    delivery = delivery_id(firings)
    alerts = [f.as_json() | {"id": alert_id(f)} for f in firings]
    body = json.dumps({"delivery": delivery, "alerts": alerts}).encode("utf-8")
    gone = threading.Event()
    try:
        run_until(lambda: _send(url, body, deadline_s, gone, delivery), stop, deadline_s)
    except Abandoned as exc:
        gone.set()
        why = "stopped before it answered" if exc.stopped else f"no answer within {deadline_s:g} s"
        raise DeliveryError(f"webhook {site(url)}: {why}") from exc


def alert_id(firing: Firing) -> str:
    """The id of one alert in a webhook body: a UUID (version 5) of its device, rule, subject
    and calibration time, so the same alert delivered again (a retry at the next check) carries
    the same id and a receiver can drop the repeat."""
    import uuid  # here: only a webhook needs it

    when = None if firing.calibrated_at is None else firing.calibrated_at.isoformat()
    key = json.dumps([firing.device, firing.rule.name, firing.subject, when])
    return str(uuid.uuid5(uuid.UUID(_DELIVERY_NAMESPACE_TEXT), key))


def delivery_id(firings: Sequence[Firing]) -> str:
    """The id of one delivery (body and :data:`DELIVERY_HEADER`): a UUID (version 5) of the
    :func:`alert_id` of the alerts it carries, the same when the same alerts are sent again."""
    import uuid

    return str(
        uuid.uuid5(uuid.UUID(_DELIVERY_NAMESPACE_TEXT), "\n".join(sorted(map(alert_id, firings))))
    )


def _send(url: str, body: bytes, deadline_s: float, gone: threading.Event, delivery: str) -> None:
    import httpx

    where = f"webhook {site(url)}"
    headers = {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        DELIVERY_HEADER: delivery,
    }
    try:
        with (
            httpx.Client(timeout=deadline_s, follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as reply,
        ):
            if reply.is_success:
                return
            detail = _reply_start(reply, gone)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = printable(str(exc)) or type(exc).__name__
        raise DeliveryError(f"{where}: cannot deliver ({reason})") from exc
    raise DeliveryError(_refusal(where, reply, detail))


def _reply_start(reply: httpx.Response, gone: threading.Event) -> str:
    """The start of an error answer, read up to :data:`REPLY_CAP_BYTES`, as one printable line."""
    import httpx

    kept = bytearray()
    try:
        for chunk in reply.iter_raw():
            kept += chunk[: REPLY_CAP_BYTES - len(kept)]
            if len(kept) >= REPLY_CAP_BYTES or gone.is_set():
                break
    except httpx.HTTPError:
        pass  # the status says it failed; the text only explains
    text = " ".join(kept.decode("utf-8", "replace").split())
    return printable(text[:_SHOWN_REPLY])


def _refusal(where: str, reply: httpx.Response, detail: str) -> str:
    status = f"{reply.status_code} {printable(reply.reason_phrase)}".strip()
    if reply.is_redirect:
        target = printable(reply.headers.get("location", "")[:100])
        return (
            f"{where}: the server answered {status} (a redirect to {target!r}); redirects are "
            "not followed: set webhook to the final URL"
        )
    return f"{where}: the server answered {status}" + (f": {detail}" if detail else "")
