"""Load: 16 concurrent clients for 20 s on ``/metrics`` and the pages of the real ``qpumon
serve`` with every bundled device: every answer is a whole 200. (How fast is shown by
benchmarks/bench_serve.py, not asserted here.)"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import httpx

from tests.serve.conftest import free_port, start_cli, wait_healthy

CLIENTS = 16
SECONDS = 20.0
PATHS = (
    "/metrics",
    "/",
    "/devices/fake_fez",
    "/metrics",
    "/fleet/table",
    "/api/devices",
    "/devices/fake_kingston",
    "/api/devices/fake_torino",
    "/devices/fake_fez/monitor.csv",
)


def _client(url: str, start: int, stop: float, done: list[int], errors: list[str]) -> None:
    count = 0
    with httpx.Client(base_url=url, timeout=30, headers={"Accept-Encoding": "gzip"}) as client:
        for path in itertools.islice(itertools.cycle(PATHS), start, None):
            if time.monotonic() > stop:
                break
            try:
                with client.stream("GET", path) as answer:
                    size = sum(len(chunk) for chunk in answer.iter_raw())
                    expected = int(answer.headers.get("content-length", size))
                    if answer.status_code != 200 or size != expected or not size:
                        errors.append(f"{path}: {answer.status_code}, {size} of {expected} bytes")
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
            count += 1
    done.append(count)


def test_16_clients_for_20_seconds_get_no_error(tmp_path: Path) -> None:
    port = free_port()
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    db = f"sqlite:///{tmp_path / 'h.db'}"
    process = start_cli("serve", "--port", str(port), "--db", db, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        for path in PATHS:  # the first device pages are drawn once, before the load
            assert httpx.get(url + path, timeout=120).status_code == 200
        done: list[int] = []
        errors: list[str] = []
        stop = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=_client, args=(url, i, stop, done, errors))
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 60)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert errors == []
    assert len(done) == CLIENTS and all(count > 0 for count in done), done
    assert "Traceback" not in stderr and "error" not in stderr.lower(), stderr
