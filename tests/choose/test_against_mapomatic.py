"""qpumon's mapomatic-mirroring cost model against mapomatic's own documented workflow.

mapomatic's workflow transpiles the circuit to the backend (``optimization_level=3``), deflates
it to its active qubits, matches the deflated circuit (2q directions included) against the
coupling map and scores every match with ``default_cost``. Each test runs that workflow on the
Qiskit fake backend of the same name as the bundled device, independently of qpumon.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any

import pytest

from qpumon.choose import place
from qpumon.choose.circuits import basis_family, native_circuit
from qpumon.errors import CircuitError
from qpumon.sources import resolve as load
from tests.choose.helpers import fake_backend, ghz, mapomatic_scores
from tests.conftest import raw

EAGLE = ["fake_brisbane", "fake_sherbrooke", "fake_osaka"]
HERON = ["fake_fez", "fake_torino"]

SIX = [
    "fake_fez",
    "fake_marrakesh",
    "fake_kingston",
    "fake_torino",
    "fake_brisbane",
    "fake_sherbrooke",
]


def chain4() -> Any:
    """A 4-qubit chain whose CX gates run both ways on one pair (0-1), with rotations between."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(4, name="chain4")
    circuit.ry(0.3, 0)
    circuit.ry(1.1, 2)
    circuit.cx(1, 0)
    circuit.cx(1, 2)
    circuit.rx(0.7, 2)
    circuit.cx(2, 3)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def workflow(circuit: Any, device: str) -> tuple[Any, list[tuple[list[int], float]]]:
    """mapomatic's documented workflow on the fake backend ``device``: the deflated transpiled
    circuit, and its layouts with their costs, best first."""
    import mapomatic as mm
    from qiskit import transpile

    backend = fake_backend(device)
    with warnings.catch_warnings():  # mapomatic's legacy API warns under Qiskit 2
        warnings.simplefilter("ignore", DeprecationWarning)
        small = mm.deflate_circuit(transpile(circuit, backend, optimization_level=3))
    return small, mapomatic_scores(small, backend)


def _flagged(stem: str, entangler: str) -> tuple[set[int], set[tuple[int, int]]]:
    """Dead qubits and flagged ``entangler`` pairs, read from the raw properties JSON."""
    props = raw(stem, "props")
    dead, pairs = set(), set()
    for gate in props["gates"]:
        error = next((p["value"] for p in gate["parameters"] if p["name"] == "gate_error"), None)
        if error == 1:
            if len(gate["qubits"]) == 1:
                dead.add(gate["qubits"][0])
            elif gate["gate"] == entangler:
                pairs.add(tuple(gate["qubits"]))
    return dead, pairs


@pytest.mark.parametrize("device", EAGLE + HERON)
@pytest.mark.parametrize("circuit", [ghz(5), chain4()], ids=["ghz5", "chain4"])
def test_same_best_cost_and_layout_as_mapomatics_workflow(circuit: Any, device: str) -> None:
    """One-way Eagle couplers included: a gate the transpiler turned around comes with its 1q
    gates (fake_brisbane GHZ-5: 0.0779, where scoring the unrouted circuit gave 0.1066)."""
    _, theirs = workflow(circuit, device)
    ours = place(circuit, [load(device)], cost_model="mapomatic", top=len(theirs)).devices[0]
    assert ours.best is not None
    assert ours.best.cost == pytest.approx(theirs[0][1], rel=1e-9)
    best_sets = {frozenset(lay) for lay, cost in theirs if cost == pytest.approx(ours.best.cost)}
    assert frozenset(ours.best.qubits) in best_sets
    assert _chain_edges(ours.initial_layout(), circuit) <= _couplers(device)


def _chain_edges(layout: list[int], circuit: Any) -> set[frozenset[int]]:
    """The physical pairs of ``circuit``'s 2q gates under ``layout``, either direction."""
    return {
        frozenset(layout[circuit.find_bit(q).index] for q in inst.qubits)
        for inst in circuit.data
        if inst.operation.num_qubits == 2 and inst.operation.name != "barrier"
    }


def _couplers(device: str) -> set[frozenset[int]]:
    """The device's couplers, either direction, from the raw configuration JSON."""
    return {frozenset(pair) for pair in raw(device.removeprefix("fake_"), "conf")["coupling_map"]}


def test_brisbane_ghz5_is_mapomatics_0_0779() -> None:
    _, theirs = workflow(ghz(5), "fake_brisbane")
    assert round(theirs[0][1], 4) == 0.0779
    ours = place(ghz(5), [load("fake_brisbane")], cost_model="mapomatic").devices[0].best
    assert ours is not None and ours.cost == pytest.approx(theirs[0][1], rel=1e-9)


@pytest.mark.parametrize(("device", "any_flagged"), [("fake_fez", True), ("fake_brisbane", False)])
def test_difference_is_exactly_the_flagged_layouts(device: str, any_flagged: bool) -> None:
    """By design qpumon drops layouts on flagged gates; mapomatic scores them with error 1.
    (fake_brisbane's one flagged ECR lies on none of the layouts of the transpiled pattern.)"""
    small, theirs = workflow(ghz(5), device)
    ours = place(ghz(5), [load(device)], cost_model="mapomatic", top=10**6).devices[0]
    entangler = next(i.operation.name for i in small.data if i.operation.num_qubits == 2)
    dead, pairs = _flagged(device.removeprefix("fake_"), entangler)
    edges = [
        tuple(small.find_bit(q).index for q in i.qubits)
        for i in small.data
        if i.operation.num_qubits == 2 and i.operation.name != "barrier"
    ]

    def touches_flag(layout: list[int]) -> bool:
        return bool(dead & set(layout)) or any((layout[a], layout[b]) in pairs for a, b in edges)

    dropped = [(lay, cost) for lay, cost in theirs if touches_flag(lay)]
    kept = [(lay, cost) for lay, cost in theirs if not touches_flag(lay)]
    assert bool(dropped) == any_flagged
    assert all(cost == 1.0 for _, cost in dropped)  # mapomatic: "error 1", a meaningless score
    assert ours.found == len(kept) == len(theirs) - len(dropped)
    assert Counter(frozenset(s.qubits) for s in ours.top) == Counter(
        frozenset(lay) for lay, _ in kept
    )
    assert [s.cost for s in ours.top] == pytest.approx([c for _, c in kept], rel=1e-12)


def test_same_best_device_among_six() -> None:
    theirs = []
    for device in SIX:
        _, scores = workflow(ghz(5), device)
        theirs.append((scores[0][0], device, scores[0][1]))
    theirs.sort(key=lambda row: row[2])
    ours = place(ghz(5), [load(d) for d in SIX], cost_model="mapomatic")
    assert ours.best is not None and ours.best.best is not None
    assert ours.best.device == theirs[0][1]
    assert frozenset(ours.best.best.qubits) == frozenset(theirs[0][0])
    assert ours.best.best.cost == pytest.approx(theirs[0][2], rel=1e-9)
    assert [d.device for d in ours.ranked] == [row[1] for row in theirs]


def test_all_flagged_device_has_no_layout_where_mapomatic_scores_every_one_as_1() -> None:
    """fake_kyoto flags all 144 ECR gates: mapomatic ranks layouts of error 1, qpumon none."""
    native = native_circuit(ghz(5), basis_family(load("fake_kyoto")))
    theirs = mapomatic_scores(native, fake_backend("fake_kyoto"))
    assert theirs and {cost for _, cost in theirs} == {1.0}
    with pytest.raises(CircuitError, match="one of the 144 flagged gates"):
        place(ghz(5), [load("fake_kyoto")], cost_model="mapomatic")
