"""The Braket stand-in speaks what boto3 speaks, and qpumon reads what the official packages read.

boto3 (SigV4, ``AWS_ENDPOINT_URL_BRAKET``) calls ``SearchDevices`` in each region and
``GetDevice`` for each device, and amazon-braket-schemas parses ``deviceCapabilities`` with
``BraketSchemaBase.parse_raw_schema``, as the Braket SDK does. Every per-qubit and per-pair value
it reads (converted by the unit the document states), and every queue size, is then compared with
qpumon's live snapshot of the same device.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from qpumon.sources.vendor_live.braket import REGIONS
from tests.live.braket_server import FIXTURES, BraketStandIn
from tests.live.test_braket_live import _aws_free

pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason="../shared/vendor_fixtures/braket is absent"
)
FAST = LiveOptions(timeout=5.0, retries=1, backoff=0.01, backoff_cap=0.05)
#: Seconds per unit, for the units the documents use.
SECONDS = {"S": 1.0, "s": 1.0, "us": 1e-6, "ms": 1e-3, "ns": 1e-9}


@pytest.fixture
def braket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BraketStandIn]:
    """The stand-in, boto3 and qpumon both pointed at it by the environment."""
    _aws_free(monkeypatch, tmp_path)
    server = BraketStandIn()
    with server.running():
        for variable, value in server.environment.items():
            monkeypatch.setenv(variable, value)
        yield server


def _official(region: str) -> Any:
    import boto3

    return boto3.client("braket", region_name=region)


def _every_device() -> dict[str, tuple[str, dict[str, Any]]]:
    """ARN -> (region, GetDevice answer), as boto3 lists and reads them."""
    found = {}
    for region in REGIONS:
        client = _official(region)
        for summary in client.search_devices(filters=[])["devices"]:
            arn = summary["deviceArn"]
            if arn not in found:
                found[arn] = (region, client.get_device(deviceArn=arn))
    return found


def _us(quantity: Any) -> float:
    unit = str(getattr(quantity.unit, "value", quantity.unit))
    return float(quantity.value) * SECONDS[unit] * 1e6


# amazon-braket-schemas passes re.sub's count by position, which Python 3.13 deprecates: the
# official client's own warning, not qpumon's.
@pytest.mark.filterwarnings("ignore:'count' is passed as positional argument:DeprecationWarning")
def test_qpumon_reads_what_boto3_and_the_schemas_read(braket: BraketStandIn) -> None:
    from braket.schema_common import BraketSchemaBase

    devices = _every_device()
    assert len(devices) == 4
    for arn, (_, answer) in devices.items():
        if answer["deviceType"] != "QPU":
            continue
        capabilities = BraketSchemaBase.parse_raw_schema(answer["deviceCapabilities"])
        snapshot = resolve(f"braket:{arn}", live=FAST)
        tasks = sum(
            int(q["queueSize"])
            for q in answer["deviceQueueInfo"]
            if q["queue"] == "QUANTUM_TASKS_QUEUE"
        )
        assert snapshot.status is not None and snapshot.status.pending_jobs == tasks
        assert snapshot.status.operational == (answer["deviceStatus"] == "ONLINE")
        standardized = capabilities.standardized
        if standardized.braketSchemaHeader.version == "3":
            _same_device_level(snapshot, standardized)
        else:
            _same_per_qubit(snapshot, standardized)


def _position(snapshot: Any, qid: str) -> int:
    names = list(snapshot.qubit_names)
    return names.index(qid) if names else int(qid)


def _same_per_qubit(snapshot: Any, standardized: Any) -> None:
    for qid, props in standardized.oneQubitProperties.items():
        qubit = snapshot.qubits[_position(snapshot, qid)]
        assert qubit.t1_us == pytest.approx(_us(props.T1))
        assert qubit.t2_us == pytest.approx(_us(props.T2))
        for f in props.oneQubitFidelity:
            kind = str(f.fidelityType.name)
            if kind == "READOUT":
                assert qubit.readout_error == pytest.approx(1 - f.fidelity)
            else:
                gate = snapshot.gate(kind.lower(), (qubit.index,)) or snapshot.gate(
                    "rb" if kind == "RANDOMIZED_BENCHMARKING" else "simultaneous_rb",
                    (qubit.index,),
                )
                assert gate is not None and gate.error == pytest.approx(1 - f.fidelity)
    for pair, props in (standardized.twoQubitProperties or {}).items():
        a, b = pair.split("-")
        for f in props.twoQubitGateFidelity:
            direction = f.direction or {}
            ends = (str(direction.get("control", a)), str(direction.get("target", b)))
            qubits = (_position(snapshot, ends[0]), _position(snapshot, ends[1]))
            gate = snapshot.gate(f.gateName.lower(), qubits)
            assert gate is not None
            if "INTERLEAVED" in str(f.fidelityType.name):
                assert gate.error == pytest.approx(1 - f.fidelity)


def _same_device_level(snapshot: Any, standardized: Any) -> None:
    t1 = snapshot.device_value("t1_us")
    assert t1 is not None and t1.value == pytest.approx(_us(standardized.T1))
    two = snapshot.device_value("2q_error")
    assert two is not None
    assert two.value == pytest.approx(1 - standardized.twoQubitGateFidelity[0].fidelity)
    for qid, props in standardized.oneQubitProperties.items():
        gate = snapshot.gate("rb", (int(qid),))
        assert gate is not None
        assert gate.error == pytest.approx(1 - props.oneQubitFidelity[0].fidelity)
