"""Amazon Braket documents built with amazon-braket-schemas' own models and validated by them:
the standardized properties alone (v2, Rigetti-style 0-based qubits), a whole ``aws braket
get-device`` response (IQM-style 1-based qubits, v1 properties), and an IonQ-style device
capabilities document with v3 device-level values; and documents that fail the schema."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any

import pytest
from braket.device_schema import standardized_gate_model_qpu_device_properties_v1 as v1
from braket.device_schema import standardized_gate_model_qpu_device_properties_v2 as v2
from braket.device_schema import standardized_gate_model_qpu_device_properties_v3 as v3
from braket.device_schema.device_connectivity import DeviceConnectivity
from braket.device_schema.device_execution_window import DeviceExecutionWindow
from braket.device_schema.device_service_properties_v1 import DeviceServiceProperties
from braket.device_schema.gate_model_qpu_paradigm_properties_v1 import (
    GateModelQpuParadigmProperties,
)
from braket.device_schema.ionq.ionq_device_capabilities_v1 import IonqDeviceCapabilities
from braket.device_schema.iqm.iqm_device_capabilities_v1 import IqmDeviceCapabilities
from braket.device_schema.openqasm_device_action_properties import (
    OpenQASMDeviceActionProperties,
)

from qpumon.errors import InputError
from qpumon.model import ALL_TO_ALL, GRAPH
from qpumon.model.definitions import ASSIGNMENT, AVERAGE, OTHER
from qpumon.sources import resolve
from tests.core.cli_helpers import invoke
from tests.vendors.conftest import run_hiding

UPDATED = datetime(2025, 3, 4, 12, 30, tzinfo=timezone.utc)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def rigetti_v2() -> v2.StandardizedGateModelQpuDeviceProperties:
    """Qubits 0, 1, 2, 4 (3 is missing), T1/T2 in seconds, RB, simultaneous RB and readout;
    iSWAP by interleaved RB and by RB on 0-1, CZ in one direction on 2-1."""

    def qubit(t1: float, t2: float, rb: float, srb: float, ro: float) -> v2.OneQubitProperties:
        def fid(name: str, value: float, err: float | None) -> v2.Fidelity1Q:
            return v2.Fidelity1Q(
                fidelityType=v2.FidelityType(name=name, description=None),
                fidelity=value,
                standardError=err,
                unit=v2.UnitType.FRACTION,
            )

        return v2.OneQubitProperties(
            T1=v2.CoherenceTime(value=t1, standardError=1e-6, unit=v2.UnitType.SECOND),
            T2=v2.CoherenceTime(value=t2, standardError=None, unit=v2.UnitType.SECOND),
            oneQubitFidelity=[
                fid("RANDOMIZED_BENCHMARKING", rb, 2e-4),
                fid("SIMULTANEOUS_RANDOMIZED_BENCHMARKING", srb, 3e-4),
                fid("READOUT", ro, None),
            ],
        )

    def two(gate: str, kind: str, f: float, direction: dict[str, int] | None) -> Any:
        return v2.GateFidelity2Q(
            direction=direction,
            gateName=gate,
            fidelity=f,
            standardError=1e-3,
            fidelityType=v2.FidelityType(name=kind, description=None),
            unit=v2.UnitType.FRACTION,
        )

    return v2.StandardizedGateModelQpuDeviceProperties(
        oneQubitProperties={
            "0": qubit(1.25e-5, 9.5e-6, 0.9991, 0.9983, 0.962),
            "1": qubit(2.2e-5, 1.75e-5, 0.9987, 0.9979, 0.948),
            "2": qubit(3.05e-5, 2.1e-5, 0.9995, 0.9990, 0.971),
            "4": qubit(1.8e-5, 1.2e-5, 0.9979, 0.9969, 0.935),
        },
        twoQubitProperties={
            "0-1": v2.TwoQubitProperties(
                twoQubitGateFidelity=[
                    two("ISWAP", "RANDOMIZED_BENCHMARKING", 0.985, None),
                    two("ISWAP", "INTERLEAVED_RANDOMIZED_BENCHMARKING", 0.9912, None),
                ]
            ),
            "1-2": v2.TwoQubitProperties(
                twoQubitGateFidelity=[
                    two(
                        "CZ",
                        "INTERLEAVED_RANDOMIZED_BENCHMARKING",
                        0.9871,
                        {"control": 2, "target": 1},
                    )
                ]
            ),
            "2-4": v2.TwoQubitProperties(
                twoQubitGateFidelity=[
                    two("ISWAP", "INTERLEAVED_RANDOMIZED_BENCHMARKING", 0.978, None)
                ]
            ),
        },
    )


def service() -> DeviceServiceProperties:
    return DeviceServiceProperties(
        executionWindows=[
            DeviceExecutionWindow(
                executionDay="Everyday", windowStartHour=time(0, 0), windowEndHour=time(23, 59)
            )
        ],
        shotsRange=(1, 20000),
        updatedAt=UPDATED,
    )


def openqasm(operations: list[str]) -> dict[str, OpenQASMDeviceActionProperties]:
    return {
        "braket.ir.openqasm.program": OpenQASMDeviceActionProperties(
            actionType="braket.ir.openqasm.program",
            version=["1"],
            supportedOperations=operations,
            supportedResultTypes=None,
        )
    }


def iqm_response() -> dict[str, Any]:
    """An `aws braket get-device` answer for a 5-qubit IQM device, qubits named 1 to 5."""

    def qubit(t1_us: float, rb: float, ro: float) -> v1.OneQubitProperties:
        return v1.OneQubitProperties(
            T1=v1.CoherenceTime(value=t1_us, standardError=None, unit="us"),
            T2=v1.CoherenceTime(value=t1_us / 2, standardError=None, unit="us"),
            oneQubitFidelity=[
                v1.Fidelity1Q(
                    fidelityType=v1.FidelityType(name="RANDOMIZED_BENCHMARKING", description=None),
                    fidelity=rb,
                ),
                v1.Fidelity1Q(
                    fidelityType=v1.FidelityType(name="READOUT", description=None), fidelity=ro
                ),
            ],
        )

    def cz(f: float) -> v1.TwoQubitProperties:
        return v1.TwoQubitProperties(
            twoQubitGateFidelity=[
                v1.GateFidelity2Q(
                    gateName="CZ",
                    fidelity=f,
                    fidelityType=v1.FidelityType(name="CLIFFORD_RB", description=None),
                )
            ]
        )

    standardized = v1.StandardizedGateModelQpuDeviceProperties(
        oneQubitProperties={
            str(q): qubit(30.0 + q, 0.999 - q / 10000, 0.97 - q / 1000) for q in range(1, 6)
        },
        twoQubitProperties={"1-3": cz(0.981), "2-3": cz(0.975), "3-4": cz(0.988), "3-5": cz(0.969)},
    )
    capabilities = IqmDeviceCapabilities(
        service=service(),
        action=openqasm(["cz", "prx"]),
        deviceParameters={},
        paradigm=GateModelQpuParadigmProperties(
            qubitCount=5,
            nativeGateSet=["cz", "prx"],
            connectivity=DeviceConnectivity(
                fullyConnected=False,
                connectivityGraph={"1": ["3"], "2": ["3"], "3": ["4", "5"]},
            ),
        ),
        provider=None,
        standardized=standardized,
    )
    text = capabilities.json()
    IqmDeviceCapabilities.parse_raw(text)  # the schema accepts what it built
    return {
        "deviceArn": "arn:aws:braket:eu-north-1::device/qpu/iqm/Sample5",
        "deviceName": "Sample5",
        "providerName": "IQM",
        "deviceType": "QPU",
        "deviceStatus": "ONLINE",
        "deviceCapabilities": text,
    }


def ionq_v3_capabilities() -> dict[str, Any]:
    """An IonQ device's capabilities with v3 device-level values, fully connected."""

    def fid(f: float, err: float, median: float | None = None) -> v3.Fidelity:
        return v3.Fidelity(
            fidelityType=v3.FidelityType(
                name=v3.FidelityTypeName.RANDOMIZED_BENCHMARKING, description=None
            ),
            fidelity=f,
            standardError=err,
            median=median,
            unit=v3.FidelityUnit.FRACTION,
        )

    def duration(value: float, unit: v3.TimeUnit) -> v3.Duration:
        return v3.Duration(value=value, standardError=None, unit=unit)

    standardized = v3.StandardizedGateModelQpuDeviceProperties(
        oneQubitProperties=None,
        T1=v3.Duration(value=100.0, standardError=5.0, unit=v3.TimeUnit.SECOND),
        T2=v3.Duration(value=1.0, standardError=None, unit=v3.TimeUnit.SECOND),
        readoutFidelity=[
            v3.Fidelity(fidelityType=None, fidelity=0.9952, standardError=3e-4, unit="fraction")
        ],
        readoutDuration=duration(150.0, v3.TimeUnit.MICROSECOND),
        singleQubitGateDuration=duration(130.0, v3.TimeUnit.MICROSECOND),
        singleQubitFidelity=[fid(0.99975, 3e-5, 0.9998)],
        twoQubitGateFidelity=[fid(0.9947, 4e-4, 0.9952)],
        twoQubitGateDuration=duration(0.9, v3.TimeUnit.MILLISECOND),
        activeResetDuration=duration(20.0, v3.TimeUnit.MICROSECOND),
        updatedAt=UPDATED,
    )
    capabilities = IonqDeviceCapabilities(
        service=service(),
        action=openqasm(["x", "y", "z", "rx", "ry", "rz", "cnot"]),
        deviceParameters={},
        paradigm=GateModelQpuParadigmProperties(
            qubitCount=36,
            nativeGateSet=["GPI", "GPI2", "ZZ"],
            connectivity=DeviceConnectivity(fullyConnected=True, connectivityGraph={}),
        ),
        provider=None,
        standardized=standardized,
    )
    data: dict[str, Any] = json.loads(capabilities.json())
    IonqDeviceCapabilities.parse_obj(data)
    return data


