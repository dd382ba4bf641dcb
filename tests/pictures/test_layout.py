"""Qubit placement: the configuration's coords, else IBM's lattices, and every device drawable."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest
import rustworkx as rx

from qpumon.pictures import lattices
from qpumon.pictures import layout as layout_module
from qpumon.pictures.errormap import error_map
from qpumon.pictures.layout import Layout, couplers, qubit_layout
from qpumon.pictures.mpl import svg_text
from qpumon.sources import BundledSource
from qpumon.sources import resolve as load
from tests.pictures.conftest import device, grid


def test_coords_are_used_as_given(raw: Any) -> None:
    conf, _ = raw("fez")
    layout = qubit_layout(load("fake_fez"))
    assert layout.method == "coords"
    assert [list(p) for p in layout.positions] == conf["coords"]


@pytest.mark.parametrize(
    ("device", "method", "size"),
    [
        ("fake_montreal", "heavy-hex", (10, 4)),  # Falcon: two rows of 10 with dangling qubits
        ("fake_brooklyn", "heavy-hex", (10, 8)),  # Hummingbird
        ("fake_washington", "heavy-hex", (14, 12)),  # Eagle r1, same footprint as Eagle r3 coords
        ("fake_burlington", "heavy-hex", (3, 1)),  # the T
        ("fake_almaden", "square", (4, 3)),  # 4 rows of 5
        ("fake_athens", "line", (4, 0)),
    ],
)
def test_devices_without_coords_sit_on_their_lattice(
    device: str, method: str, size: tuple[int, int]
) -> None:
    snapshot = load(device)
    layout = qubit_layout(snapshot)
    assert layout.method == method
    assert (layout.width, layout.height) == size
    for a, b in couplers(snapshot):  # every coupler is one lattice step long
        (xa, ya), (xb, yb) = layout.positions[a], layout.positions[b]
        assert abs(xa - xb) + abs(ya - yb) == 1


def test_eagle_without_coords_matches_eagle_with_coords() -> None:
    without = qubit_layout(load("fake_washington"))
    with_coords = qubit_layout(load("fake_brisbane"))
    assert (without.width, without.height) == (with_coords.width, with_coords.height)


def test_a_graph_off_every_lattice_gets_a_spring_layout() -> None:
    layout = qubit_layout(load("fake_yorktown"))  # the bowtie: two triangles
    assert layout.method == "spring"
    assert len(set(layout.positions)) == 5


@pytest.mark.slow
def test_every_bundled_device_renders_a_map() -> None:
    source = BundledSource()
    for name in source.names():
        snapshot = source.load(name)
        layout = qubit_layout(snapshot)
        assert len(set(layout.positions)) == snapshot.num_qubits, name  # no two on one spot
        svg = svg_text(error_map(snapshot, layout=layout))
        assert svg.count('id="qubit-label-') == snapshot.num_qubits, name


def _unit_steps(layout: Layout, edges: list[tuple[int, int]]) -> bool:
    return all(
        abs(layout.positions[a][0] - layout.positions[b][0])
        + abs(layout.positions[a][1] - layout.positions[b][1])
        == 1
        for a, b in edges
    )


def _qiskit_heavy_hex(distance: int) -> tuple[int, list[tuple[int, int]]]:
    from qiskit.transpiler import CouplingMap

    cmap = CouplingMap.from_heavy_hex(distance, bidirectional=False)
    return cmap.size(), sorted({(min(a, b), max(a, b)) for a, b in cmap.get_edges()})


@pytest.mark.parametrize("distance", [3, 5, 7])
def test_qiskit_heavy_hex_without_coords_is_drawn_on_its_lattice(distance: int) -> None:
    n, edges = _qiskit_heavy_hex(distance)
    layout = qubit_layout(device(n, edges))
    assert layout.method == "heavy-hex"
    assert len(set(layout.positions)) == n
    assert _unit_steps(layout, edges)
    # rows of 2d - 1 qubits on even y, bridges on odd y
    rows = Counter(y for _, y in layout.positions)
    assert [rows[y] for y in sorted(rows) if y % 2 == 0] == [2 * distance - 1] * distance


def test_a_damaged_qiskit_heavy_hex_stays_on_the_lattice() -> None:
    n, edges = _qiskit_heavy_hex(7)
    dead = 60  # a bridge qubit left without couplers, and one more coupler gone
    kept = [e for e in edges if dead not in e][1:]
    layout = qubit_layout(device(n, kept))
    assert layout.method == "heavy-hex"
    assert len(set(layout.positions)) == n
    assert _unit_steps(layout, kept)


@pytest.mark.parametrize("distance", [3, 5, 7, 9])
def test_the_qiskit_lattice_is_rustworkx_heavy_hex_graph(distance: int) -> None:
    ours = lattices.lattice_graph(lattices.qiskit_heavy_hex(distance))
    assert len(ours) == lattices.qiskit_heavy_hex_size(distance)
    assert rx.is_isomorphic(ours, rx.generators.heavy_hex_graph(distance))


def test_a_large_square_grid_without_coords_is_found_quickly_enough_to_be_square() -> None:
    width, height = 30, 33
    edges = grid(width, height)
    layout = qubit_layout(device(width * height, edges))
    assert layout.method == "square"
    assert sorted((layout.width, layout.height)) == [width - 1, height - 1]
    assert _unit_steps(layout, edges)


def test_a_graph_that_is_not_bipartite_is_never_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(lattices, "embed", lambda *args: calls.append(args))
    edges = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5)]  # a triangle with a tail
    layout = qubit_layout(device(6, edges))
    assert layout.method == "spring" and calls == []
    assert len(set(layout.positions)) == 6


def test_the_lattice_search_stops_at_its_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_module, "LATTICE_SECONDS", -1.0)  # already past the deadline
    edges = grid(4, 3)
    assert qubit_layout(device(12, edges)).method == "spring"


def test_a_search_that_hits_the_call_limit_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_module, "CALL_LIMIT", 1)
    assert qubit_layout(device(12, grid(4, 3))).method == "spring"


def test_large_graphs_off_every_lattice_are_layered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_module, "SPRING_LIMIT", 10)
    edges = [(i, i + 1) for i in range(39)] + [(0, 2), (10, 12), (20, 22), (5, 30)]  # odd cycles
    layout = qubit_layout(device(40, edges))
    assert layout.method == "layered"
    assert len(set(layout.positions)) == 40
    # breadth-first rows: coupled qubits are at most one row apart
    assert all(abs(layout.positions[a][1] - layout.positions[b][1]) <= 1 for a, b in edges)


def test_qubits_without_couplers_sit_in_rows() -> None:
    layout = qubit_layout(device(10, []))
    assert layout.method == "unconnected"
    assert len(set(layout.positions)) == 10
    assert (layout.width, layout.height) == (3, 2)  # rows of 4: 4, 4, 2


def test_coords_that_are_not_finite_are_not_used() -> None:
    coords = [(0.0, 0.0), (1.0, 0.0), (math.nan, 0.0), (3.0, 0.0)]
    layout = qubit_layout(device(4, [(0, 1), (1, 2), (2, 3)], coords=coords))
    assert layout.method == "line"
    assert layout.positions == ((0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0))


def test_couplers_to_qubits_the_device_does_not_have_are_ignored() -> None:
    snapshot = device(3, [(0, 1), (1, 2), (2, 7), (1, 1)], cz=[0.01, 0.01, 0.01, 0.01])
    assert couplers(snapshot) == [(0, 1), (1, 2)]
    assert qubit_layout(snapshot).method == "line"
