"""The branch-and-bound search against the exhaustive answer (every layout scored, sorted)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from qpumon.choose import place
from qpumon.choose.candidates import best_qubits, shape_circuit
from qpumon.choose.circuits import basis_family, circuit_ops, native_circuit, translate
from qpumon.choose.cost import ON_DEVICE_MODELS
from qpumon.choose.layouts import model_tables
from qpumon.choose.ondevice import on_device
from qpumon.choose.tables import device_tables
from qpumon.choose.terms import bound_terms
from qpumon.errors import CircuitError
from qpumon.sources import resolve
from tests.choose.helpers import ghz
from tests.choose.reference import all_layouts, exhaustive_top
from tests.choose.synthetic import grid_edges, lattice_snapshot


def _circuit(edges: list[tuple[int, int]], n: int, lonely: int = 0) -> Any:
    """``h`` and ``sx`` on every qubit, a CX per edge, ``lonely`` extra qubits without 2q gates."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n + lonely, name="shape")
    for q in range(n + lonely):
        circuit.h(q)
    for a, b in edges:
        circuit.cx(a, b)
    circuit.sx(0)
    circuit.measure_all()
    return circuit


CIRCUITS = {
    "ghz3": ghz(3),
    "ghz7": ghz(7),
    "star": _circuit([(0, 1), (0, 2), (0, 3)], 4),
    "tree": _circuit([(0, 1), (1, 2), (1, 3), (3, 4), (4, 5)], 6),
    "square": _circuit([(0, 1), (1, 2), (2, 3), (3, 0)], 4),
    "both_ways": _circuit([(0, 1), (1, 0), (1, 2)], 3),
    "two_parts": _circuit([(0, 1), (2, 3)], 4),
    "lonely": _circuit([(0, 1)], 2, lonely=1),
}
SMALL = ["fake_guadalupe", "fake_kolkata", "fake_johannesburg", "fake_melbourne"]
LARGE = ["fake_fez", "fake_brisbane", "fake_nighthawk", "fake_washington"]


def _compare(circuit: Any, snapshot: Any, model: str, top: int) -> None:
    family = basis_family(snapshot)
    on_chip = on_device(circuit, snapshot, family) if model in ON_DEVICE_MODELS else None
    ops = on_chip or translate(circuit, family)  # the circuit the model scores
    tables = model_tables(device_tables(snapshot), model)
    expected = exhaustive_top(ops, tables, model, top)
    if not expected:  # nothing fits: an error (exit 2), as in ``best``
        with pytest.raises(CircuitError, match="no usable layout on any device"):
            place(circuit, [snapshot], cost_model=model, top=top)
        return
    found = place(circuit, [snapshot], cost_model=model, top=top).devices[0]
    assert not found.truncated
    assert [s.qubits for s in found.top] == [layout for layout, _ in expected]
    for score, (_, fidelity) in zip(found.top, expected, strict=True):
        assert score.fidelity == pytest.approx(fidelity, rel=1e-12)


@pytest.mark.parametrize("device", SMALL)
@pytest.mark.parametrize("name", sorted(CIRCUITS))
@pytest.mark.parametrize("model", ["default", "mapomatic"])
def test_place_matches_the_exhaustive_ranking_on_small_devices(
    device: str, name: str, model: str
) -> None:
    _compare(CIRCUITS[name], resolve(device), model, top=7)


@pytest.mark.parametrize("device", LARGE)
@pytest.mark.parametrize("name", ["ghz3", "ghz7", "star", "square", "both_ways"])
def test_place_matches_the_exhaustive_ranking_on_large_devices(device: str, name: str) -> None:
    _compare(CIRCUITS[name], resolve(device), "default", top=5)


def test_place_matches_on_a_device_with_uneven_gate_lengths() -> None:
    """Lengths from 100 to 700 ns: the decoherence bound is loose there, the answer still exact."""
    n, edges = grid_edges(5, 4)
    snapshot = lattice_snapshot("uneven", n, edges, seed=3, lengths=(100.0, 700.0), flagged=0.1)
    for name in ("ghz7", "tree", "square"):
        _compare(CIRCUITS[name], snapshot, "default", top=5)


