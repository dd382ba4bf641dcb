"""The devices of vendors other than IBM: names such as ``google:weber`` and documents recognised
by their content (Amazon Braket device properties, IonQ characterizations).

Each vendor's source is its own module (:mod:`.google`, :mod:`.quantinuum`, :mod:`.iqm`,
:mod:`.braket`, :mod:`.ionq`), imported only when one of its names or documents is asked for,
and each reads the vendor's own package (an optional extra, ``pip install 'qpumon[google]'``),
which it imports only then too: an IBM command never pays for them. A named device's snapshot
comes from the cache of the vendor's snapshots per installed version (:mod:`.cache`) where it
is current, so the package is imported only to fill it. The vendors and the packages they need
are in :mod:`.registry`, which the readers import (this module imports them).

A vendor source module has ``device_names(what="") -> list[str]`` (the vendor's devices available
offline, in qpumon's lower-case spelling) and ``load(device) -> DeviceSnapshot``.
"""

from __future__ import annotations

import importlib
from typing import Any, cast

from ...errors import DeviceNotFoundError, MissingExtraError
from ...model import DeviceSnapshot
from .registry import (
    BRAKET,
    VENDOR_PREFIXES,
    VENDORS,
    Vendor,
    VendorSource,
    import_vendor,
    vendor_folder,
)

__all__ = [
    "BRAKET",
    "VENDORS",
    "VENDOR_PREFIXES",
    "Vendor",
    "VendorSource",
    "import_vendor",
    "resolve_vendor",
    "snapshot_from_document",
    "unavailable_vendors",
    "vendor_device_names",
    "vendor_folder",
]


def resolve_vendor(name: str) -> DeviceSnapshot:
    """The snapshot a ``vendor:device`` name names (any case).

    :class:`DeviceNotFoundError` lists the known vendors or the vendor's devices;
    :class:`MissingExtraError` names the extra to install.
    """
    vendor_name, _, device = name.strip().lower().partition(":")
    vendor = VENDORS.get(vendor_name)
    if vendor is None:
        known = ", ".join(VENDOR_PREFIXES)
        raise DeviceNotFoundError(
            f"unknown vendor {vendor_name!r} in {name.strip()!r} (known: {known}; IBM devices "
            "have no prefix, `qpumon list` shows every device)"
        )
    source = _source(vendor)
    device = device.strip()
    known_devices = source.device_names(name.strip())
    if device not in known_devices:
        listed = ", ".join(f"{vendor.name}:{d}" for d in known_devices)
        raise DeviceNotFoundError(f"unknown {vendor.name} device {device!r} (known: {listed})")
    return source.load(device)


def vendor_device_names() -> list[str]:
    """Every vendor device name available offline (``google:weber`` ...), sorted; vendors whose
    package is not installed are left out (:func:`unavailable_vendors` says why)."""
    names: list[str] = []
    for vendor in VENDORS.values():
        try:
            devices = _source(vendor).device_names()
        except MissingExtraError:
            continue
        names.extend(f"{vendor.name}:{d}" for d in devices)
    return sorted(names)


def unavailable_vendors() -> dict[str, str]:
    """Vendor -> the one-line message saying which extra would make its devices available."""
    missing: dict[str, str] = {}
    for vendor in VENDORS.values():
        try:
            _source(vendor).device_names(f"listing the {vendor.name} devices")
        except MissingExtraError as exc:
            missing[vendor.name] = str(exc)
    return missing


def snapshot_from_document(data: dict[str, Any], path: str) -> DeviceSnapshot | None:
    """The snapshot in a JSON document recognised by its content, or None if it is none of the
    documents this module knows: an Amazon Braket device-properties document (the whole
    ``aws braket get-device`` response, its ``deviceCapabilities`` or their ``standardized``
    part), an IonQ characterization (one, or the ``characterizations`` list of the API) or a
    Rigetti QCS instruction set architecture (alone or as Braket's Rigetti ``provider.specs``)."""
    from . import braket, ionq, rigetti

    if rigetti.is_rigetti_document(data):
        return rigetti.snapshot_from_rigetti(data, path)
    if braket.is_braket_document(data):
        return braket.snapshot_from_braket(data, path)
    if ionq.is_ionq_document(data):
        return ionq.snapshot_from_ionq(data, path)
    return None


def _source(vendor: Vendor) -> VendorSource:
    """The vendor's devices, from the cache of its snapshots where it is current
    (:mod:`.cache`), else read by its source module."""
    from .cache import cached_source

    return cached_source(vendor, lambda: _reader(vendor))


def _reader(vendor: Vendor) -> VendorSource:
    return cast(VendorSource, importlib.import_module(f"{__package__}.{vendor.module}"))
