"""The server's defence against clients that hold its connections (slowloris).

uvicorn arms no timer while a request's headers arrive (its h11 protocol, 0.55: the only timer
is the keep-alive one, armed after an answer and disarmed by the next byte), so a connection
that sends a header byte now and then is kept for ever; its ``limit_concurrency`` counts such
connections and, at the limit, answers the honest client 503 while the attacker's stay; and the
process's descriptors run out first (asyncio then stops accepting for a second at a time). So
every connection goes through :class:`GuardedProtocol`, an asyncio protocol around uvicorn's
h11 protocol (given as uvicorn's ``http`` option), which applies :class:`Limits`:

- a budget: at most ``connections`` connections at once (what ``RLIMIT_NOFILE`` leaves after
  the descriptors the process holds and needs, :func:`process_limits`), at most
  ``per_address`` of them from one client address;
- deadlines: a connection waiting for a request (its first, or the next after an answer) is
  closed ``header_timeout_s`` after it started waiting, whatever it sends meanwhile; one whose
  request is being answered, after ``busy_timeout_s``;
- eviction: a new connection that finds the budget (or its address's share) full takes the
  place of the connection that has waited longest for a request, from the address holding the
  most connections; it is refused (503) only when every connection is answering a request.
  A half-sent request never outranks a client that sends its request at once, with or without
  a token (the bearer token is checked only once the headers are in).

A request with a body is refused (413) by :class:`RequestStates`, which also tells the guard
when a connection's request is being answered: every route is GET, so no body is ever read,
and the connection is closed after the answer rather than waiting for the body. Connections
are known by the client's address and port, as the ASGI scope names them (``scope["client"]``).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import UsageError
from ..reports.formats.json_format import dumps

#: Seconds a connection may take to send a request's headers (from when it starts waiting).
HEADER_TIMEOUT_S = 10.0
#: Seconds a request may be answered for (drawing a page takes well under one).
BUSY_TIMEOUT_S = 60.0
#: Seconds a connection closed for its deadline may take to take what it was sent.
LINGER_S = 5.0
#: Connections accepted in one go before any is looked at (uvicorn's ``backlog``).
ACCEPT_BURST = 64
#: Descriptors kept for the process's own work: the store's connections, the figures' fonts,
#: the live client's sockets, the log.
WORK_DESCRIPTORS = 64
#: The most connections, however many descriptors there are.
MAX_CONNECTIONS = 4096
#: Fewer connections than this is not a server.
MIN_CONNECTIONS = 8
#: The longest request head read (uvicorn's ``h11_max_incomplete_event_size``).
MAX_HEAD_BYTES = 16 * 1024

Peer = tuple[str, int]
Log = Callable[[str], None]


@dataclass(frozen=True)
class Limits:
    """How many connections at once (from one address) and how long each may wait."""

    connections: int
    per_address: int
    header_timeout_s: float = HEADER_TIMEOUT_S
    busy_timeout_s: float = BUSY_TIMEOUT_S


def budget(descriptor_limit: int, in_use: int) -> Limits:
    """The limits that ``descriptor_limit`` leaves when ``in_use`` descriptors are open: room for
    the accept burst and the process's work, the rest for connections; a :class:`UsageError`
    when that is fewer than :data:`MIN_CONNECTIONS`."""
    free = descriptor_limit - in_use - ACCEPT_BURST - WORK_DESCRIPTORS
    if free < MIN_CONNECTIONS:
        raise UsageError(
            f"the descriptor limit (ulimit -n {descriptor_limit}, {in_use} in use) leaves room "
            f"for {max(free, 0)} connections, fewer than {MIN_CONNECTIONS}; raise it"
        )
    connections = min(MAX_CONNECTIONS, free)
    return Limits(connections, max(1, connections // 2))


def process_limits() -> Limits:
    """The limits this process's ``RLIMIT_NOFILE`` and open descriptors leave."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = MAX_CONNECTIONS * 2
    return budget(soft, descriptors_in_use())


