"""Speed and size of the history store, against baselines measured in the same run.

    python benchmarks/bench_store.py [--runs N] [--days D] [--pg URL]

Targets (issue 5): importing 365 daily snapshots of a 156-qubit device (synthetic, from fake_fez)
into SQLite <= 10 s, with the PostgreSQL figure beside it; ``history`` of one metric, every qubit,
one year <= 100 ms in-process; the database size per snapshot.

Baselines: for the import, writing the same snapshots as qpumon JSON files (the "harvest into
files" approach the store replaces); for the history read, getting the same values by reloading
every stored snapshot from its JSON. PostgreSQL: ``--pg URL`` of an empty database, else a
throw-away server is started from /usr/lib/postgresql/*/bin when present (as user postgres when
run as root). Every figure is the median of N runs (default 5).
"""

from __future__ import annotations

import argparse
import gc
import glob
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench_import import FOLDER as IBM_CSV
from bench_import import import_rows
from qpumon.history.demo import demo_history
from qpumon.history.series import read_history, select_metric
from qpumon.model import DeviceSnapshot
from qpumon.model.serialize import dumps
from qpumon.sources import resolve as load
from qpumon.store.db import Store


def timed(
    action: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> float:
    """Median seconds of ``action`` over ``runs`` runs, ``setup`` run untimed before each."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_all(url: str, snapshots: list[DeviceSnapshot]) -> None:
    """Record every snapshot (one transaction each) into the store at ``url``."""
    with Store(url) as store:
        for snapshot in snapshots:
            store.record(snapshot, synthetic=True)


def write_files(folder: Path, snapshots: list[DeviceSnapshot]) -> None:
    """The baseline: every snapshot as a qpumon JSON file."""
    for i, snapshot in enumerate(snapshots):
        (folder / f"{i:03d}.json").write_text(dumps(snapshot), encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """A throw-away PostgreSQL server's URL prefix (``.../``), or None without binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bindir, folder, port = Path(found[-1]).parent, Path(tempfile.mkdtemp()), _free_port()
    wrap = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if wrap:
        shutil.chown(folder, "postgres", "postgres")

    def run(*cmd: object) -> None:
        subprocess.run([*wrap, *map(str, cmd)], check=True, capture_output=True)

    run(bindir / "initdb", "-D", folder / "data", "-U", "postgres", "--auth=trust")
    options = f"-h 127.0.0.1 -p {port} -k {folder}"
    run(
        bindir / "pg_ctl", "-D", folder / "data", "-o", options, "-l", folder / "log", "-w", "start"
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        run(bindir / "pg_ctl", "-D", folder / "data", "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def drop_tables(url: str) -> None:
    """Empty the database at ``url`` of qpumon's tables (between runs)."""
    from sqlalchemy import create_engine

    from qpumon.store.schema import metadata

    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()


def history_year(url: str) -> Callable[[], object]:
    """Read T1 of every qubit over the whole stored year (opening the store untimed)."""
    store = Store(url)
    selection = select_metric(store, "fake_fez", "t1", None, None)

    def read() -> object:
        return read_history(store, "fake_fez", selection)

    return read


def reload_year(url: str) -> Callable[[], object]:
    """The baseline: the same values by reloading every stored snapshot."""
    store = Store(url)

    def read() -> object:
        return [
            [q.t1_us for q in store.load(info.id).qubits] for info in store.snapshots("fake_fez")
        ]

    return read


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pg", help="URL of an empty PostgreSQL database to use")
    args = parser.parse_args()

    start = time.perf_counter()
    snapshots = list(demo_history(load("fake_fez"), args.days))
    print(
        f"generated {len(snapshots)} daily snapshots of fake_fez (156 qubits, "
        f"{len(snapshots[0].gates)} gates) in {time.perf_counter() - start:.1f} s"
    )
    folder = Path(tempfile.mkdtemp(prefix="qpumon-bench-"))
    db = folder / "history.db"
    url = f"sqlite:///{db}"

    def reset_sqlite() -> None:
        for path in folder.glob("history.db*"):
            path.unlink()

    files = folder / "files"
    files.mkdir()
    baseline = timed(lambda: write_files(files, snapshots), args.runs)
    sqlite_s = timed(lambda: import_all(url, snapshots), args.runs, reset_sqlite)
    size = sum(p.stat().st_size for p in folder.glob("history.db*"))
    print(
        f"import {len(snapshots)} snapshots, SQLite:     {sqlite_s:6.2f} s  (target <= 10 s; "
        f"{sqlite_s / baseline:.1f}x writing them as JSON files: {baseline:.2f} s)"
    )
    with _pg(args.pg) as pg_url:
        if pg_url is None:
            print("import, PostgreSQL: skipped (no --pg URL and no PostgreSQL binaries)")
        else:
            pg_s = timed(
                lambda: import_all(pg_url, snapshots), args.runs, lambda: drop_tables(pg_url)
            )
            print(
                f"import {len(snapshots)} snapshots, PostgreSQL: {pg_s:6.2f} s  "
                f"({pg_s / sqlite_s:.1f}x SQLite)"
            )
    count = len(snapshots)
    del snapshots[1:]  # a real `qpumon history` process does not hold a year of snapshots
    gc.collect()
    read = timed(history_year(url), args.runs)
    naive = timed(reload_year(url), max(1, min(args.runs, 3)))
    print(
        f"history t1, every qubit, {count} snapshots (SQLite, in-process): "
        f"{read * 1000:6.1f} ms  (target <= 100 ms; {naive / read:.0f}x faster than reloading "
        f"every snapshot: {naive * 1000:.0f} ms)"
    )
    print(
        f"SQLite database: {size / 1e6:.1f} MB, {size / count / 1e3:.0f} kB per "
        f"snapshot (the snapshot's JSON file: {len(dumps(snapshots[0])) / 1e3:.0f} kB)"
    )
    shutil.rmtree(folder, ignore_errors=True)
    print_import_rows(max(1, min(args.runs, 3)))


def print_import_rows(runs: int) -> None:
    """Issue 22's row: ``qpumon import`` of IBM's real CSVs (see bench_import.py)."""
    if not IBM_CSV.is_dir():
        print(f"import of IBM's calibration CSVs: skipped ({IBM_CSV} is absent)")
        return
    for row in import_rows(IBM_CSV, runs):
        print(row)


@contextmanager
def _pg(given: str | None) -> Iterator[str | None]:
    if given is not None:
        yield given
        return
    with postgres_server() as prefix:
        yield None if prefix is None else prefix + "postgres"


if __name__ == "__main__":
    main()
