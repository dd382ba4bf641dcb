"""One event loop in a background thread that runs every live request of the process.

The calling thread waits for its coroutine in short slices, so Ctrl-C (KeyboardInterrupt) is
raised in it within a tenth of a second whatever the loop is doing; the coroutine is then
cancelled, which cancels every request it has in flight, and the interruption goes on up at once
without waiting for them. The loop's thread and the threads that resolve host names are daemon
threads, so an exiting process never waits for a stuck connection or DNS lookup. Keeping one loop
for the process lets a :class:`~qpumon.live.source.LiveSource` reuse its connections from one call
to the next (``--watch``, ``backfill``), and works the same when the caller runs its own event
loop (a notebook).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: How often the waiting thread wakes to let a pending Ctrl-C through (seconds).
_SLICE = 0.1
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


class _DaemonThreads(concurrent.futures.ThreadPoolExecutor):
    """The loop's executor (host-name lookups): one daemon thread per call, never joined, so a
    lookup that hangs cannot hold up the process's exit."""

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        """Run ``fn(*args, **kwargs)`` on a new daemon thread; its future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever awaits the future
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="qpumon-live-lookup", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: the threads end with their lookups or with the process."""


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            loop.set_default_executor(_DaemonThreads(max_workers=1))
            threading.Thread(target=loop.run_forever, name="qpumon-live-loop", daemon=True).start()
            _loop = loop
        return _loop


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the shared loop and return its result (or raise its error).

    An interruption of the waiting thread (Ctrl-C) cancels the coroutine and is re-raised at once.
    """
    future = asyncio.run_coroutine_threadsafe(coroutine, _shared_loop())
    try:
        while not future.done():
            concurrent.futures.wait([future], timeout=_SLICE)
    except BaseException:
        future.cancel()
        raise
    return future.result()


def run_later(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Start ``coroutine`` on the shared loop without waiting for it (closing connections)."""
    loop = _loop
    if loop is None or loop.is_closed():
        coroutine.close()
        return
    asyncio.run_coroutine_threadsafe(coroutine, loop)
