"""Pausing the garbage collector around bulk work that makes many small acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large JSON tree is parsed and converted.

    The parse makes hundreds of thousands of small acyclic objects; without the pause, the
    collector's repeated full scans over them cost as much as the parse itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