def test_standardized_v2_alone(tmp_path: Path) -> None:
    model = rigetti_v2()
    data = json.loads(model.json())
    v2.StandardizedGateModelQpuDeviceProperties.parse_obj(data)
    snap = resolve(write(tmp_path, "ankaa_props.json", data))
    assert (snap.name, snap.vendor, snap.connectivity) == ("ankaa_props", "braket", GRAPH)
    assert snap.num_qubits == 5 and snap.qubit_names == ()  # Braket's own 0-based numbering
    assert [q.index for q in snap.qubits] == [0, 1, 2, 4]
    for qid, props in model.oneQubitProperties.items():
        qubit = next(q for q in snap.qubits if q.index == int(qid))
        assert qubit.t1_us == pytest.approx(props.T1.value * 1e6, rel=1e-12)
        assert qubit.t2_us == pytest.approx(props.T2.value * 1e6, rel=1e-12)
        rb, srb, ro = props.oneQubitFidelity
        assert qubit.readout_error == 1 - ro.fidelity
        assert snap.gate("rb", (int(qid),)) is not None
        for gate, f in (("rb", rb), ("simultaneous_rb", srb)):
            found = snap.gate(gate, (int(qid),))
            assert found is not None
            assert (found.error, found.uncertainty, found.definition) == (
                1 - f.fidelity,
                f.standardError,
                AVERAGE,
            )
    iswap = snap.gate("iswap", (0, 1))
    assert iswap is not None and iswap.error == 1 - 0.9912  # interleaved RB is preferred
    assert (iswap.uncertainty, iswap.definition) == (1e-3, AVERAGE)
    cz = snap.gate("cz", (2, 1))  # the stated direction, not the key's order
    assert cz is not None and cz.error == 1 - 0.9871 and snap.gate("cz", (1, 2)) is None
    assert set(snap.coupling_edges) == {(0, 1), (1, 2), (2, 4)}
    assert snap.calibrated_at is None
    assert "connectivity_note" not in snap.configuration


