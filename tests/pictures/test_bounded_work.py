"""Every drawable device costs bounded work (issue 20): the lattice search visits at most
``LATTICE_WORK`` qubit-states, and a graph too large for it is never searched. Work is counted
(the VF2 searches made and their state limits), never timed."""

from __future__ import annotations

from typing import Any

import pytest

from qpumon.pictures import lattices
from qpumon.pictures.errormap import error_map
from qpumon.pictures.layout import CALL_LIMIT, LATTICE_WORK, lattice_call_limit, qubit_layout
from tests.pictures.conftest import device, grid


def _count_searches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(qubits, state limit) of every VF2 search, which still runs."""
    calls: list[tuple[int, int]] = []
    real = lattices.embed

    def counted(graph: Any, lattice: Any, induced: bool, limit: int, in_order: bool) -> Any:
        calls.append((len(graph), limit))
        return real(graph, lattice, induced, limit, in_order)

    monkeypatch.setattr(lattices, "embed", counted)
    return calls


def test_small_devices_keep_the_full_call_limit() -> None:
    assert lattice_call_limit(156) == CALL_LIMIT
    assert lattice_call_limit(LATTICE_WORK // CALL_LIMIT) == CALL_LIMIT


def test_twenty_thousand_qubits_with_one_coupler_are_never_searched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_searches(monkeypatch)
    n = 20_000
    layout = qubit_layout(device(n, [(0, 1)]))
    assert calls == []
    assert layout.method == "layered"
    assert len(set(layout.positions)) == n


def test_a_search_on_thousands_of_qubits_visits_at_most_the_work_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_searches(monkeypatch)
    n = 3_000  # one coupler: bipartite, so lattices are tried, and none takes it induced
    qubit_layout(device(n, [(0, 1)]))
    assert calls
    assert all(qubits * limit <= LATTICE_WORK for qubits, limit in calls)
    assert all(limit == LATTICE_WORK // n for _, limit in calls)


def test_a_large_grid_without_coords_is_still_placed_on_its_lattice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_searches(monkeypatch)
    side = 40  # 1,600 qubits: found within the bound
    layout = qubit_layout(device(side * side, grid(side, side)))
    assert layout.method == "square"
    assert all(qubits * limit <= LATTICE_WORK for qubits, limit in calls)


def test_a_twenty_thousand_qubit_map_without_couplers_holds_every_qubit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_searches(monkeypatch)
    n = 20_000
    figure = error_map(device(n, []), "t1")
    circles = [c for c in figure.axes[0].collections if c.get_gid() == "qubits"]
    assert len(circles[0].get_offsets()) == n
    assert calls == []
