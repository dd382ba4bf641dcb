"""Notebook display, registered once when :mod:`qpumon` is imported (:func:`register`): a
snapshot shows its monitor report, any report its own components (drawn by
:mod:`qpumon.reports.notebook`). The reports are imported on first display, so that importing
qpumon stays light."""

from __future__ import annotations

from .util import display


def html(value: object) -> str:
    """A snapshot or report as a notebook shows it."""
    from .model import DeviceSnapshot
    from .reports.notebook import report_html, snapshot_html

    if isinstance(value, DeviceSnapshot):
        return snapshot_html(value)
    return report_html(value)


def register() -> None:
    """Show snapshots and reports in notebooks with :func:`html` (done by ``import qpumon``)."""
    display.register_html(html)