def descriptors_in_use() -> int:
    """How many descriptors this process holds (a guess of 64 where it cannot be seen)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return 64


class Guard:
    """The connections of one server (used from its event loop only) and what it did to them:
    ``counts`` of ``refused``, ``evicted`` and ``timed_out``."""

    def __init__(self, limits: Limits, log: Log | None = None) -> None:
        self.limits = limits
        self.counts: Counter[str] = Counter()
        self._log = log
        self._said_full = False
        self._by_peer: dict[Peer, GuardedProtocol] = {}
        self._by_address: dict[str, set[GuardedProtocol]] = {}
        self._waiting: dict[GuardedProtocol, None] = {}  # oldest first

    @property
    def open(self) -> int:
        """Connections admitted and not yet gone."""
        return len(self._by_peer)

    def admit(self, connection: GuardedProtocol) -> bool:
        """Take ``connection`` (making room by eviction), or False to refuse it."""
        address = connection.peer[0]
        mine = self._by_address.get(address, set())
        if len(mine) >= self.limits.per_address and not self._evict(mine):
            return self._refuse()
        if len(self._by_peer) >= self.limits.connections:
            self._full()
            if not (self._evict(self._largest()) or self._evict(self._waiting)):
                return self._refuse()
        self._by_peer[connection.peer] = connection
        self._by_address.setdefault(address, set()).add(connection)
        self._wait(connection)
        return True

    def busy(self, peer: Peer | None) -> None:
        """A request of ``peer``'s connection is being answered."""
        connection = None if peer is None else self._by_peer.get(peer)
        if connection is None:
            return
        connection.requests += 1
        self._waiting.pop(connection, None)
        connection.arm(self.limits.busy_timeout_s)

    def idle(self, peer: Peer | None) -> None:
        """A request of ``peer``'s connection was answered: it waits for the next one."""
        connection = None if peer is None else self._by_peer.get(peer)
        if connection is None:
            return
        connection.requests = max(0, connection.requests - 1)
        if connection.requests == 0:
            self._wait(connection)

    def leave(self, connection: GuardedProtocol) -> None:
        """``connection`` is gone."""
        if self._by_peer.get(connection.peer) is not connection:
            return
        del self._by_peer[connection.peer]
        self._waiting.pop(connection, None)
        group = self._by_address.get(connection.peer[0])
        if group is not None:
            group.discard(connection)
            if not group:
                del self._by_address[connection.peer[0]]
        if len(self._by_peer) < self.limits.connections // 2:
            self._said_full = False

    def timed_out(self, connection: GuardedProtocol) -> None:
        """``connection`` passed its deadline (it is being closed)."""
        self.counts["timed_out"] += 1

    def _wait(self, connection: GuardedProtocol) -> None:
        self._waiting.pop(connection, None)
        self._waiting[connection] = None
        connection.arm(self.limits.header_timeout_s)

    def _evict(self, among: set[GuardedProtocol] | dict[GuardedProtocol, None]) -> bool:
        """Close the connection of ``among`` that has waited longest for a request (and has
        nothing left to send); False if none waits."""
        victim = next((c for c in self._waiting if c in among and c.flushed()), None)
        if victim is None:
            return False
        self.leave(victim)
        victim.abort()
        self.counts["evicted"] += 1
        return True

    def _largest(self) -> set[GuardedProtocol]:
        return max(self._by_address.values(), key=len, default=set())

    def _refuse(self) -> bool:
        self.counts["refused"] += 1
        return False

    def _full(self) -> None:
        if not self._said_full and self._log is not None:
            self._said_full = True
            self._log(
                f"warning: {self.limits.connections} connections open (the most the descriptor "
                "limit allows): closing those that have waited longest for a request"
            )


class GuardedProtocol(asyncio.Protocol):
    """uvicorn's h11 protocol behind :attr:`guard` (see the module docstring). uvicorn makes
    one per connection, with the arguments it gives any ``http`` protocol class."""

    guard: ClassVar[Guard]

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.inner = H11Protocol(config, server_state, app_state, _loop)
        self.transport: asyncio.Transport | None = None
        self.peer: Peer = ("", 0)
        self.admitted = False
        self.requests = 0
        self._timer: asyncio.TimerHandle | None = None

    # -- asyncio's protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Admit the connection (or answer 503 and close it)."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.peer = _peer(transport.get_extra_info("peername")) or ("", id(self))
        if not self.guard.admit(self):
            transport.write(_BUSY_ANSWER)
            transport.close()
            return
        self.admitted = True
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Passed on."""
        if self.admitted:
            self.inner.data_received(data)

    def eof_received(self) -> None:
        """Passed on (uvicorn keeps the connection open for its answer)."""
        if self.admitted:
            self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        """Passed on; the connection leaves the guard."""
        self._disarm()
        self.guard.leave(self)
        if self.admitted:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        """Passed on."""
        if self.admitted:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        """Passed on."""
        if self.admitted:
            self.inner.resume_writing()

    # -- the guard's side --------------------------------------------------------------------

    def arm(self, seconds: float) -> None:
        """Close the connection ``seconds`` from now unless re-armed."""
        self._disarm()
        self._timer = asyncio.get_running_loop().call_later(seconds, self._expired)

    def flushed(self) -> bool:
        """True when nothing waits to be sent to the client."""
        return self.transport is None or self.transport.get_write_buffer_size() == 0

    def abort(self) -> None:
        """Close now, dropping what was not sent."""
        self._disarm()
        if self.transport is not None:
            self.transport.abort()

    def _expired(self) -> None:
        self._timer = None
        self.guard.timed_out(self)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()  # what was answered is still sent, for LINGER_S at most
            self._timer = asyncio.get_running_loop().call_later(LINGER_S, self.abort)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def protocol_for(guard: Guard) -> type[GuardedProtocol]:
    """The ``http`` protocol class to give uvicorn for a server guarded by ``guard``."""

    class Guarded(GuardedProtocol):
        pass

    Guarded.guard = guard
    return Guarded


class RequestStates:
    """ASGI middleware: tells ``guard`` when a connection's request is being answered, and
    refuses (413, closing the connection) a request that comes with a body."""

    def __init__(self, app: Any, guard: Guard, headers: tuple[tuple[bytes, bytes], ...] = ()):
        self.app, self.guard, self.headers = app, guard, headers

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The request, answered by the application unless it has a body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = _peer(scope.get("client")) or None
        if has_body(scope.get("headers", [])):
            message = "this server takes no request body (every route is GET)"
            await json_error(send, 413, message, self.headers)
            return
        self.guard.busy(peer)
        try:
            await self.app(scope, receive, send)
        finally:
            self.guard.idle(peer)


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """True if a request with ``headers`` sends a body."""
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


async def json_error(
    send: Any, status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """Answer ``{"error": message}`` with ``status`` and close the connection."""
    body = dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _peer(found: object) -> Peer | None:
    if isinstance(found, list | tuple) and len(found) >= 2:
        return str(found[0]), int(found[1])
    return None


_BUSY_BODY = dumps({"error": "too many connections; try again"}).encode()
_BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"connection: close\r\nretry-after: 1\r\ncontent-length: "
    + str(len(_BUSY_BODY)).encode()
    + b"\r\n\r\n"
    + _BUSY_BODY
)
