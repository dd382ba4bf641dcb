"""The one way to key a cache of what qpumon computed: qpumon's version and the stat of its code.

A cached value is valid only for the code that made it. An editable install keeps its version
while its code changes, so the key also holds the size and modification time of every qpumon
module: walking the whole package (half a millisecond), rather than listing the modules that
shape a cached value, cannot miss one.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from .version import __version__

#: The qpumon package's folder.
PACKAGE = Path(__file__).resolve().parents[1]


@functools.cache
def code_key() -> tuple[Any, ...]:
    """qpumon's version and the ``[path, size, mtime]`` of every qpumon module (taken once per
    process)."""
    return (__version__, *file_stats(PACKAGE, ".py"))


def file_stats(path: Path, suffix: str = "") -> list[list[Any]]:
    """``[path, size, mtime]`` of ``path``, or of every file under it (ending in ``suffix``) if
    it is a folder; ``[path, None]`` for one that cannot be read."""
    if not path.is_dir():
        return [_stat(path)]
    found: list[list[Any]] = []
    for root, folders, files in os.walk(path):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found.extend(_stat(Path(root) / n) for n in sorted(files) if n.endswith(suffix))
    return found


def _stat(path: Path) -> list[Any]:
    try:
        info = os.stat(path)
    except OSError:
        return [str(path), None]
    return [str(path), info.st_size, info.st_mtime_ns]
