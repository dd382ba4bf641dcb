"""Recording over time: record now (with alerts), import files, watch periodically, backfill.

The fetch functions are parameters, so any source (bundled, files, a Qiskit backend, IBM Quantum)
can feed the store, and tests can stand in for the service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import QpumonError
from ..model import DeviceSnapshot
from ..store.db import Recorded, Store
from .alerts import Rules
from .check import CheckResult, check, deliver

#: ``fetch(device) -> snapshot``: the current snapshot of a device.
Fetch = Callable[[str], DeviceSnapshot]
#: ``fetch_at(when) -> snapshot``: the calibration in force at ``when``.
FetchAt = Callable[[datetime], DeviceSnapshot]
#: Called with one line to log (a record, a failure, an alert).
Log = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """One device's record: what was stored, what the rules said, the problems met."""

    device: str
    recorded: Recorded | None = None
    alerts: CheckResult | None = None
    problem: str | None = None
    exit_code: int = 0  # of the problem's error: 2 for a user error, 3 for a service fault


def describe(recorded: Recorded) -> str:
    """``fake_fez 2025-02-26T20:16:25+00:00: stored (#12)`` or ``... already stored``."""
    when = "no calibration time" if recorded.calibrated_at is None else recorded.calibrated_at
    state = f"stored (#{recorded.snapshot_id})" if recorded.stored else "already stored"
    return f"{recorded.device} calibrated {when}: {state}"


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
    result = None if rules is None else check(store, snapshot, rules, now)
    problems = [] if rules is None or result is None else deliver([result], rules)
    return Outcome(snapshot.name, recorded, result, "; ".join(problems) or None)


def record_devices(
    store: Store, devices: Sequence[str], fetch: Fetch, rules: Rules | None = None
) -> list[Outcome]:
    """Fetch and record each device; a failed fetch is an outcome with a problem, not a raise."""
    outcomes = []
    for device in devices:
        try:
            snapshot = fetch(device)
        except QpumonError as exc:
            outcomes.append(Outcome(device, problem=str(exc), exit_code=exc.exit_code))
            continue
        outcomes.append(record_one(store, snapshot, rules))
    return outcomes


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
    """Record ``devices`` every ``every`` until ``stop`` is set (checked between records) or
    ``rounds`` rounds are done; failures are logged and retried next period. Returns the number
    of rounds run."""
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        for device in devices:
            if stop.is_set():
                break
            _log_outcome(_record_safely(store, device, fetch, rules), log, every)
        done += 1
        if rounds is not None and done >= rounds:
            break
        stop.wait(every.total_seconds())
    return done


def _record_safely(store: Store, device: str, fetch: Fetch, rules: Rules | None) -> Outcome:
    try:
        return record_devices(store, [device], fetch, rules)[0]
    except QpumonError as exc:  # e.g. the database stayed locked: try again next period
        return Outcome(device, problem=str(exc), exit_code=exc.exit_code)


def _log_outcome(outcome: Outcome, log: Log, every: timedelta) -> None:
    if outcome.recorded is not None:
        log(describe(outcome.recorded))
    for firing in () if outcome.alerts is None else outcome.alerts.fired:
        if "print" in firing.rule.actions:
            log(f"ALERT {firing.message}")
    if outcome.problem is not None:
        log(f"{outcome.device}: failed: {outcome.problem}; retrying in {every}")


@dataclass(frozen=True)
class Backfill:
    """What a backfill did: snapshots newly stored, found already stored, and failures."""

    stored: int
    already: int
    failures: tuple[str, ...]


def backfill(
    store: Store,
    fetch_at: FetchAt,
    start: datetime,
    end: datetime,
    every: timedelta,
    log: Log | None = None,
) -> Backfill:
    """Record the calibration in force at ``start``, ``start + every``, ... up to ``end``.

    Calibrations repeat (one per day or so); the store keeps each once. A failed fetch is
    logged and skipped.
    """
    stored = already = 0
    failures = []
    when = start
    while when <= end:
        try:
            snapshot = fetch_at(when)
        except QpumonError as exc:
            failures.append(f"{when.isoformat()}: {exc}")
            if log is not None:
                log(f"{when.isoformat()}: failed: {exc}")
        else:
            recorded = store.record(snapshot)
            stored += recorded.stored
            already += not recorded.stored
            if log is not None:
                log(f"{when.isoformat()}: {describe(recorded)}")
        when += every
    return Backfill(stored, already, tuple(failures))
