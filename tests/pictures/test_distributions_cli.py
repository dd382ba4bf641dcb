"""Distributions against the raw JSON, and the picture commands through the real CLI."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qpumon.cli import cli
from qpumon.model.metrics import format_number
from qpumon.pictures import compare_figure, distribution_figure
from qpumon.sources import resolve as load


def _t1(props: dict[str, Any]) -> list[float]:
    return [float(p["value"]) for q in props["qubits"] for p in q if p["name"] == "T1"]


def test_histogram_counts_every_measured_t1(raw: Any) -> None:
    _, props = raw("kingston")
    t1 = _t1(props)
    figure = distribution_figure(load("fake_kingston"), "t1", "hist")
    ax = figure.axes[0]
    assert len(t1) == 155  # qubit 146 has none
    (polygon,) = ax.patches
    assert polygon.get_label().startswith(f"fake_kingston (n={len(t1)}, median ")
    assert f"{format_number(statistics.median(t1), 4)} µs" in polygon.get_label()
    assert "fake_kingston: 1 qubit missing" in figure.get_supxlabel()


def _failed_2q(props: dict[str, Any], gate: str) -> tuple[int, int]:
    """Failed entries of ``gate`` (each direction counts) and the couplers they sit on."""
    failed = [
        g
        for g in props["gates"]
        if g["gate"] == gate
        and any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    ]
    return len(failed), len({frozenset(g["qubits"]) for g in failed})


def test_cdf_compare_leaves_flags_out_and_counts_them_as_monitor_does(raw: Any) -> None:
    _, kyoto = raw("kyoto")
    _, fez = raw("fez")
    figure = compare_figure([load("fake_fez"), load("fake_kyoto")], "2q_error", "cdf")
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels[1] == "fake_kyoto (n=0, median —)"
    entries, couplers = _failed_2q(kyoto, "ecr")
    note = " ".join(figure.get_supxlabel().split())
    assert entries == couplers  # kyoto lists one ECR direction a coupler
    assert f"fake_kyoto: {couplers} ECR couplers flagged (error = 1)" in note
    entries, couplers = _failed_2q(fez, "cz")
    assert (entries, couplers) == (14, 7)
    assert f"fake_fez: {couplers} CZ couplers flagged (error = 1);" in note
    fez_line = ax.get_lines()[0]
    assert list(fez_line.get_ydata())[-1] == 1.0
    assert ax.get_xscale() == "log"


def test_couplers_kept_by_a_measured_direction_are_said_to_be(raw: Any) -> None:
    _, props = raw("geneva")
    entries, couplers = _failed_2q(props, "cx")
    assert entries == couplers == 2  # each fails in one direction only
    note = " ".join(
        distribution_figure(load("fake_geneva"), "2q_error", "hist").get_supxlabel().split()
    )
    assert (
        f"fake_geneva: {couplers} CX couplers flagged "
        f"(error = 1; {couplers} of these couplers keep a measured direction)"
    ) in note


@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
def test_map_command_writes_each_format(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"map.{suffix}"
    result = CliRunner().invoke(cli, ["map", "fake_burlington", "-o", str(out)])
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:8]
    assert {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}[suffix] in head


def test_plot_and_compare_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["plot", "fake_fez", "--metric", "t2", "--kind", "box"],
        ["compare", "fake_fez", "fake_torino", "--metric", "2q_error"],
    ):
        out = tmp_path / "x.svg"
        result = runner.invoke(cli, [*args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "<svg" in out.read_text()


def test_unknown_suffix_is_a_one_line_error(tmp_path: Path) -> None:
    from qpumon.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["map", "fake_fez", "-o", str(tmp_path / "x.gif")])
    assert exit_info.value.code == 2
    assert not (tmp_path / "x.gif").exists()


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from qpumon.errors import QpumonError
    from qpumon.pictures import mpl

    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(QpumonError, match=r"pip install 'qpumon\[plots\]'"):
        mpl.matplotlib_module()
