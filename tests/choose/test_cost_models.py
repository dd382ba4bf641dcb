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


def _native(barrier: bool = True) -> Any:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2, 2)
    circuit.sx(0)
    circuit.cz(0, 1)
    circuit.sx(1)
    if barrier:
        circuit.barrier()
    circuit.measure([0, 1], [0, 1])
    return circuit


def _unflagged_cz(props: dict[str, Any]) -> list[int]:
    return next(
        g["qubits"]
        for g in props["gates"]
        if g["gate"] == "cz" and _gate(props, "cz", g["qubits"], "gate_error") < 1
    )


@pytest.mark.parametrize("barrier", [True, False])
def test_default_model_against_raw_json(barrier: bool) -> None:
    """With or without the barrier before the measurements: the same estimate."""
    props = raw("fez", "props")
    a, b = _unflagged_cz(props)
    ops = circuit_ops(_native(barrier), ("cz", "rz", "sx", "x"))
    fidelity = esp_fidelity(ops, np.array([[a, b]]), device_tables(load("fake_fez")))[0]
    gates = (
        (1 - _gate(props, "sx", [a], "gate_error"))
        * (1 - _gate(props, "sx", [b], "gate_error"))
        * (1 - _gate(props, "cz", [a, b], "gate_error"))
    )
    readout = (1 - _qubit(props, a, "readout_error")) * (1 - _qubit(props, b, "readout_error"))
    # as late as possible, both readouts end with the circuit (fez's readouts all take as long):
    # qubit a waits after the cz while b runs its sx; b never waits. T1/T2 in us, lengths in ns
    idle_ns = _gate(props, "sx", [b], "gate_length")
    t1, t2 = 1e3 * _qubit(props, a, "T1"), 1e3 * _qubit(props, a, "T2")
    decay = (3 + math.exp(-idle_ns / t1) + 2 * math.exp(-idle_ns / t2)) / 6
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


def _thermal_relaxation_kraus(t: float, t1: float, t2: float) -> list[np.ndarray]:
    """Kraus operators of amplitude damping (gamma = 1 - e^(-t/T1)) followed by pure dephasing
    that brings the coherence to e^(-t/T2) in all, built by hand (excited population 0)."""
    gamma = 1 - math.exp(-t / t1)
    damping = [
        np.array([[1, 0], [0, math.sqrt(1 - gamma)]]),
        np.array([[0, math.sqrt(gamma)], [0, 0]]),
    ]
    # after damping the coherence is e^(-t/(2 T1)); dephasing multiplies it by the rest
    rest = math.exp(-t / t2) / math.exp(-t / (2 * t1))
    p = (1 - rest) / 2
    dephasing = [math.sqrt(1 - p) * np.eye(2), math.sqrt(p) * np.diag([1.0, -1.0])]
    return [d @ k for d in dephasing for k in damping]


@pytest.mark.parametrize(
    "t,t1,t2", [(100.0, 200e3, 150e3), (5e3, 50e3, 90e3), (40e3, 100e3, 20e3), (0.0, 1e3, 1e3)]
)
def test_idle_factor_is_the_thermal_relaxation_channels_average_fidelity(
    t: float, t1: float, t2: float
) -> None:
    from qiskit.quantum_info import Kraus, average_gate_fidelity

    from qpumon.choose.cost import idle_fidelity

    channel = Kraus(_thermal_relaxation_kraus(t, t1, t2))
    assert channel.is_cptp()
    expected = average_gate_fidelity(channel)
    got = idle_fidelity(np.array([t]), np.array([t1]), np.array([t2]))[0]
    assert got == pytest.approx(expected, rel=1e-12)
