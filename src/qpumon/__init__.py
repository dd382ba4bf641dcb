"""qpumon: a monitor for quantum processors.

>>> from qpumon import backend_monitor
>>> backend_monitor("fake_burlington")            # doctest: +SKIP

The model (:mod:`qpumon.model`) is what every source produces and every report consumes. Names
are imported on first use, so that ``qpumon``'s command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import notebook

if TYPE_CHECKING:
    from .api import (
        backend_monitor,
        backend_overview,
        best_qubits,
        compare_figure,
        distribution_figure,
        html_report,
        list_devices,
        load_snapshot,
        map_figure,
        monitor_report,
        overview_report,
        place,
        summarize_devices,
    )
    from .errors import QpumonError
    from .model import (
        DeviceSnapshot,
        DeviceStatus,
        GateCalibration,
        LayerFidelity,
        QubitCalibration,
    )
    from .model.arrays import qubit_arrays
    from .model.summary import DeviceSummary, summarize
    from .reports.monitor import MonitorOptions

from .util.version import __version__ as __version__

#: Public name -> the module that defines it.
_EXPORTS = {
    "backend_monitor": "api",
    "backend_overview": "api",
    "best_qubits": "api",
    "compare_figure": "api",
    "distribution_figure": "api",
    "html_report": "api",
    "list_devices": "api",
    "load_snapshot": "api",
    "map_figure": "api",
    "monitor_report": "api",
    "overview_report": "api",
    "place": "api",
    "summarize_devices": "api",
    "qubit_arrays": "model.arrays",
    "QpumonError": "errors",
    "DeviceSnapshot": "model",
    "DeviceStatus": "model",
    "GateCalibration": "model",
    "LayerFidelity": "model",
    "QubitCalibration": "model",
    "MonitorOptions": "reports.monitor",
    "DeviceSummary": "model.summary",
    "summarize": "model.summary",
}

__all__ = [
    "DeviceSnapshot",
    "DeviceStatus",
    "DeviceSummary",
    "GateCalibration",
    "LayerFidelity",
    "MonitorOptions",
    "QpumonError",
    "QubitCalibration",
    "backend_monitor",
    "backend_overview",
    "best_qubits",
    "compare_figure",
    "distribution_figure",
    "html_report",
    "list_devices",
    "load_snapshot",
    "map_figure",
    "monitor_report",
    "overview_report",
    "place",
    "qubit_arrays",
    "summarize",
    "summarize_devices",
]


notebook.register()


def __dir__() -> list[str]:
    """The public names (imported on first use) and the module's own dunder attributes."""
    return sorted([*__all__, *(name for name in globals() if name.startswith("__"))])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qpumon' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
