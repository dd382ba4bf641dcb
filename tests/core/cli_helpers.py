"""Run the real ``qpumon`` entry point in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


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
