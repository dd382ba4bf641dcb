"""The one writer of output files, and output that cannot be turned against its reader."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from qpumon.errors import OutputError
from qpumon.model import GateCalibration
from qpumon.reports.formats import render
from qpumon.reports.monitor import build_monitor
from qpumon.sources import resolve
from qpumon.util.output import write_output
from tests.core.cli_helpers import invoke, run

HOSTILE_NAME = "evil\x1b[2J\x1b]52;c;aGk=\x07=cmd|\n"


def test_a_regular_file_is_replaced_whole_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_output(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temporary left


def test_a_failed_rename_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("good")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=r"report\.txt: cannot write \(Operation not permitted\)"):
        write_output(target, "new")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_a_full_disk_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("a good report")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(target, "x" * 10_000)
    assert target.read_text() == "a good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_symlink_stays_a_link_to_the_new_content(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_output(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    done = run("monitor", "fake_lagos", "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_link_to_standard_output_is_written_through(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    done = run("monitor", "fake_lagos", "-f", "csv", "-o", link)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("device,kind,gate")
    assert link.is_symlink()


def test_private_files_are_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "snapshot.json"
    write_output(target, "{}", private=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def _hostile_snapshot() -> object:
    snapshot = resolve("fake_lagos")
    gates = (*snapshot.gates, GateCalibration("=HYPERLINK(x)", (0, 1), 0.01, 40.0))
    return replace(snapshot, name=HOSTILE_NAME, gates=gates, unit_labels={"t1_us": "µs\x1b[31m"})


@pytest.mark.parametrize("fmt", ["table", "plain", "markdown", "legacy", "html"])
def test_no_control_character_reaches_a_text_format(fmt: str) -> None:
    text = render(build_monitor(_hostile_snapshot()), fmt)  # type: ignore[arg-type]
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b" in text


def test_rich_output_escapes_control_characters() -> None:
    from qpumon.reports.formats import RenderOptions

    text = render(build_monitor(_hostile_snapshot()), "table", RenderOptions(rich=True, width=100))  # type: ignore[arg-type]
    assert "\x1b]52" not in text and "\x07" not in text


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    text = render(build_monitor(_hostile_snapshot()), "csv")  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[0] for row in rows[1:]}
    assert names == {"evil\\x1b[2J\\x1b]52;c;aGk=\\x07=cmd|\\x0a"}  # starts with no formula
    gates = {row[2] for row in rows[1:] if row[1] == "gate"}
    assert "'=HYPERLINK(x)" in gates
    anharmonicity = [row for row in rows if row[4] == "anharmonicity_ghz"]
    assert not anharmonicity or all(not r[5].startswith("'") for r in anharmonicity)


def test_markdown_cells_cannot_break_the_table() -> None:
    text = render(build_monitor(_hostile_snapshot()), "markdown")  # type: ignore[arg-type]
    header = next(line for line in text.splitlines() if line.startswith("- **Device**"))
    assert "\\|" in header and "\n" not in header


def test_json_keeps_the_exact_name() -> None:
    text = render(build_monitor(_hostile_snapshot()), "json")  # type: ignore[arg-type]
    assert json.loads(text)["snapshot"]["name"] == HOSTILE_NAME


def test_a_hostile_name_in_an_error_message_is_escaped(tmp_path: Path) -> None:
    done = invoke("monitor", tmp_path / "missing\x1b[2J.json")
    assert done.exit_code == 2 and "\x1b" not in done.stderr and "\\x1b[2J" in done.stderr
