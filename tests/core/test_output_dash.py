"""``-o -`` means standard output for every command that has ``-o``; no file named ``-``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qpumon.util.output import shown_path, write_output
from tests.core.cli_helpers import invoke


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """Run in ``tmp_path``, where a file named ``-`` would appear."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


@pytest.mark.parametrize(
    "args",
    [
        ("monitor", "fake_lagos", "-f", "csv"),
        ("overview", "fake_lagos", "fake_fez", "-f", "json"),
        ("list", "-f", "markdown"),
        ("best", "fake_lagos", "-n", "3", "-f", "json"),
    ],
)
def test_a_report_to_dash_is_what_standard_output_shows(
    args: tuple[str, ...], folder: Path
) -> None:
    plain = invoke(*args)
    dashed = invoke(*args, "-o", "-")
    assert plain.exit_code == dashed.exit_code == 0, dashed.stderr
    assert dashed.stdout == plain.stdout and dashed.stdout
    assert list(folder.iterdir()) == []


def test_pictures_reports_and_dashboards_go_to_standard_output(folder: Path) -> None:
    picture = invoke("map", "fake_lagos", "-o", "-")
    assert picture.exit_code == 0, picture.stderr
    assert picture.stdout.lstrip().startswith("<?xml") and "</svg>" in picture.stdout
    assert picture.stderr == "qpumon: wrote standard output\n"
    page = invoke("report", "fake_lagos", "-o", "-")
    assert page.exit_code == 0 and page.stdout.lstrip().lower().startswith("<!doctype html>")
    board = invoke("grafana-dashboard", "-o", "-")
    assert board.exit_code == 0 and json.loads(board.stdout)["panels"]
    assert "standard output" in board.stderr
    assert list(folder.iterdir()) == []


def test_a_file_named_dash_is_written_as_dot_slash_dash(folder: Path) -> None:
    write_output("./-", "kept")
    assert (folder / "-").read_text() == "kept"
    assert shown_path("-") == "standard output" and shown_path("./-") == "./-"
