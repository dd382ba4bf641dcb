"""Fixtures for the picture tests: the raw IBM JSON, read independently of qpumon."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
