"""The devices of vendors other than IBM: names such as ``google:weber`` and documents recognised
by their content (Amazon Braket device properties, IonQ characterizations).

Each vendor's source is its own module (:mod:`.google`, :mod:`.quantinuum`, :mod:`.iqm`,
:mod:`.braket`, :mod:`.ionq`), imported only when one of its names or documents is asked for,
and each reads the vendor's own package (an optional extra, ``pip install 'qpumon[google]'``),
which it imports only then too: an IBM command never pays for them. A named device's snapshot
comes from the cache of the vendor's snapshots per installed version (:mod:`.cache`) where it
is current, so the package is imported only to fill it.

A vendor source module has ``device_names(what="") -> list[str]`` (the vendor's devices available
offline, in qpumon's lower-case spelling) and ``load(device) -> DeviceSnapshot``.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast

from ...errors import DeviceNotFoundError, MissingExtraError
from ...model import DeviceSnapshot


@dataclass(frozen=True, slots=True)
class Vendor:
    """A vendor whose devices are named ``<name>:<device>``: the qpumon module that reads them,
    and the package that module needs (``distribution``, imported as ``package``, installed by
    the command ``install``)."""

    name: str
    module: str
    distribution: str
    package: str
    install: str


#: The vendors with named devices, by the prefix of their names.
VENDORS: dict[str, Vendor] = {
    v.name: v
    for v in (
        Vendor("google", "google", "cirq-google", "cirq_google", "pip install 'qpumon[google]'"),
        Vendor(
            "quantinuum",
            "quantinuum",
            "pytket-quantinuum",
            "pytket",
            "pip install 'qpumon[quantinuum]'",
        ),
        # iqm-client pins pydantic < 2.13, which qiskit-ibm-runtime cannot have: no extra can
        # install it beside qpumon. qpumon reads its files only, which this command puts there.
        Vendor("iqm", "iqm", "iqm-client", "iqm", "pip install --no-deps iqm-client"),
    )
}
#: How a vendor device name starts (``google:`` ...).
VENDOR_PREFIXES: tuple[str, ...] = tuple(f"{name}:" for name in VENDORS)
#: The package Amazon Braket documents are validated with, and its extra.
BRAKET = Vendor(
    "braket", "braket", "amazon-braket-schemas", "braket", "pip install 'qpumon[braket]'"
)


class VendorSource(Protocol):
    """What a vendor's source module offers."""

    def device_names(self, what: str = "") -> list[str]:
        """The vendor's devices available offline (``what``: the name asked for, for the message
        if the vendor's package is missing)."""

    def load(self, device: str) -> DeviceSnapshot:
        """The snapshot of ``device`` (one of :meth:`device_names`)."""


def is_vendor_name(name: str) -> bool:
    """True for a ``vendor:device`` name (known vendor or not: an unknown one is an error that
    lists the known ones, not a bundled IBM name)."""
    vendor, sep, _ = name.strip().partition(":")
    return bool(sep) and bool(vendor) and vendor.replace("-", "").replace("_", "").isalnum()


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
    part) or an IonQ characterization (one, or the ``characterizations`` list of the API)."""
    from . import braket, ionq

    if braket.is_braket_document(data):
        return braket.snapshot_from_braket(data, path)
    if ionq.is_ionq_document(data):
        return ionq.snapshot_from_ionq(data, path)
    return None


def import_vendor(module: str, vendor: Vendor, what: str) -> ModuleType:
    """Import the vendor package's ``module``; a :class:`MissingExtraError` naming ``what``
    (``google:weber``) and the extra if the package is not installed or cannot be imported."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise missing_extra(vendor, what, exc) from exc


def vendor_folder(package: str, vendor: Vendor, what: str) -> str:
    """The folder of the vendor's ``package``, found without importing it (its parents are
    imported: keep them namespace packages or light); a :class:`MissingExtraError` if absent."""
    try:
        spec = importlib.util.find_spec(package)
    except ImportError as exc:  # a missing parent package
        raise missing_extra(vendor, what, exc) from exc
    except ValueError as exc:  # a module in sys.modules without a spec: not an installed one
        raise missing_extra(vendor, what, None) from exc
    if spec is None or not spec.submodule_search_locations:
        raise missing_extra(vendor, what, None)
    return str(next(iter(spec.submodule_search_locations)))


def missing_extra(vendor: Vendor, what: str, cause: ImportError | None) -> MissingExtraError:
    """The one-line error for a vendor package that is absent (or present but broken)."""
    fix = vendor.install
    absent = cause is None or (
        isinstance(cause, ModuleNotFoundError)
        and (cause.name or "").split(".")[0] == vendor.package
    )
    if absent:
        return MissingExtraError(f"{what} needs {vendor.distribution}: {fix}")
    return MissingExtraError(
        f"{what} needs {vendor.distribution}, which is installed but cannot be imported "
        f"({cause}): {fix}"
    )


def _source(vendor: Vendor) -> VendorSource:
    """The vendor's devices, from the cache of its snapshots where it is current
    (:mod:`.cache`), else read by its source module."""
    from .cache import cached_source

    return cached_source(vendor, lambda: _reader(vendor))


def _reader(vendor: Vendor) -> VendorSource:
    return cast(VendorSource, importlib.import_module(f"{__package__}.{vendor.module}"))
