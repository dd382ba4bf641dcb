"""Google's devices against cirq-google's own data, read here without qpumon: the calibration
JSON files parsed with the standard library, the timestamps from
``load_median_device_calibration``, and the device specifications' text protos read with a
regular expression."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
from cirq_google.engine import list_virtual_processors, load_median_device_calibration
from cirq_google.engine.virtual_engine_factory import MEDIAN_CALIBRATIONS, MOST_RECENT_TEMPLATES

from qpumon.model import GRAPH, MEASURED
from qpumon.model.definitions import AVERAGE, PAULI, XEB_CYCLE
from qpumon.sources import resolve
from tests.vendors.conftest import package_folder, read_json

DEVICES = ("rainbow", "weber", "willow_pink")
ROOT = package_folder("cirq_google") / "devices"


def raw_metrics(device: str) -> dict[str, dict[tuple[str, ...], float]]:
    """metric name -> {target qubit names: value}, from the shipped calibration JSON."""
    data = read_json(ROOT / "calibrations" / MEDIAN_CALIBRATIONS[device])
    out: dict[str, dict[tuple[str, ...], float]] = {}
    for metric in data["metrics"]["metrics"]:
        out.setdefault(metric["name"], {})[tuple(metric["targets"])] = metric["values"][0][
            "doubleVal"
        ]
    return out


def raw_spec(device: str) -> dict[str, Any]:
    """Qubits, couplers and gate durations (ns) of the shipped device specification."""
    text = (ROOT / "specifications" / MOST_RECENT_TEMPLATES[device]).read_text()
    qubits = re.findall(r'^valid_qubits: "(\d+_\d+)"', text, re.M)
    pairs = re.findall(r'targets \{\s*ids: "(\d+_\d+)"\s*ids: "(\d+_\d+)"\s*\}', text)
    durations = {
        name: int(picos) / 1000
        for picos, name in re.findall(r"gate_duration_picos: (\d+)\s*(\w+) \{", text)
    }
    return {"qubits": qubits, "pairs": pairs, "durations": durations}


def grid(name: str) -> tuple[int, int]:
    row, col = name.split("_")
    return int(row), int(col)


@pytest.fixture(scope="module", params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_names_are_cirqs_virtual_processors() -> None:
    assert sorted(list_virtual_processors()) == list(DEVICES)


def test_header_date_and_grid(device: str) -> None:
    snap = resolve(f"google:{device}")
    spec = raw_spec(device)
    names = sorted(spec["qubits"], key=grid)
    assert snap.name == snap.source == f"google:{device}"
    assert (snap.vendor, snap.connectivity, snap.provenance) == ("google", GRAPH, MEASURED)
    assert snap.num_qubits == len(names) == {"rainbow": 23, "weber": 53, "willow_pink": 105}[device]
    assert list(snap.qubit_names) == names
    assert list(snap.coords or ()) == [(float(c), float(r)) for r, c in map(grid, names)]
    stamp = load_median_device_calibration(device).timestamp
    assert snap.calibrated_at == datetime.fromtimestamp(stamp / 1000, tz=timezone.utc)
    # The date in the calibration's file name is the same day.
    day = re.search(r"(\d{4})_(\d\d)_(\d\d)_calibration", MEDIAN_CALIBRATIONS[device])
    assert day is not None and snap.calibrated_at is not None
    assert snap.calibrated_at.strftime("%Y_%m_%d") == "_".join(day.groups())
    index = {n: i for i, n in enumerate(names)}
    assert set(snap.coupling_edges) == {(index[a], index[b]) for a, b in spec["pairs"]}


def test_qubits_against_the_calibration_file(device: str) -> None:
    snap = resolve(f"google:{device}")
    metrics = raw_metrics(device)
    for qubit in snap.qubits:
        name = (snap.qubit_names[qubit.index],)
        p10 = metrics["single_qubit_p00_error"][name]  # error reading 0: P(1|0)
        p01 = metrics["single_qubit_p11_error"][name]
        assert qubit.t1_us == metrics["single_qubit_idle_t1_micros"][name]
        assert (qubit.prob_meas1_prep0, qubit.prob_meas0_prep1) == (p10, p01)
        assert qubit.readout_error == pytest.approx((p10 + p01) / 2, rel=1e-15)
        assert qubit.t2_us is None and qubit.frequency_ghz is None
        assert qubit.readout_length_ns is None
        assert set(qubit.measured_at.values()) == {snap.calibrated_at}


def test_one_qubit_errors_keep_googles_definition(device: str) -> None:
    snap = resolve(f"google:{device}")
    metrics = raw_metrics(device)
    spec = raw_spec(device)
    if "single_qubit_rb_average_error_per_gate" in metrics:
        metric, definition = "single_qubit_rb_average_error_per_gate", AVERAGE
    else:
        metric, definition = "single_qubit_rb_pauli_error_per_gate", PAULI
    assert (device == "willow_pink") == (definition == PAULI)
    gates = [g for g in snap.gates if len(g.qubits) == 1]
    assert len(gates) == len(metrics[metric]) == snap.num_qubits
    for gate in gates:
        assert gate.gate == "phased_xz" and gate.definition == definition
        assert gate.error == metrics[metric][(snap.qubit_names[gate.qubits[0]],)]
        assert gate.length_ns == spec["durations"]["phased_xz"] == 25.0


def test_two_qubit_errors_are_xeb_per_cycle(device: str) -> None:
    snap = resolve(f"google:{device}")
    metrics = raw_metrics(device)
    spec = raw_spec(device)
    expected: dict[tuple[str, tuple[str, ...]], float] = {}
    for infix, gate in (("sycamore", "syc"), ("sqrt_iswap", "sqrt_iswap"), ("cz", "cz")):
        isolated = metrics.get(f"two_qubit_{infix}_gate_xeb_pauli_error_per_cycle")
        chosen = isolated or metrics.get(
            f"two_qubit_parallel_{infix}_gate_xeb_pauli_error_per_cycle"
        )
        for pair, value in (chosen or {}).items():
            expected[(gate, pair)] = value
        if chosen:
            kind = "isolated" if isolated else "parallel"
            assert snap.configuration["two_qubit_benchmark"][gate] == kind
    gates = [g for g in snap.gates if len(g.qubits) == 2]
    got = {(g.gate, tuple(snap.qubit_names[q] for q in g.qubits)): g.error for g in gates}
    assert got == expected
    assert {g.definition for g in gates} == {XEB_CYCLE}
    for gate in gates:
        assert gate.length_ns == spec["durations"][gate.gate]
    assert {g.gate for g in gates} == ({"cz"} if device == "willow_pink" else {"syc", "sqrt_iswap"})


def test_measurement_duration_stays_in_the_configuration(device: str) -> None:
    snap = resolve(f"google:{device}")
    spec = raw_spec(device)
    assert snap.configuration["gate_durations_ns"]["meas"] == spec["durations"]["meas"]
    assert spec["durations"]["meas"] == (600.0 if device == "willow_pink" else 4e6)
