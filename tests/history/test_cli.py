"""The history commands through the real entry point, and the fault tests: kill -9, two writers,
a corrupt database, an unreachable server."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

from qpumon.history.demo import DemoSettings, demo_history
from qpumon.model import QUBIT_FIELDS
from qpumon.model.serialize import dumps
from qpumon.sources import resolve as load
from tests.conftest import raw
from tests.core.cli_helpers import run
from tests.databases import PostgresServer


def _qpumon(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "qpumon", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _count(db: Path, table: str = "snapshots") -> int:
    with closing(sqlite3.connect(db, timeout=30)) as connection, connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_record_then_history_csv_equals_the_source(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    done = run("record", "fake_fez", "fake_armonk", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "fake_fez calibrated 2025-02-26 20:16:25+00:00: stored" in done.stdout
    again = run("record", "fake_fez", "--db", db)
    assert "already stored" in again.stdout and _count(db) == 2
    out = run("history", "fake_fez", "--metric", "t2", "-f", "csv", "--db", db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    props = raw("fez", "props")
    expected = {
        str(i): float(p["value"])
        for i, params in enumerate(props["qubits"])
        for p in params
        if p["name"] == "T2"
    }
    assert {r["qubits"]: float(r["value"]) for r in rows} == expected
    assert {r["metric"] for r in rows} == {"t2_us"} and {r["unit"] for r in rows} == {"µs"}


def test_commands_on_postgres(postgres: PostgresServer, tmp_path: Path) -> None:
    env = {**os.environ, "QPUMON_DB": postgres.create_database()}
    demo = subprocess.run(
        [sys.executable, "-m", "qpumon", "demo-history", "fake_armonk", "--days", "20"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "20 synthetic snapshots stored" in demo.stdout
    out = subprocess.run(
        [sys.executable, "-m", "qpumon", "history", "fake_armonk", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    values = [r["value"] for r in json.loads(out.stdout)]
    expected = [s.qubits[0].t1_us for s in demo_history(load("fake_armonk"), 20)]
    assert values == expected


def test_drift_diff_check_and_plot(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert run("demo-history", "fake_lagos", "--days", "40", "--db", db).returncode == 0
    assert run("record", "fake_lagos", "--db", db).returncode == 0
    drift = run("drift", "fake_lagos", "--db", db, "--top", "5")
    assert drift.returncode == 0, drift.stderr
    assert "Robust z" in drift.stdout and "synthetic data" in drift.stdout
    diff = run("diff", "fake_lagos", "--db", db, "-f", "json")
    assert diff.returncode == 0, diff.stderr
    data = json.loads(diff.stdout)
    # the demo history ends today (its last day at midnight UTC), after the real 2021 snapshot
    newest = datetime.fromisoformat(data["new"])
    now = datetime.now(timezone.utc)
    assert now - timedelta(days=1) <= newest <= now and (newest.hour, newest.minute) == (0, 0)
    assert [m["metric"] for m in data["medians"]][:2] == ["t1_us", "t2_us"]
    assert data["changes"] and all(c["old"] != c["new"] for c in data["changes"])
    rules = tmp_path / "rules.toml"
    rules.write_text('[[alert]]\nwhen = "t1_us < 1000"\nactions = ["print", "exit"]\n')
    first = run("check", "fake_lagos", "--rules", rules, "--db", db)
    assert first.returncode == 1, first.stderr
    props = raw("lagos", "props")
    short = [q for q in props["qubits"] if next(e["value"] for e in q if e["name"] == "T1") < 1000]
    assert len(short) == 7 and first.stdout.count("t1_us < 1000  fired") == len(short)
    second = run("check", "fake_lagos", "--rules", rules, "--db", db)
    assert second.returncode == 0 and "0 fired, 7 still active" in second.stdout
    picture = tmp_path / "t1.png"
    plot = run("history", "fake_lagos", "--qubit", "3", "--db", db, "--plot", picture)
    assert plot.returncode == 0, plot.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_corrupt_database_is_one_line_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(os.urandom(8192))
    done = run("history", "fake_fez", "--db", db)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a usable SQLite database" in done.stderr


def test_unreachable_postgres_is_one_line_exit_3() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://qpumon:secret@127.0.0.1:{port}/qpumon"
    done = run("record", "fake_armonk", "--db", url)
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "cannot reach the database server" in done.stderr
    assert "secret" not in done.stderr


def test_monitor_does_not_import_the_store() -> None:
    code = (
        "import sys\nfrom qpumon.cli import main\nimport qpumon.cli.history\n"
        "try:\n    main(['monitor', 'fake_armonk'])\nexcept SystemExit:\n    pass\n"
        "print('sqlalchemy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stderr.strip().endswith("False")


def _count_safe(db: Path) -> int:
    try:
        return _count(db)
    except sqlite3.Error:
        return 0


def test_watch_retries_failures_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    process = _qpumon("watch", "fake_armonk", "fake_nosuch", "--every", "0.3s", "--db", db)
    time.sleep(4)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    failures = [line for line in err.splitlines() if "fake_nosuch: failed" in line]
    assert len(failures) >= 3 and "retrying in" in failures[0]
    assert "stopped (SIGTERM) after" in err.splitlines()[-1]
    assert _count(db) == 1  # the same calibration each period: stored once


def test_two_watchers_on_one_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    devices = ["fake_fez", "fake_torino", "fake_kyoto", "fake_sherbrooke"]
    watchers = [
        _qpumon("watch", *order, "--every", "0.2s", "--count", "3", "--db", db)
        for order in (devices, devices[::-1])
    ]
    for process in watchers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "failed" not in err
    assert _count(db) == len(devices)
    with closing(sqlite3.connect(db)) as connection, connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _demo_files(folder: Path, count: int, device: str = "fake_fez", seed: int = 0) -> list[Path]:
    folder.mkdir()
    paths = []
    for i, snapshot in enumerate(demo_history(load(device), count, DemoSettings(seed=seed))):
        path = folder / f"{device}-{i:03d}.json"
        path.write_text(dumps(snapshot), encoding="utf-8")
        paths.append(path)
    return paths


def test_two_importers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    first = _demo_files(tmp_path / "a", 15, "fake_fez", 1)
    second = _demo_files(tmp_path / "b", 15, "fake_torino", 2)
    writers = [_qpumon("import", *files, "--db", db) for files in (first, second)]
    for process in writers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert _count(db) == 30
    with closing(sqlite3.connect(db)) as connection, connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_kill_9_mid_import_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    files = _demo_files(tmp_path / "files", 40)
    process = _qpumon("import", *files, "--db", db)
    deadline = time.monotonic() + 60
    while _count_safe(db) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()  # SIGKILL
    process.communicate(timeout=30)
    stored = _count(db)
    assert 5 <= stored < 40
    with closing(sqlite3.connect(db)) as connection, connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_snapshot = connection.execute(
            "SELECT s.id, count(v.section) FROM snapshots s LEFT JOIN snapshot_values v "
            "ON v.snapshot_id = s.id GROUP BY s.id"
        ).fetchall()
    fez = load("fake_fez")
    fields = {f for q in fez.qubits for f in QUBIT_FIELDS if q.value(f) is not None}
    sections = len(fields) + len({g.gate for g in fez.gates})  # and maybe a time table
    counts = {n for _, n in per_snapshot}
    assert len(counts) == 1 and counts <= {sections, sections + 1}  # whole snapshots only
    again = run("import", *files, "--db", db)
    assert again.returncode == 0, again.stderr
    assert f"{40 - stored} stored, {stored} already stored" in again.stdout
    assert _count(db) == 40
