"""qpumon: a monitor for quantum processors.

>>> from qpumon import backend_monitor
>>> backend_monitor("fake_burlington")            # doctest: +SKIP

The model (:mod:`qpumon.model`) is what every source produces and every report consumes. Names
are imported on first use, so that ``qpumon``'s command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (
        backend_monitor,
        backend_overview,
        list_devices,
        load_snapshot,
        monitor_report,
        overview_report,
        summarize_devices,
    )
    from .arrays import qubit_arrays
    from .errors import QpumonError
    from .model import (
        DeviceSnapshot,
        DeviceStatus,
        GateCalibration,
        LayerFidelity,
        QubitCalibration,
    )
    from .reports.monitor import MonitorOptions
    from .summary import DeviceSummary, summarize

#: Public name -> the module that defines it.
_EXPORTS = {
    "backend_monitor": "api",
    "backend_overview": "api",
    "list_devices": "api",
    "load_snapshot": "api",
    "monitor_report": "api",
    "overview_report": "api",
    "summarize_devices": "api",
    "qubit_arrays": "arrays",
    "QpumonError": "errors",
    "DeviceSnapshot": "model",
    "DeviceStatus": "model",
    "GateCalibration": "model",
    "LayerFidelity": "model",
    "QubitCalibration": "model",
    "MonitorOptions": "reports.monitor",
    "DeviceSummary": "summary",
    "summarize": "summary",
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
    "list_devices",
    "load_snapshot",
    "monitor_report",
    "overview_report",
    "qubit_arrays",
    "summarize",
    "summarize_devices",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qpumon' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
