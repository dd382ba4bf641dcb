"""The one writer of output files: every ``-o`` of every command, every saved snapshot and picture.

A regular file (or a missing path) is replaced atomically: the content goes to a temporary file
in the same directory, is flushed to disk, and is renamed over the target, so a reader sees the
old file or the new one, never a part; on any error the old file is left as it was. A symlink is
followed: the file it points to is replaced and the link stays a link. Anything that is not a
regular file (``/dev/null``, a FIFO, a terminal, ``/dev/stdout``) is written in place, never
replaced by a file. The path ``-`` means standard output (a file named ``-`` is ``./-``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import OutputError

#: Mode of a new file, before the umask (as ``open()`` creates files).
_NEW_FILE_MODE = 0o666
#: The path that means standard output.
STDOUT = "-"


def is_stdout(path: str | Path) -> bool:
    """True if ``path`` is ``-``: standard output."""
    return str(path) == STDOUT


def shown_path(path: str | Path) -> str:
    """``path`` for a message: ``standard output`` for ``-``."""
    return "standard output" if is_stdout(path) else str(path)


def write_output(path: str | Path, content: str | bytes, *, private: bool = False) -> None:
    """Write ``content`` (text is UTF-8) to ``path`` as described in the module docstring.

    ``private`` makes the file readable and writable by its owner only (mode 0600), for files
    that may hold account data or calibration a user keeps to themselves.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    if is_stdout(path):
        _write_stdout(data)
        return
    target = Path(path)
    try:
        existing = os.stat(target)  # through any symlink
    except FileNotFoundError:
        existing = None  # a new file (or a link to one)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_reason(exc)})") from exc
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(target, data)
        return
    mode = 0o600 if private else _mode(existing)
    _replace_atomically(Path(os.path.realpath(target)), data, mode, shown=target)


def _mode(existing: os.stat_result | None) -> int:
    """The mode of the file being replaced, or a new file's mode under the umask."""
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return _NEW_FILE_MODE & ~umask


def _write_in_place(target: Path, data: bytes) -> None:
    try:
        with open(target, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_reason(exc)})") from exc


def _write_stdout(data: bytes) -> None:
    """``data`` to standard output, as bytes (through the text layer when it has none)."""
    import sys

    stream = sys.stdout
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            stream.write(data.decode("utf-8", "replace"))
            stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"standard output: cannot write ({_reason(exc)})") from exc


def _replace_atomically(resolved: Path, data: bytes, mode: int, shown: Path) -> None:
    import tempfile  # not at the top: it imports shutil, bz2, lzma and random

    folder = resolved.parent
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{resolved.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write ({_reason(exc)})") from exc
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        os.replace(temporary, resolved)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{shown}: cannot write ({_reason(exc)})") from exc
        raise
    _sync_directory(folder)


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (best effort: some file systems refuse)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
