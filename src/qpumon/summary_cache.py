"""Summaries of the bundled snapshots, cached by file identity.

``qpumon overview`` and ``qpumon list`` need every bundled device's headline numbers, which only
change when qiskit-ibm-runtime's files do. Each device's summaries (with and without IBM's
failure flags in the medians) are kept in ``<user cache>/bundled-summaries.json``, keyed by the
device's files' paths, sizes and modification times; a file that changed, moved or is new is
parsed again. A cache that cannot be read is rebuilt, one that cannot be written is done without.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from .model import DeviceStatus
from .paths import user_cache_dir
from .sources import default_bundled
from .summary import DeviceSummary, summarize
from .times import parse_iso

#: Bump when the cache's layout changes: older caches are then ignored.
CACHE_FORMAT = 3
_TIMES = ("calibrated_at",)
#: The modules a summary is computed by: a cache written by other versions of them is ignored.
_COMPUTED_BY = (
    "summary.py",
    "model.py",
    "definitions.py",
    "units.py",
    "validate.py",
    "sources/ibm_json.py",
)


def _code_identity() -> list[Any]:
    here = Path(__file__).parent
    return [CACHE_FORMAT, *(_identity([here / name])[0][1:] for name in _COMPUTED_BY)]


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
    out: list[Any] = []
    for path in files:
        try:
            info = os.stat(path)
        except OSError:
            out.append([str(path), None])
        else:
            out.append([str(path), info.st_size, info.st_mtime_ns])
    return out


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
    from .errors import OutputError
    from .output import write_output

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
