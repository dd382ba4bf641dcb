"""Pictures benchmark: whole-process times of ``qpumon map``/``report`` against Qiskit.

Runs each command as a fresh process (imports included), median of RUNS runs, and Qiskit's
``plot_error_map(FakeBoston())`` saved to PNG as the baseline, measured in the same run.
Qiskit's baseline needs seaborn and the Graphviz binaries (``dot``); it is reported as missing
otherwise.  Run: ``python benchmarks/bench_pictures.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
REPORT_BUDGET_S = 2.0
QISKIT = """
import matplotlib
matplotlib.use("Agg")
from qiskit.visualization import plot_error_map
from qiskit_ibm_runtime.fake_provider import FakeBoston
plot_error_map(FakeBoston()).savefig({out!r})
"""


def timed(argv: list[str]) -> float | None:
    """Median wall time of ``argv`` over RUNS fresh processes; None if it fails."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(f"  failed: {' '.join(argv[:4])}...: {done.stderr.strip()[-200:]}")
            return None
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    qpumon = [sys.executable, "-c", "from qpumon.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        baseline = timed([sys.executable, "-c", QISKIT.format(out=str(out / "qiskit.png"))])
        rows = [
            (
                "qpumon map fake_boston -o x.svg",
                timed([*qpumon, "map", "fake_boston", "-o", str(out / "x.svg")]),
            ),
            (
                "qpumon map fake_boston -o x.png",
                timed([*qpumon, "map", "fake_boston", "-o", str(out / "x.png")]),
            ),
        ]
        report = timed([*qpumon, "report", "fake_boston", "-o", str(out / "x.html")])
    print(f"whole process, median of {RUNS} runs")
    print(
        f"  {'qiskit plot_error_map(FakeBoston()) -> PNG':45s} "
        f"{'n/a' if baseline is None else f'{baseline:6.3f} s'}"
    )
    for label, seconds in rows:
        if seconds is None:
            continue
        ratio = f"  ({baseline / seconds:.1f}x faster than qiskit)" if baseline else ""
        print(f"  {label:45s} {seconds:6.3f} s{ratio}")
    if report is not None:
        verdict = "OK" if report <= REPORT_BUDGET_S else "OVER BUDGET"
        print(
            f"  {'qpumon report fake_boston -o x.html':45s} {report:6.3f} s"
            f"  (budget {REPORT_BUDGET_S} s: {verdict})"
        )


if __name__ == "__main__":
    main()
