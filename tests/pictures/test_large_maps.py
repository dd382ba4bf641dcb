"""Maps beyond ADDRESSABLE_LIMIT qubits: collections instead of one artist per element, a bounded
figure, and qubit numbers only where they can be read."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.collections import EllipseCollection, LineCollection, PathCollection
from matplotlib.colors import LogNorm, Normalize
from matplotlib.path import Path

from qpumon.model import DeviceSnapshot, GateCalibration, QubitCalibration
from qpumon.pictures.errormap import error_map
from qpumon.pictures.glyphs import number_paths
from qpumon.pictures.map_drawing import ADDRESSABLE_LIMIT, MAX_MAP_INCHES
from qpumon.pictures.mpl import render
from tests.pictures.conftest import device, grid


def _grid_device(side: int) -> tuple[DeviceSnapshot, list[float], list[float]]:
    n = side * side
    t1 = [50.0 + (i * 37) % 250 for i in range(n)]
    edges = grid(side, side)
    cz = [0.002 + 0.0001 * (k % 90) for k in range(len(edges))]
    coords = [(float(i % side), float(i // side)) for i in range(n)]
    return device(n, edges, t1=t1, cz=cz, coords=coords), t1, cz


def _collections(figure: object, kind: type) -> dict[str, object]:
    ax = figure.axes[0]  # type: ignore[attr-defined]
    return {c.get_gid(): c for c in ax.collections if isinstance(c, kind)}


def test_a_large_map_is_drawn_with_collections_holding_every_value() -> None:
    side = 35  # 1,225 qubits
    snapshot, t1, cz = _grid_device(side)
    assert snapshot.num_qubits > ADDRESSABLE_LIMIT
    figure = error_map(snapshot, "t1")
    circles = _collections(figure, EllipseCollection)["qubits"]
    assert len(circles.get_offsets()) == side * side
    expected = colormaps["viridis_r"](Normalize(min(t1), max(t1))(np.array(t1)))
    assert np.allclose(circles.get_facecolors(), expected)
    lines = _collections(figure, LineCollection)["couplers"]
    assert len(lines.get_segments()) == len(cz)
    expected = colormaps["viridis"](LogNorm(min(cz), max(cz))(np.array(cz)))
    assert np.allclose(lines.get_colors(), expected)
    labels = _collections(figure, PathCollection)["qubit-labels"]
    assert len(labels.get_paths()) == side * side
    svg = render(figure, "svg").decode()
    ids = {el.get("id") for el in ET.fromstring(svg).iter()}
    assert {"qubits", "couplers", "qubit-labels"} <= ids
    assert "qubit-0" not in ids


def test_ten_thousand_qubits_fit_a_bounded_figure_without_unreadable_numbers() -> None:
    snapshot, _, _ = _grid_device(100)
    figure = error_map(snapshot)
    width, height = figure.get_size_inches()
    assert max(width, height) < MAX_MAP_INCHES + 4
    assert "qubit-labels" not in _collections(figure, PathCollection)
    assert "Qubit numbers left out" in " ".join(t.get_text() for t in figure.texts)
    png = render(figure, "png")
    assert png.startswith(b"\x89PNG")


def test_flagged_qubits_of_a_large_map_are_a_hatched_collection() -> None:
    n = 1_100
    flagged = {3, 500, 1_099}
    gates = [GateCalibration("sx", (i,), 1.0 if i in flagged else 0.0003) for i in range(n)]
    snapshot = DeviceSnapshot(
        name="big",
        num_qubits=n,
        source="test",
        basis_gates=("cz", "sx"),
        coupling_edges=tuple((i, i + 1) for i in range(n - 1)),
        qubits=tuple(QubitCalibration(i, readout_error=0.01) for i in range(n)),
        gates=tuple(gates),
    )
    figure = error_map(snapshot, "sx_error")
    hatched = _collections(figure, EllipseCollection)["qubits-flagged"]
    assert hatched.get_hatch() == "xxx"
    assert sorted(map(tuple, hatched.get_offsets())) == [(float(i), 0.0) for i in sorted(flagged)]
    assert "SX err failed, error = 1: 3 qubits" in render(figure, "svg").decode()


def test_glyph_numbers_are_centred_and_upright() -> None:
    (path,) = number_paths([107], [(5.0, 3.0)], height=0.5)
    box = path.get_extents()
    assert (box.x0 + box.x1) / 2 == pytest.approx(5.0, abs=0.02)
    assert (box.y0 + box.y1) / 2 == pytest.approx(3.0, abs=0.02)
    assert 0.3 < box.height < 0.5 and box.width > box.height  # three digits, upright size
    # the y axis of a map points down, so an upright "7" has its wide bar at the smallest y
    seven = number_paths([7], [(0.0, 0.0)], height=1.0)[0]
    points = seven.vertices[seven.codes != Path.CLOSEPOLY]
    top = points[points[:, 1] < points[:, 1].min() + 0.1]
    bottom = points[points[:, 1] > points[:, 1].max() - 0.1]
    assert np.ptp(top[:, 0]) > 2 * np.ptp(bottom[:, 0])


def test_a_large_map_as_svg_is_one_document() -> None:
    snapshot, _, _ = _grid_device(34)
    svg = render(error_map(snapshot), "svg")
    ET.parse(io.BytesIO(svg))


def test_off_and_dead_qubits_of_a_large_map_are_collections_of_their_own() -> None:
    n = 1_100
    off, dead = {7, 800}, {20, 1_000}
    edges = tuple((i, i + 1) for i in range(n - 1))
    gates = [
        *(GateCalibration("sx", (i,), 1.0 if i in dead else 0.0003) for i in range(n)),
        *(GateCalibration("cz", e, 0.004) for e in edges),
    ]
    snapshot = DeviceSnapshot(
        name="big",
        num_qubits=n,
        source="test",
        basis_gates=("cz", "sx"),
        coupling_edges=edges,
        qubits=tuple(QubitCalibration(i, t1_us=100.0, operational=i not in off) for i in range(n)),
        gates=tuple(gates),
    )
    figure = error_map(snapshot, "t1")
    circles = _collections(figure, EllipseCollection)
    assert sorted(map(tuple, circles["qubits-off"].get_offsets())) == [
        (float(i), 0.0) for i in sorted(off)
    ]
    assert len(circles["qubits"].get_offsets()) == n - len(off)
    crosses = _collections(figure, LineCollection)["qubits-dead"]
    centres = {tuple(np.round(np.mean(segment, axis=0), 6)) for segment in crosses.get_segments()}
    assert centres == {(float(i), 0.0) for i in dead}
    lines = _collections(figure, LineCollection)["couplers"]
    # each off qubit takes its two couplers out of service: drawn black, not from the scale
    black = [tuple(c) for c in lines.get_colors()].count((0.0, 0.0, 0.0, 1.0))
    assert black == 2 * len(off)
    svg = render(figure, "svg").decode()
    assert "out of service (OFF): 2 qubits / 4 CZ couplers<" in svg
    assert "dead, every 1q gate failed (error = 1): 2 qubits<" in svg
