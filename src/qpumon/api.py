"""qpumon's Python API: load snapshots, build reports, and the drop-in ``backend_monitor`` /
``backend_overview`` that print them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .model import DeviceSnapshot
from .reports.formats import RenderOptions, render_monitor, render_overview
from .reports.monitor import MonitorOptions, MonitorReport, build_monitor
from .reports.overview import OverviewReport, build_overview
from .sources import default_bundled, resolve
from .summary import DeviceSummary, summarize

if TYPE_CHECKING:
    from .live.options import LiveOptions

#: How to give qpumon an IBM Quantum account.
NO_ACCOUNT = (
    "no IBM Quantum account is configured; save one with `qpumon login`, or set "
    "QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE (or pass --token and --instance)"
)

#: Called as ``progress(done, total, name)`` while an overview loads its devices.
Progress = Callable[[int, int, str], None]


def load_snapshot(
    device: Any, conf: str | Path | None = None, live: LiveOptions | None = None
) -> DeviceSnapshot:
    """The snapshot of ``device``: a bundled device name, a file, a Qiskit BackendV2.

    With ``live`` options, an IBM Quantum name (``ibm_fez``) is fetched from IBM Quantum when an
    account is available (``live.at`` asks for a past calibration); without an account the
    bundled snapshot of that name is used.
    """
    at = None if live is None else live.at
    return resolve(device, live=live, at=at, conf=conf, offline=live is None)


def monitor_report(
    device: Any,
    options: MonitorOptions | None = None,
    conf: str | Path | None = None,
    now: datetime | None = None,
    live: LiveOptions | None = None,
) -> MonitorReport:
    """The monitor report of ``device`` (see :class:`MonitorOptions` and :func:`load_snapshot`)."""
    return build_monitor(load_snapshot(device, conf=conf, live=live), options, now=now)


def summarize_devices(
    devices: Iterable[Any] | None = None,
    include_flagged: bool = False,
    progress: Progress | None = None,
) -> list[DeviceSummary]:
    """Summaries of ``devices`` (default: every bundled device), loading one at a time."""
    chosen = list(default_bundled().names() if devices is None else devices)
    summaries = []
    for done, device in enumerate(chosen, start=1):
        summaries.append(summarize(resolve(device, offline=True), include_flagged=include_flagged))
        if progress is not None:
            progress(done, len(chosen), summaries[-1].name)
    return summaries


def overview_report(
    devices: Iterable[Any] | None = None,
    sort: str = "name",
    include_flagged: bool = False,
    progress: Progress | None = None,
) -> OverviewReport:
    """The overview of ``devices`` (default: every bundled device)."""
    return build_overview(summarize_devices(devices, include_flagged, progress), sort=sort)


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """One line of ``qpumon list``."""

    name: str
    num_qubits: int
    processor: str | None
    calibrated_at: datetime | None


def list_devices() -> list[DeviceListing]:
    """Every bundled device with its size, processor and snapshot date."""
    bundled = default_bundled()
    out = []
    for name in bundled.names():
        s = bundled.load(name)
        out.append(DeviceListing(s.name, s.num_qubits, s.processor, s.calibrated_at))
    return out


def backend_monitor(
    backend: Any, format: str = "table", file: TextIO | None = None, **options: Any
) -> None:
    """Print the monitor report of ``backend``, like Qiskit's removed function of this name.

    ``backend`` is a Qiskit ``BackendV2`` (``IBMBackend``, ``FakeFez()``...), a bundled device name
    or a calibration file. ``format`` is ``table``, ``json``, ``csv``, ``markdown`` or ``legacy``;
    ``options`` are those of :class:`MonitorOptions` (``qubits="0-9"``, ``sort="t1"``...).
    """
    out = file or sys.stdout
    report = monitor_report(backend, MonitorOptions(**options))
    out.write(render_monitor(report, format, RenderOptions()))


def backend_overview(
    backends: Iterable[Any] | None = None,
    format: str = "table",
    file: TextIO | None = None,
    sort: str = "name",
) -> None:
    """Print the overview of ``backends`` (default: every bundled device)."""
    out = file or sys.stdout
    out.write(render_overview(overview_report(backends, sort=sort), format, RenderOptions()))
