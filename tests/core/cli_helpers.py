"""Run the ``qpumon`` command line: in process through click's test runner, or as a real
subprocess."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from qpumon.cli import main


@dataclass(frozen=True)
class Invoked:
    """What one in-process run of the command line did."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Invoked:
    """``qpumon ARGS`` in this process, through the real entry point (errors, exit codes)."""
    runner = CliRunner()
    code = 0
    with runner.isolation(env=env) as (out, err, _):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Invoked(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m qpumon ARGS`` with output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "qpumon", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
        check=False,
    )
