"""The server protects itself: slowloris under a descriptor limit (the real ``qpumon serve``
under ``RLIMIT_NOFILE`` 1024), header deadlines, eviction, the descriptor budget, request
bodies, and SIGTERM with pages being drawn (the requests in flight finish or get a JSON 503,
never a 500). Each is bounded by work (a generous timeout on each request), never timed; the
figures are in benchmarks/bench_serve_attack.py."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qpumon.errors import UsageError
from qpumon.serve.drain import STOPPING, Drain, Draining
from qpumon.serve.guard import ACCEPT_BURST, WORK_DESCRIPTORS, Limits, budget
from qpumon.serve.workers import DrawingThreads
from tests.serve.conftest import ACCOUNT_VARIABLES, free_port, running, wait_healthy

#: A generous bound on one request: an answer that does not come within it is a failure.
REQUEST_TIMEOUT_S = 10.0
HALF_OPEN = 1100
NOFILE = 1024
TOKEN = "a-bearer-token-of-32-characters!"


def _half_open(port: int, count: int, source: str = "127.0.0.1") -> list[socket.socket]:
    """``count`` connections that each sent half a request."""
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        s.sendall(b"GET /api/devices HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        opened.append(s)
    return opened


def _closed_by_server(s: socket.socket) -> bool:
    """True if the server closed ``s`` (end of stream, a reset, or a 503 before closing)."""
    s.settimeout(REQUEST_TIMEOUT_S)
    try:
        data = s.recv(4096)
    except TimeoutError:
        return False
    except OSError:
        return True
    return data == b"" or data.startswith(b"HTTP/1.1 503")


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The real ``qpumon serve fake_armonk`` with a bearer token, its descriptors limited to
    :data:`NOFILE`; this process may open more (the attacker's connections)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < HALF_OPEN + 256:
        pytest.skip(f"the descriptor limit here ({hard}) is below what the attacker needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, HALF_OPEN + 256), hard))
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    token.chmod(0o600)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARIABLES}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    args = ["serve", "fake_armonk", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'h.db'}"]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))

    process = subprocess.Popen(
        [sys.executable, "-m", "qpumon", *args, "--auth-token-file", str(token)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=limit,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        process.terminate()
        process.communicate(timeout=30)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_1100_half_open_connections_under_1024_descriptors_starve_nobody(
    limited_server: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = limited_server
    port = int(url.rpartition(":")[2])
    attacker = _half_open(port, HALF_OPEN)
    try:
        health = httpx.get(f"{url}/healthz", timeout=REQUEST_TIMEOUT_S)
        authorized = {"Authorization": f"Bearer {TOKEN}"}
        api = httpx.get(f"{url}/api/devices", headers=authorized, timeout=REQUEST_TIMEOUT_S)
        refused = httpx.get(f"{url}/api/devices", timeout=REQUEST_TIMEOUT_S)
        closed = sum(_closed_by_server(s) for s in attacker[:50])  # the longest waiting
    finally:
        for s in attacker:
            s.close()
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert api.status_code == 200
    assert [d["name"] for d in api.json()["devices"]] == ["fake_armonk"]
    assert refused.status_code == 401
    assert closed == 50  # the oldest half-open connections made room
    assert process.poll() is None


def test_a_connection_that_drips_its_headers_is_closed_at_the_deadline(tmp_path: Path) -> None:
    limits = Limits(connections=64, per_address=32, header_timeout_s=0.5)
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}", limits=limits) as server:
        port = int(server.url.rpartition(":")[2])
        (slow,) = _half_open(port, 1)
        slow.settimeout(0.1)
        dripped, closed = 0, False
        while dripped < 200 and not closed:  # 20 s of dripping at most: 40 deadlines
            try:
                slow.sendall(b"x")
                closed = slow.recv(1) == b""
            except TimeoutError:
                dripped += 1
            except OSError:
                closed = True
        slow.close()
        assert closed
        assert httpx.get(f"{server.url}/healthz", timeout=REQUEST_TIMEOUT_S).status_code == 200


def test_a_full_server_evicts_the_longest_waiting_connection(tmp_path: Path) -> None:
    limits = Limits(connections=20, per_address=10)
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}", limits=limits) as server:
        port = int(server.url.rpartition(":")[2])
        first = _half_open(port, 10, source="127.0.0.2")
        second = _half_open(port, 10, source="127.0.0.3")  # the budget is full
        with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as client:
            answers = [client.get("/healthz").status_code for _ in range(3)]
        gone = [_closed_by_server(s) for s in first[:1]]
        for s in first + second:
            s.close()
    assert answers == [200, 200, 200]
    assert gone == [True]  # the oldest connection of the largest holder made room


def test_an_address_holds_its_share_and_no_more(tmp_path: Path) -> None:
    limits = Limits(connections=40, per_address=5)
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}", limits=limits) as server:
        port = int(server.url.rpartition(":")[2])
        attacker = _half_open(port, 8, source="127.0.0.2")
        closed = sum(_closed_by_server(s) for s in attacker[:3])
        for s in attacker:
            s.close()
    assert closed == 3  # its own oldest made room for its newest


def test_a_request_with_a_body_is_refused_and_the_connection_closed(tmp_path: Path) -> None:
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}") as server:
        port = int(server.url.rpartition(":")[2])
        with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT_S) as s:
            s.sendall(b"GET /api/devices HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab")
            answer = b""
            while chunk := s.recv(65536):  # the server closes the connection
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in head.lower()
    assert "no request body" in json.loads(body)["error"]


def test_the_descriptor_budget_leaves_room_for_the_process_work() -> None:
    limits = budget(1024, 40)
    assert limits.connections == 1024 - 40 - ACCEPT_BURST - WORK_DESCRIPTORS
    assert limits.per_address == limits.connections // 2
    with pytest.raises(UsageError, match="ulimit -n 160"):
        budget(160, 40)


def test_a_drawing_that_outlives_the_drain_is_answered_503_json() -> None:
    never = threading.Event()

    async def drawing(scope: object, receive: object, send: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, never.wait, 30)

    async def scenario() -> list[dict[str, object]]:
        drain = Drain(grace_s=0.05)
        app = Draining(drawing, drain)
        sent: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        request = asyncio.ensure_future(app({"type": "http"}, None, send))
        await asyncio.sleep(0)
        drain.begin()
        await request
        await app({"type": "http"}, None, send)  # arrives while stopping
        return sent

    sent = asyncio.run(scenario())
    never.set()
    statuses = [m["status"] for m in sent if m["type"] == "http.response.start"]
    bodies = [json.loads(m["body"]) for m in sent if m["type"] == "http.response.body"]  # type: ignore[arg-type]
    assert statuses == [503, 503]
    assert bodies == [{"error": STOPPING}] * 2


def test_sigterm_while_pages_are_drawn_gives_no_500(tmp_path: Path) -> None:
    port = free_port()
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    clean = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARIABLES}
    devices = ["fake_fez", "fake_kingston", "fake_torino", "fake_marrakesh", "fake_sherbrooke"]
    process = subprocess.Popen(
        [sys.executable, "-m", "qpumon", "serve", *devices, "--port", str(port)]
        + ["--db", f"sqlite:///{tmp_path / 'h.db'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, **env},
    )
    url = f"http://127.0.0.1:{port}"
    in_flight: list[socket.socket] = []
    try:
        wait_healthy(url, process)
        for name in devices:  # each page's first view draws its figures: seconds of matplotlib
            s = socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT_S)
            s.sendall(f"GET /devices/{name} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            in_flight.append(s)
        # Answered after the pages' requests were read: they are being drawn now.
        assert httpx.get(f"{url}/healthz", timeout=REQUEST_TIMEOUT_S).status_code == 200
        process.send_signal(signal.SIGTERM)
        answers = [_answer(s) for s in in_flight]
        _, stderr = process.communicate(timeout=30)
    finally:
        for s in in_flight:
            s.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    for status, body in answers:
        assert status in (200, 503), (status, body[:200])
        if status == 503:
            assert json.loads(body) == {"error": STOPPING}
    assert "Traceback" not in stderr and "500" not in stderr, stderr


def _answer(s: socket.socket) -> tuple[int, bytes]:
    """The status and body of the answer on ``s`` (read until the server closes it)."""
    s.settimeout(REQUEST_TIMEOUT_S * 3)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_long_drawing_never_holds_up_a_short_one() -> None:
    threads = DrawingThreads(size=4)
    release = threading.Event()

    async def scenario() -> str:
        long = asyncio.ensure_future(threads.run(lambda: release.wait(60)))
        short = await threads.run(lambda: "drawn")
        release.set()
        await long
        return short

    assert asyncio.run(scenario()) == "drawn"


def test_a_descriptor_limit_that_leaves_no_room_is_one_line_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARIABLES}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))

    args = ["serve", "fake_armonk", "--port", str(free_port())]
    done = subprocess.run(
        [sys.executable, "-m", "qpumon", *args, "--db", f"sqlite:///{tmp_path / 'h.db'}"],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("qpumon: error: the descriptor limit (ulimit -n 100, ")
    assert done.stderr.count("\n") == 1 and "raise it" in done.stderr
