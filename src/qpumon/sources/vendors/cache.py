"""The snapshots of vendor packages' devices, cached per installed version.

cirq-google's and pytket-quantinuum's devices are data shipped with the package, but reading
them means importing the package: seconds, on every command. So the first command that asks for
one of a vendor's devices reads all of them through the vendor's source module and keeps the
device list and each snapshot (qpumon's own snapshot JSON, :mod:`qpumon.model.serialize`) in
``<user cache>/vendor-<vendor>.json``; later commands read that file and never import the
package.

The file is used only while its key is the current one: a digest of

- qpumon's version and the size and modification time of every qpumon module
  (:func:`qpumon.util.cache_key.code_key`, the key of the bundled summary cache too);
- the vendor distribution's installed version (:func:`importlib.metadata.version`, which reads
  the metadata without importing the package), where its package is, and the size and
  modification time of the files the vendor's numbers are read from (:data:`DATA`).

A package that cannot be found (not installed, or hidden) is never served from the cache: its
source module says what is missing. A package that is installed but no longer imports is
served from a cache written while it did (the data is the installed version's). A snapshot is
cached only if its JSON reads back equal to it; a device whose reading fails is read again
(and fails again, with its own message) each time. A damaged or unreadable file is rebuilt,
one that cannot be written is done without. Files given by the user (Braket, IonQ documents)
are not vendor packages and never come here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ...errors import OutputError, QpumonError
from ...model import DeviceSnapshot
from ...model.serialize import FORMAT_VERSION, snapshot_from_dict, snapshot_to_dict
from ...util.cache_key import code_key, file_stats
from ...util.output import write_output
from ...util.paths import user_cache_dir

if TYPE_CHECKING:
    from .registry import Vendor, VendorSource

#: Bump when the cache file's layout changes: older files are then rebuilt.
CACHE_FORMAT = 1
#: Where each vendor's numbers are, relative to its top-level package's folder (a folder counts
#: every file in it). A vendor not listed is keyed on every file of its package.
DATA: dict[str, tuple[str, ...]] = {
    "google": (
        "devices/calibrations",
        "devices/specifications",
        "engine/virtual_engine_factory.py",
    ),
    "quantinuum": ("extensions/quantinuum/backends/api_wrappers.py",),
    "iqm": ("qiskit_iqm/fake_backends",),
}
#: Errors a damaged snapshot entry can raise as it is read back.
_DAMAGED = (QpumonError, LookupError, TypeError, ValueError, AttributeError)

Reader = Callable[[], "VendorSource"]


def cache_path(vendor: Vendor) -> Path:
    """The cache file of ``vendor``'s devices (in the user's cache folder)."""
    return user_cache_dir() / f"vendor-{vendor.name}.json"


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` read from its metadata (the package is not
    imported), or None if it is not installed."""
    from importlib.metadata import PackageNotFoundError, version  # 20 ms: vendor names only

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def cache_key(vendor: Vendor) -> str | None:
    """The key a cache of ``vendor``'s devices must carry to be used (see the module's
    docstring), or None if the vendor's package is not installed."""
    folders = _package_folders(vendor.package)
    version = installed_version(vendor.distribution)
    if folders is None or version is None:
        return None
    parts = DATA.get(vendor.name, ("",))
    data = [file_stats(folder / part) for folder in folders for part in parts]
    identity = [
        CACHE_FORMAT,
        FORMAT_VERSION,
        code_key(),
        vendor.distribution,
        version,
        data,
    ]
    return hashlib.sha256(orjson.dumps(identity)).hexdigest()


@dataclass
class _Entry:
    """One vendor's cached devices: the names, each snapshot's JSON, the snapshots read."""

    names: list[str]
    data: dict[str, Any]
    read: dict[str, DeviceSnapshot] = field(default_factory=dict)


