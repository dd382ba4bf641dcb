"""Stopping cleanly: once the server is asked to stop, a request in flight has :data:`DRAIN_S`
to finish; one still drawing then is answered 503 with a JSON error (its drawing is abandoned
in its daemon thread, :mod:`.workers`), and a request that arrives meanwhile is answered 503 at
once. uvicorn's own end (its ``timeout_graceful_shutdown``) cancels what is left and answers
500; the drain ends first, so that never happens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from .guard import json_error

#: Seconds a request in flight has to finish once the server is asked to stop.
DRAIN_S = 1.0
#: uvicorn's ``timeout_graceful_shutdown``: a backstop behind the drain.
GRACEFUL_S = 2
STOPPING = "the server is stopping; try again in a moment"


class Drain:
    """When the server began to stop; ``on_begin`` callbacks run then (the collector's stop)."""

    def __init__(self, grace_s: float = DRAIN_S, on_begin: Callable[[], object] | None = None):
        self.grace_s = grace_s
        self.on_begin = on_begin
        self.started: float | None = None
        self._event = asyncio.Event()

    @property
    def stopping(self) -> bool:
        """True once the server began to stop."""
        return self.started is not None

    def begin(self) -> None:
        """The server begins to stop (from its event loop)."""
        if self.started is not None:
            return
        self.started = time.monotonic()
        self._event.set()
        if self.on_begin is not None:
            self.on_begin()

    async def passed(self) -> None:
        """Returns when requests in flight have had their time."""
        await self._event.wait()
        assert self.started is not None
        await asyncio.sleep(max(0.0, self.started + self.grace_s - time.monotonic()))


class Draining:
    """ASGI middleware applying ``drain`` (see the module docstring); ``headers`` go on its
    503s."""

    def __init__(self, app: Any, drain: Drain, headers: tuple[tuple[bytes, bytes], ...] = ()):
        self.app, self.drain, self.headers = app, drain, headers

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The application's answer, or a 503 when the server is stopping."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.drain.stopping:
            await json_error(send, 503, STOPPING, self.headers)
            return
        started, refused = False, False

        async def passing(message: Any) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        answer = asyncio.ensure_future(self.app(scope, receive, passing))
        deadline = asyncio.ensure_future(self.drain.passed())
        try:
            await asyncio.wait((answer, deadline), return_when=asyncio.FIRST_COMPLETED)
        finally:
            deadline.cancel()
        if not answer.done() and not started:
            refused = True
            answer.cancel()
            answer.add_done_callback(_forget)
            await json_error(send, 503, STOPPING, self.headers)
            return
        await answer


def _forget(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: an abandoned answer's failure says nothing


def stoppable(config: uvicorn.Config, drain: Drain) -> uvicorn.Server:
    """A uvicorn server that begins ``drain`` when it begins to stop."""

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            drain.begin()
            await super().shutdown(sockets)

    return Server(config)
