"""Output formats, chosen by ``--format`` from one registry, and the one function that draws any
report (:class:`~qpumon.reports.document.Report`) in any of them.

Each format is a module with ``render(report, options) -> str``, imported only when chosen.
``table``, ``plain``, ``json``, ``csv`` and ``markdown`` draw every report; ``legacy``,
``html`` and ``ibm-csv`` only the kinds they were made for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ...errors import UsageError
from ...util.gc_pause import paused_gc
from ..tables import Table
from .fit import check_columns

if TYPE_CHECKING:
    from ..document import Report


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """A format: its module under this package, the report kinds it draws (None: every kind)
    and a one-line description for ``--help``."""

    module: str
    kinds: frozenset[str] | None
    description: str


#: Format name -> what it is.
FORMATS: dict[str, FormatSpec] = {
    "table": FormatSpec(
        "table", None, "Rich tables fitted to the terminal; aligned text when piped"
    ),
    "plain": FormatSpec("plain", None, "aligned text, every column, never fitted or coloured"),
    "json": FormatSpec("json_format", None, "the data in full (a monitor's reloads losslessly)"),
    "csv": FormatSpec("csv_format", None, "tidy rows at full precision"),
    "markdown": FormatSpec("markdown", None, "GitHub-flavoured Markdown"),
    "legacy": FormatSpec(
        "legacy",
        frozenset({"monitor", "overview"}),
        "the text of Qiskit's removed backend_monitor/backend_overview",
    ),
    "html": FormatSpec(
        "html", frozenset({"monitor"}), "one self-contained HTML page with the chip map"
    ),
    "ibm-csv": FormatSpec(
        "ibm_csv",
        frozenset({"monitor"}),
        "IBM's calibration CSV (its current download columns); `qpumon import` reads it back",
    ),
}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: ``rich`` (a terminal: Rich, fitted to ``width`` columns), ``color``, and
    ``columns`` (keys of the table columns to show; None: all that fit)."""

    rich: bool = False
    width: int | None = None
    color: bool = False
    columns: tuple[str, ...] | None = None


class Format(Protocol):
    """What a format module provides."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """``report`` as text."""


def formats_for(kind: str) -> list[str]:
    """The formats that can draw a report of ``kind``, in registry order."""
    return [name for name, spec in FORMATS.items() if spec.kinds is None or kind in spec.kinds]


def get_format(name: str, kind: str | None = None) -> Format:
    """The format called ``name`` (for a report of ``kind``); a :class:`UsageError` listing the
    choices when it is unknown or does not apply."""
    spec = FORMATS.get(name)
    if spec is None:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    if kind is not None and spec.kinds is not None and kind not in spec.kinds:
        raise UsageError(
            f"-f {name} draws {' and '.join(sorted(spec.kinds))} reports only; for {kind} "
            f"choose one of {', '.join(formats_for(kind))}"
        )
    found: Format = importlib.import_module(f"{__name__}.{spec.module}")
    return found


def render(report: Report, name: str = "table", options: RenderOptions | None = None) -> str:
    """``report`` drawn in format ``name``: the one output pipeline of every command (the
    cyclic garbage collector paused: a large table is ~100,000 small acyclic cells)."""
    drawer = get_format(name, report.kind)
    options = options or RenderOptions()
    if options.columns:  # a key no column has is refused, in every format
        check_columns([s for s in report.sections() if isinstance(s, Table)], options.columns)
    with paused_gc():
        return drawer.render(report, options)
