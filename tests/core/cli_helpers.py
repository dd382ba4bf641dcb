"""Run the ``qpumon`` command line: in process through click's test runner, or as a real
subprocess."""

from __future__ import annotations

import os
import signal
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


#: ``qpumon`` as a terminal's foreground job runs it: with Ctrl-C delivered even where the tests
#: run with SIGINT ignored (a background job of a non-interactive shell passes that on).
FOREGROUND = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from qpumon.cli import main\n"
    "main()\n"
)


def start(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``qpumon ARGS`` running in the background as a foreground job would (see
    :data:`FOREGROUND`), its output captured as text: for tests that signal it."""
    return subprocess.Popen(
        [sys.executable, "-c", FOREGROUND, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
    )


def stop(
    process: subprocess.Popen[str], signum: int = signal.SIGINT, timeout: float = 60
) -> tuple[int, str, str]:
    """Send ``signum``, wait at most ``timeout`` seconds for the process to end (killed
    otherwise, failing the wait); its exit code, stdout and stderr."""
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, err
