"""Ctrl-C exits 130 and SIGTERM 143 in every kind of command, after the same clean shutdown: a
one-shot report, a long store write, ``watch`` and ``serve`` (``overview --watch``: in
tests/live). qpumon runs as a real process; every wait is bounded, no time is asserted."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from tests.core.cli_helpers import start, stop

#: Ctrl-C, SIGTERM and the exit code each gives (128 + the signal's number).
SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
_IDS = ["SIGINT-130", "SIGTERM-143"]


def _wait_for(condition: Callable[[], bool], process: object, seconds: float = 120) -> None:
    """Poll ``condition`` until it holds; fail (not hang) after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, process.communicate()  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the command never got that far"
        time.sleep(0.05)


def _snapshots(db: Path) -> int:
    try:
        with closing(sqlite3.connect(db, timeout=5)) as connection:
            return int(connection.execute("SELECT count(*) FROM snapshots").fetchone()[0])
    except sqlite3.Error:
        return 0


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.parametrize(("signum", "code"), SIGNALS, ids=_IDS)
def test_a_report_waiting_on_its_input_exits_with_the_signals_code(
    tmp_path: Path, signum: int, code: int
) -> None:
    fifo = tmp_path / "props.json"
    os.mkfifo(fifo)  # opening it blocks until a writer comes: the command waits on its input
    output = tmp_path / "out.csv"
    process = start("monitor", fifo, "-f", "csv", "-o", output)
    time.sleep(1)  # started, or still starting: the signal ends it either way
    exit_code, out, err = stop(process, signum)
    assert exit_code == code, err
    assert out == "" and not output.exists()
    word = "interrupted" if signum == signal.SIGINT else "terminated (SIGTERM)"
    assert err.strip() == f"qpumon: error: {word}"  # (click starts a new line first)


@pytest.mark.parametrize(("signum", "code"), SIGNALS, ids=_IDS)
def test_a_long_store_write_exits_with_the_signals_code_and_whole_snapshots(
    tmp_path: Path, signum: int, code: int
) -> None:
    db = tmp_path / "h.db"
    process = start("demo-history", "fake_fez", "--days", "3650", "--db", db)
    _wait_for(lambda: _snapshots(db) >= 2, process)
    exit_code, _, err = stop(process, signum)
    assert exit_code == code, err
    assert err.strip().splitlines()[-1].startswith("qpumon: error: ")
    assert _integrity(db) == "ok" and 2 <= _snapshots(db) < 3650


@pytest.mark.parametrize(("signum", "code"), SIGNALS, ids=_IDS)
def test_watch_stops_cleanly_and_exits_with_the_signals_code(
    tmp_path: Path, signum: int, code: int
) -> None:
    db = tmp_path / "h.db"
    process = start("watch", "fake_armonk", "--every", "30m", "--db", db)
    _wait_for(lambda: _snapshots(db) == 1, process)
    exit_code, _, err = stop(process, signum)
    assert exit_code == code, err
    name = signal.Signals(signum).name
    assert err.splitlines()[-1].endswith(f"stopped ({name}) after 1 round")
    assert _integrity(db) == "ok" and _snapshots(db) == 1


def test_watch_that_ends_its_rounds_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    process = start("watch", "fake_armonk", "--every", "0.1s", "--count", "2", "--db", db)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert err.splitlines()[-1].endswith("stopped after 2 rounds")


def test_serve_stops_on_ctrl_c_with_130(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    httpx = pytest.importorskip("httpx")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    db = f"sqlite:///{tmp_path / 'h.db'}"
    process = start("serve", "fake_armonk", "--port", str(port), "--db", db)

    def healthy() -> bool:
        try:
            return bool(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["loaded"])
        except httpx.HTTPError:
            return False

    _wait_for(healthy, process)
    exit_code, _, err = stop(process, signal.SIGINT)
    assert exit_code == 130, err
    assert "stopped (SIGINT)" in err
