"""The history store at a lab's scale (issue 22), whole process, beside the figures of before.

    python benchmarks/bench_store.py [--fleet] [--runs N] [--pg URL | --no-pg]
                                     [--baseline SRC] [--skip-import] [--keep DIR]

Rows, each the median of N runs (default 5; 3 for the slow ones) of the whole process:

- the synthetic fleet: 100 devices x 2 calibrations a day x 2 years = 146,000 snapshots
  (``--fleet``); by default a 1/20 sample, 5 devices x 2 a day x 2 years = 7,300 snapshots,
  whose devices each hold their full 1,460 snapshots. Devices are bundled IBM devices of 127 to
  156 qubits under names ``fleet-NNN-<stem>``, values from ``qpumon.history.demo``. Printed per
  backend (SQLite, PostgreSQL): load time (``Store.record_many``), bytes on disk per snapshot
  (the whole database over its snapshots; and a 156-qubit snapshot's own rows), and
  ``qpumon history <156-qubit device> --metric t1 --qubit 5 --since 730d`` (target <= 150 ms)
  beside the floor ``qpumon --version`` (and, for PostgreSQL, the floor of importing its driver,
  ``python -c 'import psycopg'``);
- ``qpumon backfill ibm_fez --since 90d`` against the IBM stand-in (tests/live) with 100 ms added to
  every answer (target <= 3 s);
- ``qpumon demo-history fake_fez --days 365`` into a fresh SQLite store (target <= 5 s);
- ``qpumon events`` over two years of a 156-qubit device (target <= 2 s): on the fleet's device
  (two snapshots a day, both backends) and on 730 daily snapshots (``bench_events.py``);
- ``qpumon import`` of IBM's real CSVs (``bench_import.import_rows``, another engineer's row).

Before: ``--baseline SRC`` (the ``src`` folder of a git worktree of the commit before issue 22's
store work, e.g. ``git worktree add /tmp/before 1e02a0c``) runs the backfill, demo-history and
history rows with that code too (its history on a store it made with ``demo-history --days
730``: one snapshot a day); without it, the figures the issue recorded are printed, so labelled.

``--keep DIR`` keeps the loaded fleet (SQLite in DIR, PostgreSQL at ``--pg``) and a later run
with the same options measures it again without loading it.

PostgreSQL: ``--pg URL`` of an empty database, else a throw-away server is started from
/usr/lib/postgresql/*/bin when present (as user postgres when run as root).
Times are wall-clock; on a loaded machine the CPU seconds of the process are printed beside.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_events import events_rows  # noqa: E402
from bench_import import FOLDER as IBM_CSV  # noqa: E402
from bench_import import import_rows  # noqa: E402
from qpumon.history.demo import DemoSettings, demo_history, ending_now  # noqa: E402
from qpumon.sources import resolve  # noqa: E402
from qpumon.store.db import Store  # noqa: E402

#: Devices of the fleet, cycled: bundled IBM devices of 127 to 156 qubits.
STEMS = ("fez", "torino", "brisbane", "kingston", "sherbrooke", "marrakesh", "kyiv", "aachen")
HISTORY_DEVICE = "fleet-000-fez"  # 156 qubits
DAYS, PER_DAY = 730, 2
TARGETS = {"history": 0.150, "backfill": 3.0, "demo": 5.0, "bytes": 20_000}
#: What issue 22 recorded before the work (seconds), printed when no --baseline is given.
ISSUE_FIGURES = {"backfill": 20.0, "demo": 27.0}
PYTHON = sys.executable


def qpumon() -> list[str]:
    """The command line that runs qpumon (a baseline's code comes first on ``PYTHONPATH``)."""
    return [PYTHON, "-m", "qpumon"]


def environment(src: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a timed run: bytecode written (no recompiling on every start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return {**env, **(extra or {})}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``args`` (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_run(
    args: list[str], env: dict[str, str], runs: int, setup: object = None
) -> tuple[float, float]:
    """Median wall and CPU seconds over ``runs`` runs after one warm-up (``setup()`` before
    each run, untimed)."""
    walls, cpus = [], []
    for i in range(runs + 1):
        if callable(setup):
            setup()
        wall, cpu = run_once(args, env)
        if i:
            walls.append(wall)
            cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def row(label: str, wall: float, cpu: float, target: float | None = None, note: str = "") -> None:
    """One printed row."""
    aim = "" if target is None else f"  target <= {target:g} s"
    print(f"{label:<58} {wall:7.3f} s  (cpu {cpu:6.3f} s){aim}{note}")


# -- the fleet --------------------------------------------------------------------------------


def fleet_devices(full: bool) -> list[tuple[str, str]]:
    """``(name, stem)`` of each fleet device: 100, or the 1/20 sample of 5."""
    count = 100 if full else 5
    return [(f"fleet-{i:03d}-{STEMS[i % len(STEMS)]}", STEMS[i % len(STEMS)]) for i in range(count)]


def load_fleet(urls: dict[str, str], full: bool) -> dict[str, tuple[float, float, int]]:
    """Store the fleet into each backend; wall and CPU seconds spent storing (the synthetic
    values' drawing left out) and snapshots, per backend."""
    settings = DemoSettings(step=timedelta(hours=24 // PER_DAY))
    end = ending_now(settings.step)
    spent, cpu = dict.fromkeys(urls, 0.0), dict.fromkeys(urls, 0.0)
    stores = {name: Store(url) for name, url in urls.items()}
    count = 0
    try:
        for i, (name, stem) in enumerate(fleet_devices(full)):
            base = replace(resolve(f"fake_{stem}"), name=name)
            settings = DemoSettings(seed=i, step=settings.step)
            days = list(demo_history(base, DAYS * PER_DAY, settings, end))
            count += len(days)
            for backend, store in stores.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                store.record_many(days, synthetic=True)
                spent[backend] += time.perf_counter() - start
                cpu[backend] += time.process_time() - start_cpu
            print(f"  stored {name}: {len(days)} snapshots", flush=True)
    finally:
        for store in stores.values():
            store.close()
    return {backend: (spent[backend], cpu[backend], count) for backend in urls}


def sqlite_bytes(path: Path) -> int:
    """The SQLite database's bytes on disk (after a checkpoint of its write-ahead log)."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def pg_bytes(url: str) -> int:
    """PostgreSQL's bytes of qpumon's tables, their indexes and TOAST."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        ).scalar()
    engine.dispose()
    return int(found or 0)


def device_payload(url: str, device: str) -> tuple[float, int]:
    """Bytes of one device's own rows per snapshot (values and meta; its shapes shared), and
    its number of qubits."""
    from sqlalchemy import func, select

    from qpumon.store.schema import devices, snapshot_values, snapshots

    with Store(url) as store, store.engine.connect() as connection:
        mine = (
            select(snapshots.c.id)
            .join(devices, devices.c.id == snapshots.c.device_id)
            .where(devices.c.name == device)
        )
        values = connection.execute(
            select(func.sum(func.length(snapshot_values.c.data))).where(
                snapshot_values.c.snapshot_id.in_(mine)
            )
        ).scalar()
        meta, count, qubits = connection.execute(
            select(
                func.sum(func.length(snapshots.c.data)),
                func.count(),
                func.max(snapshots.c.num_qubits),
            ).where(snapshots.c.id.in_(mine))
        ).one()
    return (int(values or 0) + int(meta or 0)) / max(1, int(count)), int(qubits)


def fleet_rows(args: argparse.Namespace, folder: Path, pg_url: str | None) -> None:
    """Load the fleet into SQLite (and PostgreSQL) and print its rows."""
    sqlite_path = folder / "fleet.db"
    urls = {"SQLite": f"sqlite:///{sqlite_path}"}
    if pg_url is not None:
        urls["PostgreSQL"] = pg_url
    size = "full fleet" if args.fleet else "1/20 sample"
    done = folder / f"loaded-{'fleet' if args.fleet else 'sample'}.json"
    if done.is_file():
        loaded = {k: tuple(v) for k, v in json.loads(done.read_text()).items()}
        print(f"The synthetic fleet ({size}) as loaded earlier into {folder} (--keep):")
    else:
        print(f"Loading the synthetic fleet ({size}) into {', '.join(urls)}:", flush=True)
        loaded = load_fleet(urls, args.fleet)
        done.write_text(json.dumps(loaded))
    env = environment()
    floor = median_run([*qpumon(), "--version"], env, args.runs)
    for backend, url in urls.items():
        seconds, cpu, count = loaded[backend]
        print(f"{backend}: {count:,} snapshots of {len(fleet_devices(args.fleet))} devices")
        row(f"  load ({count / seconds:,.0f} snapshots/s)", seconds, cpu)
        total = sqlite_bytes(sqlite_path) if backend == "SQLite" else pg_bytes(url)
        own, qubits = device_payload(url, HISTORY_DEVICE)
        ok = "ok" if total / count <= TARGETS["bytes"] else "OVER"
        print(
            f"  bytes per snapshot: {total / count:,.0f} B on disk, whole database "
            f"(target <= {TARGETS['bytes']:,} B for 156 qubits: {ok}); {HISTORY_DEVICE} "
            f"({qubits} qubits): {own:,.0f} B of its own rows (values + meta)"
        )
        history = [
            *qpumon(),
            "history",
            HISTORY_DEVICE,
            "--metric",
            "t1",
            "--qubit",
            "5",
            "--since",
            "730d",
            "--db",
            url,
        ]
        wall, cpu = median_run(history, env, args.runs)
        row(f"  history {HISTORY_DEVICE} t1 --qubit 5 --since 730d", wall, cpu, 0.150)
        events = [*qpumon(), "events", HISTORY_DEVICE, "--db", url]
        wall, cpu = median_run(events, env, max(1, min(args.runs, 3)))
        row(f"  events {HISTORY_DEVICE} (730 days, {DAYS * PER_DAY} snapshots)", wall, cpu, 2.0)
    row("  floor: qpumon --version", *floor)
    if "PostgreSQL" in urls:
        driver = median_run([PYTHON, "-c", "import psycopg"], env, args.runs)
        row("  floor of PostgreSQL reads: python -c 'import psycopg'", *driver)


# -- backfill and demo-history ----------------------------------------------------------------


def backfill_row(runs: int, src: Path | None, label: str) -> None:
    """``backfill ibm_fez --since 90d`` against the stand-in, 100 ms added to every answer."""
    from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn

    server = IBMStandIn.with_devices(["fez"], latency=0.1)
    with server.running(), tempfile.TemporaryDirectory(prefix="qpumon-bf-") as home:
        extra = {
            **server.environment,
            "HOME": home,
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_DATA_HOME": f"{home}/data",
            "QISKIT_IBM_TOKEN": GOOD_KEY,
            "QISKIT_IBM_INSTANCE": CRN,
            "QISKIT_IBM_URL": server.api_url,
        }
        db = Path(home) / "h.db"

        def fresh() -> None:
            for path in Path(home).glob("h.db*"):
                path.unlink()

        args = [*qpumon(), "backfill", "ibm_fez", "--since", "90d", "--db", str(db)]
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall, cpu = median_run(args, environment(src, extra), runs, fresh)
        after = resource.getrusage(resource.RUSAGE_SELF)
    # this process's CPU a run, warm-up included: the stand-in's threads, and starting the runs
    served = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / (runs + 1)
    label = f"backfill ibm_fez --since 90d, 100 ms latency ({label})"
    row(label, wall, cpu, TARGETS["backfill"], f"  (stand-in cpu {served:.3f} s a run)")


def demo_row(runs: int, src: Path | None, label: str) -> None:
    """``demo-history fake_fez --days 365`` into a fresh SQLite store."""
    with tempfile.TemporaryDirectory(prefix="qpumon-demo-") as folder:
        db = Path(folder) / "h.db"

        def fresh() -> None:
            for path in Path(folder).glob("h.db*"):
                path.unlink()

        args = [*qpumon(), "demo-history", "fake_fez", "--days", "365", "--db", str(db)]
        wall, cpu = median_run(args, environment(src), runs, fresh)
    row(f"demo-history fake_fez --days 365 ({label})", wall, cpu, TARGETS["demo"])


def baseline_history_row(runs: int, src: Path) -> None:
    """Before: ``history`` over 730 days on a store the old code made (one snapshot a day)."""
    with tempfile.TemporaryDirectory(prefix="qpumon-old-") as folder:
        db = str(Path(folder) / "h.db")
        env = environment(src)
        run_once([*qpumon(), "demo-history", "fake_fez", "--days", "730", "--db", db], env)
        args = [*qpumon(), "history", "fake_fez", "--metric", "t1", "--qubit", "5"]
        wall, cpu = median_run([*args, "--since", "730d", "--db", db], env, runs)
        size = sum(p.stat().st_size for p in Path(folder).glob("h.db*"))
    row("history fake_fez t1 --qubit 5 --since 730d (before; 730 snapshots)", wall, cpu)
    print(f"  before: {size / 730:,.0f} B on disk per 156-qubit snapshot (SQLite)")


# -- PostgreSQL -------------------------------------------------------------------------------


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


@contextmanager
def _pg(given: str | None, wanted: bool) -> Iterator[str | None]:
    if given is not None or not wanted:
        yield given
        return
    with postgres_server() as prefix:
        yield None if prefix is None else prefix + "postgres"


def print_import_rows(runs: int) -> None:
    """Issue 22's row: ``qpumon import`` of IBM's real CSVs (see bench_import.py)."""
    if not IBM_CSV.is_dir():
        print(f"import of IBM's calibration CSVs: skipped ({IBM_CSV} is absent)")
        return
    for line in import_rows(IBM_CSV, runs):
        print(line)


def main() -> None:
    """Run the benchmark and print its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", action="store_true", help="the full 146,000-snapshot fleet")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", help="URL of an empty PostgreSQL database to use")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--baseline", type=Path, help="src folder of the code before")
    parser.add_argument("--skip-import", action="store_true", help="no CSV import row")
    parser.add_argument(
        "--only", choices=("fleet", "backfill", "demo", "events"), help="one part only"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="folder that keeps the loaded fleet (SQLite there, PostgreSQL at --pg) for later runs",
    )
    args = parser.parse_args()
    slow = max(1, min(args.runs, 3))
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qpumon-bench-"))
    try:
        if args.only in (None, "fleet"):
            with _pg(args.pg, not args.no_pg) as pg_url:
                if pg_url is None and not args.no_pg:
                    print("PostgreSQL: skipped (no --pg URL and no PostgreSQL binaries)")
                fleet_rows(args, folder, pg_url)
        if args.only in (None, "backfill"):
            backfill_row(slow, None, "now")
            _before("backfill", lambda src: backfill_row(slow, src, "before"), args.baseline)
        if args.only in (None, "demo"):
            demo_row(slow, None, "now")
            _before("demo", lambda src: demo_row(slow, src, "before"), args.baseline)
        if args.baseline is not None and args.only in (None, "fleet"):
            baseline_history_row(args.runs, args.baseline)
        if args.only in (None, "events"):
            print("events over 730 daily snapshots of a 156-qubit device (bench_events.py):")
            for line in events_rows(slow, DAYS):
                print(f"  {line}")
        if args.only is None and not args.skip_import:
            print_import_rows(slow)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _before(key: str, run: object, src: Path | None) -> None:
    if src is not None and callable(run):
        run(src)
    else:
        print(f"  before (as issue 22 recorded it, not measured here): {ISSUE_FIGURES[key]:.0f} s")


if __name__ == "__main__":
    main()
