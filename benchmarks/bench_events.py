"""``qpumon events`` over two years of a 156-qubit device, whole process.

    python benchmarks/bench_events.py [--runs N] [--days D]

Target (issue 22): ``events DEVICE`` over 730 days of a 156-qubit device <= 2 s. The history is
``demo-history fake_fez --days 730`` (730 daily snapshots of 156 qubits and 352 couplers) in a
fresh SQLite store, built once; then, each the median of N runs (default 5), interleaved:
- ``qpumon events fake_fez`` (every episode kind over the whole history);
- ``qpumon events fake_fez --timeline t1.png`` (and the heat map);
- the floor: ``qpumon --version`` (a whole qpumon process doing nothing).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0


def _timed(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qpumon", *args], check=False, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"qpumon {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def events_rows(runs: int, days: int) -> list[str]:
    """Build the history, time the commands; the printed rows."""
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "history.db")
        built = _timed("demo-history", "fake_fez", "--days", str(days), "--db", db)
        rows: dict[str, list[float]] = {"events": [], "events --timeline": [], "floor": []}
        for _ in range(runs):
            rows["events"].append(_timed("events", "fake_fez", "--db", db))
            picture = str(Path(tmp) / "t1.png")
            rows["events --timeline"].append(
                _timed("events", "fake_fez", "--db", db, "--timeline", picture)
            )
            rows["floor"].append(_timed("--version"))
    floor = statistics.median(rows["floor"])
    lines = [f"history: demo-history fake_fez --days {days} built in {built:.1f} s"]
    lines.append(f"{'command':<34}{'median':>9}{'x floor':>9}")
    for name, times in rows.items():
        median = statistics.median(times)
        label = "qpumon --version (floor)" if name == "floor" else f"qpumon {name}"
        verdict = ""
        if name == "events":
            verdict = f"   target <= {TARGET_S:g} s: {'ok' if median <= TARGET_S else 'MISSED'}"
        lines.append(f"{label:<34}{median:>8.2f}s{median / floor:>8.1f}x{verdict}")
    return lines


def main() -> None:
    """Print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=730)
    options = parser.parse_args()
    for line in events_rows(options.runs, options.days):
        print(line)


if __name__ == "__main__":
    main()
