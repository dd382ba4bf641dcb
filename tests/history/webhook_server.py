"""A webhook stand-in on 127.0.0.1 (standard library, one thread per request).

The path chooses the answer: ``/200``, ``/500``, ``/302``, ``/307``, ``/308`` (redirects to
``/200``), ``/hang`` (never answers), ``/trickle`` (the status line, one byte every
``trickle_s``), ``/trickle-body`` (200, then a body one byte every ``trickle_s``), ``/huge``
(500 with an endless body), ``/huge-ok`` (200 with an endless body). Every request is kept in
``requests``; ``arrived`` is set when one has come in.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_REDIRECTS = {"/302": 302, "/307": 307, "/308": 308}


@dataclass(frozen=True)
class Request:
    """One request the stand-in received."""

    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hook:
    """The stand-in's state: what came in, and events to release hanging answers."""

    trickle_s: float = 0.3
    requests: list[Request] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    closing: threading.Event = field(default_factory=threading.Event)
    bytes_sent: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self._answer(Request("POST", self.path, body, dict(self.headers.items())))

    def do_GET(self) -> None:
        self._answer(Request("GET", self.path, None))

    def _answer(self, request: Request) -> None:
        hook = self.server.hook
        hook.requests.append(request)
        hook.arrived.set()
        path = self.path.partition("?")[0]
        if path in _REDIRECTS:
            self.send_response(_REDIRECTS[path])
            self.send_header("Location", "/200")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/hang":
            hook.closing.wait()
        elif path == "/trickle":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        elif path == "/trickle-body":
            self._status(200, length=100)
            self._trickle(b"x" * 100)
        elif path in ("/huge", "/huge-ok"):
            self._status(500 if path == "/huge" else 200, length=3 * 1024**3)
            self._endless()
        elif path in ("/200", "/500"):
            self._status(int(path[1:]), length=len(b"oops\n"))
            self.wfile.write(b"oops\n")
        else:
            self._status(404, length=0)

    def _status(self, code: int, length: int) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _trickle(self, data: bytes) -> None:
        hook = self.server.hook
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                if hook.closing.wait(hook.trickle_s):
                    return
        except OSError:
            return

    def _endless(self) -> None:
        chunk = b"y" * 65536
        try:
            while not self.server.hook.closing.is_set():
                self.wfile.write(chunk)
                self.server.hook.bytes_sent += len(chunk)
        except OSError:
            return

    def log_message(self, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, hook: Hook) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hook = hook


@contextmanager
def serve(trickle_s: float = 0.3) -> Iterator[tuple[str, Hook]]:
    """A running stand-in: ``(base URL, hook)``; hanging answers are released on exit."""
    hook = Hook(trickle_s)
    server = _Server(hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hook
    finally:
        hook.closing.set()
        server.shutdown()
        server.server_close()
