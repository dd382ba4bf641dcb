"""Fixtures for the picture tests: the raw IBM JSON, read independently of qpumon."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from qpumon.model import DeviceSnapshot, GateCalibration, QubitCalibration

SVG = "{http://www.w3.org/2000/svg}"


def backends_folder() -> Path:
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


@pytest.fixture(scope="session")
def raw() -> Callable[[str], tuple[dict[str, Any], dict[str, Any]]]:
    """``raw("fez")`` -> (conf, props) as IBM wrote them."""

    def read(stem: str) -> tuple[dict[str, Any], dict[str, Any]]:
        folder = backends_folder() / stem
        conf = json.loads((folder / f"conf_{stem}.json").read_text())
        props = json.loads((folder / f"props_{stem}.json").read_text())
        return conf, props

    return read


def svg_groups(svg: str) -> dict[str, ET.Element]:
    """Every element of ``svg`` that has an id, by id."""
    root = ET.fromstring(svg)
    return {el.get("id", ""): el for el in root.iter() if el.get("id")}


def path_centre(group: ET.Element) -> tuple[float, float]:
    """Centre of the bounding box of the first path in ``group`` (a circle's centre)."""
    path = group.find(f"{SVG}path")
    assert path is not None
    numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", path.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def style_of(group: ET.Element) -> str:
    """The style attribute of the first path in ``group``."""
    path = group.find(f"{SVG}path")
    assert path is not None
    return path.get("style", "")


def fill_of(group: ET.Element) -> str:
    """The fill colour (``#rrggbb``) of the first path in ``group``."""
    match = re.search(r"fill:\s*(#[0-9a-f]{6})", style_of(group))
    assert match is not None, style_of(group)
    return match.group(1)


def device(
    n: int,
    edges: Sequence[tuple[int, int]] = (),
    *,
    name: str = "dev",
    t1: Sequence[float | None] | None = None,
    readout: Sequence[float | None] | None = None,
    cz: Sequence[float | None] | None = None,
    coords: Sequence[tuple[float, float]] | None = None,
) -> DeviceSnapshot:
    """A CZ device of ``n`` qubits built in the test: couplers ``edges`` (one gate entry each),
    per-qubit ``t1`` and ``readout`` errors, per-coupler ``cz`` errors (defaults: ordinary
    values)."""
    t1 = [100.0 + i for i in range(n)] if t1 is None else t1
    readout = [0.01 * (1 + i % 7) for i in range(n)] if readout is None else readout
    cz = [0.005 * (1 + i % 5) for i in range(len(edges))] if cz is None else cz
    return DeviceSnapshot(
        name=name,
        num_qubits=n,
        source="test",
        basis_gates=("cz", "sx", "rz"),
        coupling_edges=tuple(edges),
        coords=None if coords is None else tuple(coords),
        qubits=tuple(QubitCalibration(i, t1_us=t1[i], readout_error=readout[i]) for i in range(n)),
        gates=tuple(GateCalibration("cz", e, cz[k], 60.0) for k, e in enumerate(edges)),
    )


def grid(width: int, height: int) -> list[tuple[int, int]]:
    """Couplers of a ``width`` x ``height`` square grid numbered row by row."""
    edges = [(y * width + x, y * width + x + 1) for y in range(height) for x in range(width - 1)]
    return edges + [
        (y * width + x, (y + 1) * width + x) for y in range(height - 1) for x in range(width)
    ]
