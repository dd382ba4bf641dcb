"""The live overview over 20 devices, each answer delayed 100 ms, against a sequential fetch.

    python benchmarks/bench_live.py [--runs N] [--latency SECONDS]

The IBM stand-in (tests/live/ibm_server.py) serves the 20 largest bundled devices on 127.0.0.1
and adds ``--latency`` (default 0.1 s) to every answer, the API-key exchange included. Whole-process
figures run the real ``qpumon overview --live`` and, as the baseline, the same overview with a
pool of one worker (a sequential fetch). Cold: ``--refresh`` (configurations fetched); warm:
configurations from the cache. Every figure is the median of N runs (default 5) after a warm-up.
Target (issue 3): the live overview of 20 devices <= 1.5 s for the whole process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn  # noqa: E402

PYTHON = sys.executable
STEMS = (
    "aachen", "berlin", "boston", "brisbane", "brussels", "cusco", "fez", "kawasaki", "kingston",
    "kyiv", "kyoto", "marrakesh", "miami", "nighthawk", "osaka", "pittsburgh", "quebec",
    "sherbrooke", "strasbourg", "torino",
)  # fmt: skip
TARGET_SECONDS = 1.5

_SEQUENTIAL = (
    "import sys; from qpumon.live import LiveOptions; from qpumon.cli.live import "
    "run_live_overview; run_live_overview((), LiveOptions(workers=1, refresh=sys.argv[1] == "
    "'cold'), fmt='table')"
)

_IN_PROCESS = """
import statistics, sys, time
from qpumon.live import LiveOptions, connect
from qpumon.live.overview import live_overview
runs = int(sys.argv[1])
for workers in (16, 1):
    source = connect(LiveOptions(workers=workers))
    live_overview(source)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        live_overview(source)
        times.append(time.perf_counter() - start)
    print(statistics.median(times))
"""


def process(args: list[str], env: dict[str, str]) -> Callable[[], object]:
    """Run ``args`` with output to a pipe; fail loudly if it fails."""

    def run() -> object:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args[:4])}... failed:\n{done.stderr}")
        return done

    return run


def overview_command() -> list[str]:
    """``qpumon overview --live`` through the real entry point."""
    return [PYTHON, "-m", "qpumon", "overview", "--live"]


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    server = IBMStandIn.with_devices(STEMS)
    with server.running(), tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_CACHE_HOME": f"{home}/.cache",
               "IAM_URL": server.url, "QISKIT_IBM_TOKEN": GOOD_KEY,
               "QISKIT_IBM_INSTANCE": CRN, "QISKIT_IBM_URL": server.api_url}  # fmt: skip
        command = overview_command()
        process(command, env)()  # fills the cache, checks the command works
        server.latency = args.latency
        figures = measure(command, env, args.runs)
        per_run = len(server.requests)
    report(figures, command, args, per_run)


def measure(command: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    """The whole-process figures."""
    importing = [PYTHON, "-c", "import qiskit_ibm_runtime"]
    inside = process([PYTHON, "-c", _IN_PROCESS, str(runs)], env)().stdout.split()  # type: ignore[attr-defined]
    return {
        "inside": float(inside[0]),
        "inside_sequential": float(inside[1]),
        "import": median_seconds(process(importing, env), runs),
        "cold": median_seconds(process([*command, "--refresh"], env), runs),
        "warm": median_seconds(process(command, env), runs),
        "cold_sequential": median_seconds(process([PYTHON, "-c", _SEQUENTIAL, "cold"], env), runs),
        "warm_sequential": median_seconds(process([PYTHON, "-c", _SEQUENTIAL, "warm"], env), runs),
    }


def report(figures: dict[str, float], command: list[str], args: argparse.Namespace,
           requests: int) -> None:  # fmt: skip
    """Print the figures beside their baselines."""
    shown = " ".join(command[3:])  # after: python -m qpumon
    print(f"live overview of {len(STEMS)} devices, {args.latency * 1000:.0f} ms added to every "
          f"answer; median of {args.runs} runs; command: qpumon {shown}")  # fmt: skip
    print(f"  python -c 'import qiskit_ibm_runtime' (the client alone): {figures['import']:6.2f} s")
    for cache in ("cold", "warm"):
        concurrent, sequential = figures[cache], figures[f"{cache}_sequential"]
        label = "configurations fetched (--refresh)" if cache == "cold" else "configurations cached"
        print(f"  {label}:")
        print(
            f"    concurrent (pool of 16), whole process: {concurrent:6.2f} s "
            f"(target <= {TARGET_SECONDS} s: {'met' if concurrent <= TARGET_SECONDS else 'MISSED'})"
        )
        print(
            f"    sequential (pool of 1),  whole process: {sequential:6.2f} s "
            f"-> concurrent is {sequential / concurrent:.1f}x faster"
        )
        print(
            f"    network + work beyond the client's import: concurrent "
            f"{concurrent - figures['import']:.2f} s, sequential "
            f"{sequential - figures['import']:.2f} s"
        )
    concurrent, sequential = figures["inside"], figures["inside_sequential"]
    print("  in one process, after the imports (configurations cached):")
    print(
        f"    concurrent (pool of 16): {concurrent:6.2f} s; sequential (pool of 1): "
        f"{sequential:6.2f} s -> {sequential / concurrent:.1f}x faster"
    )
    print(f"  ({requests} requests served in total)")


if __name__ == "__main__":
    main()
