"""The conversions between error definitions, checked against channels built with Qiskit's
quantum_info (an independent computation of the fidelities, not our formulas)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qiskit.quantum_info import Kraus, Pauli, average_gate_fidelity, process_fidelity

from qpumon.model.definitions import (
    ASSIGNMENT,
    AVERAGE,
    DEFINITIONS,
    DEPOLARIZING,
    OTHER,
    PAULI,
    SPAM,
    XEB_CYCLE,
    to_average,
)


def _pauli_channel(num_qubits: int, probabilities: list[float]) -> Kraus:
    labels = ["".join(p) for p in itertools.product("IXYZ", repeat=num_qubits)]
    return Kraus(
        [
            np.sqrt(p) * Pauli(label).to_matrix()
            for p, label in zip(probabilities, labels, strict=True)
        ]
    )


def _depolarizing(num_qubits: int, lam: float) -> Kraus:
    """ρ → (1 − λ) ρ + λ I/d, as a Pauli channel."""
    n = 4**num_qubits
    return _pauli_channel(num_qubits, [1 - lam + lam / n] + [lam / n] * (n - 1))


@pytest.mark.parametrize("num_qubits", [1, 2])
@pytest.mark.parametrize("lam", [0.0, 1e-4, 0.013, 0.4])
def test_depolarizing_parameter_converts_to_the_channels_average_infidelity(num_qubits, lam):
    expected = 1 - average_gate_fidelity(_depolarizing(num_qubits, lam))
    converted = to_average(lam, DEPOLARIZING, num_qubits)
    assert converted is not None and converted.converted
    assert converted.value == pytest.approx(expected, abs=1e-12)
    assert "lower bound" in (converted.formula or "")


@pytest.mark.parametrize("num_qubits", [1, 2])
@pytest.mark.parametrize("definition", [PAULI, XEB_CYCLE])
def test_pauli_infidelity_converts_to_average_infidelity_for_any_pauli_channel(
    num_qubits, definition
):
    rng = np.random.default_rng(7 + num_qubits)
    n = 4**num_qubits
    weights = rng.random(n - 1) * 0.01
    channel = _pauli_channel(num_qubits, [1 - weights.sum(), *weights])
    pauli_error = 1 - process_fidelity(channel)
    converted = to_average(pauli_error, definition, num_qubits)
    assert converted is not None
    assert converted.value == pytest.approx(1 - average_gate_fidelity(channel), abs=1e-12)


def test_average_is_kept_and_unconvertible_definitions_are_refused():
    kept = to_average(0.01, AVERAGE, 2)
    assert kept is not None and kept.value == 0.01 and not kept.converted
    for definition in (ASSIGNMENT, SPAM, OTHER):
        assert to_average(0.01, definition, 1) is None


def test_every_description_reads_after_is():
    for definition in DEFINITIONS.values():
        assert definition.description.split()[0] in {"a", "an"}, definition
