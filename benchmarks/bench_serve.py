"""``qpumon serve`` under load: latency of /metrics and of a device page with 16 concurrent clients.

    python benchmarks/bench_serve.py [--clients 16] [--requests 640]

Starts the real ``qpumon serve`` with every bundled device (68) on 127.0.0.1 and a fresh SQLite
store, waits until they are read and recorded, draws each measured answer once (the first draw
of a 156-qubit page is its matplotlib figures), then sends ``--requests`` requests per target
from ``--clients`` threads, each on its own kept-alive connection, and prints the median, p99
and max latency (request sent to the whole body read) and the throughput. Targets:

- ``/metrics`` for all 68 devices, gzip-compressed as Prometheus asks for it, and plain;
- the device page of fake_fez (156 qubits), gzip-compressed as browsers ask for it.

Beside them, the same data rendered in-process by ``qpumon overview -f json`` (the overview
report of every bundled device drawn as JSON), median of 20 runs. Goals (issue 13): /metrics
p99 <= 100 ms, device page p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_seconds  # noqa: E402

GOAL_MS = 100.0
TARGETS = (
    ("/metrics (68 devices, gzip)", "/metrics", "gzip"),
    ("/metrics (68 devices, plain)", "/metrics", "identity"),
    ("/devices/fake_fez (156 qubits, gzip)", "/devices/fake_fez", "gzip"),
)


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``qpumon serve`` with every bundled device; its process and port."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM_", "QPUMON_"))}
    env.update(HOME=str(folder), XDG_CACHE_HOME=str(folder / "cache"))  # no account: bundled
    db = f"sqlite:///{folder / 'history.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "qpumon", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    return process, port


def wait_loaded(port: int, timeout: float = 120) -> None:
    """Until /healthz says every device is read and recorded."""
    import json

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            status, body = get(port, "/healthz", "identity")
            if status == 200 and json.loads(body)["loaded"]:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not load its devices in time")


def get(port: int, path: str, encoding: str) -> tuple[int, bytes]:
    """One request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": encoding})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def load(port: int, path: str, encoding: str, clients: int, requests: int) -> dict[str, float]:
    """``requests`` requests from ``clients`` threads; latency figures in ms."""
    latencies: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    share = [requests // clients + (i < requests % clients) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        barrier.wait()
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Encoding": encoding})
            answer = connection.getresponse()
            body = answer.read()
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                raise SystemExit(f"{path}: HTTP {answer.status}")
        connection.close()
        with lock:
            latencies.extend(mine)
            sizes.append(len(body))

    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)],
        "max": ordered[-1],
        "rate": len(ordered) / wall,
        "kib": sizes[0] / 1024,
    }


def overview_json_ms(runs: int = 20) -> float:
    """``qpumon overview -f json`` of every bundled device, in-process, in ms."""
    from qpumon import api
    from qpumon.reports.formats import render

    return 1000 * median_seconds(lambda: render(api.overview_report(), "json"), runs)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=640, help="per target")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qpumon-bench-serve-"))
    process, port = start_server(folder)
    try:
        wait_loaded(port)
        for _, path, encoding in TARGETS:
            for _ in range(3):  # the first draw of a page, then the cache
                get(port, path, encoding)
        rows = [
            (name, load(port, path, enc, args.clients, args.requests))
            for name, path, enc in TARGETS
        ]
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"qpumon serve, {args.clients} concurrent clients, {args.requests} requests per target")
    print(
        f"{'target':40} {'size KiB':>9} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}"
    )
    for name, figures in rows:
        goal = "" if "plain" in name else ("  ok" if figures["p99"] <= GOAL_MS else "  OVER GOAL")
        print(
            f"{name:40} {figures['kib']:9.0f} {figures['median']:10.1f} {figures['p99']:8.1f} "
            f"{figures['max']:8.1f} {figures['rate']:7.0f}{goal}"
        )
    print(f"{'qpumon overview -f json (in-process)':40} {'':9} {overview_json_ms():10.1f}")
    print(f"goal: p99 <= {GOAL_MS:.0f} ms for /metrics (gzip, as Prometheus scrapes) and the page")


if __name__ == "__main__":
    main()
