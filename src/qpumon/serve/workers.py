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
#: The most answers drawn at once, as anyio's default limiter allowed: drawing holds the GIL,
#: but a drawing may wait on the store (a history, the drift), and the others must go on.
MAX_THREADS = 40

_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class DrawingThreads:
    """Up to ``size`` daemon threads, started as work arrives, that run what
    :meth:`run` is given."""

    def __init__(self, size: int = MAX_THREADS) -> None:
        self.size = size
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._threads = self._idle = self._queued = self._busy = 0

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no work is running (at most ``timeout`` seconds); True if none is. A
        process must not end while a thread is drawing: a daemon thread inside matplotlib when
        the interpreter finalizes can crash it (SIGSEGV on Python 3.13)."""
        with self._settled:
            return self._settled.wait_for(lambda: self._busy == 0, timeout)

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in one of the threads; cancelling the wait abandons the work (it is
        skipped if it has not started, else left to end alone)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._jobs.put((work, loop, future))
            self._queued += 1
            grow = self._queued > self._idle and self._threads < self.size
            self._threads += grow
        if grow:  # every job waiting has a thread for it, up to the size
            threading.Thread(target=self._serve, name="qpumon-draw", daemon=True).start()
        return await future

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            work, loop, future = self._jobs.get()
            with self._lock:
                self._idle -= 1
                self._queued -= 1
            if future.cancelled():  # abandoned before it started
                continue
            with self._lock:
                self._busy += 1
            try:
                outcome: tuple[bool, Any] = (True, work())
            except Exception as exc:  # handed to the waiting request
                outcome = (False, exc)
            finally:
                with self._settled:
                    self._busy -= 1
                    self._settled.notify_all()
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
