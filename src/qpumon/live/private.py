"""Files only their owner can read: saved snapshots, cached configurations, account files."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import QpumonError


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, created with mode 0600 (owner read/write only)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise QpumonError(f"{path}: cannot write ({exc.strerror})") from None


def ensure_private(path: Path, initial: str = "{}") -> None:
    """Create ``path`` holding ``initial`` with mode 0600 if missing; make it 0600 if present."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(initial)
