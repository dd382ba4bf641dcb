"""Work run in a worker thread and waited for until it ends, a ``stop`` event is set or a
deadline passes: a fetch or a webhook delivery that Ctrl-C, ``serve``'s shutdown or a deadline
must not wait out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

#: How often a wait looks at its ``stop`` event.
POLL_S = 0.05

T = TypeVar("T")


class Abandoned(Exception):
    """Work left to finish alone in its worker thread: ``stopped``, or its deadline passed."""

    def __init__(self, stopped: bool) -> None:
        super().__init__("stopped" if stopped else "deadline passed")
        self.stopped = stopped


def run_until(
    work: Callable[[], T], stop: threading.Event | None, deadline_s: float | None = None
) -> T:
    """``work()`` in a daemon thread, waited for until it ends (its result or its exception),
    ``stop`` is set or ``deadline_s`` passes (:class:`Abandoned`; the thread is left to end on
    its own and never holds up the process's exit). Nothing starts if ``stop`` is already set."""
    if stop is not None and stop.is_set():
        raise Abandoned(stopped=True)
    box: list[tuple[bool, object]] = []
    done = threading.Event()

    def target() -> None:
        try:
            box.append((True, work()))
        except BaseException as exc:  # handed to the waiting thread
            box.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=target, name="qpumon-worker", daemon=True).start()
    end = None if deadline_s is None else time.monotonic() + deadline_s
    while not done.wait(_slice(end, stop)):
        if stop is not None and stop.is_set():
            raise Abandoned(stopped=True)
        if end is not None and time.monotonic() >= end:
            raise Abandoned(stopped=False)
    ok, value = box[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def _slice(end: float | None, stop: threading.Event | None) -> float | None:
    left = None if end is None else max(0.0, end - time.monotonic())
    if stop is None:
        return left
    return POLL_S if left is None else min(POLL_S, left)
