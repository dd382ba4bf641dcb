"""Amazon Braket live against the stand-in (boto3, SigV4, per-region ARNs): numbers checked
against the fixture documents parsed here, faults as one line with the right exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import AccountError, DeviceNotFoundError, UsageError
from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from qpumon.sources.vendor_live import fleet
from tests.core.cli_helpers import invoke
from tests.live.braket_server import ACCESS_KEY, FIXTURES, SECRET_KEY, BraketStandIn
from tests.live.vendor_stand_in import truncated

pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason="../shared/vendor_fixtures/braket is absent"
)
GARNET_ARN = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
FAST = LiveOptions(timeout=5.0, retries=2, backoff=0.01, backoff_cap=0.05)


def _aws_free(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))
    for variable in list(__import__("os").environ):
        if variable.startswith("AWS_"):
            monkeypatch.delenv(variable)


@pytest.fixture
def braket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BraketStandIn]:
    """The Braket stand-in, boto3 pointed at it by AWS_ENDPOINT_URL_BRAKET with its key."""
    _aws_free(monkeypatch, tmp_path)
    server = BraketStandIn()
    with server.running():
        for variable, value in server.environment.items():
            monkeypatch.setenv(variable, value)
        yield server


def _capabilities(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.capabilities.json").read_text())
    return data


def _in_us(quantity: dict[str, Any]) -> float:
    scale = {"S": 1e6, "s": 1e6, "us": 1.0, "µs": 1.0, "ns": 1e-3, "ms": 1e3}
    return float(quantity["value"]) * scale[quantity["unit"]]


def test_garnet_live_reads_the_document_in_its_units(braket: BraketStandIn) -> None:
    snap = resolve("braket:Garnet", live=FAST)
    raw = _capabilities("iqm_garnet")["standardized"]["oneQubitProperties"]
    ids = sorted(raw, key=int)
    assert snap.name == "braket:Garnet" and snap.source == "live:braket:Garnet"
    assert snap.num_qubits == len(ids) == 20
    for i, qid in enumerate(ids):
        q = snap.qubits[i]
        assert q.t1_us == pytest.approx(_in_us(raw[qid]["T1"]))
        assert q.t2_us == pytest.approx(_in_us(raw[qid]["T2"]))
        readout = next(
            f for f in raw[qid]["oneQubitFidelity"] if f["fidelityType"]["name"] == "READOUT"
        )
        assert q.readout_error == pytest.approx(1 - readout["fidelity"])
    assert snap.configuration["device_arn"] == GARNET_ARN
    assert snap.configuration["region"] == "eu-north-1"


def test_status_and_queues_are_the_answers(braket: BraketStandIn) -> None:
    devices = {
        d["deviceName"]: d for d in json.loads((FIXTURES / "devices.json").read_text())["devices"]
    }
    snap = resolve("braket:Forte-1", live=FAST)
    queue = devices["Forte 1"]["deviceQueueInfo"]
    tasks = sum(int(q["queueSize"]) for q in queue if q["queue"] == "QUANTUM_TASKS_QUEUE")
    assert snap.status is not None
    assert snap.status.operational is False
    assert snap.status.pending_jobs == tasks
    assert "MAINTENANCE" in snap.status.message
    jobs = next(int(q["queueSize"]) for q in queue if q["queue"] == "JOBS_QUEUE")
    assert snap.configuration["braket_queue"]["JOBS_QUEUE"] == jobs
    garnet = resolve("braket:garnet", live=FAST)
    assert garnet.status is not None and garnet.status.operational


def test_a_unit_in_microseconds_is_not_read_as_seconds_and_missing_stays_missing(
    braket: BraketStandIn,
) -> None:
    snap = resolve("braket:Ankaa-3", live=FAST)
    raw = _capabilities("rigetti_ankaa3")["standardized"]["oneQubitProperties"]["0"]
    assert raw["T1"]["unit"] == "us"
    assert snap.qubits[0].t1_us == pytest.approx(raw["T1"]["value"])
    others = [q for q in snap.qubits if q.index != 0]
    assert all(q.t1_us is None and q.readout_error is None for q in others)
    assert all(g.qubits == (0,) or len(g.qubits) == 2 for g in snap.gates)


def test_an_arn_is_fetched_in_its_region_without_a_search(braket: BraketStandIn) -> None:
    snap = resolve(f"braket:{GARNET_ARN}", live=FAST)
    assert snap.name == "braket:Garnet"
    assert not braket.seen("devices")
    (request,) = braket.seen("device")
    assert "/eu-north-1/braket/aws4_request" in request.headers["authorization"]
    assert request.status == 200


def test_an_unknown_name_lists_the_devices(braket: BraketStandIn) -> None:
    with pytest.raises(DeviceNotFoundError, match=r"braket:Garnet.*|.*braket:Garnet"):
        resolve("braket:Nope", live=FAST)


def test_at_is_refused_braket_keeps_no_history(braket: BraketStandIn) -> None:
    from datetime import UTC, datetime

    with pytest.raises(UsageError, match="no calibration history"):
        resolve("braket:Garnet", live=FAST, at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_fleet_lists_every_region_once(braket: BraketStandIn) -> None:
    result = fleet(live=FAST)
    braket_entries = [e for e in result.entries if e.name.startswith("braket:")]
    names = sorted(e.name for e in braket_entries)
    assert names == ["braket:Ankaa-3", "braket:Forte-1", "braket:Garnet", "braket:sv1"]
    assert [e.name for e in braket_entries if not e.calibrated] == ["braket:sv1"]


def test_no_credentials_is_exit_2_naming_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aws_free(monkeypatch, tmp_path)
    result = invoke("monitor", "braket:Garnet")
    assert result.exit_code == 2
    assert "AWS_ACCESS_KEY_ID" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(AccountError):
        resolve("braket:Garnet", offline=True)


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        (lambda s: s.fail("device", 403), 2, "AccessDeniedException (HTTP 403)"),
        (lambda s: s.keys.update({ACCESS_KEY: "another"}), 2, "InvalidSignatureException"),
        (lambda s: s.fail("device", *[500] * 9), 3, "InternalServiceException (HTTP 500)"),
        (lambda s: s.replace_body("device", b'{"deviceArn": "x", "devi'), 3, "no field"),
        (
            lambda s: s.devices[0].update(capabilities=truncated(s.devices[0]["capabilities"])),
            3,
            "deviceCapabilities is not complete JSON",
        ),
        (
            lambda s: s.devices[0].update(
                capabilities=s.devices[0]["capabilities"].replace('"S"', '"parsecs"', 1)
            ),
            3,
            "GetDevice",
        ),
    ],
)
def test_faults_are_one_line_with_their_exit_code(
    braket: BraketStandIn, fault: Any, code: int, words: str
) -> None:
    fault(braket)
    result = invoke("monitor", f"braket:{GARNET_ARN}", "--timeout", "5")
    assert result.exit_code == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Amazon Braket" in lines[0] or "braket" in lines[0]
    assert SECRET_KEY not in result.stderr and ACCESS_KEY not in result.stderr
    assert not result.stdout


def test_a_throttled_answer_is_retried(braket: BraketStandIn) -> None:
    braket.fail("device", 429)
    snap = resolve(f"braket:{GARNET_ARN}", live=FAST)
    assert snap.num_qubits == 20
    assert [r.status for r in braket.seen("device")] == [429, 200]


def test_ctrl_c_during_a_stalled_get_device_exits_130_without_waiting(
    braket: BraketStandIn,
) -> None:
    """boto3 blocks in its thread; the process must not wait for it (the stall is 60 s, far
    beyond the shared bound on a prompt stop)."""
    import signal
    import time

    from tests.conftest import PROMPT_S
    from tests.live.conftest import start_cli

    braket.stall("device", 60.0)
    process = start_cli("monitor", f"braket:{GARNET_ARN}", env=dict(braket.environment))
    try:
        while not braket.seen("device") and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=PROMPT_S)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["qpumon: error: interrupted"]


def test_a_server_that_echoes_the_signature_never_shows_the_key(braket: BraketStandIn) -> None:
    import base64

    braket.echo = True
    braket.fail("device", *[500] * 9)
    result = invoke("monitor", f"braket:{GARNET_ARN}", "--timeout", "5")
    assert result.exit_code == 3
    assert "You sent" in result.stderr
    assert ACCESS_KEY not in result.stderr and SECRET_KEY not in result.stderr
    assert base64.b64encode(ACCESS_KEY.encode()).decode()[:16] not in result.stderr


def test_a_rigetti_device_with_only_provider_specs_is_read_from_its_isa(
    braket: BraketStandIn,
) -> None:
    from tests.live.rigetti_server import FIXTURES as RIGETTI

    isa = json.loads((RIGETTI / "Aspen-M-3.isa.json").read_text())
    capabilities = _capabilities("rigetti_ankaa3")
    del capabilities["standardized"]
    capabilities["provider"] = {
        "braketSchemaHeader": {
            "name": "braket.device_schema.rigetti.rigetti_provider_properties",
            "version": "2",
        },
        "specs": isa,
    }
    braket.devices.append(
        {
            "deviceArn": "arn:aws:braket:us-west-1::device/qpu/rigetti/Aspen-M-3",
            "deviceName": "Aspen-M-3",
            "providerName": "Rigetti",
            "deviceType": "QPU",
            "deviceStatus": "ONLINE",
            "deviceQueueInfo": [],
            "capabilities": json.dumps(capabilities),
        }
    )
    snap = resolve("braket:Aspen-M-3", live=FAST)
    fcz = [
        (tuple(s["node_ids"]), c["value"])
        for op in isa["instructions"]
        if op["name"] == "CZ"
        for s in op["sites"]
        for c in s["characteristics"]
    ]
    index = {n: i for i, n in enumerate(sorted(x["node_id"] for x in isa["architecture"]["nodes"]))}
    assert snap.num_qubits == 80 and len(fcz) == 85
    for (a, b), value in fcz:
        gate = snap.gate("cz", (index[a], index[b]))
        assert gate is not None and gate.error == pytest.approx(1 - value)
    assert snap.name == "braket:Aspen-M-3" and snap.configuration["region"] == "us-west-1"


def test_garnets_native_prx_carries_its_rb_errors_so_placement_prices_it(
    braket: BraketStandIn,
) -> None:
    from qpumon.model.summary import summarize

    snap = resolve("braket:Garnet", live=FAST)
    raw = _capabilities("iqm_garnet")["standardized"]["oneQubitProperties"]
    assert snap.basis_gates == ("cz", "prx")
    for i, qid in enumerate(sorted(raw, key=int)):
        srb = next(
            f
            for f in raw[qid]["oneQubitFidelity"]
            if f["fidelityType"]["name"] == "SIMULTANEOUS_RANDOMIZED_BENCHMARKING"
        )
        prx = snap.gate("prx", (i,))
        assert prx is not None and prx.error == pytest.approx(1 - srb["fidelity"])
    assert summarize(snap).one_qubit_gate == "prx"
    best = invoke("best", "braket:Garnet", "-n", "3")
    assert best.exit_code == 0, best.stderr
