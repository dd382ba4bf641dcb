"""``qpumon import``: calibration files and folders into the store, once each.

Files are qpumon or IBM JSON, or IBM's calibration CSV (:mod:`qpumon.sources.ibm_csv`); a folder
stands for every ``.csv`` under it. Each file is stored in its own transaction, through the
store's public :meth:`~qpumon.store.db.Store.record`, which keeps one calibration once: importing
again stores nothing new. Byte-identical files (re-downloads such as ``… (1).csv``, copied
folders) are read once: the copy with the earliest time is kept, the others are skipped and
counted. A file that cannot be read stops the import, naming it (its row and column for a CSV),
with nothing stored from it; ``keep_going`` skips it instead and goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, QpumonError, UsageError
from ..model import DeviceSnapshot
from ..sources import resolve
from ..sources.ibm_csv import CsvOptions, is_csv, name_and_time, read_csv
from ..store.records import Recorded

if TYPE_CHECKING:
    from ..store.db import Store

__all__ = ["ImportOptions", "Imported", "expand", "import_paths"]

#: Times of files with none sort last when choosing which of identical copies to keep.
_UNDATED = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ImportOptions:
    """``--device``, ``--calibrated-at``, ``--ignore-column`` (CSV only), ``--conf`` (the IBM
    configuration a CSV's coupling map comes from) and ``--keep-going``."""

    device: str | None = None
    calibrated_at: datetime | None = None
    ignore: frozenset[str] = frozenset()
    conf: Path | None = None
    keep_going: bool = False

    def csv(self) -> CsvOptions:
        """The options a CSV is read with."""
        return CsvOptions(self.device, self.calibrated_at, self.ignore, self.conf)


@dataclass
class Imported:
    """What an import did: each file recorded (stored, or found already stored), byte-identical
    copies skipped (with the file kept in their place), files refused (``--keep-going``) with
    why, and the stored files whose name gave no time."""

    recorded: list[tuple[Path, Recorded]] = field(default_factory=list)
    copies: list[tuple[Path, Path]] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)
    undated: list[Path] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """How many files were stored as new snapshots."""
        return sum(r.stored for _, r in self.recorded)

    @property
    def already(self) -> int:
        """How many files held a calibration the store already had."""
        return len(self.recorded) - self.stored


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files ``paths`` name: a file as it is, a folder as every ``.csv`` under it (sorted;
    none is a :class:`UsageError`); each file once."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if is_csv(p) and p.is_file())
            if not inside:
                raise UsageError(f"{path}: no .csv file in this folder (or below it)")
            found.update(dict.fromkeys(inside))
        else:
            found.setdefault(path, None)
    return list(found)


def import_paths(
    store: Store,
    paths: Sequence[Path],
    options: ImportOptions | None = None,
    advance: Callable[[Path], None] | None = None,
) -> Imported:
    """Import the files ``paths`` name (see the module's description); ``advance(path)`` is
    called once per file, for a progress bar."""
    options = options or ImportOptions()
    files = expand(paths)
    done = Imported()
    kept = _distinct(files, options, done, advance)
    for path in kept:
        try:
            snapshot = _load(path, options)
        except QpumonError as exc:
            _refuse(path, exc, options, done)
        else:
            done.recorded.append((path, store.record(snapshot)))
            if snapshot.calibrated_at is None:
                done.undated.append(path)
        if advance is not None:
            advance(path)
    return done


def _load(path: Path, options: ImportOptions) -> DeviceSnapshot:
    if is_csv(path):
        return read_csv(path, options.csv())
    return resolve(path, conf=options.conf)


def _refuse(path: Path, exc: QpumonError, options: ImportOptions, done: Imported) -> None:
    """Stop at ``path`` (its error as it is), or note it and go on with ``--keep-going``."""
    if not options.keep_going:
        raise exc
    done.refused.append((path, str(exc)))


def _distinct(
    files: Sequence[Path],
    options: ImportOptions,
    done: Imported,
    advance: Callable[[Path], None] | None,
) -> list[Path]:
    """The files to read: of byte-identical files, the one with the earliest time (then path);
    the others go to ``done.copies``. Files are kept in their given order."""
    groups: dict[bytes, list[tuple[datetime, str, Path]]] = {}
    order: list[bytes] = []
    for path in files:
        try:
            digest = _digest(path)
            when = _time(path, options)
        except QpumonError as exc:
            _refuse(path, exc, options, done)
            if advance is not None:
                advance(path)
            continue
        if digest not in groups:
            order.append(digest)
        groups.setdefault(digest, []).append((when, str(path), path))
    kept = []
    for digest in order:
        first, *others = sorted(groups[digest])
        kept.append(first[2])
        for _, _, copy in others:
            done.copies.append((copy, first[2]))
            if advance is not None:
                advance(copy)
    position = {path: i for i, path in enumerate(files)}
    return sorted(kept, key=position.__getitem__)


def _digest(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def _time(path: Path, options: ImportOptions) -> datetime:
    """The time that orders identical copies: a CSV's (from its name or the options)."""
    if not is_csv(path):
        return _UNDATED
    _, when = name_and_time(path, options.csv())
    return when or _UNDATED
