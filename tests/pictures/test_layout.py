"""Qubit placement: the configuration's coords, else IBM's lattices, and every device drawable."""

from __future__ import annotations

from typing import Any

import pytest

from qpumon.pictures.errormap import error_map
from qpumon.pictures.layout import couplers, qubit_layout
from qpumon.pictures.mpl import svg_text
from qpumon.sources import BundledSource
from qpumon.sources import resolve as load


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
