"""Timing shared by the benchmark scripts (run as ``python benchmarks/bench_<area>.py``)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``action`` over ``runs`` runs (after one warm-up)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def wall(args: list[str], cwd: Path | None = None) -> float:
    """Wall time of one run of the process ``args`` (output discarded)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def interleaved(
    commands: dict[str, list[str]], runs: int, cwd: Path | None = None
) -> dict[str, float]:
    """Median wall time of each command (after one warm-up), the commands interleaved run by
    run, so that a busy machine slows them all alike."""
    for args in commands.values():
        wall(args, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            times[name].append(wall(args, cwd))
    return {name: statistics.median(found) for name, found in times.items()}


def peak_mb(args: list[str], cwd: Path | None = None) -> float:
    """Peak resident memory (MB) of one run of ``args``, from a parent that runs only it."""
    where = None if cwd is None else str(cwd)
    probe = (
        "import resource, subprocess, sys; "
        f"subprocess.run({args!r}, check=True, stdout=subprocess.DEVNULL, cwd={where!r}); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024
