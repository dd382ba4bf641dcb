"""The main job as a person sees it: ``qpumon monitor`` and ``qpumon overview`` in a real
pseudo-terminal of 80 columns, where the last release cut numbers to ``0.000…``."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from tests.conftest import bundled_dirs, raw

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def in_terminal(*args: str, columns: int = 80, rows: int = 50) -> str:
    """What ``qpumon ARGS`` shows in a terminal of ``columns`` x ``rows`` (colours removed)."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    process = subprocess.Popen(
        [sys.executable, "-m", "qpumon", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**env, "TERM": "xterm-256color"},
        close_fds=True,
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                data = os.read(primary, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(primary)
    assert process.returncode == 0
    return _ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


def test_monitor_in_an_80_column_terminal_shows_every_number_whole() -> None:
    screen = in_terminal("monitor", "fake_burlington")
    assert "─────" in screen  # drawn by Rich for a terminal, not the piped plain text
    assert "…" not in screen
    assert max(len(line) for line in screen.splitlines()) <= 80
    props = raw("burlington", "props")
    rows = [line.split() for line in screen.splitlines() if re.match(r"\s+Q\d+\s", line)]
    assert len(rows) == len(props["qubits"])
    for row, entries in zip(rows, props["qubits"], strict=True):
        values = {e["name"]: e["value"] for e in entries}
        assert f"{values['T1']:#.4g}".rstrip(".") in row
        assert f"{values['T2']:#.4g}".rstrip(".") in row
        assert f"{values['readout_error']:#.3g}" in row


@pytest.mark.slow
def test_overview_in_an_80_column_terminal_lists_every_device_whole() -> None:
    screen = in_terminal("overview")
    assert "…" not in screen
    assert max(len(line) for line in screen.splitlines()) <= 80
    for stem in bundled_dirs():
        assert re.search(rf"^fake_{stem}\s+{raw(stem, 'conf')['n_qubits']}\s", screen, re.M)
