"""Recording and checking many devices: one delivery per round after every device is recorded,
stopping within a second whatever is in flight, exit codes, and the synthetic history."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qpumon.errors import UsageError
from qpumon.history.alerts import Rules, load_rules
from qpumon.history.check import Outcome, check_devices, exit_code
from qpumon.history.demo import DemoSettings, record_demo
from qpumon.history.watch import record_devices, watch
from qpumon.model import DeviceSnapshot
from qpumon.sources import resolve
from qpumon.store.db import Store
from tests.conftest import PROMPT_S
from tests.history.webhook_server import Hook, serve

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
DEVICES = ("fake_armonk", "fake_lagos")


def _fetch(device: str) -> DeviceSnapshot:
    return resolve(device, offline=True)


def _rules(tmp_path: Path, url: str, actions: str = '["print", "webhook"]') -> Rules:
    path = tmp_path / "rules.toml"
    path.write_text(
        f'webhook = "{url}"\n[[alert]]\nname = "any T1"\nwhen = "t1_us > 0"\nactions = {actions}\n',
        encoding="utf-8",
    )
    return replace(load_rules(path), deadline_s=1.0)


def _stop_when(event: threading.Event, stop: threading.Event) -> list[float]:
    """Set ``stop`` once ``event`` is set; the time it was set, in a list."""
    stopped_at: list[float] = []

    def run() -> None:
        event.wait(60)
        stopped_at.append(time.monotonic())
        stop.set()

    threading.Thread(target=run, daemon=True).start()
    return stopped_at


def test_watch_records_every_device_then_stops_within_a_second_of_a_hanging_delivery(
    sqlite_store: Store, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    rules = replace(_rules(tmp_path, base + "/hang"), deadline_s=60.0)
    stop = threading.Event()
    stopped_at = _stop_when(stand_in.arrived, stop)
    lines: list[str] = []
    rounds = watch(sqlite_store, DEVICES, _fetch, timedelta(minutes=30), stop, lines.append, rules)
    assert stopped_at and time.monotonic() - stopped_at[0] < PROMPT_S
    assert rounds == 1
    assert [len(sqlite_store.snapshots(d)) for d in DEVICES] == [1, 1]
    (post,) = stand_in.requests  # one POST for the round, sent after both were recorded
    assert {a["device"] for a in post.body["alerts"]} == set(DEVICES)
    assert all(sqlite_store.active_alerts(d) == {} for d in DEVICES)
    failed = [line for line in lines if ": failed: webhook" in line]
    assert len(failed) == 2 and "stopped before it answered" in failed[0]


def test_watch_stops_within_a_second_of_a_slow_fetch(sqlite_store: Store) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(device: str) -> DeviceSnapshot:
        if device == "fake_lagos":
            entered.set()
            release.wait(60)
        return _fetch(device)

    stop = threading.Event()
    stopped_at = _stop_when(entered, stop)
    try:
        watch(sqlite_store, DEVICES, slow, timedelta(minutes=30), stop, lambda _: None)
    finally:
        release.set()
    assert stopped_at and time.monotonic() - stopped_at[0] < PROMPT_S
    assert [d.name for d in sqlite_store.devices()] == ["fake_armonk"]


@pytest.mark.parametrize(("path", "posts"), [("/500", 3), ("/200", 1)])
def test_watch_delivers_again_each_round_until_it_succeeds(
    sqlite_store: Store, hook: tuple[str, Hook], tmp_path: Path, path: str, posts: int
) -> None:
    base, stand_in = hook
    rules = _rules(tmp_path, base + path)
    lines: list[str] = []
    stop = threading.Event()
    watch(sqlite_store, ["fake_armonk"], _fetch, timedelta(0), stop, lines.append, rules, 3)
    assert len(stand_in.requests) == posts
    assert sum(line.startswith("ALERT fake_armonk qubit 0") for line in lines) == posts


def test_record_devices_sends_one_post_and_every_outcome_carries_its_failure(
    sqlite_store: Store, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    outcomes = record_devices(
        sqlite_store, [*DEVICES, "fake_nosuch"], _fetch, _rules(tmp_path, base + "/500")
    )
    assert len(stand_in.requests) == 1
    armonk, lagos, nosuch = outcomes
    assert armonk.recorded is not None and lagos.recorded is not None
    assert (armonk.exit_code, lagos.exit_code, nosuch.exit_code) == (4, 4, 2)
    assert armonk.problem is not None and "answered 500" in armonk.problem
    assert nosuch.recorded is None and nosuch.problem is not None
    assert exit_code(outcomes) == 2
    assert exit_code(outcomes[:2]) == 4


def test_check_devices_checks_the_newest_snapshot_of_each(
    sqlite_store: Store, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    for device in DEVICES:
        sqlite_store.record(_fetch(device))
    rules = _rules(tmp_path, base + "/200", '["print", "exit", "webhook"]')
    first = check_devices(sqlite_store, [*DEVICES, "fake_fez"], rules, NOW)
    armonk, lagos, fez = first
    assert armonk.alerts is not None and [f.subject for f in armonk.alerts.fired] == ["qubit 0"]
    assert lagos.alerts is not None and len(lagos.alerts.fired) == 7
    assert fez.problem is not None and "fake_fez" in fez.problem and fez.exit_code == 2
    assert len(stand_in.requests) == 1 and exit_code(first[:2]) == 1
    again = check_devices(sqlite_store, DEVICES, rules, NOW)
    assert exit_code(again) == 0 and len(stand_in.requests) == 1


def _outcome(code: int | None = None, fired_exit: bool = False) -> Outcome:
    if code is not None:
        return Outcome("d", problem="p", exit_code=code)
    return Outcome("d", exit_code=0) if not fired_exit else _fired_exit()


def _fired_exit() -> Outcome:
    from qpumon.history.alerts import Firing, Rule
    from qpumon.history.check import CheckResult

    rule = Rule("r", "t1_us", "<", 5.0, 1.0, ("exit",), ())
    fired = (Firing("d", rule, "qubit 0", 1.0, 5.0, None),)
    return Outcome("d", alerts=CheckResult("d", fired, 0, ()))


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], 0),
        ([_outcome()], 0),
        ([_outcome(fired_exit=True)], 1),
        ([_outcome(fired_exit=True), _outcome(4)], 4),
        ([_outcome(4), _outcome(3)], 3),
        ([_outcome(3), _outcome(2), _outcome(4)], 2),
    ],
)
def test_exit_code_puts_input_errors_before_services_before_deliveries(
    outcomes: list[Outcome], expected: int
) -> None:
    assert exit_code(outcomes) == expected


def test_record_demo_stores_once_and_reports_progress(sqlite_store: Store) -> None:
    base = _fetch("fake_armonk")
    seen: list[int] = []
    assert record_demo(sqlite_store, base, 5, DemoSettings(seed=3), lambda r: seen.append(1)) == 5
    assert len(seen) == 5 and all(s.synthetic for s in sqlite_store.snapshots("fake_armonk"))
    assert record_demo(sqlite_store, base, 5, DemoSettings(seed=3)) == 0


@pytest.mark.parametrize(
    ("days", "settings"),
    [(0, None), (36_501, None), (10**12, None), (2, DemoSettings(step=timedelta(0)))],
)
def test_record_demo_refuses_an_impossible_history(
    sqlite_store: Store, days: int, settings: DemoSettings | None
) -> None:
    with pytest.raises(UsageError, match="synthetic history"):
        record_demo(sqlite_store, _fetch("fake_armonk"), days, settings)


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < end:
        time.sleep(0.02)
    return condition()


def test_qpumon_watch_exits_within_a_second_of_sigterm_while_a_webhook_trickles(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.db"
    with serve(trickle_s=60.0) as (base, stand_in):
        rules = tmp_path / "rules.toml"
        rules.write_text(
            f'webhook = "{base}/trickle"\n[[alert]]\nwhen = "t1_us > 0"\nactions = ["webhook"]\n',
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "qpumon", "watch", *DEVICES, "--every", "30m"]
            + ["--rules", str(rules), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_PROXY": "127.0.0.1"},
        )
        try:
            assert _wait_for(stand_in.arrived.is_set, 120), process.stderr
            process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            _, err = process.communicate(timeout=30)
            elapsed = time.monotonic() - signalled
        finally:
            process.kill()
    assert elapsed < PROMPT_S, err  # not the delivery deadline, 10 s
    assert process.returncode == 143, err
    assert "stopped before it answered" in err and "stopped (SIGTERM) after 1 round\n" in err
    with closing(sqlite3.connect(db)) as connection, connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 2
        assert connection.execute("SELECT count(*) FROM alert_state").fetchone()[0] == 0