@pytest.mark.parametrize("device", ["fake_fez", "fake_kolkata", "fake_brisbane"])
@pytest.mark.parametrize("shape,n", [("line", 4), ("line", 8), ("ring", 12)])
def test_best_matches_the_exhaustive_ranking_of_sets(device: str, shape: str, n: int) -> None:
    snapshot = resolve(device)
    family = basis_family(snapshot)
    ops = circuit_ops(native_circuit(shape_circuit(n, shape), family), family)
    tables = model_tables(device_tables(snapshot), "default")
    expected = exhaustive_top(ops, tables, "default", 5, key=frozenset)
    try:
        choice = best_qubits(snapshot, n, shape, top=5)
    except Exception:
        assert not expected
        return
    assert not choice.truncated
    assert [s.qubits for s in choice.top] == [layout for layout, _ in expected]
    assert [s.fidelity for s in choice.top] == pytest.approx([f for _, f in expected], rel=1e-12)


def test_best_of_a_long_line_is_exact_where_every_layout_can_be_listed() -> None:
    """A 20-qubit line on the 27-qubit heavy-hex Falcon: room runs out on most branches."""
    snapshot = resolve("fake_kolkata")
    family = basis_family(snapshot)
    ops = circuit_ops(native_circuit(shape_circuit(20, "line"), family), family)
    tables = model_tables(device_tables(snapshot), "default")
    expected = exhaustive_top(ops, tables, "default", 5, key=frozenset)
    choice = best_qubits(snapshot, 20, "line", top=5)
    assert not choice.truncated
    assert [s.qubits for s in choice.top] == [layout for layout, _ in expected]
    assert [s.fidelity for s in choice.top] == pytest.approx([f for _, f in expected], rel=1e-12)


@pytest.mark.parametrize("device", ["fake_fez", "fake_washington", "fake_kolkata", "fake_torino"])
@pytest.mark.parametrize("model", ["default", "mapomatic"])
def test_the_decomposed_bound_is_never_below_the_score(device: str, model: str) -> None:
    """``log B >= log F`` on every layout: what makes the pruning exact."""
    snapshot = resolve(device)
    for circuit in (ghz(6), CIRCUITS["tree"], CIRCUITS["both_ways"]):
        ops = translate(circuit, basis_family(snapshot))
        tables = model_tables(device_tables(snapshot), model)
        layouts = all_layouts(ops, tables)[:20_000]
        from qpumon.choose.cost import cost_model

        fidelity = cost_model(model)(ops, layouts, tables)
        bound = bound_terms(ops, tables, model).evaluate(layouts, tables)
        scored = np.isfinite(fidelity) & (fidelity > 0)
        assert scored.any()
        assert np.all(bound[scored] >= np.log(fidelity[scored]) - 1e-12)
        assert np.all(~np.isfinite(bound[~np.isfinite(fidelity)]))


def test_the_bound_is_tight_where_gate_lengths_are_uniform() -> None:
    """On Heron (one CZ length), the bound is within 1% of the score of the best layouts."""
    snapshot = resolve("fake_fez")
    ops = translate(ghz(8), basis_family(snapshot))
    tables = model_tables(device_tables(snapshot), "default")
    top = exhaustive_top(ops, tables, "default", 20)
    layouts = np.array([layout for layout, _ in top])
    bound = bound_terms(ops, tables, "default").evaluate(layouts, tables)
    gaps = bound - np.log([f for _, f in top])
    assert gaps.min() >= -1e-12 and gaps.max() < 0.01


def test_search_truncated_at_its_layout_limit_says_so() -> None:
    snapshot = resolve("fake_fez")
    found = place(CIRCUITS["lonely"], [snapshot], max_layouts=1).devices[0]
    assert found.truncated and found.best is not None
    assert any("stopped early" in note for note in found.notes)
    exact = place(CIRCUITS["lonely"], [snapshot]).devices[0]
    assert exact.best is not None and not exact.truncated
    assert found.best.fidelity <= exact.best.fidelity
    assert math.isfinite(found.best.fidelity)
