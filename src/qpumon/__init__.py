"""qpumon: a monitor for quantum processors.

>>> from qpumon import backend_monitor
>>> backend_monitor("fake_burlington")            # doctest: +SKIP

The model (:mod:`qpumon.model`) is what every source produces and every report consumes.
"""

from __future__ import annotations

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
from .model import DeviceSnapshot, DeviceStatus, GateCalibration, LayerFidelity, QubitCalibration
from .reports.monitor import MonitorOptions
from .summary import DeviceSummary, summarize

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
