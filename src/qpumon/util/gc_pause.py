"""Pausing the garbage collector around bulk work that makes many objects and no garbage."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around work that only makes objects that stay alive.

    Parsing a large JSON tree, or building and drawing a report of a large device, makes
    hundreds of thousands of small objects; without the pause, the collector's repeated scans
    over them find nothing to free (and cost as much as the parse itself). Used only at those
    choke points: reading IBM's files (:mod:`qpumon.sources.files`), the live IBM parse, and
    building and rendering a report.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
