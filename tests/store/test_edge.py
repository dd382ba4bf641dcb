"""The store's edge (issue 20): a value the README refuses is never written, whichever reader
missed it; a history on read-only media (a WAL-mode file whose folder cannot be written, where
SQLite cannot create the ``-shm`` file) is still read by ``history`` and ``drift``."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from qpumon.errors import InputError
from qpumon.history.demo import DemoSettings, record_demo
from qpumon.sources import resolve
from qpumon.store import as_url
from qpumon.store.db import Store
from qpumon.store.sqlite_reader import read_only_uri

BAD = [math.nan, math.inf, -math.inf, -1.0]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", ["t1_us", "readout_error"])
def test_a_refused_qubit_value_is_never_stored(tmp_path: Path, field: str, value: float) -> None:
    good = resolve("fake_lagos")
    qubits = list(good.qubits)
    qubits[2] = dataclasses.replace(qubits[2], **{field: value})
    bad = dataclasses.replace(good, qubits=tuple(qubits))
    with Store(as_url(tmp_path / "h.db")) as store:
        with pytest.raises(InputError, match=rf"recording fake_lagos: qubit 2 {field} is "):
            store.record(bad)
        assert store.devices() == []
        store.record(good)  # the same store takes the good snapshot
        assert [d.name for d in store.devices()] == ["fake_lagos"]


@pytest.mark.parametrize("value", [math.nan, 1.5, -0.1])
def test_a_refused_gate_error_is_never_stored(tmp_path: Path, value: float) -> None:
    good = resolve("fake_lagos")
    gates = list(good.gates)
    gates[0] = dataclasses.replace(gates[0], error=value)
    with Store(as_url(tmp_path / "h.db")) as store:
        with pytest.raises(InputError, match="recording fake_lagos: gate "):
            store.record(dataclasses.replace(good, gates=tuple(gates)))
        assert store.devices() == []


@pytest.fixture(scope="module")
def history() -> Iterator[Path]:
    """A WAL-mode history of fake_lagos in a folder anyone may read (``nobody`` runs the
    read-only cases when the tests run as root, where ``chmod`` does not bind)."""
    folder = Path(tempfile.mkdtemp(prefix="qpumon-ro-"))
    folder.chmod(0o755)
    path = folder / "h.db"
    with Store(as_url(path)) as store:
        record_demo(store, resolve("fake_lagos"), 6, DemoSettings(seed=5))
    path.chmod(0o644)
    with closing(sqlite3.connect(path)) as connection, connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: chmod does not bind")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*prefix, sys.executable, "-c", "import qpumon"], check=False)
        if probe.returncode != 0:  # e.g. a pyenv Python whose shared library is in root's home
            pytest.skip(f"the unprivileged user cannot run {sys.executable}: chmod cannot bind")
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    env.pop("QPUMON_DB", None)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "qpumon", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["history", "fake_lagos"], ["drift", "fake_lagos"]])
def test_a_history_on_read_only_media_is_read(history: Path, command: list[str]) -> None:
    writable = _run([*command, "--db", str(history)], history.parent)
    assert writable.returncode == 0, writable.stderr
    copy_folder = Path(tempfile.mkdtemp(prefix="qpumon-ro-"))
    home = Path(tempfile.mkdtemp(prefix="qpumon-home-"))
    try:
        home.chmod(0o777)
        copy = copy_folder / "h.db"
        shutil.copy(history, copy)
        copy.chmod(0o444)
        copy_folder.chmod(0o555)  # no -shm can be created beside it
        read_only = _run([*command, "--db", str(copy)], home)
        assert read_only.returncode == 0, read_only.stderr
        assert read_only.stdout.replace(str(copy), str(history)) == writable.stdout
        assert sorted(p.name for p in copy_folder.iterdir()) == ["h.db"]  # nothing written
    finally:
        copy_folder.chmod(stat.S_IRWXU)
        shutil.rmtree(copy_folder, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def test_a_read_only_uri_is_immutable_only_where_it_cannot_be_written(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "h.db"
    shutil.copy(history, copy)
    assert read_only_uri(copy).endswith("?mode=ro")
    monkeypatch.setattr(os, "access", lambda *_: False)
    assert read_only_uri(copy).endswith("?mode=ro&immutable=1")
    for suffix in ("-wal", "-shm"):  # both there: SQLite reads the WAL read-only, not immutable
        copy.with_name(copy.name + suffix).touch()
    assert read_only_uri(copy).endswith("?mode=ro")
