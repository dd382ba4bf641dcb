"""Distributions of one metric: histogram, empirical CDF or box plot, one or several devices.

Only real measurements are drawn: values out of service (IBM's ``operational = 0``), IBM's
``error == 1`` flags and missing values are left out and counted in a note under the plot, in the
words ``monitor`` uses (couplers of the native entangler: ``7 CZ couplers``). The axis names an
error's definition where it is not an average gate infidelity (``CZ error (XEB per cycle)``), as
the error map does. Error rates use a logarithmic axis (an error of exactly 0, which a log axis
cannot show, is counted in the note; when no error is above 0 the axis is linear). Each device's
median is marked (dashed line, or the box's centre line).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from ..errors import UsageError
from ..model import DeviceSnapshot
from ..util.words import count
from .mpl import drawn, new_figure
from .scale import plain_log_ticks
from .values import (
    DRAWABLE_TEXT,
    Series,
    flagged_words,
    gate_label,
    kept_words,
    partly_flagged,
    partly_off,
    series,
)

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
        raise UsageError(f"unknown plot kind {kind!r}; choose one of: {', '.join(KINDS)}")
    if not snapshots:
        raise UsageError("no device to plot")
    all_series = [series(s, metric) for s in snapshots]
    figure = new_figure(*size, constrained=False)  # fixed margins: constrained layout is slow
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.24, top=0.9)
    ax = figure.add_subplot()
    log = _log_axis(all_series)
    {"hist": _hist, "cdf": _cdf, "box": _box}[kind](ax, snapshots, all_series, log)
    if log:
        low, high = ax.get_xlim()
        plain_log_ticks(ax.xaxis, low, high)
    label = drawn(_axis_label(all_series))
    ax.set_xlabel(label if kind == "box" else f"{label}  (dashed: median)")
    ax.set_title(_title(snapshots, all_series, kind), fontsize=10)
    note = _note(snapshots, all_series, log)
    if note:
        figure.supxlabel(textwrap.fill(note, 120), fontsize=7, color="#555555")
    return figure


def _log_axis(all_series: Sequence[Series]) -> bool:
    """A log axis for error rates, when at least one is above 0."""
    return all_series[0].metric.is_error and any(v > 0 for s in all_series for v in s.measured)


def _shown(values: Series, log: bool) -> list[float]:
    """The values an axis can show (a log axis cannot show 0)."""
    return [v for v in values.measured if v > 0] if log else values.measured


def _mixed(all_series: Sequence[Series]) -> bool:
    """True when the devices' errors have different definitions (each is then named in its
    legend entry)."""
    return len({s.definition for s in all_series if s.definition}) > 1


def _bases(all_series: Sequence[Series]) -> str:
    """``CZ error``, ``CZ error / ECR error``: the labels, without definitions where they
    differ."""
    if _mixed(all_series):
        return " / ".join(dict.fromkeys(s.base for s in all_series))
    return " / ".join(dict.fromkeys(s.label for s in all_series))


def _axis_label(all_series: Sequence[Series]) -> str:
    if _mixed(all_series):
        return f"{_bases(all_series)}, each in its vendor's definition (legend)"
    return _bases(all_series)


def _title(snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], kind: str) -> str:
    what = {"hist": "histogram", "cdf": "cumulative distribution", "box": "box plot"}[kind]
    names = snapshots[0].name if len(snapshots) == 1 else count(len(snapshots), "device")
    return drawn(f"{_bases(all_series)}: {what} · {names}")


def _legend_label(snapshot: DeviceSnapshot, values: Series, mixed: bool = False) -> str:
    """``fake_fez (n=169, median 0.00382)``, with the definition where devices' differ."""
    median = values.metric.format_with_unit(values.median)
    meaning = f", {values.definition}" if mixed and values.definition else ""
    return drawn(f"{snapshot.name} (n={len(values.measured)}, median {median}{meaning})")


def _note(snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool) -> str:
    parts = []
    for snapshot, values in zip(snapshots, all_series, strict=True):
        parts += [f"{snapshot.name}: {part}" for part in _left_out(snapshot, values, log)]
    return drawn("left out: " + "; ".join(parts)) if parts else ""


