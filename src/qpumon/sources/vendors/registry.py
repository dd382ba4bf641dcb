"""The vendor registry: the vendors with named devices, the package each needs, and how a
vendor's reader finds that package (or says which extra would install it). Each reader imports
this module, never the package's entry point (:mod:`qpumon.sources.vendors`), which imports
them."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from ...errors import MissingExtraError, missing_extra, pip_extra
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
        Vendor("google", "google", "cirq-google", "cirq_google", pip_extra("google")),
        Vendor(
            "quantinuum",
            "quantinuum",
            "pytket-quantinuum",
            "pytket",
            pip_extra("quantinuum"),
        ),
        # iqm-client pins pydantic < 2.13, which qiskit-ibm-runtime cannot have: no extra can
        # install it beside qpumon. qpumon reads its files only, which this command puts there.
        Vendor("iqm", "iqm", "iqm-client", "iqm", "pip install --no-deps iqm-client"),
    )
}
#: How a vendor device name starts (``google:`` ...).
VENDOR_PREFIXES: tuple[str, ...] = tuple(f"{name}:" for name in VENDORS)
#: The package Amazon Braket documents are validated with, and its extra.
BRAKET = Vendor("braket", "braket", "amazon-braket-schemas", "braket", pip_extra("braket"))


class VendorSource(Protocol):
    """What a vendor's source module offers."""

    def device_names(self, what: str = "") -> list[str]:
        """The vendor's devices available offline (``what``: the name asked for, for the message
        if the vendor's package is missing)."""

    def load(self, device: str) -> DeviceSnapshot:
        """The snapshot of ``device`` (one of :meth:`device_names`)."""


def import_vendor(module: str, vendor: Vendor, what: str) -> ModuleType:
    """Import the vendor package's ``module``; a :class:`MissingExtraError` naming ``what``
    (``google:weber``) and the extra if the package is not installed or cannot be imported."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise _missing(vendor, what, exc) from exc


def vendor_folder(package: str, vendor: Vendor, what: str) -> str:
    """The folder of the vendor's ``package``, found without importing it (its parents are
    imported: keep them namespace packages or light); a :class:`MissingExtraError` if absent."""
    try:
        spec = importlib.util.find_spec(package)
    except ImportError as exc:  # a missing parent package
        raise _missing(vendor, what, exc) from exc
    except ValueError as exc:  # a module in sys.modules without a spec: not an installed one
        raise _missing(vendor, what, None) from exc
    if spec is None or not spec.submodule_search_locations:
        raise _missing(vendor, what, None)
    return str(next(iter(spec.submodule_search_locations)))


def _missing(vendor: Vendor, what: str, cause: ImportError | None) -> MissingExtraError:
    """:func:`~qpumon.errors.missing_extra` for ``vendor``'s package."""
    return missing_extra(what, vendor.distribution, vendor.install, cause, package=vendor.package)
