"""Speed and memory of the core reports, against baselines measured in the same run.

    python benchmarks/bench_core.py [--runs N]

Whole-process figures run the installed ``qpumon`` console script with output to a pipe; every
figure is the median of N runs (default 7). Targets (issue 2): monitor fake_boston <= 0.15 s;
overview of every bundled device <= 0.5 s and <= 150 MB peak; in-process load + render of
fake_boston <= 20 ms; backend_monitor(FakeFez()) <= 1.2x building FakeFez().target.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from timing import median_seconds

PYTHON = sys.executable


def qpumon_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m qpumon``."""
    script = Path(PYTHON).with_name("qpumon")
    return [str(script)] if script.exists() else [PYTHON, "-m", "qpumon"]


def process(args: list[str]) -> Callable[[], object]:
    """Run ``args`` as a process with output to a pipe; fail loudly if it fails."""

    def run() -> object:
        return subprocess.run(args, check=True, capture_output=True)

    return run


def peak_memory_mb(args: list[str]) -> float:
    """Peak resident memory of ``args``, measured from a fresh parent that runs only it."""
    probe = (
        "import resource, subprocess, sys; "
        f"subprocess.run({args!r}, check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def row(label: str, seconds: float, baseline: float | None = None, target: str = "") -> None:
    """One printed figure: ``label  seconds  ratio  target``."""
    ratio = f"{seconds / baseline:6.2f}x" if baseline else " " * 7
    print(f"  {label:<52} {seconds * 1000:9.1f} ms  {ratio}  {target}")


def main() -> None:
    """Measure and print every figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    from qpumon.sources.bundled import default_root

    props = default_root() / "boston" / "props_boston.json"
    qpumon = qpumon_command()
    print(f"qpumon core benchmarks: median of {runs} runs; Python {sys.version.split()[0]}")

    print("\nWhole process, `qpumon monitor fake_boston` (156 qubits), target <= 150 ms")
    floor = median_seconds(
        process([PYTHON, "-c", f"import json; json.load(open({str(props)!r}))"]), runs
    )
    row("baseline: python -c 'json.load(props_boston.json)'", floor, floor)
    row(
        "baseline: python -c 'import qiskit'",
        median_seconds(process([PYTHON, "-c", "import qiskit"]), runs),
        floor,
    )
    monitor = median_seconds(process([*qpumon, "monitor", "fake_boston"]), runs)
    row("qpumon monitor fake_boston", monitor, floor, _verdict(monitor, 0.15))
    legacy = median_seconds(process([*qpumon, "monitor", "fake_boston", "-f", "legacy"]), runs)
    row("qpumon monitor fake_boston -f legacy", legacy, floor, _verdict(legacy, 0.15))

    print("\nWhole process, `qpumon overview` (all 68 bundled devices), target <= 500 ms, 150 MB")
    overview = median_seconds(process([*qpumon, "overview"]), runs)
    row("qpumon overview", overview, floor, _verdict(overview, 0.5))
    memory = peak_memory_mb([*qpumon, "overview"])
    print(
        f"  {'peak memory of qpumon overview':<52} {memory:9.1f} MB"
        f"           {_verdict(memory, 150)}"
    )

    print("\nIn process, load + render fake_boston, target <= 20 ms")
    in_process(runs)

    print("\nIn process, BackendV2 path, target <= 1.2x FakeFez().target")
    backend_path(runs)


def in_process(runs: int) -> None:
    """Load + build + render fake_boston inside one process."""
    from qpumon.reports.formats import render_monitor
    from qpumon.reports.monitor import build_monitor
    from qpumon.sources import BundledSource

    source = BundledSource()
    load = median_seconds(lambda: source.load("fake_boston"), runs)
    row("load fake_boston (baseline)", load, load)
    whole = median_seconds(
        lambda: render_monitor(build_monitor(source.load("fake_boston")), "table"), runs
    )
    row("load + build + render (table)", whole, load, _verdict(whole, 0.020))


def backend_path(runs: int) -> None:
    """``backend_monitor(FakeFez())`` against building the fake's target."""
    from qiskit_ibm_runtime.fake_provider import FakeFez

    from qpumon import backend_monitor

    target = median_seconds(lambda: FakeFez().target, runs)
    row("FakeFez().target (baseline)", target, target)
    monitor = median_seconds(lambda: backend_monitor(FakeFez(), file=io.StringIO()), runs)
    row("backend_monitor(FakeFez())", monitor, target, _verdict(monitor / target, 1.2, "x"))


def _verdict(value: float, limit: float, unit: str = "") -> str:
    return ("ok" if value <= limit else "OVER") + f" (target <= {limit}{unit})"


if __name__ == "__main__":
    main()
