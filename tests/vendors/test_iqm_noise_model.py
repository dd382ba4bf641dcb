"""IQM's depolarizing parameters as average gate infidelities, against the noise model of
iqm-client's own fake backends built independently with ``qiskit.quantum_info``.

``IQMFakeBackend._create_noise_model`` gives each gate ``thermal_relaxation.compose(
depolarizing_error(λ, n))`` (Aer's channels; for a 2q gate the relaxation of both qubits,
tensored), with T1, T2 and the gate duration of the vendor's error profile. Aer is not installed
(and not needed): here the relaxation is built by hand from Kraus operators (amplitude damping
γ = 1 − e^(−t/T1), then pure dephasing that brings the coherence to e^(−t/T2)), the
depolarizing channel from its Choi matrix, both composed and tensored as ``SuperOp``, and the
average gate fidelity is quantum_info's. The inputs are the profile the vendor's functions build
(run from the shipped files), not qpumon's reading of them.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from qiskit.quantum_info import (
    Choi,
    Kraus,
    Pauli,
    SuperOp,
    average_gate_fidelity,
    process_fidelity,
)

from qpumon.model import DeviceSnapshot, GateCalibration
from qpumon.model.definitions import (
    AVERAGE,
    DEPOLARIZING,
    LOWER,
    PAULI,
    UPPER,
    XEB_CYCLE,
    gate_to_average,
    to_average,
)
from qpumon.reports.tables import Table
from qpumon.sources import resolve
from tests.vendors.test_iqm import DEVICES, vendor_backends


@pytest.fixture(scope="module")
def profiles() -> dict[str, dict[str, Any]]:
    """Each device's error profile, as the vendor's function builds it."""
    return {name: b.error_profile.kwargs for name, b in vendor_backends().items()}


def thermal_relaxation(t1_ns: float, t2_ns: float, time_ns: float) -> SuperOp:
    """One qubit relaxing for ``time_ns``: amplitude damping, then the pure dephasing that makes
    the total coherence decay e^(−t/T2) (needs T2 ≤ 2·T1)."""
    gamma = 1 - np.exp(-time_ns / t1_ns)
    damping = Kraus(
        [np.array([[1, 0], [0, np.sqrt(1 - gamma)]]), np.array([[0, np.sqrt(gamma)], [0, 0]])]
    )
    left = np.exp(-time_ns / t2_ns) / np.sqrt(1 - gamma)  # coherence still to lose
    assert left <= 1 + 1e-15
    dephasing = Kraus(
        [np.sqrt((1 + left) / 2) * np.eye(2), np.sqrt((1 - left) / 2) * np.diag([1, -1])]
    )
    return SuperOp(damping).compose(SuperOp(dephasing))


def depolarizing(lam: float, num_qubits: int) -> SuperOp:
    """ρ → (1 − λ) ρ + λ I/d, from its Choi matrix (Qiskit's unnormalised convention)."""
    d = 2**num_qubits
    omega = np.eye(d).reshape(d * d)
    choi = (1 - lam) * np.outer(omega, omega) + lam * np.eye(d * d) / d
    return SuperOp(Choi(choi))


def iqm_channel(profile: dict[str, Any], components: tuple[str, ...], lam: float, t: float):
    """The channel IQM's fake backend gives a gate on ``components`` lasting ``t`` ns."""
    relax = [thermal_relaxation(profile["t1s"][c], profile["t2s"][c], t) for c in components]
    channel = relax[0] if len(relax) == 1 else relax[0].tensor(relax[1])
    return channel.compose(depolarizing(lam, len(components)))


def profile_gates(profile: dict[str, Any]) -> list[tuple[str, tuple[str, ...], float, float]]:
    """(gate, components, λ, duration) of every gate of the profile."""
    out = []
    for gate, errors in profile["single_qubit_gate_depolarizing_error_parameters"].items():
        t = profile["single_qubit_gate_durations"][gate]
        out += [(gate, (qubit,), lam, t) for qubit, lam in errors.items()]
    for gate, errors in profile["two_qubit_gate_depolarizing_error_parameters"].items():
        t = profile["two_qubit_gate_durations"][gate]
        out += [(gate, tuple(pair), lam, t) for pair, lam in errors.items()]
    return out


def snapshot_gate(snap: DeviceSnapshot, gate: str, components: tuple[str, ...]) -> GateCalibration:
    """The snapshot's gate ``gate`` on the named components (qubits or resonators)."""
    names = [*snap.qubit_names, *(r.name for r in snap.resonators)]
    qubits = tuple(names.index(c) for c in components)
    found = snap.gate(gate, qubits) or next(
        g for r in snap.resonators for g in r.gates if (g.gate, g.qubits) == (gate, qubits)
    )
    return found


@pytest.mark.parametrize("device", DEVICES)
def test_every_gate_converts_to_its_channels_average_infidelity(
    device: str, profiles: dict[str, dict[str, Any]]
) -> None:
    profile = profiles[device]
    snap = resolve(f"iqm:{device}")
    checked = 0
    for gate, components, lam, t in profile_gates(profile):
        expected = 1 - average_gate_fidelity(iqm_channel(profile, components, lam, t))
        converted = gate_to_average(snap, snapshot_gate(snap, gate, components))
        assert converted is not None, (gate, components)
        assert converted.bound is None and converted.converted
        assert converted.source == DEPOLARIZING
        assert converted.value == pytest.approx(expected, rel=1e-10, abs=1e-15)
        lower = to_average(lam, DEPOLARIZING, len(components))
        assert lower is not None and lower.bound == LOWER
        assert lower.value < converted.value  # relaxation only adds
        checked += 1
    assert checked == len(profile_gates(profile)) > 0


def test_garnets_medians_with_relaxation(profiles: dict[str, dict[str, Any]]) -> None:
    """The issue's figures: garnet's median 1q error 0.00050 → 0.00131, 2q 0.00434 → 0.00803,
    each median over the independently built channels, and qpumon's per-gate values agree."""
    profile = profiles["garnet"]
    snap = resolve("iqm:garnet")
    for arity, lambda_only, modelled in ((1, 0.00050, 0.00131), (2, 0.00434, 0.00803)):
        gates = [g for g in profile_gates(profile) if len(g[1]) == arity]
        d = 2**arity
        assert round(statistics.median(lam * (d - 1) / d for *_, lam, _ in gates), 5) == (
            lambda_only
        )
        channels = [
            1 - average_gate_fidelity(iqm_channel(profile, c, lam, t)) for _, c, lam, t in gates
        ]
        assert round(statistics.median(channels), 5) == modelled
        ours = [gate_to_average(snap, g) for g in snap.gates if g.arity == arity]
        assert statistics.median(c.value for c in ours if c is not None) == pytest.approx(
            statistics.median(channels), rel=1e-10
        )


def test_without_relaxation_data_a_depolarizing_parameter_is_a_lower_bound() -> None:
    snap = resolve("iqm:garnet")
    cz = next(g for g in snap.gates if g.gate == "cz")
    d = 4
    no_length = gate_to_average(snap, replace(cz, length_ns=None))
    assert no_length is not None and no_length.bound == LOWER
    assert no_length.value == pytest.approx(cz.error * (d - 1) / d, rel=1e-15)
    a = cz.qubits[0]
    for t1, t2 in ((None, 10.0), (10.0, None), (10.0, 25.0)):  # missing, or T2 > 2·T1
        qubits = tuple(replace(q, t1_us=t1, t2_us=t2) if q.index == a else q for q in snap.qubits)
        converted = gate_to_average(replace(snap, qubits=qubits), cz)
        assert converted is not None and converted.bound == LOWER
    assert gate_to_average(snap, replace(cz, error=None)) is None


def test_other_definitions_keep_their_exactness_or_bound() -> None:
    snap = resolve("iqm:garnet")
    cz = next(g for g in snap.gates if g.gate == "cz")
    average = gate_to_average(snap, replace(cz, definition=AVERAGE, error=0.01))
    assert average is not None and (average.value, average.bound, average.formula) == (
        0.01,
        None,
        None,
    )
    # a two-qubit Pauli channel: its Pauli error converts exactly to its average error
    weights = np.random.default_rng(17).random(15) * 0.004
    labels = [a + b for a in "IXYZ" for b in "IXYZ"]
    probabilities = [1 - weights.sum(), *weights]
    channel = Kraus(
        [np.sqrt(p) * Pauli(lab).to_matrix() for p, lab in zip(probabilities, labels, strict=True)]
    )
    pauli_error = 1 - process_fidelity(channel)
    pauli = gate_to_average(snap, replace(cz, definition=PAULI, error=pauli_error))
    assert pauli is not None and pauli.bound is None
    assert pauli.value == pytest.approx(1 - average_gate_fidelity(channel), rel=1e-12)
    xeb = gate_to_average(snap, replace(cz, definition=XEB_CYCLE, error=pauli_error))
    assert xeb is not None and xeb.bound == UPPER and xeb.value == pauli.value
    assert to_average(0.01, PAULI, 1).bound is None
    assert to_average(0.01, XEB_CYCLE, 2).bound == UPPER
    assert to_average(0.01, DEPOLARIZING, 1).bound == LOWER
    assert gate_to_average(snap, replace(cz, definition="spam")) is None


def _column(table: Table, key: str) -> list[Any]:
    """The value of every row's cell in the column ``key``."""
    index = next(i for i, column in enumerate(table.columns) if column.key == key)
    return [row[index].value for row in table.rows]


def test_the_resonator_table_shows_denebs_cr1_gates(profiles: dict[str, dict[str, Any]]) -> None:
    from qpumon.reports.resonators import resonator_table

    profile = profiles["deneb"]
    table = resonator_table(resolve("iqm:deneb"))
    assert table is not None
    rows = {
        (components, gate): (error, average, length)
        for components, gate, error, average, length in zip(
            (row[0].text for row in table.rows),
            *(_column(table, key) for key in ("gate", "error", "error_avg", "length_ns")),
            strict=True,
        )
    }
    expected = {}
    for gate, (qubit, resonator), lam, t in (g for g in profile_gates(profile) if len(g[1]) == 2):
        channel = iqm_channel(profile, (qubit, resonator), lam, t)
        expected[(f"{qubit}–{resonator}", gate)] = (lam, 1 - average_gate_fidelity(channel), t)
    assert rows.keys() == expected.keys() and len(table.rows) == len(expected) == 12
    for key, (lam, average, t) in expected.items():
        assert rows[key][0] == lam and rows[key][2] == t
        assert rows[key][1] == pytest.approx(average, rel=1e-10)
    t1, t2 = profile["t1s"]["CR1"] / 1000, profile["t2s"]["CR1"] / 1000
    assert f"T1 {t1:.3f} µs, T2 {t2:.2f} µs" in " ".join(table.notes)
    assert resonator_table(resolve("iqm:garnet")) is None
