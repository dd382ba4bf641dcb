"""``qpumon serve`` under attack: slowloris under a descriptor limit, and SIGTERM under load.

    python benchmarks/bench_serve_attack.py [--connections 1100] [--nofile 1024] [--runs 3]

Slowloris: the real ``qpumon serve fake_armonk`` runs with ``RLIMIT_NOFILE`` set to
``--nofile``; an attacker on 127.0.0.1 (the same address as the prober) holds ``--connections``
connections that each sent half a request line and drip one header byte a second (reopening any
the server closes). The figure is how long ``/healthz`` takes on a fresh connection (median of
``--runs`` probes, each given 10 s; 10 s means it did not answer), beside the same probe with
no attacker.

Shutdown: the real ``qpumon serve`` with every bundled device; 16 clients ask for device pages
that are not drawn yet (each a few hundred milliseconds of matplotlib); after 2 s of that,
SIGTERM. The figures are the time from SIGTERM to the process's exit (median of ``--runs``
servers) and what the requests in flight got: whole answers, 503s, 500s, connections cut.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE_TIMEOUT_S = 10.0
LOAD_CLIENTS = 16
LOAD_BEFORE_SIGTERM_S = 2.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    folder: Path, devices: list[str], nofile: int | None
) -> tuple[subprocess.Popen[bytes], int]:
    """``qpumon serve devices`` (none: every bundled device) with a fresh store, its
    descriptors limited to ``nofile``; its process and port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM_", "QPUMON_"))}
    env.update(HOME=str(folder), XDG_CACHE_HOME=str(folder / "cache"))
    db = f"sqlite:///{folder / f'history-{port}.db'}"

    def limit() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    process = subprocess.Popen(
        [sys.executable, "-m", "qpumon", "serve", *devices, "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        preexec_fn=limit,
    )
    return process, port


def get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    """One GET on a fresh connection: status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def wait_loaded(port: int, timeout: float = 180) -> None:
    """Until /healthz says every device is read."""
    import json

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            status, body = get(port, "/healthz", 5)
            if status == 200 and json.loads(body)["loaded"]:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not load its devices in time")


def probe_seconds(port: int) -> float:
    """How long /healthz takes on a fresh connection (PROBE_TIMEOUT_S when it does not answer)."""
    started = time.perf_counter()
    try:
        status, _ = get(port, "/healthz", PROBE_TIMEOUT_S)
    except OSError:
        return PROBE_TIMEOUT_S
    elapsed = time.perf_counter() - started
    return elapsed if status == 200 else PROBE_TIMEOUT_S


class Slowloris:
    """``count`` connections that each sent half a request and drip a byte a second."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.sockets: list[socket.socket | None] = [None] * count
        self.stop = threading.Event()
        self.reopened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            return s
        except OSError:
            return None

    def _drip(self, index: int) -> None:
        s = self.sockets[index]
        try:
            if s is None:
                raise OSError
            if s.recv(1024) == b"":
                raise OSError  # closed by the server
        except BlockingIOError:
            pass
        except OSError:
            if s is not None:
                s.close()
            self.sockets[index] = self._open()
            self.reopened += 1
            return
        try:
            s.send(b"X")
        except OSError:
            s.close()
            self.sockets[index] = None

    def _run(self) -> None:
        for i in range(self.count):
            self.sockets[i] = self._open()
        while not self.stop.wait(1.0):
            for i in range(self.count):
                if self.stop.is_set():
                    break
                self._drip(i)

    def __enter__(self) -> Slowloris:
        self.thread.start()
        deadline = time.monotonic() + 60
        while sum(s is not None for s in self.sockets) < self.count * 0.9:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(30)
        for s in self.sockets:
            if s is not None:
                s.close()


def slowloris(connections: int, nofile: int, runs: int) -> tuple[float, float, int]:
    """Median /healthz seconds without and with the attack, and the connections the server
    closed (and the attacker reopened)."""
    folder = Path(tempfile.mkdtemp(prefix="qpumon-bench-attack-"))
    process, port = start_server(folder, ["fake_armonk"], nofile)
    try:
        wait_loaded(port)
        quiet = statistics.median(probe_seconds(port) for _ in range(runs))
        with Slowloris(port, connections) as attack:
            attacked = statistics.median(probe_seconds(port) for _ in range(runs))
            time.sleep(3.0)  # a drip round or two: the attacker sees what the server closed
            reopened = attack.reopened
    finally:
        process.terminate()
        process.wait(timeout=30)
    return quiet, attacked, reopened


def shutdown_once(folder: Path) -> tuple[float, float, Counter[str]]:
    """Seconds from SIGTERM to exit under load, to the last answer, and what the requests
    got."""
    process, port = start_server(folder, [], None)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    answered: list[float] = []  # when each answer after the signal came
    try:
        wait_loaded(port)
        names = sorted(_device_names(port))

        def client(start: int) -> None:
            i = start
            while not stop.is_set():
                try:
                    status, _ = get(port, f"/devices/{names[i % len(names)]}", 30)
                    key = str(status)
                except (OSError, http.client.HTTPException) as exc:
                    key = "cut" if not isinstance(exc, ConnectionRefusedError) else "refused"
                with lock:
                    outcomes[key] += 1
                    answered.append(time.perf_counter())
                if key == "refused":
                    return
                i += LOAD_CLIENTS

        threads = [threading.Thread(target=client, args=(i,)) for i in range(LOAD_CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_BEFORE_SIGTERM_S)
        with lock:
            outcomes.clear()  # count from the signal on
            sent = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        took = time.perf_counter() - sent
        stop.set()
        for thread in threads:
            thread.join(60)
    finally:
        if process.poll() is None:
            process.kill()
    outcomes.pop("refused", None)
    last = max((t for t in answered if t >= sent), default=sent) - sent
    return took, last, outcomes


def _device_names(port: int) -> list[str]:
    import json

    _, body = get(port, "/api/devices")
    document = json.loads(body)
    return [d["name"] for d in document["devices"]]


def main() -> None:
    """Run both scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--nofile", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("slowloris", "shutdown"), help="one scenario")
    args = parser.parse_args()
    if args.only != "shutdown":
        run_slowloris(args)
    if args.only != "slowloris":
        run_shutdown(args)


def run_slowloris(args: argparse.Namespace) -> None:
    """The slowloris scenario, printed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.connections + 256)), hard))
    quiet, attacked, reopened = slowloris(args.connections, args.nofile, args.runs)
    print(
        f"slowloris: {args.connections} half-open connections, server RLIMIT_NOFILE {args.nofile}"
    )
    print(f"  /healthz without attack      {quiet:7.3f} s (median of {args.runs})")
    print(
        f"  /healthz under the attack    {attacked:7.3f} s (median of {args.runs}; "
        f"{PROBE_TIMEOUT_S:.0f} s = no answer)"
    )
    print(f"  attacker connections closed by the server (reopened): {reopened}")


def run_shutdown(args: argparse.Namespace) -> None:
    """The shutdown scenario, printed."""
    folder = Path(tempfile.mkdtemp(prefix="qpumon-bench-shutdown-"))
    results = [shutdown_once(folder) for _ in range(args.runs)]
    total: Counter[str] = Counter()
    for _, _, outcomes in results:
        total.update(outcomes)
    took = statistics.median(t for t, _, _ in results)
    last = statistics.median(t for _, t, _ in results)
    print(f"shutdown: SIGTERM with {LOAD_CLIENTS} clients drawing device pages")
    print(
        f"  SIGTERM to the last answer   {last:7.3f} s (median of {args.runs}; "
        f"each: {', '.join(f'{t:.2f}' for _, t, _ in results)})"
    )
    print(
        f"  SIGTERM to the process's exit {took:6.3f} s (median of {args.runs}; "
        f"each: {', '.join(f'{t:.2f}' for t, _, _ in results)})"
    )
    print(
        f"  answers after the signal: {dict(sorted(total.items()))} "
        "(cut = connection closed without an answer)"
    )


if __name__ == "__main__":
    main()
