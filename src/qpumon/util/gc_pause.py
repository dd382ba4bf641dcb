"""Pausing the garbage collector around bulk work that makes many objects and no garbage."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
#: Paused blocks running now (in any thread), and whether the collector was on before the first.
_paused = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around work that only makes objects that stay alive.

    Parsing a large JSON tree, or building and drawing a report of a large device, makes
    hundreds of thousands of small objects; without the pause, the collector's repeated scans
    over them find nothing to free (and cost as much as the parse itself). Used only at those
    choke points: reading IBM's files (:mod:`qpumon.sources.files`), the live IBM parse, and
    building and rendering a report.

    The collector is process-wide, so the pause is counted across threads: it starts with the
    first block and ends with the last (``backfill`` runs 16 live fetches at once; each block
    restoring what it alone had seen turned the collector back on under the others).
    """
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
