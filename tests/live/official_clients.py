"""Official vendor clients that cannot be installed beside qpumon, each in its own virtual
environment, built once and cached for the contract tests (``$QPUMON_CONTRACT_ENVS``, else the
temporary folder). A lock keeps concurrent runs (the test command's two legs) from building one
twice. A build is skipped, saying why, only when pip cannot reach the package index; any other
failure fails the test."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

#: What pip prints when it cannot reach an index (the only reason to skip).
OFFLINE_SIGNS = (
    "No matching distribution found",
    "Could not find a version",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
)


def cache() -> Path:
    """Where the environments are kept."""
    folder = os.environ.get("QPUMON_CONTRACT_ENVS")
    return Path(folder) if folder else Path(tempfile.gettempdir()) / "qpumon-contract-envs"


def client_python(requirement: str) -> Path:
    """The interpreter of an environment holding ``requirement`` (``iqm-client==36.0.0``),
    built on first use."""
    folder = cache()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / requirement.replace("==", "-")
    python = final / "bin" / "python"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists():
            return python
        building = Path(tempfile.mkdtemp(prefix="building-", dir=folder))
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
        done = subprocess.run(
            [str(building / "bin" / "python"), "-m", "pip", "install", "-q", requirement],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            if any(sign in done.stderr for sign in OFFLINE_SIGNS):
                pytest.skip(f"pip cannot install {requirement}: {done.stderr.strip()[-300:]}")
            raise AssertionError(f"pip install {requirement} failed: {done.stderr[-2000:]}")
        building.rename(final)
    return python
