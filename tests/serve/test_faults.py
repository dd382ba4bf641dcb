"""Live devices against the IBM stand-in: refreshed on their schedule and recorded; a device
failing mid-run keeps its last snapshot, marked stale, while the server keeps serving; the
account's devices are found on their own; SIGTERM stops the real command within 2 s, whatever
is in flight, with nothing half-written in the store."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from qpumon.model import DeviceSnapshot
from qpumon.sources import SourceOptions
from qpumon.store.db import Store
from tests.conftest import PROMPT_S
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn
from tests.serve.conftest import Running, free_port, live_options, running, start_cli, wait_healthy

FAST: dict[str, Any] = {"every": timedelta(seconds=0.3), "status_every": timedelta(seconds=0.2)}


@pytest.fixture
def live(stand_in: IBMStandIn, home: Path, tmp_path: Path) -> Iterator[Running]:
    """A server of ibm_fez and ibm_lagos (live, refreshed fast) and fake_armonk."""
    source = SourceOptions(live=live_options(stand_in, home))
    devices = ["ibm_fez", "ibm_lagos", "fake_armonk"]
    with running(devices, f"sqlite:///{tmp_path / 'h.db'}", source=source, **FAST) as server:
        server.collector.wait_for(lambda v: all(s.up for s in v.devices.values()), 30)
        yield server


def _metric(url: str, family: str, **labels: str) -> list[float]:
    text = httpx.get(f"{url}/metrics").text
    for found in text_string_to_metric_families(text):
        if found.name == family:
            return [
                s.value
                for s in found.samples
                if all(s.labels.get(k) == v for k, v in labels.items())
            ]
    return []


def test_live_devices_are_fetched_recorded_and_their_status_refreshed(
    live: Running, stand_in: IBMStandIn
) -> None:
    view = live.collector.view
    assert [view.devices[n].kind for n in ("ibm_fez", "ibm_lagos", "fake_armonk")] == [
        "live",
        "live",
        "bundled",
    ]
    assert _metric(live.url, "qpumon_device_pending_jobs", device="ibm_lagos") == [1]
    stand_in.queue["ibm_lagos"] = 17
    stand_in.operational["ibm_fez"] = False
    live.collector.wait_for(lambda v: _pending(v.devices["ibm_lagos"].snapshot) == 17, 10)
    assert _metric(live.url, "qpumon_device_pending_jobs", device="ibm_lagos") == [17]
    assert _metric(live.url, "qpumon_device_operational", device="ibm_fez") == [0]
    with Store(live.collector.store.url) as store:  # type: ignore[union-attr]
        assert {d.name: d.snapshots for d in store.devices()} == {
            "ibm_fez": 1,
            "ibm_lagos": 1,
            "fake_armonk": 1,
        }  # the status changed, the calibration did not: stored once


def _pending(snapshot: DeviceSnapshot | None) -> int | None:
    return None if snapshot is None or snapshot.status is None else snapshot.status.pending_jobs


def test_a_status_round_asks_for_the_status_alone(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    source = SourceOptions(live=live_options(stand_in, home))
    slow_full = {"every": timedelta(minutes=10), "status_every": timedelta(seconds=0.2)}
    db = f"sqlite:///{tmp_path / 's.db'}"
    with running(["ibm_lagos"], db, source=source, **slow_full) as server:
        server.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 30)
        calibrations = len(stand_in.seen("properties", "ibm_lagos"))
        statuses = len(stand_in.seen("status", "ibm_lagos"))
        stand_in.queue["ibm_lagos"] = 23
        server.collector.wait_for(lambda v: _pending(v.devices["ibm_lagos"].snapshot) == 23, 10)
        deadline = time.monotonic() + 10
        while len(stand_in.seen("status", "ibm_lagos")) < statuses + 3:
            assert time.monotonic() < deadline, "no status rounds"
            time.sleep(0.05)
    assert len(stand_in.seen("properties", "ibm_lagos")) == calibrations


def test_a_failing_device_keeps_its_last_snapshot_marked_stale(
    live: Running, stand_in: IBMStandIn
) -> None:
    before = httpx.get(f"{live.url}/api/devices/ibm_lagos").json()["snapshot"]
    t1_before = _metric(live.url, "qpumon_qubit_t1_seconds", device="ibm_lagos", qubit="0")
    stand_in.break_route("status", "ibm_lagos")  # what a status round asks for
    view = live.collector.wait_for(lambda v: v.devices["ibm_lagos"].stale, 10)
    assert view.devices["ibm_lagos"].stale and view.devices["ibm_fez"].up
    with live.client() as client:
        after = client.get("/api/devices/ibm_lagos").json()["snapshot"]
        serving = client.get("/api/devices").json()["serving"]["ibm_lagos"]
        fleet = client.get("/fleet/table").text
        page = client.get("/devices/ibm_lagos").text
    assert {k: v for k, v in after.items() if k != "status"} == {
        k: v for k, v in before.items() if k != "status"
    }
    assert serving["stale"] and not serving["up"] and "500" in serving["error"]
    assert "ibm_lagos: stale: the fetch at" in fleet and "live, stale" in fleet
    assert '<p class="banner stale"><b>Stale.</b>' in page
    assert _metric(live.url, "qpumon_source_up", device="ibm_lagos") == [0]
    assert _metric(live.url, "qpumon_source_up", device="ibm_fez") == [1]
    assert _metric(live.url, "qpumon_collect_errors", device="ibm_lagos")[0] >= 1
    assert _metric(live.url, "qpumon_qubit_t1_seconds", device="ibm_lagos", qubit="0") == (
        t1_before
    )
    failures = [line for line in live.lines if line.startswith("ibm_lagos: failed:")]
    assert len(failures) == 1 and "(stale)" in failures[0]  # said once, not every round
    stand_in.mend()
    view = live.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 10)
    assert view.devices["ibm_lagos"].up and view.devices["ibm_lagos"].errors_total >= 1
    assert _metric(live.url, "qpumon_source_up", device="ibm_lagos") == [1]
    assert "ibm_lagos: fetched again (no longer stale)" in live.lines


def test_the_accounts_devices_are_served_with_the_bundled_ones(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    source = SourceOptions(live=live_options(stand_in, home))
    slow: dict[str, Any] = {"every": timedelta(minutes=5), "status_every": timedelta(minutes=1)}
    with running([], f"sqlite:///{tmp_path / 'h.db'}", source=source, **slow) as server:
        view = server.collector.wait_for(
            lambda v: v.loaded and {"ibm_fez", "ibm_lagos"} <= set(v.devices), 60
        )
        server.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 10)
        names = httpx.get(f"{server.url}/api/devices").json()["serving"]
    assert {n for n, s in names.items() if s["source"] == "live"} == {"ibm_fez", "ibm_lagos"}
    assert len([n for n in names if n.startswith("fake_")]) == len(view.devices) - 2 >= 60


def _environment(stand_in: IBMStandIn, home: Path) -> dict[str, str]:
    return {
        **stand_in.environment,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "QISKIT_IBM_TOKEN": GOOD_KEY,
        "QISKIT_IBM_INSTANCE": CRN,
        "QISKIT_IBM_URL": stand_in.api_url,
    }


def _stop(process: Any) -> tuple[float, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    return time.monotonic() - started, stderr


def test_sigterm_while_recording_stops_within_2s_with_whole_snapshots(
    home: Path, tmp_path: Path
) -> None:
    db, port = f"sqlite:///{tmp_path / 'h.db'}", free_port()
    process = start_cli("serve", "--port", str(port), "--db", db, env=_environment_free(home))
    try:
        _wait_for_records(db, process)
        took, stderr = _stop(process)  # while the 68 bundled devices are being recorded
    finally:
        process.kill()
    assert process.returncode == 143, stderr  # 128 + SIGTERM, after the clean shutdown
    assert took < PROMPT_S, took
    assert "stopped (SIGTERM)" in stderr
    _check_whole(db)


def test_sigterm_while_a_fetch_is_stalled_stops_within_2s(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    db, port = f"sqlite:///{tmp_path / 'h.db'}", free_port()
    args = ("serve", "ibm_fez", "fake_armonk", "--port", str(port), "--db", db, "--every", "1s")
    process = start_cli(*args, env=_environment(stand_in, home))
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        _wait_until(lambda: bool(stand_in.seen("properties", "ibm_fez")), process)
        stand_in.stall("properties", "*", 60)
        count = len(stand_in.seen("properties"))
        _wait_until(lambda: len(stand_in.seen("properties")) > count, process)  # now stalled
        assert httpx.get(f"http://127.0.0.1:{port}/api/devices/ibm_fez").status_code == 200
        took, stderr = _stop(process)
    finally:
        process.kill()
    assert process.returncode == 143, stderr
    assert took < PROMPT_S, took
    _check_whole(db)


def _environment_free(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def _wait_until(condition: Any, process: Any, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _wait_for_records(db: str, process: Any) -> None:
    """Until the server has stored its first snapshot (it goes on with the others)."""
    path = Path(db.removeprefix("sqlite:///"))

    def stored() -> bool:
        if not path.exists():
            return False
        try:
            with Store(db) as store:
                return bool(store.devices())
        except Exception:  # the server is creating the schema right now
            return False

    _wait_until(stored, process, 60)


def _check_whole(db: str) -> None:
    """Every stored snapshot has all its values: nothing half-written."""
    with Store(db) as store:
        infos = [i for d in store.devices() for i in store.snapshots(d.name)]
        assert infos
        for info in infos:
            snapshot = store.load(info.id)
            t1 = [r for r in store.qubit_series(info.device, "t1_us") if r[0] == info.id]
            gates = [r for r in store.gate_series(info.device, "cz") if r[0] == info.id]
            assert len(t1) == sum(q.t1_us is not None for q in snapshot.qubits)
            assert len(gates) == sum(g.gate == "cz" for g in snapshot.gate_index.values())


def test_rules_are_checked_on_every_status_round(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    from qpumon.history.alerts import load_rules

    path = tmp_path / "rules.toml"
    path.write_text(
        '[[alert]]\nname = "busy"\nwhen = "pending_jobs > 10"\nactions = ["print"]\n',
        encoding="utf-8",
    )
    source = SourceOptions(live=live_options(stand_in, home))
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with running(["ibm_lagos"], db, source=source, rules=load_rules(path), **FAST) as server:
        server.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 30)
        assert not any(line.startswith("ALERT") for line in server.lines)
        stand_in.queue["ibm_lagos"] = 25
        server.collector.wait_for(lambda v: _pending(v.devices["ibm_lagos"].snapshot) == 25, 10)
        time.sleep(1.0)  # five more status rounds: the alert stays true, it does not fire again
        alerts = [line for line in server.lines if line.startswith("ALERT")]
        with Store(db) as store:
            active = store.active_alerts("ibm_lagos")
    assert len(alerts) == 1 and "busy" in alerts[0] and "25" in alerts[0]
    assert list(active) == [("busy", "device")]
