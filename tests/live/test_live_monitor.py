"""Live snapshots of one device through the real qiskit-ibm-runtime client and the stand-in."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from qpumon.api import monitor_report
from qpumon.errors import DeviceNotFoundError, NoCalibrationError
from qpumon.live import LiveOptions, connect, has_account, parse_at
from qpumon.reports.formats import render_monitor
from qpumon.sources import BundledFallbackWarning
from tests.conftest import raw
from tests.live.conftest import fetch_live, live_options
from tests.live.ibm_server import IBMStandIn


def qubit_value(props: dict[str, Any], qubit: int, name: str) -> float:
    """A per-qubit value as IBM wrote it."""
    return float(next(e["value"] for e in props["qubits"][qubit] if e["name"] == name))


def gate_error(props: dict[str, Any], gate: str, qubits: list[int]) -> float:
    """A gate's error as IBM wrote it."""
    entry = next(g for g in props["gates"] if g["gate"] == gate and g["qubits"] == qubits)
    return float(next(p["value"] for p in entry["parameters"] if p["name"] == "gate_error"))


def test_monitor_resolves_a_live_device(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.queue["ibm_fez"] = 17
    snapshot = fetch_live("ibm_fez", live_options(stand_in, home))
    assert snapshot is not None
    conf, props = raw("fez", "conf"), raw("fez", "props")
    assert (snapshot.name, snapshot.source) == ("ibm_fez", "ibm:ibm_fez")
    assert snapshot.num_qubits == conf["n_qubits"] == 156
    assert snapshot.basis_gates == tuple(conf["basis_gates"])
    assert snapshot.qubits[3].t1_us == pytest.approx(qubit_value(props, 3, "T1"))
    assert snapshot.qubits[3].readout_error == pytest.approx(qubit_value(props, 3, "readout_error"))
    first_cz = next(g for g in props["gates"] if g["gate"] == "cz")
    assert snapshot.gate("cz", tuple(first_cz["qubits"])).error == pytest.approx(  # type: ignore[union-attr]
        gate_error(props, "cz", first_cz["qubits"])
    )
    assert snapshot.calibrated_at == datetime.fromisoformat(props["last_update_date"])
    assert snapshot.status is not None
    assert (snapshot.status.operational, snapshot.status.pending_jobs) == (True, 17)
    assert snapshot.status.message == "active"


def test_the_client_authenticates_as_ibm_does(stand_in: IBMStandIn, home: Path) -> None:
    fetch_live("ibm_kyiv", live_options(stand_in, home))
    (iam,) = stand_in.seen("iam")
    assert "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey" in iam.body
    api = [r for r in stand_in.requests if r.path.startswith("/api/v1")]
    assert {r.path for r in api} == {
        f"/api/v1/backends/ibm_kyiv/{route}" for route in ("status", "properties", "configuration")
    }
    for request in api:
        assert request.headers["authorization"].startswith("Bearer ")
        assert request.headers["service-crn"] == stand_in.crn
        assert "ibm-api-version" in request.headers


def test_the_monitor_report_renders_live_status(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.queue["ibm_kyiv"] = 5
    snapshot = fetch_live("ibm_kyiv", live_options(stand_in, home))
    report = json.loads(render_monitor(monitor_report(snapshot), "json"))
    assert report["snapshot"]["status"]["pending_jobs"] == 5
    assert report["summary"]["num_qubits"] == raw("kyiv", "conf")["n_qubits"]


def test_names_that_are_not_live_or_no_account_stay_offline(
    stand_in: IBMStandIn, home: Path
) -> None:
    with_account = live_options(stand_in, home)
    assert fetch_live("fake_fez", with_account).source == "bundled:fake_fez"
    with pytest.warns(BundledFallbackWarning, match="ibm_fez: no IBM Quantum account; showing"):
        fallback = fetch_live("ibm_fez", LiveOptions(url=stand_in.api_url))
    assert fallback.source == "bundled:fake_fez"
    assert stand_in.requests == []


def test_a_device_the_account_cannot_see_lists_those_it_can(
    stand_in: IBMStandIn, home: Path
) -> None:
    with pytest.raises(DeviceNotFoundError) as caught:
        fetch_live("ibm_nowhere", live_options(stand_in, home))
    assert str(caught.value) == (
        "ibm_nowhere: not a device of this IBM Quantum account (it has: ibm_fez, ibm_kingston, "
        "ibm_kyiv); use --offline for the bundled snapshots"
    )
    assert caught.value.exit_code == 2


def test_at_asks_for_the_calibration_in_force_then(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = IBMStandIn()
    server.add_device("fez", history=["marrakesh"])  # an older calibration: marrakesh's data
    older, newer = raw("marrakesh", "props"), raw("fez", "props")
    assert older["last_update_date"] < newer["last_update_date"]
    with server.running():
        monkeypatch.setenv("IAM_URL", server.url)
        between = parse_at("2025-02-26T20:00Z")  # 15:00 at -05:00: after marrakesh, before fez
        past = fetch_live("ibm_fez", live_options(server, home, at=between))
        now = fetch_live("ibm_fez", live_options(server, home))
        sent = [r.query.get("updated_before") for r in server.seen("properties")]
        with pytest.raises(NoCalibrationError, match="at or before 2020-01-01T00:00:00Z"):
            fetch_live("ibm_fez", live_options(server, home, at=parse_at("2020-01-01")))
    assert past is not None and now is not None
    assert past.calibrated_at == datetime.fromisoformat(older["last_update_date"])
    assert past.qubits[0].t1_us == pytest.approx(qubit_value(older, 0, "T1"))
    assert now.qubits[0].t1_us == pytest.approx(qubit_value(newer, 0, "T1"))
    assert past.status is None and now.status is not None
    assert past.source == "ibm:ibm_fez@2025-02-26T20:00:00Z"
    assert sent == [["2025-02-26T20:00:00+00:00"], None]


def test_parse_at_reads_iso_times_as_utc() -> None:
    assert parse_at("2026-03-01T12:00Z") == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert parse_at("2026-03-01T13:00+01:00") == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert parse_at("2026-03-01") == datetime(2026, 3, 1, tzinfo=timezone.utc)
    with pytest.raises(Exception, match="--at 'yesterday': give an ISO-8601 date or time"):
        parse_at("yesterday")


def test_configurations_are_cached_per_version_and_status_never(
    stand_in: IBMStandIn, home: Path
) -> None:
    options = live_options(stand_in, home)
    source = connect(options)
    assert source is not None
    first = source.snapshot("ibm_fez")
    stand_in.queue["ibm_fez"] = 42
    second = source.snapshot("ibm_fez")
    assert len(stand_in.seen("configuration", "ibm_fez")) == 1
    assert len(stand_in.seen("status", "ibm_fez")) == 2
    assert second.status is not None and second.status.pending_jobs == 42
    assert first.basis_gates == second.basis_gates
    version = raw("fez", "conf")["backend_version"]
    (cached,) = (options.cache_dir or Path()).rglob("*.json")
    assert cached.name == f"ibm_fez@{version}.json"
    assert stat.S_IMODE(os.stat(cached).st_mode) == 0o600
    assert json.loads(cached.read_text())["n_qubits"] == 156
    refreshed = connect(live_options(stand_in, home, refresh=True))
    assert refreshed is not None
    refreshed.snapshot("ibm_fez")
    assert len(stand_in.seen("configuration", "ibm_fez")) == 2


def test_a_new_configuration_version_is_fetched(stand_in: IBMStandIn, home: Path) -> None:
    options = live_options(stand_in, home)
    source = connect(options)
    assert source is not None
    source.snapshot("ibm_kyiv")
    version = raw("kyiv", "conf")["backend_version"]
    (cached,) = (options.cache_dir or Path()).rglob("*.json")
    stale = json.loads(cached.read_text())
    stale["backend_version"] = "0.0.1"  # a cache file that is not the announced version
    cached.write_text(json.dumps(stale))
    source.snapshot("ibm_kyiv")
    assert len(stand_in.seen("configuration", "ibm_kyiv")) == 2
    assert json.loads(cached.read_text())["backend_version"] == version


def test_has_account_reads_the_saved_file_without_the_client(home: Path) -> None:
    import subprocess
    import sys

    options = LiveOptions()
    assert not has_account(options)
    store = home / ".qiskit" / "qiskit-ibm.json"
    store.parent.mkdir()
    store.write_text(json.dumps({"old": {"channel": "ibm_quantum", "token": "x"}}))
    assert not has_account(options)  # legacy channel: the client ignores it too
    store.write_text(json.dumps({"lab": {"channel": "ibm_quantum_platform", "token": "x"}}))
    assert has_account(options)
    probe = (
        "import sys; from qpumon.live import has_account, LiveOptions; "
        "assert has_account(LiveOptions()); print('qiskit_ibm_runtime' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=True,
    )
    assert done.stdout == "False\n"