def _left_out(snapshot: DeviceSnapshot, values: Series, log: bool) -> list[str]:
    """What of one device's values is not drawn, counted as ``monitor`` counts it."""
    gate = values.metric.scope == "gate"
    noun = "coupler" if gate else "qubit"
    parts = []
    if values.off:
        what = f"{gate_label(snapshot)} coupler" if gate else "qubit"
        parts.append(f"{count(values.off, what)} out of service (OFF)")
    in_service = partly_off(values)
    if in_service:
        parts.append(f"{count(in_service, 'coupler')} with a direction OFF (the other drawn)")
    flagged = flagged_words(snapshot, values)
    if flagged:
        partly = partly_flagged(values)
        kept = f"; {kept_words(partly)}" if partly else ""
        parts.append(f"{flagged} flagged (error = 1{kept})")
    if values.missing:
        parts.append(f"{count(values.missing, noun)} missing")
    if values.beyond:
        parts.append(f"{count(values.beyond, noun)} {DRAWABLE_TEXT}")
    zeros = sum(1 for v in values.measured if v <= 0) if log else 0
    if zeros:
        parts.append(f"{count(zeros, noun)} at 0 (not on a log axis)")
    return parts


def _bins(all_series: Sequence[Series], log: bool) -> list[float]:
    values = [v for s in all_series for v in _shown(s, log)]
    if not values:
        return [0.0, 1.0]
    low, high = min(values), max(values)
    bins = max(10, min(40, int(math.sqrt(len(values)) * 2)))
    if log:
        low, high = math.log10(low), math.log10(high) if high > low else math.log10(low) + 1
        return [10 ** (low + (high - low) * i / bins) for i in range(bins + 1)]
    if high <= low:
        low, high = (low - 0.5, high + 0.5) if low == 0 else (low * 0.5, high * 1.5)
        low, high = min(low, high), max(low, high)
        if all_series[0].metric.is_error:  # a probability: nothing below 0
            low = max(low, 0.0)
    step = high / bins - low / bins  # never overflows, even from -1e308 to 1e308
    return [low + step * i for i in range(bins)] + [high]


def _hist(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    bins = _bins(all_series, log)
    for i, (snapshot, values) in enumerate(zip(snapshots, all_series, strict=True)):
        colour = _COLOURS[i % len(_COLOURS)]
        data = _shown(values, log)
        ax.hist(
            data,
            bins=bins,
            histtype="stepfilled",
            alpha=0.35,
            color=colour,
            edgecolor=colour,
            linewidth=1.2,
            label=_legend_label(snapshot, values, _mixed(all_series)),
        )
        _median_line(ax, values, colour)
    _axes(ax, log, "count")


def _cdf(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    for i, (snapshot, values) in enumerate(zip(snapshots, all_series, strict=True)):
        colour = _COLOURS[i % len(_COLOURS)]
        data = sorted(_shown(values, log))
        fractions = [(k + 1) / len(data) for k in range(len(data))]
        ax.step(
            data,
            fractions,
            where="post",
            color=colour,
            linewidth=1.6,
            label=_legend_label(snapshot, values, _mixed(all_series)),
        )
        _median_line(ax, values, colour)
    ax.set_ylim(0, 1.02)
    _axes(ax, log, "fraction ≤ x")


def _box(
    ax: Any, snapshots: Sequence[DeviceSnapshot], all_series: Sequence[Series], log: bool
) -> None:
    data = [_shown(s, log) for s in all_series]
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
    mixed = _mixed(all_series)
    labels = [_legend_label(s, v, mixed) for s, v in zip(snapshots, all_series, strict=True)]
    ax.set_yticks(range(1, len(snapshots) + 1), labels, fontsize=7)
    # room for the longest label (about 0.06 inch per character at 7 points), at most 60%
    inches = 0.2 + 0.06 * max(len(label) for label in labels)
    ax.figure.subplots_adjust(left=min(0.6, max(0.1, inches / ax.figure.get_figwidth())))
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