def test_whole_get_device_response(tmp_path: Path) -> None:
    response = iqm_response()
    snap = resolve(write(tmp_path, "device.json", response))
    caps = json.loads(response["deviceCapabilities"])
    assert (snap.name, snap.vendor, snap.num_qubits) == ("Sample5", "iqm", 5)
    assert snap.qubit_names == ("1", "2", "3", "4", "5")  # 1-based ids, indexed in order
    assert snap.calibrated_at == UPDATED
    assert snap.basis_gates == ("cz", "prx")
    assert set(snap.coupling_edges) == {(0, 2), (1, 2), (2, 3), (2, 4)}
    assert snap.configuration["deviceArn"] == response["deviceArn"]
    for qid, props in caps["standardized"]["oneQubitProperties"].items():
        qubit = snap.qubits[int(qid) - 1]
        assert qubit.t1_us == props["T1"]["value"]  # already in us
        assert qubit.readout_error == 1 - props["oneQubitFidelity"][1]["fidelity"]
        assert qubit.measured_at["t1_us"] == UPDATED
        rb = snap.gate("rb", (int(qid) - 1,))
        assert rb is not None and rb.error == 1 - props["oneQubitFidelity"][0]["fidelity"]
    for pair, props in caps["standardized"]["twoQubitProperties"].items():
        a, b = (int(q) - 1 for q in pair.split("-"))
        gate = snap.gate("cz", (a, b))
        assert gate is not None
        assert gate.error == 1 - props["twoQubitGateFidelity"][0]["fidelity"]
        assert gate.definition == OTHER  # CLIFFORD_RB is not a benchmark qpumon knows
        assert gate.uncertainty is None


