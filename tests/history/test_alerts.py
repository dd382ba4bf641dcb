"""Alert rules: parsing, firing once, clearing and baselines (files: test_alert_rules.py,
deliveries: test_webhook.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qpumon.history.alerts import Rules, load_rules, parse_rule
from qpumon.history.check import check
from qpumon.history.demo import DemoSettings, demo_history
from qpumon.history.watch import record_one
from qpumon.model import DeviceStatus
from qpumon.sources import resolve as load
from qpumon.store.db import Store
from tests.history.webhook_server import serve

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
    assert [f.subject for f in result.fired] == ["cz 5->6"]
    errors = [d.gate("cz", (5, 6)).error for d in days]  # type: ignore[union-attr]
    import statistics

    assert result.fired[0].threshold == pytest.approx(3 * statistics.median(errors))  # type: ignore[type-var]


def test_a_webhook_alert_waits_for_a_delivery_that_succeeds(store: Store, tmp_path: Path) -> None:
    with serve() as (base, hook):
        text = f'webhook = "{base}/500"\n[[alert]]\nwhen = "t1_us < 50"\nactions = ["webhook"]'
        failing = _rules(tmp_path, text)
        fez = load("fake_fez")
        expected = {f"qubit {q.index}" for q in fez.qubits if q.t1_us is not None and q.t1_us < 50}
        for _ in range(2):
            outcome = record_one(store, fez, failing, NOW)
            assert outcome.exit_code == 4 and outcome.alerts is not None
            assert {f.subject for f in outcome.alerts.awaiting} == expected
            assert store.active_alerts("fake_fez") == {}
        working = replace(failing, webhook=f"{base}/200")
        delivered = record_one(store, fez, working, NOW)
        assert delivered.problem is None and delivered.alerts is not None
        assert {f.subject for f in delivered.alerts.fired} == expected
        assert {s for _, s in store.active_alerts("fake_fez")} == expected
        assert record_one(store, fez, working, NOW).alerts == replace(
            delivered.alerts, fired=(), still_active=len(expected)
        )
        assert [r.path for r in hook.requests] == ["/500", "/500", "/200"]


def test_device_counts_are_the_overviews(tmp_path: Path) -> None:
    """failed_2q_couplers counts fez's flagged CZ couplers (not its RZZ or directed entries) and
    out_of_service_qubits the qubits IBM took out of service, from the raw properties."""
    from qpumon.history.alerts import subjects
    from tests.conftest import raw, write_out_of_service

    props = write_out_of_service(tmp_path, "fez", (5, 60), ())
    snapshot = load(str(props))
    gates = raw("fez", "props")["gates"]
    flagged = {
        frozenset(g["qubits"])
        for g in gates
        if g["gate"] == "cz"
        and 5 not in g["qubits"]
        and 60 not in g["qubits"]
        and any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    }
    assert list(subjects(snapshot, "failed_2q_couplers")) == [("device", float(len(flagged)))]
    assert list(subjects(snapshot, "out_of_service_qubits")) == [("device", 2.0)]
    assert all(s != "qubit 5" for s, _ in subjects(snapshot, "t1_us"))
