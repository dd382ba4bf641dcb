"""Output formats, chosen by ``--format`` from one registry.

Each format is a module exposing ``monitor(report, options) -> str`` and
``overview(report, options) -> str``; it is imported only when chosen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from ...errors import QpumonError
from ..monitor import MonitorReport
from ..overview import OverviewReport

#: Format name -> module under ``qpumon.reports.formats``.
FORMATS: dict[str, str] = {
    "table": "table",
    "json": "json_format",
    "csv": "csv_format",
    "markdown": "markdown",
    "legacy": "legacy",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: ``rich`` (colour and box tables for a terminal) and the terminal's width."""

    rich: bool = False
    width: int | None = None


class Format(Protocol):
    """What a format module provides."""

    def monitor(self, report: MonitorReport, options: RenderOptions) -> str:
        """The monitor report as text."""

    def overview(self, report: OverviewReport, options: RenderOptions) -> str:
        """The overview report as text."""


def get_format(name: str) -> Format:
    """The format called ``name``; a :class:`QpumonError` listing the choices if unknown."""
    module = FORMATS.get(name)
    if module is None:
        raise QpumonError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    found: Format = importlib.import_module(f"{__name__}.{module}")
    return found


def render_monitor(
    report: MonitorReport, name: str = "table", options: RenderOptions | None = None
) -> str:
    """``report`` drawn in format ``name``."""
    return get_format(name).monitor(report, options or RenderOptions())


def render_overview(
    report: OverviewReport, name: str = "table", options: RenderOptions | None = None
) -> str:
    """``report`` drawn in format ``name``."""
    return get_format(name).overview(report, options or RenderOptions())
