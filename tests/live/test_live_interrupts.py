"""Ctrl-C ends a live command at once, whatever it is waiting for (a stall of a minute, a
trickling answer, a hanging name lookup)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROMPT_S
from tests.live.conftest import cli_env, interrupt, start_cli
from tests.live.ibm_server import IBMStandIn

#: The waits are cancelled, not run out: far below what the command was waiting for.
WITHIN = PROMPT_S

#: ``qpumon`` with every host-name lookup hanging for a minute (a DNS server that never answers).
_HANGING_DNS = (
    "import signal, socket, sys, time\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "socket.getaddrinfo = lambda *args, **kwargs: time.sleep(60)\n"
    "from qpumon.cli import main\n"
    "main()\n"
)


def _wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the command never got that far"
        time.sleep(0.02)


@pytest.mark.parametrize("fault", ["stall", "trickle"])
def test_ctrl_c_ends_a_monitor_waiting_on_the_service(
    stand_in: IBMStandIn, home: Path, fault: str
) -> None:
    if fault == "stall":
        stand_in.stall("status", "*", 60)
    else:
        stand_in.trickle("properties", "*", 2.0)
    process = start_cli("monitor", "ibm_fez", "--timeout", "120", env=cli_env(stand_in))
    _wait_for(lambda: bool(stand_in.seen("status")) and bool(stand_in.seen("properties")))
    elapsed, code, stderr = interrupt(process)
    assert elapsed < WITHIN
    assert code == 130 and stderr.strip().startswith("qpumon: error:")


def test_ctrl_c_ends_an_overview_of_many_requests(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.stall("properties", "*", 60)
    stand_in.trickle("configuration", "*", 2.0)
    process = start_cli("overview", "--live", "--refresh", env=cli_env(stand_in))
    _wait_for(lambda: len(stand_in.seen("properties")) == 3)
    elapsed, code, _ = interrupt(process)
    assert elapsed < WITHIN and code == 130


def test_ctrl_c_ends_a_watch(stand_in: IBMStandIn, home: Path) -> None:
    process = start_cli("overview", "--live", "--watch", "1", env=cli_env(stand_in))
    _wait_for(lambda: len(stand_in.seen("status")) >= 6)  # the first refresh, then the second
    stand_in.stall("status", "*", 60)  # the next refresh hangs
    _wait_for(lambda: len(stand_in.seen("status")) >= 9)
    elapsed, code, _ = interrupt(process)
    assert elapsed < WITHIN and code == 130


def test_sigterm_ends_a_watch_with_143_and_the_last_table_shown(
    stand_in: IBMStandIn, home: Path
) -> None:
    process = start_cli("overview", "--live", "--watch", "1", env=cli_env(stand_in))
    _wait_for(lambda: len(stand_in.seen("status")) >= 6)  # the first refresh, then the second
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1] == "qpumon: error: terminated (SIGTERM)"
    assert "ibm_fez" in out  # the board drawn so far stays


def test_ctrl_c_ends_a_command_stuck_resolving_a_host_name(
    stand_in: IBMStandIn, home: Path
) -> None:
    local = stand_in.url.replace("127.0.0.1", "localhost")
    env = cli_env(stand_in, IAM_URL=local, QISKIT_IBM_URL=local + "/api/v1")
    process = start_cli("monitor", "ibm_fez", env=env, python=("-c", _HANGING_DNS))
    time.sleep(1.5)  # started, and waiting for the name of the IAM host
    assert process.poll() is None
    elapsed, code, _ = interrupt(process)
    assert elapsed < WITHIN and code == 130
    assert stand_in.requests == []
