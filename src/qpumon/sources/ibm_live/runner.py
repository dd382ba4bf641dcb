"""One event loop in a background thread that runs every live request of the process.

The calling thread waits for its coroutine in short slices, so Ctrl-C (KeyboardInterrupt) is
raised in it within a tenth of a second whatever the loop is doing; the coroutine is then
cancelled, which cancels every request it has in flight, and the interruption goes on up at once
without waiting for them. The loop's thread and the threads that resolve host names are daemon
threads, so an exiting process never waits for a stuck connection or DNS lookup; as the process
exits, the loop is stopped (within a quarter of a second, else left running) so that no request
code runs while the interpreter tears itself down. Keeping one loop
for the process lets a :class:`~qpumon.sources.ibm_live.source.LiveSource` reuse its connections
from one call to the next (``--watch``, ``backfill``), and works the same when the caller runs
its own event loop (a notebook).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: How often the waiting thread wakes to let a pending Ctrl-C through (seconds).
_SLICE = 0.1
#: How long an exiting process waits for the loop to cancel what is left and stop (seconds).
_EXIT_WAIT = 0.25
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


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
    global _loop, _thread
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            loop.set_default_executor(_DaemonThreads(max_workers=1))
            _thread = threading.Thread(target=loop.run_forever, name="qpumon-live-loop")
            _thread.daemon = True
            _thread.start()
            _loop = loop
            atexit.register(_stop_at_exit)
        return _loop


def _stop_at_exit() -> None:
    """Cancel what is left on the loop, stop it and close it, waiting at most ``_EXIT_WAIT``.

    A daemon thread still running Python code while the interpreter finalizes can crash it: on
    Python 3.11, about one live command in 75 ended in a double free after printing its output.
    A loop that does not stop in time (a callback that blocks) is left to the process's end.
    """
    loop, thread = _loop, _thread
    if loop is None or thread is None or loop.is_closed():
        return
    if thread.is_alive():
        end = time.monotonic() + _EXIT_WAIT
        cancelled = asyncio.run_coroutine_threadsafe(_cancel_the_rest(), loop)
        concurrent.futures.wait([cancelled], timeout=_EXIT_WAIT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(max(0.0, end - time.monotonic()))
    if not thread.is_alive():
        loop.close()


async def _cancel_the_rest() -> None:
    """Cancel every other task on the loop (requests Ctrl-C left, connections closing) and wait
    for them to end: the process is exiting, and the system closes its sockets."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the shared loop and return its result (or raise its error).

    An interruption of the waiting thread (Ctrl-C) cancels the coroutine and is re-raised at once.
    """
    try:
        future = asyncio.run_coroutine_threadsafe(coroutine, _shared_loop())
    except RuntimeError:  # the loop is closed: the process is exiting (_stop_at_exit)
        coroutine.close()
        raise
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
