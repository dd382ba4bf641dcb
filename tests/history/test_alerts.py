"""Alert rules: parsing, firing once, clearing, baselines and the webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from qpumon.errors import QpumonError
from qpumon.history.alerts import Rules, load_rules, parse_rule
from qpumon.history.check import check, deliver
from qpumon.history.demo import DemoSettings, demo_history
from qpumon.history.watch import record_one
from qpumon.model import DeviceSnapshot, DeviceStatus
from qpumon.sources import resolve as load
from qpumon.store.db import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _rules(tmp_path: Path, text: str) -> Rules:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_parse_rule() -> None:
    assert parse_rule("t1_us < 50") == ("t1_us", "<", 50.0, 1.0)
    assert parse_rule("t1 <= 50") == ("t1_us", "<=", 50.0, 1.0)
    assert parse_rule("2q_error > 2 * baseline") == ("2q_error", ">", None, 2.0)
    assert parse_rule("readout > baseline*1.5") == ("readout_error", ">", None, 1.5)
    assert parse_rule("operational == false") == ("operational", "==", False, 1.0)
    assert parse_rule("pending_jobs < 10") == ("pending_jobs", "<", 10.0, 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[alert]]\nwhen = "t1_us 5"', "is not METRIC OP VALUE"),
        ('[[alert]]\nwhen = "t1_us < fast"', "is not a number"),
        ('[[alert]]\nwhen = "t9 < 5"', "unknown metric 't9'"),
        ('[[alert]]\nwhen = "t1 < 5"\nactions = ["email"]', "unknown action 'email'"),
        ('[[alert]]\nwhen = "t1 < 5"\nactions = ["webhook"]', "no webhook URL"),
        ('[[alert]]\nwhen = "pending_jobs > 2 * baseline"', "pending_jobs has no baseline"),
        ("when = ", "not valid TOML"),
        ("", "no [[alert]] tables"),
    ],
)
def test_bad_rules_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QpumonError, match=message.replace("[", r"\[").replace("(", r"\(")):
        _rules(tmp_path, text)


def test_fires_once_while_true_then_clears_and_fires_again(store: Store, tmp_path: Path) -> None:
    rules = _rules(tmp_path, '[[alert]]\nwhen = "t1_us < 50"\nactions = ["print", "exit"]')
    base = load("fake_fez")
    expected = {f"qubit {q.index}" for q in base.qubits if q.t1_us is not None and q.t1_us < 50}
    assert expected  # fake_fez has such qubits
    first = record_one(store, base, rules, NOW)
    assert first.alerts is not None
    assert {f.subject for f in first.alerts.fired} == expected
    again = record_one(store, base, rules, NOW)
    assert again.alerts is not None and again.alerts.fired == ()
    assert again.alerts.still_active == len(expected)
    healed = replace(base, qubits=tuple(replace(q, t1_us=100.0) for q in base.qubits))
    cleared = record_one(store, healed, rules, NOW)
    assert cleared.alerts is not None and len(cleared.alerts.cleared) == len(expected)
    back = record_one(store, base, rules, NOW)
    assert back.alerts is not None and len(back.alerts.fired) == len(expected)


def test_device_rules(store: Store, tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        '[[alert]]\nwhen = "operational == false"\n[[alert]]\nwhen = "pending_jobs < 10"\n'
        '[[alert]]\nwhen = "failed_gates > 100"\ndevices = ["fake_fez"]',
    )
    down = replace(load("fake_kyoto"), status=DeviceStatus(False, "maintenance", 3))
    result = record_one(store, down, rules, NOW).alerts
    assert result is not None
    names = sorted(f.rule.name for f in result.fired)
    assert names == ["operational == false", "pending_jobs < 10"]
    fez = record_one(store, load("fake_fez"), rules, NOW).alerts  # 112 failed gates; no status
    assert fez is not None and [f.rule.name for f in fez.fired] == ["failed_gates > 100"]


def test_baseline_rule_uses_the_subjects_own_history(store: Store, tmp_path: Path) -> None:
    rules = _rules(tmp_path, '[[alert]]\nwhen = "2q_error > 3 * baseline"')
    days = list(demo_history(load("fake_fez"), 6, DemoSettings(seed=2, failure_rate=0.0)))
    for day in days:
        store.record(day)
    last = days[-1]
    worse = tuple(
        replace(g, error=(g.error or 0) * 10) if (g.gate, g.qubits) == ("cz", (5, 6)) else g
        for g in last.gates
    )
    assert last.calibrated_at is not None
    today = replace(last, gates=worse, calibrated_at=last.calibrated_at + timedelta(days=1))
    store.record(today)
    result = check(store, today, rules, NOW)
    assert [f.subject for f in result.fired] == ["cz 5-6"]
    errors = [d.gate("cz", (5, 6)).error for d in days]  # type: ignore[union-attr]
    import statistics

    assert result.fired[0].threshold == pytest.approx(3 * statistics.median(errors))  # type: ignore[type-var]


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def hook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_receives_the_fired_alerts(store: Store, tmp_path: Path, hook: str) -> None:
    rules = _rules(
        tmp_path,
        f'webhook = "{hook}"\n[[alert]]\nwhen = "readout_error >= 0.5"\nactions = ["webhook"]',
    )
    cusco: DeviceSnapshot = load("fake_cusco")
    outcome = record_one(store, cusco, rules, NOW)
    assert outcome.problem is None
    (body,) = _Hook.received
    expected = [q.index for q in cusco.qubits if (q.readout_error or 0) >= 0.5]
    assert [a["subject"] for a in body["alerts"]] == [f"qubit {i}" for i in expected]
    assert all(a["device"] == "fake_cusco" and a["value"] >= 0.5 for a in body["alerts"])
    record_one(store, cusco, rules, NOW)
    assert len(_Hook.received) == 1  # not again while it stays true


def test_unreachable_webhook_is_reported_not_raised(store: Store, tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        'webhook = "http://127.0.0.1:9/none"\n[[alert]]\nwhen = "t1 < 50"\nactions = ["webhook"]',
    )
    outcome = record_one(store, load("fake_fez"), rules, NOW)
    assert outcome.recorded is not None and outcome.recorded.stored
    assert outcome.problem is not None and "cannot deliver" in outcome.problem
    assert deliver([], rules) == []
