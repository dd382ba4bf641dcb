"""Independent device searches on every core: the same answers, sooner.

Each call's result depends on its arguments only (each device has its own fixed work budget),
so running the calls in worker processes changes when they finish, never what they return.
Workers are forked (the parent's imports and arguments are shared, nothing is re-imported);
where fork is not available, or one core or one call is all there is, the calls run here, in
order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Calls lighter than this (circuit qubits × device qubits, summed) run in this process: a fork
#: costs more than they do.
MIN_PARALLEL_WORK = 20_000

_CALL: tuple[Callable[..., Any], Sequence[tuple[Any, ...]]] | None = None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_all(
    function: Callable[..., T], calls: Sequence[tuple[Any, ...]], heavy: Sequence[int]
) -> list[T]:
    """``[function(*args) for args in calls]``, spread over the cores when it pays; ``heavy``
    estimates each call's work (the heaviest start first, so the cores finish together)."""
    import multiprocessing

    workers = min(cores(), len(calls))
    if (
        workers < 2
        or sum(heavy) < MIN_PARALLEL_WORK
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [function(*args) for args in calls]
    global _CALL
    _CALL = (function, calls)
    order = sorted(range(len(calls)), key=lambda i: (-heavy[i], i))
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_quiet)
    try:
        found = dict(zip(order, pool.imap(_run, order), strict=True))
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _CALL = None
    return [found[i] for i in range(len(calls))]


def _run(i: int) -> Any:
    """Call ``i`` of the forked parent's :data:`_CALL`."""
    assert _CALL is not None
    function, calls = _CALL
    return function(*calls[i])


def _quiet() -> None:
    """Workers leave Ctrl-C to the parent (which ends them) and end at once on SIGTERM."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