class VendorCache:
    """A vendor's source (:class:`~qpumon.sources.vendors.VendorSource`) answered from the
    cache where it is current; ``reader`` gives the vendor's source module, called only when
    the cache cannot answer."""

    def __init__(self, vendor: Vendor, reader: Reader) -> None:
        self.vendor = vendor
        self._reader = reader
        self._entry: _Entry | None = None
        self._lock = threading.Lock()

    def device_names(self, what: str = "") -> list[str]:
        """The vendor's devices available offline (``what``: the name asked for, for the
        message if the vendor's package is missing)."""
        entry = self._current(what)
        return list(entry.names) if entry is not None else self._reader().device_names(what)

    def load(self, device: str) -> DeviceSnapshot:
        """The snapshot of ``device`` (one of :meth:`device_names`)."""
        what = f"{self.vendor.name}:{device}"
        entry = self._current(what)
        snapshot = None if entry is None else _cached(entry, device, what)
        if snapshot is None and entry is not None and device in entry.data:  # damaged
            with self._lock:
                entry = self._entry = self._build(what, cache_key(self.vendor))
            snapshot = entry.read.get(device)
        return snapshot if snapshot is not None else self._reader().load(device)

    def _current(self, what: str) -> _Entry | None:
        with self._lock:
            if self._entry is None:
                key = cache_key(self.vendor)
                if key is None:
                    return None
                self._entry = _read(cache_path(self.vendor), key) or self._build(what, key)
            return self._entry

    def _build(self, what: str, key: str | None) -> _Entry:
        """Every device read through the vendor's source module, and written to the cache."""
        source = self._reader()
        names = source.device_names(what)
        entry = _Entry(names, {})
        for name in names:
            try:
                snapshot = source.load(name)
            except QpumonError:
                continue  # asked for, it is read again and says what is wrong
            data = _exact_json(snapshot)
            if data is not None:
                entry.data[name] = data
            entry.read[name] = snapshot
        if key is not None:
            _write(cache_path(self.vendor), key, self.vendor, entry)
        return entry


_SOURCES: dict[str, VendorCache] = {}


def cached_source(vendor: Vendor, reader: Reader) -> VendorCache:
    """The one :class:`VendorCache` of ``vendor`` in this process (its cache is read once)."""
    found = _SOURCES.get(vendor.name)
    if found is None:
        found = _SOURCES.setdefault(vendor.name, VendorCache(vendor, reader))
    return found


def _cached(entry: _Entry, device: str, what: str) -> DeviceSnapshot | None:
    """``device``'s snapshot from the entry (read back once), or None if the entry has none
    or a damaged one."""
    found = entry.read.get(device)
    if found is not None or device not in entry.data:
        return found
    try:
        found = snapshot_from_dict(entry.data[device], f"cached {what}")
    except _DAMAGED:
        return None
    if found.name != what:
        return None
    entry.read[device] = found
    return found


def _exact_json(snapshot: DeviceSnapshot) -> dict[str, Any] | None:
    """The snapshot's JSON if it reads back equal to ``snapshot``, else None (not cached)."""
    data = snapshot_to_dict(snapshot)
    try:
        again = orjson.loads(orjson.dumps(data))
        same = snapshot_from_dict(again, snapshot.name) == snapshot
    except _DAMAGED:
        return None
    return again if same else None


def _read(path: Path, key: str) -> _Entry | None:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    names, snapshots = data.get("devices"), data.get("snapshots")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return _Entry(names, snapshots) if isinstance(snapshots, dict) else None


def _write(path: Path, key: str, vendor: Vendor, entry: _Entry) -> None:
    content = {
        "key": key,
        "package": f"{vendor.distribution} {installed_version(vendor.distribution)}",
        "devices": entry.names,
        "snapshots": entry.data,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, orjson.dumps(content))
    except (OSError, OutputError):
        pass  # only a cache: the next command reads the vendor's package again


def _package_folders(package: str) -> list[Path] | None:
    """The folders of top-level ``package`` (several for a namespace package), found without
    importing it; None if it cannot be found."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return [Path(p) for p in spec.submodule_search_locations]
