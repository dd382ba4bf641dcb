"""Bounded work (issue 20): whole-process wall time of the commands whose work used to grow
without bound, beside ``qpumon --version`` as the floor.

    python benchmarks/bench_hostile_work.py [--runs N] [--src DIR] [--timeout S] [--only NAME]

Each figure is the median of N runs (default 3) of a fresh process, with its ratio to the
floor measured in the same run. ``--src DIR`` runs the ``qpumon`` package found in DIR (a
``src`` folder, e.g. one written by ``git archive <commit> src | tar -x -C /tmp/before``), to
measure an older version on the same inputs; a run past ``--timeout`` (default 150 s) is killed
and shown as ``> S``. The inputs are the hostile corpus's own (``tests/hostile/corpus.py``),
generated into a temporary folder:

- ``place-cx``: 200,000 CX alternating on 3 qubits, ``--max-seconds 5`` (issue: > 100 s);
- ``place-random``: 200,000 random gates on 3 qubits;
- ``place-4000``: 4,000 alternating CX, ``--max-seconds 0.5`` (stopped inside translation);
- ``map-one``: 20,000 qubits and one coupler (the lattice search: minutes);
- ``map-free``: 20,000 qubits without couplers (issue: 55 s);
- ``map-grid``/``plot-grid``: a 100 x 100 grid without coords;
- ``best-any-grid``: ``best -n 60 --shape any`` on that grid (110 s);
- ``best-any-fez``: ``best fake_fez -n 16 --shape any`` (31 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.corpus import _alternating_cx, _device_file, _grid, _random_three_qubit


def _inputs(folder: Path) -> dict[str, list[str]]:
    """The commands (arguments to ``qpumon``), their inputs written into ``folder``."""

    def circuit(name: str, text: str) -> str:
        path = folder / f"{name}.qasm"
        path.write_text(text, encoding="utf-8")
        return str(path)

    narrow = circuit("cx", _alternating_cx(200_000))
    short = circuit("cx4000", _alternating_cx(4_000))
    noisy = circuit("random", _random_three_qubit(200_000))
    one = _device_file(folder, "one", 20_000, [(0, 1)])
    free = _device_file(folder, "free", 20_000, [])
    grid = _device_file(folder, "grid", 10_000, _grid(100))
    return {
        "floor": ["--version"],
        "place-cx": ["place", narrow, "fake_lagos", "--max-seconds", "5"],
        "place-random": ["place", noisy, "fake_lagos"],
        "place-4000": ["place", short, "fake_lagos", "--max-seconds", "0.5"],
        "map-one": ["map", one, "-o", str(folder / "one.svg")],
        "map-free": ["map", free, "-o", str(folder / "free.svg")],
        "map-grid": ["map", grid, "-o", str(folder / "grid.svg")],
        "plot-grid": ["plot", grid, "-o", str(folder / "plot.svg")],
        "best-any-grid": ["best", grid, "-n", "60", "--shape", "any"],
        "best-any-fez": ["best", "fake_fez", "-n", "16", "--shape", "any"],
    }


def _run(args: list[str], src: str | None, timeout: float) -> tuple[float, int | None]:
    """Wall seconds and exit code of one ``qpumon ARGS`` (None: killed at ``timeout``)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "qpumon", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return timeout, None
    return time.perf_counter() - start, done.returncode


def _median(
    args: list[str], src: str | None, timeout: float, runs: int
) -> tuple[float, int | None]:
    """Median seconds of ``runs`` runs and the last exit code; one run past ``timeout`` ends
    the series (its figure is then the timeout)."""
    times: list[float] = []
    code: int | None = None
    for _ in range(runs):
        seconds, code = _run(args, src, timeout)
        if code is None:
            return timeout, None
        times.append(seconds)
    return statistics.median(times), code


def main() -> None:
    """Print one line per command: median seconds, ratio to the floor, exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--src", help="the src folder of the qpumon to measure")
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--only", action="append", help="a command name (repeatable)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        commands = _inputs(Path(folder))
        chosen = {k: v for k, v in commands.items() if not options.only or k in options.only}
        chosen["floor"] = commands["floor"]
        figures: dict[str, tuple[float, int | None]] = {}
        for name, args in chosen.items():
            figures[name] = _median(args, options.src, options.timeout, options.runs)
    floor = figures["floor"][0]
    print(f"{'command':<16}{'median s':>10}{'x floor':>10}{'exit':>6}")
    for name, (seconds, code) in figures.items():
        shown = f"> {seconds:.0f}" if code is None else f"{seconds:.2f}"
        print(f"{name:<16}{shown:>10}{seconds / floor:>10.1f}{'-' if code is None else code:>6}")


if __name__ == "__main__":
    main()
