"""Live snapshots of one device over IBM Quantum's REST API, against the stand-in."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import DeviceNotFoundError, MalformedAnswerError, NoCalibrationError
from qpumon.sources import BundledFallbackWarning
from qpumon.sources.ibm_live import LiveOptions, connect, has_account, parse_at
from qpumon.sources.ibm_live.client import API_VERSION
from tests.conftest import raw
from tests.live.conftest import fetch_live, live_options
from tests.live.ibm_data import gzipped
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
    conf, props = raw("fez", "conf"), raw("fez", "props")
    assert (snapshot.name, snapshot.source) == ("ibm_fez", "ibm:ibm_fez")
    assert snapshot.num_qubits == conf["n_qubits"] == 156
    assert snapshot.basis_gates == tuple(conf["basis_gates"])
    assert snapshot.qubits[3].t1_us == pytest.approx(qubit_value(props, 3, "T1"))
    assert snapshot.qubits[3].readout_error == pytest.approx(qubit_value(props, 3, "readout_error"))
    first_cz = next(g for g in props["gates"] if g["gate"] == "cz")
    found = snapshot.gate("cz", tuple(first_cz["qubits"]))
    assert found is not None
    assert found.error == pytest.approx(gate_error(props, "cz", first_cz["qubits"]))
    assert snapshot.calibrated_at == datetime.fromisoformat(props["last_update_date"])
    assert snapshot.status is not None
    assert (snapshot.status.operational, snapshot.status.pending_jobs) == (True, 17)
    assert snapshot.status.message == "active"


def test_the_client_speaks_ibm_s_protocol(stand_in: IBMStandIn, home: Path) -> None:
    fetch_live("ibm_kyiv", live_options(stand_in, home))
    (iam,) = stand_in.seen("iam")
    assert iam.method == "POST"
    assert "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey" in iam.body
    api = [r for r in stand_in.requests if r.path.startswith("/api/v1")]
    assert sorted(r.path for r in api) == [
        f"/api/v1/backends/ibm_kyiv/{route}" for route in ("configuration", "properties", "status")
    ]
    assert iam.headers["content-type"] == "application/x-www-form-urlencoded"
    for request in api:
        assert request.headers["authorization"].startswith("Bearer ey")  # the JWT, not the key
        assert request.headers["service-crn"] == stand_in.crn
        assert request.headers["ibm-api-version"] == API_VERSION == "2026-04-15"
        assert "gzip" in request.headers["accept-encoding"]
    assert not stand_in.seen("search")  # an account that names its CRN needs no discovery


def test_answers_travel_gzipped_and_decode_to_the_same_values(
    stand_in: IBMStandIn, home: Path
) -> None:
    snapshot = fetch_live("ibm_fez", live_options(stand_in, home))
    (props_request,) = stand_in.seen("properties", "ibm_fez")
    served = stand_in.devices["ibm_fez"].properties(None)
    assert served is not None
    assert props_request.sent == len(gzipped(served)) < len(served) / 5
    props = raw("fez", "props")
    assert [q.t1_us for q in snapshot.qubits] == [qubit_value(props, i, "T1") for i in range(156)]


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
        options = live_options(server, home)
        past = fetch_live("ibm_fez", options, at=between)
        now = fetch_live("ibm_fez", options)
        sent = [r.query.get("updated_before") for r in server.seen("properties")]
        with pytest.raises(NoCalibrationError, match="at or before 2020-01-01T00:00:00Z"):
            fetch_live("ibm_fez", options, at=parse_at("2020-01-01"))
    assert past.calibrated_at == datetime.fromisoformat(older["last_update_date"])
    assert past.qubits[0].t1_us == pytest.approx(qubit_value(older, 0, "T1"))
    assert now.qubits[0].t1_us == pytest.approx(qubit_value(newer, 0, "T1"))
    assert past.status is None and now.status is not None
    assert past.source == "ibm:ibm_fez@2025-02-26T20:00:00Z"
    assert sent == [["2025-02-26T20:00:00+00:00"], None]
    assert len(server.seen("iam")) == 1  # one sign-in for the three calls


def test_parse_at_reads_iso_times_as_utc() -> None:
    assert parse_at("2026-03-01T12:00Z") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_at("2026-03-01T13:00+01:00") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_at("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(Exception, match="--at 'yesterday': give an ISO-8601 date or time"):
        parse_at("yesterday")


def test_configurations_are_cached_per_version_and_status_never(
    stand_in: IBMStandIn, home: Path
) -> None:
    options = live_options(stand_in, home)
    source = connect(options)
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
    connect(live_options(stand_in, home, refresh=True)).snapshot("ibm_fez")
    assert len(stand_in.seen("configuration", "ibm_fez")) == 2


def test_a_new_configuration_version_is_fetched(stand_in: IBMStandIn, home: Path) -> None:
    options = live_options(stand_in, home)
    source = connect(options)
    source.snapshot("ibm_kyiv")
    version = raw("kyiv", "conf")["backend_version"]
    (cached,) = (options.cache_dir or Path()).rglob("*.json")
    stale = json.loads(cached.read_text())
    stale["backend_version"] = "0.0.1"  # a cache file that is not the announced version
    cached.write_text(json.dumps(stale))
    source.snapshot("ibm_kyiv")
    assert len(stand_in.seen("configuration", "ibm_kyiv")) == 2
    assert json.loads(cached.read_text())["backend_version"] == version


def test_a_first_look_asks_for_everything_at_once(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.stall("status", "ibm_fez", 0.3)
    source = connect(live_options(stand_in, home))
    source.snapshot("ibm_fez")  # nothing cached: the configuration is asked beside the status
    (status,) = stand_in.seen("status")
    (conf,) = stand_in.seen("configuration")
    assert conf.received < status.answered
    source.snapshot("ibm_fez")  # cached: the status's version picks the file
    assert len(stand_in.seen("configuration")) == 1


def test_malformed_documents_name_the_route(stand_in: IBMStandIn, home: Path) -> None:
    options = live_options(stand_in, home)
    stand_in.corrupt("properties", "ibm_fez", b'{"backend_name": "ibm_fez"}')
    with pytest.raises(MalformedAnswerError) as caught:
        fetch_live("ibm_fez", options)
    message = str(caught.value)
    assert message.startswith(
        f"IBM Quantum's answer to the calibration of ibm_fez ({stand_in.api_url}"
        "/backends/ibm_fez/properties): $.qubits is missing"
    )
    assert "properties file" not in message and caught.value.exit_code == 3
    stand_in.mend()
    stand_in.corrupt("status", "ibm_kyiv", b"<html>Service Unavailable</html>")
    with pytest.raises(MalformedAnswerError, match=r"answer to the status of ibm_kyiv is not JSON"):
        fetch_live("ibm_kyiv", options)
    stand_in.mend()
    stand_in.corrupt("configuration", "ibm_kingston", b"[1, 2]")
    with pytest.raises(MalformedAnswerError, match=r"configuration of ibm_kingston is not a JSON"):
        fetch_live("ibm_kingston", options)


def test_has_account_reads_the_saved_file_without_heavy_imports(home: Path) -> None:
    options = LiveOptions()
    assert not has_account(options)
    store = home / ".qiskit" / "qiskit-ibm.json"
    store.parent.mkdir()
    store.write_text(json.dumps({"old": {"channel": "ibm_quantum", "token": "x"}}))
    assert not has_account(options)  # legacy channel: the client ignores it too
    store.write_text(json.dumps({"lab": {"channel": "ibm_quantum_platform", "token": "x"}}))
    assert has_account(options)
    probe = (
        "import sys; from qpumon.sources.ibm_live import has_account, LiveOptions; "
        "assert has_account(LiveOptions()); "
        "print(sorted({'qiskit_ibm_runtime', 'httpx', 'asyncio'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
