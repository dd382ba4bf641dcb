"""The cost models' numbers, recomputed by hand from the raw properties JSON."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from qpumon.choose.circuits import circuit_ops
from qpumon.choose.cost import esp_fidelity, mapomatic_fidelity
from qpumon.choose.tables import device_tables
from qpumon.sources import resolve as load
from tests.conftest import raw


def _gate(props: dict[str, Any], name: str, qubits: list[int], param: str) -> float:
    for gate in props["gates"]:
        if gate["gate"] == name and gate["qubits"] == qubits:
            return float(next(p["value"] for p in gate["parameters"] if p["name"] == param))
    raise KeyError((name, qubits))


def _qubit(props: dict[str, Any], q: int, name: str) -> float:
    return float(next(p["value"] for p in props["qubits"][q] if p["name"] == name))


def _native() -> Any:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2)
    circuit.sx(0)
    circuit.cz(0, 1)
    circuit.sx(1)
    circuit.barrier()
    circuit.measure_all(add_bits=True)
    return circuit


def _unflagged_cz(props: dict[str, Any]) -> list[int]:
    return next(
        g["qubits"]
        for g in props["gates"]
        if g["gate"] == "cz" and _gate(props, "cz", g["qubits"], "gate_error") < 1
    )


def test_default_model_against_raw_json() -> None:
    props = raw("fez", "props")
    a, b = _unflagged_cz(props)
    ops = circuit_ops(_native(), ("cz", "rz", "sx", "x"))
    fidelity = esp_fidelity(ops, np.array([[a, b]]), device_tables(load("fake_fez")))[0]
    gates = (
        (1 - _gate(props, "sx", [a], "gate_error"))
        * (1 - _gate(props, "sx", [b], "gate_error"))
        * (1 - _gate(props, "cz", [a, b], "gate_error"))
    )
    readout = (1 - _qubit(props, a, "readout_error")) * (1 - _qubit(props, b, "readout_error"))
    # qubit a waits at the barrier while b runs its sx; T1/T2 are in us, lengths in ns
    idle_ns = _gate(props, "sx", [b], "gate_length")
    decay = math.exp(
        -idle_ns / (1e3 * _qubit(props, a, "T1")) - idle_ns / (1e3 * _qubit(props, a, "T2"))
    )
    assert fidelity == pytest.approx(gates * readout * decay, rel=1e-12)
    assert decay < 1


def test_mapomatic_model_against_raw_json() -> None:
    props = raw("fez", "props")
    a, b = _unflagged_cz(props)
    ops = circuit_ops(_native(), ("cz", "rz", "sx", "x"))
    fidelity = mapomatic_fidelity(ops, np.array([[a, b], [b, a]]), device_tables(load("fake_fez")))
    expected = (
        (1 - _gate(props, "sx", [a], "gate_error"))
        * (1 - _gate(props, "sx", [b], "gate_error"))
        * (1 - _gate(props, "cz", [a, b], "gate_error"))
        * (1 - _qubit(props, a, "readout_error"))
        * (1 - _qubit(props, b, "readout_error"))
    )
    assert fidelity[0] == pytest.approx(expected, rel=1e-12)


def test_flagged_gate_and_missing_pair_make_a_layout_unscorable() -> None:
    props = raw("fez", "props")
    flagged = next(
        g["qubits"]
        for g in props["gates"]
        if g["gate"] == "cz" and _gate(props, "cz", g["qubits"], "gate_error") == 1
    )
    ops = circuit_ops(_native(), ("cz", "rz", "sx", "x"))
    tables = device_tables(load("fake_fez"))
    fidelity = esp_fidelity(ops, np.array([flagged, [0, 100]]), tables)
    assert np.isnan(fidelity).all()  # flagged, and 0-100 are not coupled: never scored as 0
