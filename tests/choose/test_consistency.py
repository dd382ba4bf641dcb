"""``best`` and ``place`` agree, and "no usable set" says the true reason (issue 9)."""

from __future__ import annotations

import dataclasses

import pytest

from qpumon.choose import place
from qpumon.choose.candidates import _bfs_tree, _neighbours, best_qubits, canonical_circuit
from qpumon.choose.circuits import basis_family
from qpumon.choose.tables import device_tables, reversible
from qpumon.errors import CircuitError, NoCalibrationError, UsageError
from qpumon.sources import resolve
from tests.choose.helpers import ghz
from tests.conftest import raw


@pytest.mark.parametrize("device", ["fake_fez", "fake_brisbane", "fake_kolkata"])
@pytest.mark.parametrize("shape,n", [("line", 5), ("line", 9), ("ring", 12)])
def test_best_and_place_give_the_same_estimate(device: str, shape: str, n: int) -> None:
    """Best's canonical circuit, placed with ``place``: the same best layout and estimate."""
    snapshot = resolve(device)
    choice = best_qubits(snapshot, n, shape, top=3)
    parents = [-1, *range(n - 1)]
    extra = [(n - 1, 0)] if shape == "ring" else []
    placed = place(canonical_circuit(parents, extra), [snapshot], top=3).devices[0]
    assert placed.best is not None
    assert placed.best.qubits == choice.top[0].qubits
    assert placed.best.fidelity == pytest.approx(choice.top[0].fidelity, rel=1e-12)


def test_any_shape_estimates_equal_placing_each_sets_own_circuit() -> None:
    snapshot = resolve("fake_fez")
    choice = best_qubits(snapshot, 5, "any", top=3)
    neighbours = _neighbours(reversible(device_tables(snapshot)), basis_family(snapshot))
    for score in choice.top:
        order, parents = _bfs_tree(frozenset(score.qubits), neighbours)
        assert tuple(order) == score.qubits
        placed = place(canonical_circuit(parents), [snapshot], top=10**6).devices[0]
        same = [s for s in placed.top if s.qubits == score.qubits]
        assert same and same[0].fidelity == pytest.approx(score.fidelity, rel=1e-12)


@pytest.mark.parametrize("device", ["fake_fez", "fake_brisbane"])
def test_no_six_ring_on_heavy_hex_blames_the_graph_not_the_flags(device: str) -> None:
    with pytest.raises(UsageError, match="no 6-qubit ring exists in the coupling graph"):
        best_qubits(resolve(device), 6, "ring")
    edges = {frozenset(e) for e in raw(device.removeprefix("fake_"), "conf")["coupling_map"]}
    ring = best_qubits(resolve(device), 12, "ring", top=1).top[0].qubits
    assert all(frozenset((ring[i], ring[(i + 1) % 12])) in edges for i in range(12))


def test_flagged_couplers_are_named_when_they_are_the_reason() -> None:
    with pytest.raises(NoCalibrationError, match="one of the 144 flagged gates"):
        best_qubits(resolve("fake_kyoto"), 3)
    with pytest.raises(CircuitError) as error:
        place(ghz(3), [resolve("fake_kyoto")])
    assert "fake_kyoto: no layout: every candidate touches one of the 144 flagged gates" in str(
        error.value
    )


def test_too_few_live_qubits_is_the_reason_when_it_is() -> None:
    fez = resolve("fake_fez")
    dead = set(range(100))
    gates = tuple(
        dataclasses.replace(g, error=1.0) if g.arity == 1 and g.qubits[0] in dead else g
        for g in fez.gates
    )
    crippled = dataclasses.replace(fez, gates=gates)
    with pytest.raises(UsageError, match="only 56 of 156 qubits are live"):
        best_qubits(crippled, 60)


def test_a_shape_missing_from_the_graph_is_the_placement_note() -> None:
    from qiskit import QuantumCircuit

    triangle = QuantumCircuit(3, name="triangle")
    triangle.cx(0, 1)
    triangle.cx(1, 2)
    triangle.cx(2, 0)
    with pytest.raises(CircuitError) as error:
        place(triangle, [resolve("fake_fez")])
    assert str(error.value) == (
        "circuit 'triangle': no usable layout on any device (fake_fez: no layout: its "
        "interaction graph does not occur in the device's coupling graph)"
    )


def test_a_qubit_missing_a_value_is_left_out_and_named() -> None:
    """Without T1 the default model cannot score a qubit (mapomatic's cost does not need it)."""
    fez = resolve("fake_fez")
    best = place(ghz(3), [fez], top=1).devices[0].top[0].qubits
    qubits = tuple(
        dataclasses.replace(q, t1_us=None) if q.index == best[1] else q for q in fez.qubits
    )
    patched = dataclasses.replace(fez, qubits=qubits)
    default = place(ghz(3), [patched], top=50).devices[0]
    assert default.missing_qubits == (best[1],)
    assert all(best[1] not in s.qubits for s in default.top)
    mapomatic = place(ghz(3), [patched], cost_model="mapomatic").devices[0]
    assert mapomatic.missing_qubits == ()


@pytest.mark.parametrize("device", ["fake_fez", "fake_brisbane"])
def test_a_barrier_before_the_measurements_does_not_change_the_estimate(device: str) -> None:
    """``best``'s canonical GHZ has Qiskit's barrier before its measurements; the same GHZ
    measured without one (as a hand-written OpenQASM file often is) gets the same numbers."""
    from qiskit import QuantumCircuit

    bare = QuantumCircuit(5, 5, name="ghz5")
    bare.h(0)
    for i in range(4):
        bare.cx(i, i + 1)
    bare.measure(range(5), range(5))
    snapshot = resolve(device)
    choice = best_qubits(snapshot, 5, "line", top=5)
    for circuit in (bare, ghz(5)):
        placed = place(circuit, [snapshot], top=5).devices[0]
        assert [s.qubits for s in placed.top][:1] == [choice.top[0].qubits]
        assert placed.top[0].fidelity == pytest.approx(choice.top[0].fidelity, rel=1e-12)


def test_a_beam_answer_is_never_named_best_without_saying_so() -> None:
    """A 100-qubit GHZ on fez: the line search is a beam; the verdict line says it."""
    from qpumon.reports.choose import place_report
    from qpumon.reports.document import Notes

    result = place(ghz(100), [resolve("fake_fez")], top=1)
    device = result.devices[0]
    assert device.best is not None and not device.truncated and not device.proven
    assert device.bound is not None and device.bound >= device.best.fidelity
    report = place_report(result)
    notes = report.parts[-1]
    assert isinstance(notes, Notes)
    assert report.data["best_device"] == "fake_fez"
    assert notes.lines[-1].startswith("Best device: fake_fez")
    assert "not proven: 1 devices searched by a beam" in notes.lines[-1]
