"""Distributions of one metric: histogram, empirical CDF or box plot, one or several devices.

Only real measurements are drawn: IBM's ``error == 1`` flags and missing values are left out and
counted in a note under the plot. Error rates use a logarithmic axis. Each device's median is
marked (dashed line, or the box's centre line).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from ..errors import QpumonError
from ..model import DeviceSnapshot
from .mpl import new_figure
from .scale import plain_log_ticks
from .values import Series, is_error, series

KINDS = ("hist", "cdf", "box")
#: Matplotlib's default cycle, so devices keep their colour across kinds.
_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def distribution(
    snapshots: Sequence[DeviceSnapshot],
    metric: str,
    kind: str = "hist",
    size: tuple[float, float] = (7.0, 4.2),
) -> Any:
    """A ``Figure`` (``size`` in inches) with the distribution of ``metric`` on each snapshot."""
    if kind not in KINDS:
        raise QpumonError(f"unknown plot kind {kind!r}; choose one of: {', '.join(KINDS)}")
    if not snapshots:
        raise QpumonError("no device to plot")
    all_series = [series(s, metric) for s in snapshots]
    figure = new_figure(*size, constrained=False)  # fixed margins: constrained layout is slow
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.24, top=0.9)
    ax = figure.add_subplot()
    log = is_error(all_series[0].metric)
    {"hist": _hist, "cdf": _cdf, "box": _box}[kind](ax, snapshots, all_series, log)
    if log:
        low, high = ax.get_xlim()
        plain_log_ticks(ax.xaxis, low, high)
    label = " / ".join(dict.fromkeys(s.label for s in all_series))
    ax.set_xlabel(label if kind == "box" else f"{label}  (dashed: median)")
    ax.set_title(_title(snapshots, all_series, kind), fontsize=10)
    note = _note(snapshots, all_series)
    if note:
        figure.supxlabel(textwrap.fill(note, 120), fontsize=7, color="#555555")
    return figure


def _title(snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], kind: str) -> str:
    what = {"hist": "histogram", "cdf": "cumulative distribution", "box": "box plot"}[kind]
    labels = list(dict.fromkeys(s.label for s in all_series))
    names = snapshots[0].name if len(snapshots) == 1 else f"{len(snapshots)} devices"
    return f"{' / '.join(labels)}: {what} · {names}"


def _legend_label(snapshot: DeviceSnapshot, values: Series) -> str:
    median = values.median
    text = values.metric.format(median)
    unit = f" {values.metric.unit}" if values.metric.unit and median is not None else ""
    return f"{snapshot.name} (n={len(values.measured)}, median {text}{unit})"


def _note(snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series]) -> str:
    parts = []
    for snapshot, values in zip(snapshots, all_series, strict=True):
        if values.flagged:
            parts.append(f"{snapshot.name}: {values.flagged} flagged (error = 1)")
        if values.missing:
            parts.append(f"{snapshot.name}: {values.missing} missing")
    return "left out: " + "; ".join(parts) if parts else ""


def _bins(all_series: Sequence[Series], log: bool) -> list[float]:
    values = [v for s in all_series for v in s.measured if not log or v > 0]
    if not values:
        return [0.0, 1.0]
    low, high = min(values), max(values)
    count = max(10, min(40, int(math.sqrt(len(values)) * 2)))
    if log:
        low, high = math.log10(low), math.log10(high) if high > low else math.log10(low) + 1
        return [10 ** (low + (high - low) * i / count) for i in range(count + 1)]
    high = high if high > low else low + 1
    return [low + (high - low) * i / count for i in range(count + 1)]


def _hist(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    bins = _bins(all_series, log)
    for i, (snapshot, values) in enumerate(zip(snapshots, all_series, strict=True)):
        colour = _COLOURS[i % len(_COLOURS)]
        data = [v for v in values.measured if not log or v > 0]
        ax.hist(
            data,
            bins=bins,
            histtype="stepfilled",
            alpha=0.35,
            color=colour,
            edgecolor=colour,
            linewidth=1.2,
            label=_legend_label(snapshot, values),
        )
        _median_line(ax, values, colour)
    _axes(ax, log, "count")


def _cdf(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    for i, (snapshot, values) in enumerate(zip(snapshots, all_series, strict=True)):
        colour = _COLOURS[i % len(_COLOURS)]
        data = sorted(v for v in values.measured if not log or v > 0)
        fractions = [(k + 1) / len(data) for k in range(len(data))]
        ax.step(
            data,
            fractions,
            where="post",
            color=colour,
            linewidth=1.6,
            label=_legend_label(snapshot, values),
        )
        _median_line(ax, values, colour)
    ax.set_ylim(0, 1.02)
    _axes(ax, log, "fraction ≤ x")


def _box(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    data = [[v for v in s.measured if not log or v > 0] for s in all_series]
    parts = ax.boxplot(
        data,
        patch_artist=True,
        widths=0.5,
        **_horizontal(),
        medianprops={"color": "black", "linewidth": 1.5},
    )
    for i, patch in enumerate(parts["boxes"]):
        patch.set_facecolor(_COLOURS[i % len(_COLOURS)])
        patch.set_alpha(0.5)
    ax.set_yticks(
        range(1, len(snapshots) + 1),
        [_legend_label(s, v) for s, v in zip(snapshots, all_series, strict=True)],
        fontsize=7,
    )
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.grid(True, axis="x", alpha=0.3)


def _horizontal() -> dict[str, Any]:
    """``boxplot``'s horizontal switch: ``orientation`` since matplotlib 3.10, ``vert`` before."""
    import matplotlib

    major, minor = (int(p) for p in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


def _median_line(ax: Any, values: Series, colour: str) -> None:
    if values.median is not None:
        ax.axvline(values.median, color=colour, linestyle="--", linewidth=1.2)


def _axes(ax: Any, log: bool, ylabel: str) -> None:
    if log:
        ax.set_xscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="best")
