"""The common part of the Braket and Rigetti stand-ins: a threading HTTP server on 127.0.0.1 that
records every request, hands it to the stand-in's ``route`` and sends the answer, with fault knobs
per route: planned status codes, a truncated or replaced body, a latency added to every answer
and a stall before one route's answer."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request the stand-in received (for tests to inspect)."""

    method: str
    path: str  # as sent: percent-encoded
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    route: str = ""
    status: int = 0


@dataclass
class Answer:
    """What the stand-in sends."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StandIn:
    """A stand-in's requests and faults; subclasses define :meth:`route_of` and :meth:`route`."""

    latency: float = 0.0
    #: Error answers quote the request's Authorization header, raw and base64-encoded (what a
    #: careless server does; for redaction tests).
    echo: bool = False
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _planned: dict[str, list[int]] = field(default_factory=dict)
    _bodies: dict[str, bytes] = field(default_factory=dict)
    _stalls: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)

    # -- faults ------------------------------------------------------------------------------

    def fail(self, route: str, *codes: int) -> None:
        """Answer ``route`` with ``codes`` first (one per request), then normally."""
        with self._lock:
            self._planned.setdefault(route, []).extend(codes)

    def replace_body(self, route: str, body: bytes) -> None:
        """Answer ``route`` with 200 and ``body`` (a truncated or broken document)."""
        self._bodies[route] = body

    def stall(self, route: str, seconds: float) -> None:
        """Wait ``seconds`` before answering ``route`` (less if the server stops)."""
        self._stalls[route] = seconds

    def mend(self) -> None:
        """Clear every fault."""
        with self._lock:
            self._planned.clear()
            self._bodies.clear()
            self._stalls.clear()

    def seen(self, route: str) -> list[Request]:
        """The requests received on ``route``."""
        return [r for r in list(self.requests) if r.route == route]

    # -- to define ---------------------------------------------------------------------------

    def route_of(self, request: Request) -> str:
        """The route's name (for faults and :meth:`seen`)."""
        raise NotImplementedError

    def route(self, request: Request) -> Answer:
        """The normal answer."""
        raise NotImplementedError

    def error(self, status: int, message: str) -> Answer:
        """The service's error answer."""
        return Answer(status, {"message": message})

    # -- serving -----------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        """What to send for ``request`` (faults first)."""
        request.route = self.route_of(request)
        with self._lock:
            self.requests.append(request)
            planned = self._planned.get(request.route)
            code = planned.pop(0) if planned else None
        stall = self._stalls.get(request.route, 0.0)
        if stall:
            self._release.wait(stall)
        if self.latency:
            time.sleep(self.latency)
        if code is not None:
            return self.error(code, f"Planned failure {code} of the stand-in.{self._echo(request)}")
        body = self._bodies.get(request.route)
        if body is not None:
            return Answer(200, body)
        return self.route(request)

    def _echo(self, request: Request) -> str:
        if not self.echo:
            return ""
        sent = request.headers.get("authorization", "")
        return f" You sent {sent} ({base64.b64encode(sent.encode()).decode()})."

    @contextmanager
    def running(self) -> Iterator[StandIn]:
        """Serve on an ephemeral port of 127.0.0.1 until the block exits; sets :attr:`url`."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.state = self
        thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            yield self
        finally:
            self._release.set()
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    state: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up closes its socket: not the stand-in's error."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests inspect the requests instead."""

    def do_GET(self) -> None:
        """Answer a GET."""
        self._serve(b"")

    def do_POST(self) -> None:
        """Answer a POST (its body read in full first)."""
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, body: bytes) -> None:
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, split.path, parse_qs(split.query), headers, body)
        answer = self.server.state.answer(request)
        data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        request.status = answer.status
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def truncated(body: bytes) -> bytes:
    """The first half of ``body``: what a connection cut mid-answer leaves."""
    return body[: len(body) // 2]
