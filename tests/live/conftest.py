"""Fixtures of the live tests: the IBM stand-in on 127.0.0.1 and a clean, private environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from qpumon.model import DeviceSnapshot
from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn

#: The bundled devices the stand-in serves as ibm_<stem>, with queues 0, 1, 2 in this order.
STEMS = ("fez", "kingston", "kyiv")
#: The account variables of the real environment, never seen by a test.
ACCOUNT_VARIABLES = (
    "QISKIT_IBM_TOKEN",
    "QISKIT_IBM_INSTANCE",
    "QISKIT_IBM_CHANNEL",
    "QISKIT_IBM_URL",
    "IAM_URL",
    "GLOBAL_SEARCH_URL",
    "GLOBAL_CATALOG_URL",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and cache folder; no IBM account variables from the real environment."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))
    for variable in ACCOUNT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return folder


@pytest.fixture
def stand_in(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IBMStandIn]:
    """The IBM stand-in serving :data:`STEMS`; IAM, Global Search and the Catalog point at it."""
    server = IBMStandIn.with_devices(STEMS)
    with server.running():
        for variable, value in server.environment.items():
            monkeypatch.setenv(variable, value)
        yield server


def live_options(server: IBMStandIn, home: Path, **changes: Any) -> LiveOptions:
    """Options reaching ``server`` with the good key; fast retries for the tests."""
    values: dict[str, Any] = {
        "token": GOOD_KEY,
        "instance": CRN,
        "url": server.api_url,
        "cache_dir": home / ".cache" / "qpumon",
        "timeout": 5.0,
        "backoff": 0.01,
        "backoff_cap": 0.05,
    }
    values.update(changes)
    return LiveOptions(**values)


def fetch_live(name: str, options: LiveOptions, at: datetime | None = None) -> DeviceSnapshot:
    """``name`` through the one resolver, live with ``options`` (at ``at`` if given)."""
    return resolve(name, live=options, at=at)


def cli_env(server: IBMStandIn, **extra: str) -> dict[str, str]:
    """The environment of a ``qpumon`` process reaching ``server`` with the good key."""
    return {
        **server.environment,
        "QISKIT_IBM_TOKEN": GOOD_KEY,
        "QISKIT_IBM_INSTANCE": CRN,
        "QISKIT_IBM_URL": server.api_url,
        **extra,
    }


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    python: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """The real ``qpumon`` entry point in a subprocess (``python``: interpreter options)."""
    return subprocess.run(
        [sys.executable, *python, "-m", "qpumon", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=120,
        check=False,
    )


#: Runs ``qpumon`` as a terminal's foreground job does: with Ctrl-C delivered, even where the
#: tests themselves run with SIGINT ignored (a background job of a non-interactive shell, whose
#: children inherit the ignoring and so would never see the tests' Ctrl-C).
FOREGROUND = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from qpumon.cli import main\n"
    "main()\n"
)


def start_cli(
    *args: str, env: dict[str, str], python: tuple[str, ...] = ()
) -> subprocess.Popen[str]:
    """The real ``qpumon`` entry point, running in the background as a foreground job would
    (for Ctrl-C tests); ``python`` replaces the entry point when given (a wrapper script)."""
    return subprocess.Popen(
        [sys.executable, *(python or ("-c", FOREGROUND)), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, **env},
    )


def interrupt(process: subprocess.Popen[str]) -> tuple[float, int, str]:
    """Send Ctrl-C; (seconds until the process ended, its exit code, its stderr)."""
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return time.monotonic() - start, process.returncode, stderr
