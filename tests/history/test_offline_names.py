"""The README's History section offline: a synthetic history of a live name, stored under that
name and ending now, found by history, drift, diff and check; commands that must fetch a live
name refuse at once without an account."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import raw


def _run(home: Path, *args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM", "QPUMON"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env["QPUMON_DB"] = f"sqlite:///{home / 'history.db'}"
    return subprocess.run(
        [sys.executable, "-m", "qpumon", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    done = _run(folder, "demo-history", "ibm_fez", "--days", "40")
    assert done.returncode == 0, done.stderr
    assert "ibm_fez: 40 synthetic snapshots stored" in done.stdout
    return folder


def test_the_demo_is_stored_under_the_name_given_ending_now(home: Path) -> None:
    with closing(sqlite3.connect(home / "history.db")) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM devices")]
    assert names == ["ibm_fez"]
    done = _run(home, "history", "ibm_fez", "--metric", "t1", "--qubit", "12", "--since", "30d")
    assert done.returncode == 0, done.stderr
    done = _run(home, "history", "ibm_fez", "--metric", "t1", "--qubit", "12", "-f", "json")
    rows = json.loads(done.stdout)
    assert len(rows) == 40 and all(r["synthetic"] is True for r in rows)
    newest = datetime.fromisoformat(rows[-1]["calibrated_at"])
    now = datetime.now(timezone.utc)
    assert now - timedelta(days=1) <= newest <= now
    with closing(sqlite3.connect(home / "history.db")) as connection:
        sizes = {row[0] for row in connection.execute("SELECT num_qubits FROM snapshots")}
    assert sizes == {len(raw("fez", "props")["qubits"])}  # drawn from the bundled fez


@pytest.mark.parametrize(
    "command",
    [
        ("drift", "ibm_fez"),
        ("diff", "ibm_fez"),
        ("history", "ibm_fez", "--since", "7d"),
    ],
)
def test_history_commands_find_it(home: Path, command: tuple[str, ...]) -> None:
    done = _run(home, *command)
    assert done.returncode == 0, done.stderr
    assert "ibm_fez" in done.stdout


def test_check_finds_it(home: Path, tmp_path: Path) -> None:
    rules = tmp_path / "alerts.toml"
    rules.write_text('[[alert]]\nwhen = "t1 < 1"\n', encoding="utf-8")
    done = _run(home, "check", "ibm_fez", "--rules", rules)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("record", "ibm_fez"),
        ("watch", "ibm_fez", "--every", "30m"),
        ("watch", "fake_lagos", "ibm_fez", "--every", "30m"),
        ("backfill", "ibm_fez", "--since", "5d"),
        ("fetch", "ibm_fez", "-o", "fez.json"),
    ],
)
def test_commands_that_fetch_refuse_at_once_without_an_account(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = _run(tmp_path, *command, timeout=60)  # a retry loop would run into the timeout
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no IBM Quantum account" in lines[0], done.stderr
    assert not (tmp_path / "fez.json").exists()
