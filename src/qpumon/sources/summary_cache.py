"""Summaries of the bundled snapshots, cached by file identity.

``qpumon overview`` and ``qpumon list`` need every bundled device's headline numbers, which only
change when qiskit-ibm-runtime's files or qpumon's code do. Each device's summaries (with and
without IBM's failure flags in the medians) are kept in ``<user cache>/bundled-summaries.json``,
keyed by the device's files' paths, sizes and modification times; a file that changed, moved or
is new is parsed again. The whole cache is used only while it was written by the same code: its
format and :func:`~qpumon.util.cache_key.code_key` (qpumon's version and the stat of every
module), as the vendor cache is keyed. A cache that cannot be read is rebuilt, one that cannot
be written is done without.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ..errors import OutputError
from ..model import DeviceStatus
from ..model.summary import DeviceSummary, summarize
from ..util.cache_key import code_key, file_stats
from ..util.output import write_output
from ..util.paths import user_cache_dir
from ..util.times import parse_iso
from . import default_bundled

#: Bump when the cache's layout changes: older caches are then ignored.
CACHE_FORMAT = 4
_TIMES = ("calibrated_at",)


def _code_identity() -> list[Any]:
    """What the whole cache is valid for: its format and the code that wrote it."""
    return [CACHE_FORMAT, *code_key()]


def cache_path() -> Path:
    """The cache file (in the user's cache folder)."""
    return user_cache_dir() / "bundled-summaries.json"


def bundled_summaries(
    include_flagged: bool = False, progress: Callable[[int, int, str], None] | None = None
) -> list[DeviceSummary]:
    """The summary of every bundled device, by name, from the cache where it is current."""
    bundled = default_bundled()
    names = bundled.names()
    cached = _read(cache_path())
    entries: dict[str, Any] = {}
    summaries = []
    for done, name in enumerate(names, start=1):
        identity = _identity(bundled.files(name))
        entry = cached.get(name)
        if entry is None or entry.get("identity") != identity:
            snapshot = bundled.load(name)
            entry = {
                "identity": identity,
                "plain": _to_json(summarize(snapshot)),
                "flagged": _to_json(summarize(snapshot, include_flagged=True)),
            }
        entries[name] = entry
        summaries.append(_from_json(entry["flagged" if include_flagged else "plain"]))
        if progress is not None:
            progress(done, len(names), name)
    if entries != cached:
        _write(cache_path(), entries)
    return summaries


def _identity(files: list[Path]) -> list[Any]:
    return [stat for path in files for stat in file_stats(path)]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _code_identity():
        return {}
    entries = data.get("devices")
    return entries if isinstance(entries, dict) else {}


def _write(path: Path, entries: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, orjson.dumps({"format": _code_identity(), "devices": entries}))
    except (OSError, OutputError):
        pass  # only a cache: the next run parses the files again


def _to_json(summary: DeviceSummary) -> dict[str, Any]:
    data = {name: getattr(summary, name) for name in DeviceSummary.__slots__}
    status = summary.status
    data["status"] = (
        None if status is None else [status.operational, status.message, status.pending_jobs]
    )
    for name in _TIMES:
        value = data[name]
        data[name] = None if value is None else value.isoformat()
    data["device_level"] = sorted(summary.device_level)
    return data


def _from_json(data: dict[str, Any]) -> DeviceSummary:
    values = dict(data)
    status = values["status"]
    values["status"] = None if status is None else DeviceStatus(*status)
    for name in _TIMES:
        raw = values[name]
        values[name] = None if raw is None else parse_iso(raw)
    for name, value in values.items():
        if isinstance(value, list):  # JSON arrays were tuples of gate names
            values[name] = tuple(value)
    values["device_level"] = frozenset(values["device_level"])
    return DeviceSummary(**values)
