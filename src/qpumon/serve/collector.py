"""The collector: one thread that refreshes every device on its schedule and publishes a new
:class:`~.state.FleetView` after each change.

Bundled and file devices are read once. Live devices are fetched together every ``every`` (a
calibration round) and every ``status_every`` in between (a status round: only their status is
taken, with one ``/status`` request per device through :meth:`LiveSource.statuses
<qpumon.sources.ibm_live.source.LiveSource.statuses>`, and a device whose last fetch failed is
fetched again in full). Each new snapshot is
recorded and the alert rules are checked exactly as ``qpumon watch`` does it
(:func:`qpumon.history.watch.record_devices`); status rounds check the rules too (``pending_jobs``,
``operational``); what the rules say is published with the device (:mod:`.alerting`), and so
is when the next round is due. A device whose fetch fails keeps its last snapshot, marked stale,
with the error; it is never dropped. Setting the stop event ends a round within
:data:`~qpumon.util.threads.POLL_S` whatever is in flight (a record in progress finishes: it is
one short transaction), so nothing is ever half-written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from ..errors import QpumonError
from ..history.alerts import Rules
from ..history.check import Outcome
from ..history.watch import describe, record_devices
from ..model import DeviceSnapshot, same_calibration
from ..store.db import Store
from ..util.threads import Abandoned, run_until
from .alerting import updated
from .exporter import exposition
from .state import LIVE, DeviceState, FleetView
from .trends import TrendReader
from .upstream import LiveUpstream, Plan, redact, static_name

#: ``log(line)``: where the collector reports records, alerts and failures.
Log = Callable[[str], None]
#: How long :meth:`Collector.stop` waits for the thread.
STOP_TIMEOUT_S = 1.5


class Collector:
    """Keeps the latest state of every device of ``plan`` (see the module docstring)."""

    def __init__(
        self,
        plan: Plan,
        store: Store | None,
        log: Log,
        *,
        rules: Rules | None = None,
        every: timedelta = timedelta(minutes=30),
        status_every: timedelta = timedelta(minutes=1),
        upstream: LiveUpstream | None = None,
    ) -> None:
        self.plan, self.store, self.rules = plan, store, rules
        self.every, self.status_every = every, status_every
        self.upstream = upstream or (LiveUpstream(plan.source.live) if plan.has_live else None)
        self.secrets = self.upstream.secrets() if self.upstream is not None else ()
        self._log = log
        self._trends = TrendReader(store) if store is not None else None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._states: dict[str, DeviceState] = {}
        self._problems: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._next: tuple[datetime | None, datetime | None] = (None, None)
        self._keys = {spec: self._key(spec) for spec in plan.static}
        for spec in plan.static:
            self._add(DeviceState(self._keys[spec], spec, plan.kind(spec)))
        for name in plan.live:
            self._add(DeviceState(name, name, LIVE))
        self._view = FleetView(
            devices=dict(self._states),
            store_url=store.display_url if store is not None else "",
            started_at=_now(),
            alerting=rules is not None,
        )

    # -- the public side ---------------------------------------------------------------------

    @property
    def view(self) -> FleetView:
        """The latest published view (read without a lock: it is replaced whole)."""
        return self._view

    def start(self) -> None:
        """Start refreshing in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="qpumon-collector", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop refreshing; True if the thread ended within ``timeout`` seconds."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_for(self, ready: Callable[[FleetView], bool], timeout: float) -> FleetView:
        """The first published view for which ``ready(view)`` holds, waiting up to ``timeout``
        seconds (then the latest view, whatever it holds)."""
        end = time.monotonic() + timeout
        with self._changed:
            while not ready(self._view) and not self._stop.is_set():
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
        return self._view

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._guarded(self._static_round)
            next_full = next_status = time.monotonic()
            while self.plan.has_live and not self._stop.is_set():
                now = time.monotonic()
                if now >= next_full:
                    next_full = now + self.every.total_seconds()
                    next_status = now + self.status_every.total_seconds()
                    self._plan(next_status, next_full)
                    self._guarded(lambda: self._live_round(full=True))
                elif now >= next_status:
                    next_status = now + self.status_every.total_seconds()
                    self._plan(next_status, next_full)
                    self._guarded(lambda: self._live_round(full=False))
                self._stop.wait(max(0.0, min(next_full, next_status) - time.monotonic()))
        except Abandoned:
            pass  # stopped while a fetch was in flight; it ends on its own

    def _plan(self, status: float, full: float) -> None:
        """Note when the next status and calibration rounds are due (monotonic clock), as the
        wall-clock times the next published view shows."""
        now, wall = time.monotonic(), _now()
        self._next = (
            wall + timedelta(seconds=status - now),
            wall + timedelta(seconds=full - now),
        )

    def _guarded(self, round_: Callable[[], None]) -> None:
        """Run one round; a bug in it is logged and the next round runs as planned."""
        try:
            round_()
        except Abandoned:
            raise
        except Exception as exc:  # keep serving what is known
            self._say(f"internal error in the collector: {type(exc).__name__}: {exc}")
            self._publish()

    def _static_round(self) -> None:
        """Read every bundled and file device once, then record them."""
        loaded = []
        for spec in self.plan.static:
            if self._stop.is_set():
                return
            key, started = self._keys[spec], time.monotonic()
            try:
                snapshot = self.plan.source.resolve(spec)
            except QpumonError as exc:
                self._failed(key, exc, time.monotonic() - started)
                continue
            snapshot = self._unique(key, snapshot)
            self._arrived(key, snapshot, time.monotonic() - started, full=True)
            loaded.append(snapshot)
        self._publish()
        self._record(loaded, [])
        self._publish(loaded=True)

    def _live_round(self, full: bool) -> None:
        """Fetch every live device at once; take everything (``full``), or only the status of
        the devices whose last fetch succeeded."""
        upstream = self.upstream
        assert upstream is not None
        names = self._live_names(listing=full)
        if not names:
            return
        healthy = [] if full else [n for n in names if self._healthy(n)]
        complete = [n for n in names if n not in healthy]
        started = time.monotonic()
        try:
            results = run_until(lambda: upstream.fetch(complete), self._stop) if complete else []
            answers = run_until(lambda: upstream.statuses(healthy), self._stop) if healthy else []
        except QpumonError as exc:  # a rejected key or a service down: every device fails
            for name in names:
                self._failed(name, exc, time.monotonic() - started)
            self._publish()
            return
        duration = time.monotonic() - started
        whole, statuses = [], []
        for result in results:
            if result.snapshot is None:
                failure = result.failure or QpumonError(f"{result.name}: no snapshot")
                self._failed(result.name, failure, duration)
            elif self._arrived(result.name, result.snapshot, duration, full=True):
                whole.append(result.snapshot)
        for answer in answers:
            old = self._states[answer.name].snapshot
            # no status without a failure: the vendor states none (Rigetti QCS), not a fault
            if answer.failure is not None or old is None:
                failure = answer.failure or QpumonError(f"{answer.name}: no status")
                self._failed(answer.name, failure, duration)
                continue
            self._arrived(answer.name, replace(old, status=answer.status), duration, full=False)
            statuses.append(self._states[answer.name].snapshot)
        self._record(whole, [s for s in statuses if s is not None] if self.rules else [])
        self._publish()

    def _healthy(self, name: str) -> bool:
        """True if ``name``'s last fetch gave a snapshot (a status round refreshes its status
        only)."""
        state = self._states.get(name)
        return state is not None and state.snapshot is not None and state.error is None

    def _live_names(self, listing: bool) -> list[str]:
        """The live devices: those named, or every device the account lists (asked again when
        ``listing``, each calibration round; the devices known so far when it fails)."""
        names = [s.name for s in self._states.values() if s.kind == LIVE]
        if not self.plan.account or not listing:
            return names
        assert self.upstream is not None
        try:
            listed = run_until(self.upstream.names, self._stop)
        except QpumonError as exc:
            self._problem("account", f"IBM Quantum: cannot list the account's devices: {exc}")
            return names
        self._problem("account", None)
        self._problem("listing", "; ".join(self.upstream.notices()) or None)
        for name in listed:
            if name not in self._states:
                self._add(DeviceState(name, name, LIVE))
        return [*names, *(n for n in listed if n not in names)]

    # -- state changes -----------------------------------------------------------------------

    def _add(self, state: DeviceState) -> None:
        self._states.setdefault(state.name, state)

    def _key(self, spec: str) -> str:
        """What a static device is shown as before it is read: :func:`static_name`, or the
        whole spec when another device has that name already."""
        name = static_name(spec)
        return spec if name in self._states or name in self.plan.live else name

    def _unique(self, key: str, snapshot: DeviceSnapshot) -> DeviceSnapshot:
        """``snapshot``, renamed ``key`` (said once) when another device has its name: two
        devices of one name are never served as one nor mixed in the store."""
        name = snapshot.name
        if name == key or name not in self._states:
            return snapshot
        spec = self._states[key].spec if key in self._states else key
        self._say(
            f"warning: {spec} names its device {name!r}, as another device here does; "
            f"it is served and recorded as {key!r}"
        )
        return replace(snapshot, name=key)

    def _arrived(self, key: str, snapshot: DeviceSnapshot, duration: float, full: bool) -> bool:
        """Take ``snapshot``, or only its status when not ``full`` and the device is healthy;
        True if the whole snapshot was taken."""
        state = self._states.pop(key, None) or DeviceState(key, key, LIVE)
        old = state.snapshot
        whole = full or old is None or state.error is not None
        if not whole and old is not None:
            snapshot = replace(old, status=snapshot.status)
        calibration = state.calibration
        if old is None or not same_calibration(old, snapshot):
            calibration += 1
        if state.error is not None:
            self._say(f"{key}: fetched again ({'no longer stale' if old else 'loaded'})")
        name = snapshot.name if snapshot.name not in self._states else key
        self._states[name] = state.changed(
            name=name,
            snapshot=snapshot,
            calibration=calibration,
            fetched_at=_now(),
            error=None,
            failed_at=None,
            duration_s=duration,
        )
        return whole

    def _failed(self, key: str, failure: BaseException, duration: float | None) -> None:
        state = self._states.get(key) or DeviceState(key, key, LIVE)
        message = redact(str(failure), self.secrets)
        self._states[key] = state.changed(
            error=message,
            failed_at=_now(),
            errors_total=state.errors_total + 1,
            duration_s=duration,
        )
        if message != state.error:  # said once, not at every retry
            kept = "; showing its last snapshot (stale)" if state.snapshot is not None else ""
            self._say(f"{key}: failed: {message}{kept}")

    def _problem(self, key: str, message: str | None) -> None:
        if message is None:
            self._problems.pop(key, None)
        elif self._problems.get(key) != (message := redact(message, self.secrets)):
            self._problems[key] = message
            self._say(message)

    def _record(
        self, snapshots: Sequence[DeviceSnapshot], statuses: Sequence[DeviceSnapshot]
    ) -> None:
        """Record ``snapshots`` and ``statuses`` (snapshots whose status alone is new: stored
        already, recorded for the rules) and check the rules on them, as ``qpumon watch`` does;
        then refresh the trends of the devices that got a new stored snapshot."""
        if self.store is None or not (snapshots or statuses):
            return
        by_name = {s.name: s for s in (*statuses, *snapshots)}
        try:
            outcomes = record_devices(
                self.store, list(by_name), by_name.__getitem__, self.rules, stop=self._stop
            )
        except QpumonError as exc:
            self._problem("store", f"history store: {exc}")
            return
        self._problem("store", None)
        now = _now()
        for outcome in outcomes:
            self._report(outcome)
            self._update_alerts(outcome, now)
            self._update_trend(outcome, by_name)

    def _report(self, outcome: Outcome) -> None:
        recorded = outcome.recorded
        if recorded is not None and recorded.stored:
            self._say(describe(recorded))
        for firing in () if outcome.alerts is None else outcome.alerts.fired:
            if "print" in firing.rule.actions:
                self._say(f"ALERT {firing.message}")
        if outcome.problem is not None:
            self._say(f"{outcome.device}: recording failed: {outcome.problem}")

    def _update_alerts(self, outcome: Outcome, now: datetime) -> None:
        """Publish what the rules said of the device (kept as it was when they were not
        checked)."""
        state = self._states.get(outcome.device)
        if outcome.alerts is None or state is None:
            return
        alerts = updated(state.alerts, outcome.alerts, now)
        if alerts != state.alerts:
            self._states[state.name] = state.changed(alerts=alerts)

    def _update_trend(self, outcome: Outcome, by_name: dict[str, DeviceSnapshot]) -> None:
        recorded, state = outcome.recorded, self._states.get(outcome.device)
        if recorded is None or state is None or self._trends is None:
            return
        if state.trend and not recorded.stored:
            return
        try:
            trend = self._trends.trend(state.name, by_name.get(state.name), recorded.snapshot_id)
        except QpumonError as exc:
            self._problem("store", f"history store: {exc}")
            return
        self._states[state.name] = state.changed(trend=trend)

    def _publish(self, loaded: bool | None = None) -> None:
        """Draw the exposition and replace the view; wake those waiting for a change."""
        states = list(self._states.values())
        metrics, metrics_gzip = exposition(states, alerting=self.rules is not None)
        self._view = replace(
            self._view,
            version=self._view.version + 1,
            devices={s.name: s for s in states},
            problems=tuple(self._problems.values()),
            metrics=metrics,
            metrics_gzip=metrics_gzip,
            loaded=self._view.loaded if loaded is None else loaded,
            next_status_at=self._next[0],
            next_calibration_at=self._next[1],
        )
        with self._changed:
            self._changed.notify_all()

    def _say(self, line: str) -> None:
        self._log(redact(line, self.secrets))


def _now() -> datetime:
    return datetime.now(timezone.utc)