def test_v3_device_level_values(tmp_path: Path) -> None:
    data = ionq_v3_capabilities()
    snap = resolve(write(tmp_path, "forte.json", data))
    std = data["standardized"]
    assert (snap.vendor, snap.connectivity, snap.coupling_edges) == ("ionq", ALL_TO_ALL, ())
    assert snap.num_qubits == 36 and snap.qubits == () and snap.gates == ()
    assert snap.calibrated_at == UPDATED
    t1 = snap.device_value("t1_us")
    assert t1 is not None and (t1.value, t1.uncertainty) == (std["T1"]["value"] * 1e6, 5e6)
    expected = {
        "readout_error": (std["readoutFidelity"][0], ASSIGNMENT),
        "1q_error": (std["singleQubitFidelity"][0], AVERAGE),
        "2q_error": (std["twoQubitGateFidelity"][0], AVERAGE),
    }
    for key, (fidelity, definition) in expected.items():
        found = snap.device_value(key)
        assert found is not None
        assert (found.value, found.uncertainty, found.definition) == (
            1 - fidelity["fidelity"],
            fidelity["standardError"],
            definition,
        )
    assert snap.configuration["2q_fidelity_median"] == 0.9952
    assert snap.configuration["2q_gate_duration_ns"] == pytest.approx(900_000.0)
    assert snap.configuration["readout_duration_ns"] == pytest.approx(150_000.0)


def bad(data: dict[str, Any], *keys: str | int, value: Any) -> dict[str, Any]:
    """``data`` with the value at ``keys`` replaced."""
    copy = json.loads(json.dumps(data))
    target = copy
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return copy


@pytest.mark.parametrize(
    ("keys", "value", "message"),
    [
        (
            ("oneQubitProperties", "0", "T1", "unit"),
            "us",
            r'\$\.oneQubitProperties\["0"\]\.T1\.unit: value is not a valid enumeration member',
        ),
        (
            ("twoQubitProperties", "1-2", "twoQubitGateFidelity", 0, "fidelity"),
            1.2,
            r'\$\.twoQubitProperties\["1-2"\]\.twoQubitGateFidelity\[0\]\.fidelity: ensure this '
            r"value is less than or equal to 1",
        ),
        (
            ("oneQubitProperties", "4", "oneQubitFidelity"),
            None,
            r'\$\.oneQubitProperties\["4"\]\.oneQubitFidelity: none is not an allowed value',
        ),
        (
            ("braketSchemaHeader", "version"),
            "9",
            r"\$\.braketSchemaHeader\.version: '9' is not a standardized device-properties version",
        ),
    ],
)
def test_a_document_that_fails_the_schema(
    tmp_path: Path, keys: tuple[Any, ...], value: Any, message: str
) -> None:
    data = bad(json.loads(rigetti_v2().json()), *keys, value=value)
    path = write(tmp_path, "props.json", data)
    with pytest.raises(InputError, match=message):
        resolve(path)


def test_a_failure_inside_a_response_names_its_whole_path(tmp_path: Path) -> None:
    response = iqm_response()
    caps = bad(
        json.loads(response["deviceCapabilities"]),
        "standardized",
        "oneQubitProperties",
        "2",
        "oneQubitFidelity",
        0,
        "fidelity",
        value=-0.1,
    )
    path = write(tmp_path, "device.json", {**response, "deviceCapabilities": json.dumps(caps)})
    result = invoke("monitor", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f'qpumon: error: {path}: $.deviceCapabilities.standardized.oneQubitProperties["2"]'
        ".oneQubitFidelity[0].fidelity: ensure this value is greater than or equal to 0 "
        "(Amazon Braket schema)"
    )


def test_other_broken_documents(tmp_path: Path) -> None:
    response = iqm_response()
    broken = write(tmp_path, "a.json", {**response, "deviceCapabilities": "{not json"})
    with pytest.raises(InputError, match=r"\$\.deviceCapabilities \(a JSON string\): invalid JSON"):
        resolve(broken)
    caps = json.loads(response["deviceCapabilities"])
    del caps["standardized"]
    bare = write(tmp_path, "b.json", caps)
    with pytest.raises(InputError, match=r"\$\.standardized: the device's capabilities carry no"):
        resolve(bare)
    odd_unit = bad(
        caps | {"standardized": json.loads(response["deviceCapabilities"])["standardized"]},
        "standardized",
        "oneQubitProperties",
        "1",
        "T1",
        "unit",
        value="parsecs",
    )
    with pytest.raises(InputError, match=r"T1\.unit: unknown unit 'parsecs'"):
        resolve(write(tmp_path, "c.json", odd_unit))


def test_without_the_extra_one_line_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "props.json", json.loads(rigetti_v2().json()))
    result = run_hiding({"braket"}, "monitor", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"qpumon: error: {path}: an Amazon Braket document needs amazon-braket-schemas: "
        "pip install 'qpumon[braket]'"
    )
