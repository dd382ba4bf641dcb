"""Pictures benchmark: whole-process ``qpumon map`` on generated devices (issue 12), and the
bundled ones.

    python benchmarks/bench_pictures.py [--runs N] [--only NAME]

Every figure is a fresh process (imports included): the median wall and CPU time of N runs
(default 5) and the peak resident memory, beside floors measured in the same run (``import
matplotlib``; matplotlib drawing and saving one empty figure). The devices of issue 12 are
generated here into a temporary folder as qpumon snapshot JSON, never committed:

- ``hh115``: Qiskit's own ``CouplingMap.from_heavy_hex(7)`` (115 qubits, no coords);
- ``hh883``: ``CouplingMap.from_heavy_hex(19)`` (883 qubits, no coords);
- ``grid990``: a 30 x 33 square grid, no coords;
- ``random1000``: a random connected graph of 1,000 qubits (a random tree plus 500 couplers);
- ``grid10000``: a 100 x 100 square grid of 10,000 qubits with coords.

Qiskit's ``plot_error_map(FakeBoston())`` is a baseline where seaborn and Graphviz are installed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from devices import device_json, grid_edges, heavy_hex_edges, random_connected_edges

PYTHON = sys.executable
#: Issue 12's goals, seconds of wall time per whole process.
GOALS = {"hh115": 2.5, "hh883": 5.0, "grid990": 5.0, "random1000": 5.0, "grid10000": 5.0}
#: (device, output suffix) of each generated-device row.
ROWS = [(name, "png") for name in GOALS] + [("grid10000", "svg")]
REPORT_BUDGET_S = 2.0
QISKIT = """
import matplotlib
matplotlib.use("Agg")
from qiskit.visualization import plot_error_map
from qiskit_ibm_runtime.fake_provider import FakeBoston
plot_error_map(FakeBoston()).savefig({out!r})
"""
EMPTY_FIGURE = (
    "import io; from matplotlib.figure import Figure; "
    "Figure(figsize=(8, 6)).savefig(io.BytesIO(), format='png', dpi=150)"
)


@dataclass(frozen=True)
class Figures:
    """Median wall and CPU seconds over the runs, and the largest peak RSS (MB)."""

    wall: float
    cpu: float
    rss_mb: float


#: Runs one command from a fresh, small interpreter and prints its wall time, CPU time and peak
#: RSS: a child's peak RSS starts at its parent's size at fork, so measuring from this (large)
#: benchmark process would report the benchmark's own memory.
PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([done.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                  done.stderr.decode(errors="replace")[-160:]]))
"""


def measure(argv: Sequence[str], runs: int) -> Figures | str:
    """Run ``argv`` ``runs`` times as a fresh process; its figures, or why it failed."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        probe = subprocess.run(
            [PYTHON, "-c", PROBE, *argv], capture_output=True, text=True, check=True
        )
        code, wall, cpu, peak_kb, error = json.loads(probe.stdout)
        if code != 0:
            return f"failed ({code}): {error.strip()}"
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak_kb / 1024)
    return Figures(statistics.median(walls), statistics.median(cpus), max(peaks))


def qpumon_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m qpumon``."""
    script = Path(PYTHON).with_name("qpumon")
    return [str(script)] if script.exists() else [PYTHON, "-m", "qpumon"]


def generate(folder: Path) -> dict[str, Path]:
    """Write the generated devices into ``folder``; their paths by name."""
    rng = random.Random(12)
    n115, hh115 = heavy_hex_edges(7)
    n883, hh883 = heavy_hex_edges(19)
    grid_coords = [(float(x), float(y)) for y in range(100) for x in range(100)]
    devices: dict[str, tuple[int, list[tuple[int, int]], list[tuple[float, float]] | None]] = {
        "hh115": (n115, hh115, None),
        "hh883": (n883, hh883, None),
        "grid990": (*grid_edges(30, 33), None),
        "random1000": (1000, random_connected_edges(1000, 500, rng), None),
        "grid10000": (*grid_edges(100, 100), grid_coords),
    }
    paths = {}
    for name, (n, edges, coords) in devices.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(device_json(name, n, edges, coords, rng), encoding="utf-8")
    return paths


# --- printing ------------------------------------------------------------------------------


def line(label: str, figures: Figures | str, floor: Figures | None = None, goal: str = "") -> None:
    """One printed row: wall, CPU, peak RSS, the ratio to the floor and the goal's verdict."""
    if isinstance(figures, str):
        print(f"  {label:<44} {figures}")
        return
    ratio = f"{figures.wall / floor.wall:5.1f}x floor" if floor else " " * 11
    print(
        f"  {label:<44} {figures.wall:7.2f} s wall {figures.cpu:7.2f} s cpu "
        f"{figures.rss_mb:7.0f} MB  {ratio}  {goal}"
    )


def verdict(figures: Figures | str, goal: float) -> str:
    """``goal 2.5 s: OK`` or ``goal 2.5 s: MISSED``."""
    ok = not isinstance(figures, str) and figures.wall <= goal
    return f"goal <= {goal:g} s: {'OK' if ok else 'MISSED'}"


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the devices, measure and print every row."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", help="only this generated device (repeatable)")
    args = parser.parse_args(argv)
    qpumon = qpumon_command()
    runs: Callable[[Sequence[str]], Figures | str] = lambda a: measure(a, args.runs)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        devices = generate(out)
        print(f"whole process, median of {args.runs} runs; peak RSS is the largest of the runs")
        floor = runs([PYTHON, "-c", "import matplotlib"])
        line("floor: python -c 'import matplotlib'", floor)
        empty = runs([PYTHON, "-c", EMPTY_FIGURE])
        line(
            "floor: matplotlib saves one empty PNG",
            empty,
            floor if isinstance(floor, Figures) else None,
        )
        base = floor if isinstance(floor, Figures) else None
        for name, suffix in ROWS:
            if args.only and name not in args.only:
                continue
            target = str(out / f"{name}.{suffix}")
            figures = runs([*qpumon, "map", str(devices[name]), "-o", target])
            line(f"qpumon map {name} -o x.{suffix}", figures, base, verdict(figures, GOALS[name]))
        if not args.only:
            bundled(qpumon, out, runs, base)


def bundled(
    qpumon: list[str],
    out: Path,
    runs: Callable[[Sequence[str]], Figures | str],
    base: Figures | None,
) -> None:
    """The bundled fake_boston as map, report, and Qiskit's own error map."""
    for suffix in ("svg", "png"):
        figures = runs([*qpumon, "map", "fake_boston", "-o", str(out / f"boston.{suffix}")])
        line(f"qpumon map fake_boston -o x.{suffix}", figures, base)
    report = runs([*qpumon, "report", "fake_boston", "-o", str(out / "boston.html")])
    line("qpumon report fake_boston -o x.html", report, base, verdict(report, REPORT_BUDGET_S))
    import importlib.util

    if importlib.util.find_spec("seaborn") is None:  # Qiskit's error map needs it; qpumon not
        print("  qiskit plot_error_map(FakeBoston())  skipped: needs seaborn")
        return
    qiskit = runs([PYTHON, "-c", QISKIT.format(out=str(out / "qiskit.png"))])
    line("qiskit plot_error_map(FakeBoston()) -> PNG", qiskit, base)


if __name__ == "__main__":
    main()
