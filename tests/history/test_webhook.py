"""Webhook deliveries against a stand-in: an alert is active only once its webhook answered 2xx;
every failure leaves it inactive, so the next check fires it again."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from qpumon.errors import DeliveryError
from qpumon.history.alerts import Rules, load_rules
from qpumon.history.check import check, post_webhook
from qpumon.model import DeviceSnapshot
from qpumon.sources import resolve
from qpumon.store.db import Store
from tests.conftest import PROMPT_S
from tests.history.webhook_server import Hook

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
DEADLINE_S = 1.0
#: The namespace of delivery ids, as the README gives it.
NAMESPACE = uuid.UUID("5f0c1b9e-4d8a-5e2b-9a63-0b7c2e6d4f11")
#: Generous bound on anything that must end at the deadline.
HANG_BOUND_S = DEADLINE_S + PROMPT_S


@pytest.fixture
def armonk(sqlite_store: Store) -> DeviceSnapshot:
    """fake_armonk (one qubit), recorded."""
    snapshot = resolve("fake_armonk", offline=True)
    sqlite_store.record(snapshot)
    return snapshot


def _rules(tmp_path: Path, url: str, extra: str = "") -> Rules:
    path = tmp_path / "rules.toml"
    path.write_text(
        f'webhook = "{url}"\n[[alert]]\nname = "any T1"\nwhen = "t1_us > 0"\n'
        f'actions = ["print", "webhook"]\n{extra}',
        encoding="utf-8",
    )
    return replace(load_rules(path), deadline_s=DEADLINE_S)


def _posts(hook: Hook) -> list[str]:
    assert all(r.method == "POST" for r in hook.requests), hook.requests  # nothing followed
    return [r.path for r in hook.requests]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/500?token=s3cret", "the server answered 500 Internal Server Error: oops"),
        ("/302", "answered 302 Found (a redirect to '/200'); redirects are not followed"),
        ("/307", "answered 307 Temporary Redirect (a redirect to '/200')"),
        ("/308", "answered 308 Permanent Redirect (a redirect to '/200')"),
        ("/404", "the server answered 404 Not Found"),
        ("/hang", f"no answer within {DEADLINE_S:g} s"),
        ("/trickle", f"no answer within {DEADLINE_S:g} s"),
        ("/huge", "the server answered 500 Internal Server Error: yyyyyyyy"),
    ],
)
def test_a_failed_delivery_leaves_the_alert_inactive_and_it_fires_again(
    sqlite_store: Store,
    armonk: DeviceSnapshot,
    hook: tuple[str, Hook],
    tmp_path: Path,
    path: str,
    expected: str,
) -> None:
    base, stand_in = hook
    rules = _rules(tmp_path, base + path)
    for attempt in (1, 2):
        started = time.monotonic()
        result = check(sqlite_store, armonk, rules, NOW)
        assert time.monotonic() - started < HANG_BOUND_S
        assert [f.subject for f in result.fired] == [f.subject for f in result.awaiting]
        assert [f.subject for f in result.awaiting] == ["qubit 0"]
        assert result.problem is not None and expected in result.problem
        assert result.problem.startswith(f"webhook {base}: ")  # the path (often a secret) hidden
        assert "1 alert stays inactive and fires again at the next check" in result.problem
        assert sqlite_store.active_alerts("fake_armonk") == {}
        assert len(_posts(stand_in)) == attempt
    assert stand_in.bytes_sent < 1024**3  # the 3 GB answer was not read


def test_a_2xx_answer_activates_the_alert_once(
    sqlite_store: Store, armonk: DeviceSnapshot, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    rules = _rules(tmp_path, base + "/200")
    first = check(sqlite_store, armonk, rules, NOW)
    assert first.problem is None and first.awaiting == ()
    assert [f.subject for f in first.fired] == ["qubit 0"]
    assert set(sqlite_store.active_alerts("fake_armonk")) == {("any T1", "qubit 0")}
    (body,) = [r.body for r in stand_in.requests]
    (alert,) = body["alerts"]
    assert (alert["device"], alert["rule"]) == ("fake_armonk", "any T1")
    assert alert["subject"] == "qubit 0" and alert["value"] == armonk.qubits[0].t1_us
    again = check(sqlite_store, armonk, rules, NOW)
    assert again.fired == () and again.still_active == 1 and len(stand_in.requests) == 1
    assert again.problem is None


@pytest.mark.parametrize("path", ["/trickle-body", "/huge-ok"])
def test_the_body_of_a_2xx_answer_is_not_waited_for(
    sqlite_store: Store,
    armonk: DeviceSnapshot,
    hook: tuple[str, Hook],
    tmp_path: Path,
    path: str,
) -> None:
    base, _ = hook
    result = check(sqlite_store, armonk, _rules(tmp_path, base + path), NOW)
    assert result.problem is None
    assert set(sqlite_store.active_alerts("fake_armonk")) == {("any T1", "qubit 0")}


def test_only_the_webhook_alerts_wait_for_the_delivery(
    sqlite_store: Store, armonk: DeviceSnapshot, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, _ = hook
    extra = '[[alert]]\nname = "printed"\nwhen = "t1_us > 0"\nactions = ["print", "exit"]\n'
    rules = _rules(tmp_path, base + "/500", extra)
    first = check(sqlite_store, armonk, rules, NOW)
    assert sorted(f.rule.name for f in first.fired) == ["any T1", "printed"]
    assert set(sqlite_store.active_alerts("fake_armonk")) == {("printed", "qubit 0")}
    second = check(sqlite_store, armonk, rules, NOW)
    assert [f.rule.name for f in second.fired] == ["any T1"] and second.still_active == 1
    assert second.problem is not None and "500" in second.problem


def test_an_unreachable_webhook_is_a_delivery_error_with_its_cause(
    sqlite_store: Store, armonk: DeviceSnapshot, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/none"
    result = check(sqlite_store, armonk, _rules(tmp_path, url), NOW)
    assert result.problem is not None and "cannot deliver" in result.problem
    assert sqlite_store.active_alerts("fake_armonk") == {}
    with pytest.raises(DeliveryError) as caught:
        post_webhook(url, result.fired, DEADLINE_S)
    assert caught.value.exit_code == 4 and isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_set_stop_sends_nothing(hook: tuple[str, Hook]) -> None:
    base, stand_in = hook
    stop = threading.Event()
    stop.set()
    with pytest.raises(DeliveryError, match="stopped before it answered"):
        post_webhook(base + "/200", [], DEADLINE_S, stop)
    assert stand_in.requests == []


@pytest.mark.parametrize("path", ["/hang", "/trickle"])
def test_stop_abandons_a_delivery_in_flight_within_a_second(
    hook: tuple[str, Hook], path: str
) -> None:
    base, stand_in = hook
    stop = threading.Event()
    stopped_at: list[float] = []

    def stop_on_arrival() -> None:
        stand_in.arrived.wait(10)
        stopped_at.append(time.monotonic())
        stop.set()

    threading.Thread(target=stop_on_arrival, daemon=True).start()
    with pytest.raises(DeliveryError, match="stopped before it answered"):
        post_webhook(base + path, [], deadline_s=30.0, stop=stop)
    assert stopped_at and time.monotonic() - stopped_at[0] < PROMPT_S


def test_a_delivery_carries_an_id_that_a_retry_repeats(
    sqlite_store: Store, armonk: DeviceSnapshot, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    failing, working = _rules(tmp_path, base + "/500"), _rules(tmp_path, base + "/200")
    assert check(sqlite_store, armonk, failing, NOW).problem is not None
    assert check(sqlite_store, armonk, working, NOW).problem is None  # the retry, delivered
    first, retry = stand_in.requests
    assert first.body == retry.body  # the same alert: the same delivery and alert ids
    delivery = first.body["delivery"]
    assert first.headers["X-Qpumon-Delivery"] == retry.headers["X-Qpumon-Delivery"] == delivery
    (alert,) = first.body["alerts"]
    assert armonk.calibrated_at is not None
    key = ["fake_armonk", "any T1", "qubit 0", armonk.calibrated_at.isoformat()]
    assert alert["id"] == str(uuid.uuid5(NAMESPACE, json.dumps(key)))
    assert delivery == str(uuid.uuid5(NAMESPACE, alert["id"]))


def test_other_alerts_or_calibrations_have_other_ids(
    sqlite_store: Store, armonk: DeviceSnapshot, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    base, stand_in = hook
    rules = _rules(tmp_path, base + "/500")
    assert armonk.calibrated_at is not None
    later = replace(armonk, calibrated_at=armonk.calibrated_at + timedelta(hours=1))
    for snapshot in (armonk, later):
        check(sqlite_store, snapshot, rules, NOW)
    ids = [r.body["alerts"][0]["id"] for r in stand_in.requests]
    deliveries = {r.headers["X-Qpumon-Delivery"] for r in stand_in.requests}
    assert len(set(ids)) == 2 and len(deliveries) == 2
