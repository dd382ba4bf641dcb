"""Reading an input file under a size limit, for every file a user names (calibrations,
circuits, alert rules, tokens)."""

from __future__ import annotations

from pathlib import Path


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None if it holds more than ``limit`` bytes. At most one byte
    past the limit is read, so ``/dev/zero`` or a huge file costs no more than the limit.
    :class:`OSError` is the caller's to report."""
    with path.open("rb") as handle:
        raw = handle.read(limit + 1)
    return None if len(raw) > limit else raw
