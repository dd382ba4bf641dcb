"""Fixtures of the server tests: a server on 127.0.0.1 in this process (uvicorn in a thread,
the collector in its own), an IBM stand-in for live devices, and a clean environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from qpumon.history.alerts import Rules
from qpumon.serve.collector import Collector
from qpumon.serve.guard import Limits, budget
from qpumon.serve.handlers import Dashboard, schedule_text
from qpumon.serve.server import bind, make_server
from qpumon.serve.upstream import make_plan
from qpumon.sources import SourceOptions
from qpumon.sources.ibm_live.options import LiveOptions
from qpumon.store.db import Store
from tests.live.conftest import ACCOUNT_VARIABLES as LIVE_ACCOUNT_VARIABLES
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
#: The live tests' account variables, and the store the server would otherwise open.
ACCOUNT_VARIABLES = (*LIVE_ACCOUNT_VARIABLES, "QPUMON_DB")


@dataclass
class Running:
    """A server running in this process: its URL, its collector and what it logged."""

    url: str
    collector: Collector
    lines: list[str] = field(default_factory=list)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client for the server."""
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def loaded(self, timeout: float = 60) -> None:
        """Wait until every bundled and file device is read and recorded."""
        view = self.collector.wait_for(lambda v: v.loaded, timeout)
        assert view.loaded, "the collector did not finish loading"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and cache; no IBM account or database from the real environment."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / ".local" / "share"))
    for variable in ACCOUNT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return folder


@pytest.fixture
def stand_in(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IBMStandIn]:
    """The IBM stand-in serving fez (156 qubits, queue 0) and lagos (7 qubits, queue 1) as
    ibm_fez and ibm_lagos."""
    server = IBMStandIn.with_devices(("fez", "lagos"))
    with server.running():
        for variable, value in server.environment.items():
            monkeypatch.setenv(variable, value)
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (the browser tests skip without it)."""
    from playwright.sync_api import sync_playwright

    from tests.core.test_html_format import ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def live_options(server: IBMStandIn, home: Path) -> LiveOptions:
    """Options that reach the stand-in with the good key, retrying fast."""
    return LiveOptions(
        token=GOOD_KEY,
        instance=CRN,
        url=server.api_url,
        cache_dir=home / ".cache" / "qpumon",
        timeout=5.0,
        retries=1,
        backoff=0.01,
        backoff_cap=0.05,
    )


@contextmanager
def running(
    devices: Sequence[str],
    db_url: str,
    *,
    source: SourceOptions | None = None,
    token: str | None = None,
    every: timedelta = timedelta(minutes=30),
    status_every: timedelta = timedelta(minutes=1),
    rules: Rules | None = None,
    poll_seconds: float = 10,
    limits: Limits | None = None,
) -> Iterator[Running]:
    """A server for ``devices`` on 127.0.0.1 (an ephemeral port) until the block ends."""
    lines: list[str] = []
    store = Store(db_url)
    plan = make_plan(devices, source or SourceOptions(offline=True))
    collector = Collector(
        plan, store, lines.append, rules=rules, every=every, status_every=status_every
    )
    dashboard = Dashboard(collector, schedule_text(every, status_every), poll_seconds=poll_seconds)
    listener = bind("127.0.0.1", 0)
    server = make_server(dashboard, token, limits or budget(4096, 64), lines.append)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    collector.start()
    thread.start()
    try:
        _wait(lambda: server.started, 20)
        port = listener.getsockname()[1]
        yield Running(f"http://127.0.0.1:{port}", collector, lines)
    finally:
        server.should_exit = True
        thread.join(10)
        collector.stop()
        listener.close()
        store.close()


def _wait(condition: Any, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``qpumon <args>`` through the real entry point, in the background, with ``env`` and
    none of the real environment's account variables."""
    clean = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARIABLES}
    return subprocess.Popen(
        [sys.executable, "-m", "qpumon", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**clean, **env},
    )


def wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until the server at ``url`` has read its devices (``/healthz`` says loaded)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.communicate()[1]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).json()["loaded"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not load its devices in time")
