"""The threads that draw the server's answers: daemon threads, so that a drawing that a stopping
server abandons never holds up the process's exit (anyio's worker threads, which Starlette's
``run_in_threadpool`` uses, are joined at exit: a page half drawn at SIGTERM kept the process
alive for seconds after the server had stopped)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
#: The most answers drawn at once (drawing holds the GIL: more threads draw no faster).
MAX_THREADS = 4

_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class DrawingThreads:
    """Up to ``size`` daemon threads, started as work arrives, that run what
    :meth:`run` is given."""

    def __init__(self, size: int = MAX_THREADS) -> None:
        self.size = size
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in one of the threads; cancelling the wait abandons the work (it is
        skipped if it has not started, else left to end alone)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((work, loop, future))
        self._grow()
        return await future

    def _grow(self) -> None:
        with self._lock:
            if self._idle > 0 or self._threads >= self.size:
                return
            self._threads += 1
        threading.Thread(target=self._serve, name="qpumon-draw", daemon=True).start()

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            work, loop, future = self._jobs.get()
            with self._lock:
                self._idle -= 1
            if future.cancelled():  # abandoned before it started
                continue
            try:
                outcome: tuple[bool, Any] = (True, work())
            except Exception as exc:  # handed to the waiting request
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, outcome)


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


#: The threads every server of this process shares.
DRAWING = DrawingThreads()
