"""``qpumon import`` of IBM's real calibration CSVs (../shared/data/ibm_csv: 1,757 platform files
of 40 devices, 2019-2026) into a fresh SQLite store, whole process.

    python benchmarks/bench_import.py [--runs N] [--folder PATH]

Target (issue 22): <= 60 s. Rows, each the median of N runs (default 3), the runs interleaved:
- ``import`` of the whole folder into a new store (``--keep-going``: the folder also holds the
  137sc21 authors' merged tables, which are not IBM's format and are refused by name);
- the same import again into that store (nothing new is stored: the idempotent path);
- a floor in the same run: one Python process that reads every CSV of the folder with the
  standard csv module and does nothing else.
``import_rows`` is what ``bench_store.py`` can print beside its rows.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "ibm_csv"
TARGET_S = 60.0
FLOOR = (
    "import csv, pathlib, sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.csv')):\n"
    "    list(csv.reader(p.read_text(encoding='utf-8').splitlines()))\n"
)


def _qpumon(*args: str) -> list[str]:
    return [sys.executable, "-m", "qpumon", *args]


def _timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def import_rows(folder: Path = FOLDER, runs: int = 3) -> list[str]:
    """The benchmark's printed rows: fresh import, re-import and the floor, medians of ``runs``."""
    fresh: list[float] = []
    again: list[float] = []
    floor: list[float] = []
    said = size = ""
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "history.db"
            seconds, said = _timed(_qpumon("import", str(folder), "--keep-going", "--db", str(db)))
            fresh.append(seconds)
            again.append(_timed(_qpumon("import", str(folder), "--keep-going", "--db", str(db)))[0])
            size = f"{db.stat().st_size / 2**20:.1f} MiB"
        floor.append(_timed([sys.executable, "-c", FLOOR, str(folder)])[0])
    first, second, base = (statistics.median(x) for x in (fresh, again, floor))
    verdict = "ok" if first <= TARGET_S else "OVER"
    return [
        f"import ibm_csv/ (fresh SQLite)   {first:7.2f} s   target <= {TARGET_S:.0f} s: {verdict}"
        f"   ({first / base:.1f}x the floor; store {size})",
        f"import ibm_csv/ again (no-op)    {second:7.2f} s   ({second / base:.1f}x the floor)",
        f"floor: csv module reads all      {base:7.2f} s",
        "what import said: " + " | ".join(said.strip().splitlines()),
    ]


def main() -> None:
    """Print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=FOLDER)
    args = parser.parse_args()
    if not args.folder.is_dir():
        raise SystemExit(f"{args.folder}: absent; the benchmark reads IBM's CSVs from there")
    print(f"qpumon import of {args.folder} (median of {args.runs} runs, whole process)")
    for row in import_rows(args.folder, args.runs):
        print(row)


if __name__ == "__main__":
    main()
