"""matplotlib without global state, and pictures written through the one writer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import OutputError
from qpumon.pictures import map_figure
from qpumon.pictures.mpl import save
from tests.pictures.conftest import device

# Run in a fresh interpreter: the test process's own matplotlib state must not hide a change,
# and setting a backend here would leak into the other tests.
KEEPS_THE_BACKEND = """
import sys
import matplotlib
matplotlib.use("pdf")
before = {key: matplotlib.rcParams[key] for key in ("svg.fonttype", "svg.hashsalt", "font.size")}
from qpumon.pictures import compare_figure, distribution_figure, map_figure
from qpumon.pictures.mpl import render, svg_text
from qpumon.sources import resolve
fez = resolve("fake_fez")
render(map_figure(fez), "png")
svg_text(distribution_figure(fez, "t1", "hist"))
render(compare_figure([fez, resolve("fake_torino")], "2q_error", "box"), "pdf")
after = {key: matplotlib.rcParams[key] for key in before}
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules, before == after)
"""


def test_drawing_leaves_the_backend_and_rc_settings_as_the_caller_set_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", KEEPS_THE_BACKEND], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["pdf", "False", "True"]


def test_an_existing_file_survives_a_failed_drawing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "map.png"
    out.write_bytes(b"the good picture")
    figure = map_figure(device(3, [(0, 1), (1, 2)]))

    def fail(*args: Any, **kwargs: Any) -> None:
        raise ValueError("Image size of 99999x99999 pixels is too large")

    monkeypatch.setattr(figure, "savefig", fail)
    with pytest.raises(OutputError, match="cannot draw the picture"):
        save(figure, str(out))
    assert out.read_bytes() == b"the good picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_saving_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.svg"
    target.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    save(map_figure(device(3, [(0, 1), (1, 2)])), str(link))
    assert link.is_symlink()
    assert target.read_text().startswith("<?xml")
