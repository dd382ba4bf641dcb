"""Recording over time: record now (with alerts), import files, watch periodically, backfill.

The fetch functions are parameters, so any source (bundled, files, a Qiskit backend, IBM Quantum)
can feed the store, and tests can stand in for the service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NoCalibrationError, QpumonError
from ..model import DeviceSnapshot
from ..store.records import Recorded
from ..util.printable import printable

if TYPE_CHECKING:
    from ..store.db import Store
from ..util.threads import POLL_S, Abandoned, run_until
from .alerts import Rules
from .check import Outcome, assess, settle

__all__ = [
    "BACKFILL_WORKERS",
    "Backfill",
    "Fetch",
    "FetchAt",
    "Log",
    "Outcome",
    "backfill",
    "describe",
    "import_files",
    "record_devices",
    "record_one",
    "watch",
]

#: ``fetch(device) -> snapshot``: the current snapshot of a device.
Fetch = Callable[[str], DeviceSnapshot]
#: ``fetch_at(when) -> snapshot``: the calibration in force at ``when``.
FetchAt = Callable[[datetime], DeviceSnapshot]
#: Called with one line to log (a record, a failure, an alert).
Log = Callable[[str], None]


def describe(recorded: Recorded) -> str:
    """``fake_fez calibrated 2025-02-26 20:16:25+00:00: stored (#12)`` or ``... already stored``."""
    when = "no calibration time" if recorded.calibrated_at is None else recorded.calibrated_at
    state = f"stored (#{recorded.snapshot_id})" if recorded.stored else "already stored"
    return f"{printable(recorded.device)} calibrated {when}: {state}"


def record_one(
    store: Store,
    snapshot: DeviceSnapshot,
    rules: Rules | None = None,
    now: datetime | None = None,
    synthetic: bool = False,
) -> Outcome:
    """Store ``snapshot`` and check ``rules`` on it (the alert state lives in the store)."""
    now = now or datetime.now(timezone.utc)
    recorded = store.record(snapshot, synthetic=synthetic, recorded_at=now)
    if rules is None:
        return Outcome(snapshot.name, recorded)
    outcome = Outcome(snapshot.name, recorded, assess(store, snapshot, rules, now))
    return settle(store, [outcome], rules, now)[0]


def record_devices(
    store: Store,
    devices: Sequence[str],
    fetch: Fetch,
    rules: Rules | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Fetch, record and check each device, then deliver the webhook alerts of all of them in
    one POST (:func:`~qpumon.history.check.settle`). A failed fetch or record is an outcome with
    a problem, not a raise. Once ``stop`` is set, no further device is fetched, a fetch or a
    delivery in flight is abandoned (its alerts stay inactive) and the outcomes so far are
    returned."""
    outcomes = []
    for device in devices:
        try:
            outcomes.append(_record(store, device, fetch, rules, now, stop))
        except Abandoned:
            break
        except QpumonError as exc:
            outcomes.append(Outcome(device, problem=str(exc), exit_code=exc.exit_code))
    if rules is None:
        return outcomes
    return settle(store, outcomes, rules, now or datetime.now(timezone.utc), stop)


def _record(
    store: Store,
    device: str,
    fetch: Fetch,
    rules: Rules | None,
    now: datetime | None,
    stop: threading.Event | None,
) -> Outcome:
    # With a stop event the fetch runs in a worker, so a slow service cannot delay stopping.
    snapshot = fetch(device) if stop is None else run_until(lambda: fetch(device), stop)
    when = now or datetime.now(timezone.utc)
    recorded = store.record(snapshot, recorded_at=when)
    alerts = None if rules is None else assess(store, snapshot, rules, when)
    return Outcome(snapshot.name, recorded, alerts)


def import_files(
    store: Store,
    paths: Iterable[Path],
    load: Callable[[Path], DeviceSnapshot],
    advance: Callable[[Path, Recorded], None] | None = None,
) -> list[Recorded]:
    """Record every file, each in its own transaction: an interrupted import leaves whole
    snapshots only, and importing again skips what is already stored."""
    done = []
    for path in paths:
        recorded = store.record(load(path))
        done.append(recorded)
        if advance is not None:
            advance(path, recorded)
    return done


def watch(
    store: Store,
    devices: Sequence[str],
    fetch: Fetch,
    every: timedelta,
    stop: threading.Event,
    log: Log,
    rules: Rules | None = None,
    rounds: int | None = None,
) -> int:
    """Record ``devices`` every ``every`` (from the start of one round to the next) until
    ``stop`` is set or ``rounds`` rounds are done; failures are logged and retried next period.
    Each round records every device, then delivers its webhook alerts (:func:`record_devices`).
    Returns within :data:`~qpumon.util.threads.POLL_S` of ``stop`` being set, whatever is in
    flight (a record in progress finishes: it is one short transaction). Returns the number of
    rounds run."""
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        started = time.monotonic()
        for outcome in _round(store, devices, fetch, rules, stop):
            _log_outcome(outcome, log, every)
        done += 1
        if rounds is not None and done >= rounds:
            break
        stop.wait(max(0.0, every.total_seconds() - (time.monotonic() - started)))
    return done


def _round(
    store: Store, devices: Sequence[str], fetch: Fetch, rules: Rules | None, stop: threading.Event
) -> list[Outcome]:
    try:
        return record_devices(store, devices, fetch, rules, stop=stop)
    except QpumonError as exc:  # e.g. the alert state could not be stored: try again next period
        return [Outcome(", ".join(devices), problem=str(exc), exit_code=exc.exit_code)]


def _log_outcome(outcome: Outcome, log: Log, every: timedelta) -> None:
    if outcome.recorded is not None:
        log(describe(outcome.recorded))
    for firing in () if outcome.alerts is None else outcome.alerts.fired:
        if "print" in firing.rule.actions:
            log(f"ALERT {firing.message}")
    if outcome.problem is not None:
        log(f"{printable(outcome.device)}: failed: {outcome.problem}; retrying in {every}")


@dataclass(frozen=True)
class Backfill:
    """What a backfill did: snapshots newly stored, found already stored, failures, and the
    times before the oldest calibration the service keeps (no calibration at or before them:
    no failure, nothing to store)."""

    stored: int
    already: int
    failures: tuple[str, ...]
    too_early: tuple[datetime, ...] = ()


#: Historical fetches a backfill keeps in flight. Each makes two requests at once (the
#: calibration, and the status naming the configuration's version), so 32 fill the live layer's
#: bound of 64 requests in flight (``LiveOptions.workers``), which holds back any beyond it.
BACKFILL_WORKERS = 32


def backfill(
    store: Store,
    fetch_at: FetchAt,
    start: datetime,
    end: datetime,
    every: timedelta,
    log: Log | None = None,
    workers: int = BACKFILL_WORKERS,
) -> Backfill:
    """Record the calibration in force at ``start``, ``start + every``, ... up to ``end``.

    Up to ``workers`` times are fetched at once (``fetch_at`` is called from worker threads);
    the snapshots are recorded in time order as they arrive, each in its own transaction.
    Calibrations repeat (one per day or so); the store keeps each once. A failed fetch is
    logged and skipped; a time before the oldest calibration the service keeps is counted.
    """
    times = []
    when = start
    while when <= end:
        times.append(when)
        when += every
    stored = already = 0
    failures, too_early = [], []
    for when, outcome in _fetched(fetch_at, times, workers):
        if isinstance(outcome, NoCalibrationError):
            too_early.append(when)
            continue
        if isinstance(outcome, QpumonError):
            failures.append(f"{when.isoformat()}: {outcome}")
            if log is not None:
                log(f"{when.isoformat()}: failed: {outcome}")
            continue
        recorded = store.record(outcome)
        stored += recorded.stored
        already += not recorded.stored
        if log is not None:
            log(f"{when.isoformat()}: {describe(recorded)}")
    return Backfill(stored, already, tuple(failures), tuple(too_early))


def _fetched(
    fetch_at: FetchAt, times: Sequence[datetime], workers: int
) -> Iterator[tuple[datetime, DeviceSnapshot | QpumonError]]:
    """``(time, snapshot or its fetch's error)`` for each of ``times``, in order, fetched by up
    to ``workers`` daemon threads at most ``2 * workers`` ahead of the consumer (a stuck fetch
    never holds up the process's exit; Ctrl-C reaches the waiting thread within a poll)."""
    state = _Pipeline(fetch_at, times, max(1, workers))
    threads = [
        threading.Thread(target=state.work, name="qpumon-backfill", daemon=True)
        for _ in range(min(max(1, workers), len(times)))
    ]
    for thread in threads:
        thread.start()
    try:
        for i, when in enumerate(times):
            outcome = state.take(i)
            if isinstance(outcome, BaseException) and not isinstance(outcome, QpumonError):
                raise outcome
            yield when, outcome  # type: ignore[misc]
    finally:
        state.stop()


class _Pipeline:
    """The shared state of :func:`_fetched`'s workers and consumer."""

    def __init__(self, fetch_at: FetchAt, times: Sequence[datetime], workers: int) -> None:
        self.fetch_at, self.times, self.window = fetch_at, times, 2 * workers
        self.results: dict[int, object] = {}
        self.next = self.taken = 0
        self.stopped = False
        self.changed = threading.Condition()

    def work(self) -> None:
        """Fetch the next time not taken by another worker, until none is left."""
        while True:
            with self.changed:
                while not self.stopped and self.next >= self.taken + self.window:
                    self.changed.wait()
                if self.stopped or self.next >= len(self.times):
                    return
                i = self.next
                self.next += 1
            try:
                outcome: object = self.fetch_at(self.times[i])
            except BaseException as exc:  # handed to the consumer
                outcome = exc
            with self.changed:
                self.results[i] = outcome
                self.changed.notify_all()

    def take(self, i: int) -> object:
        """The outcome of time ``i``, once fetched."""
        with self.changed:
            while i not in self.results:
                self.changed.wait(POLL_S)
            self.taken = i + 1
            self.changed.notify_all()
            return self.results.pop(i)

    def stop(self) -> None:
        """No further fetch starts."""
        with self.changed:
            self.stopped = True
            self.changed.notify_all()
