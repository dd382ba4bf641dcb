"""The timeline of a device's health: a heat map, subjects (qubits or couplers) by snapshot, each
cell coloured by the value relative to that subject's own median over the history, on a log
scale, red where worse and blue where better whichever way the metric improves. IBM's
``error = 1`` flags are magenta (as on the maps), missing values light grey; dips are outlined in
black, a step's first snapshot carries a black triangle, and a persistently bad subject a black
bar left of its row. Columns are snapshots, not days: a dashed line marks a gap of more than
:data:`GAP` between two of them."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..history.events import Episode
from ..history.series import SYNTHETIC_NOTE, History
from ..model.vocabulary import coupler_text, parse_coupler
from .mpl import drawn, matplotlib_module, new_figure, output_format, save

#: The colour range: a factor of 4 either way from the subject's median.
RANGE_LOG2 = 2.0
FLAG_COLOUR = "#d000d0"
MISSING_COLOUR = "#dddddd"
#: A longer time without a snapshot is drawn as a dashed line (a dip must recover within 7 days).
GAP = timedelta(days=7)


def save_timeline(history: History, episodes: list[Episode], path: Path) -> None:
    """Draw the timeline of ``history`` with ``episodes`` into ``path`` (png, svg or pdf)."""
    output_format(str(path))
    save(timeline_figure(history, episodes), str(path))


def timeline_figure(history: History, episodes: list[Episode]) -> Any:
    """The heat map of ``history`` (see the module docstring) as a matplotlib Figure."""
    subjects = list(history.series)
    count = len(history.snapshots)
    relative, flags = _relative(history)
    height = min(3.6 + 0.09 * len(subjects), 40.0)
    figure = new_figure(min(4.0 + 0.06 * count, 24.0), height)
    ax = figure.add_subplot(1, 1, 1)
    colours = matplotlib_module().colormaps["RdBu"].with_extremes(bad=MISSING_COLOUR)
    image = ax.imshow(
        np.ma.masked_invalid(relative),
        aspect="auto",
        interpolation="nearest",
        cmap=colours,
        vmin=-RANGE_LOG2,
        vmax=RANGE_LOG2,
    )
    if flags.any():
        overlay = np.ma.masked_where(~flags, np.ones_like(relative))
        ax.imshow(overlay, aspect="auto", interpolation="nearest", cmap=_single(FLAG_COLOUR))
    _mark(ax, history, episodes, subjects)
    gaps = gap_columns(history)
    for column in gaps:
        ax.axvline(column - 0.5, color="black", linewidth=1.0, linestyle=(0, (2, 2)))
    _axes(ax, history, subjects, bool(gaps), _bad_rows(history, episodes, subjects))
    bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    ticks = [-2.0, -1.0, 0.0, 1.0, 2.0]
    bar.set_ticks(ticks)
    bar.set_ticklabels(
        ["¼×", "½×", "1×", "2×", "4×"]
        if not _worse_high(history)
        else ["4×", "2×", "1×", "½×", "¼×"]
    )
    bar.set_label(drawn(f"{_metric_label(history)} / own median (red: worse)"))
    return figure


def _relative(history: History) -> tuple[np.ndarray, np.ndarray]:
    """log2(value / the subject's median), its sign turned so that negative is worse; and
    where IBM's error = 1 flag is."""
    rows, flags = [], []
    for values in history.series.values():
        clean = [v for v in values if v is not None and not history.failed(v) and v > 0]
        median = float(np.median(clean)) if clean else math.nan
        row = [
            math.nan
            if v is None or history.failed(v) or v <= 0 or not median > 0
            else math.log2(v / median)
            for v in values
        ]
        rows.append(row)
        flags.append([v is not None and history.failed(v) for v in values])
    relative = np.array(rows, dtype=float).reshape(len(rows), len(history.snapshots))
    if _worse_high(history):
        relative = -relative
    return relative, np.array(flags, dtype=bool).reshape(relative.shape)


def _worse_high(history: History) -> bool:
    return history.selection.metric.lower_is_better


def _metric_label(history: History) -> str:
    gate = history.selection.gate
    if gate is None or history.selection.metric.scope == "qubit":
        return history.selection.metric.label
    return f"{gate.upper()} error"


def _single(colour: str) -> Any:
    return matplotlib_module().colors.ListedColormap([colour])


def _mark(ax: Any, history: History, episodes: list[Episode], subjects: list[str]) -> None:
    """Outline dips, mark steps and persistently bad rows."""
    patches = matplotlib_module().patches
    column = {info.id: i for i, info in enumerate(history.snapshots)}
    row = {key: i for i, key in enumerate(subjects)}
    prefix = history.prefix
    for episode in episodes:
        for y in _rows(episode.subject.removeprefix(prefix), row):
            _mark_one(
                ax, patches, episode, [column[s] for s in episode.snapshots if s in column], y
            )


def _rows(key: str, row: dict[str, int]) -> list[int]:
    """The rows of a subject: a coupler named for both directions (``3-4``) is on the rows of
    each direction the history has (``3->4``, ``4->3``)."""
    orders = parse_coupler(key, "episode subject").orders
    return [row[k] for k in (coupler_text(order) for order in orders) if k in row]


def _mark_one(ax: Any, patches: Any, episode: Episode, columns: list[int], y: int) -> None:
    if not columns:
        return
    if episode.kind == "dip":
        first, last = min(columns), max(columns)
        ax.add_patch(
            patches.Rectangle(
                (first - 0.5, y - 0.5), last - first + 1, 1, fill=False, lw=0.9, ec="black"
            )
        )
    elif episode.kind == "step":
        ax.plot(min(columns), y, marker="v", ms=3.5, color="black", lw=0)
    elif episode.kind == "bad":
        ax.plot(-1.2, y, marker="s", ms=3, color="black", lw=0, clip_on=False)


def gap_columns(history: History) -> list[int]:
    """The columns that follow a gap of more than :data:`GAP` without a snapshot (columns are
    snapshots, not days: the gap is drawn, not left to the date labels to show)."""
    times = [info.calibrated_at or info.recorded_at for info in history.snapshots]
    return [i for i in range(1, len(times)) if times[i] - times[i - 1] > GAP]


def _bad_rows(history: History, episodes: list[Episode], subjects: list[str]) -> set[int]:
    """The rows of the persistently bad subjects (their ticks are labelled, whatever the
    spacing of the others, so that the mark names its qubit exactly)."""
    row = {key: i for i, key in enumerate(subjects)}
    found: set[int] = set()
    for episode in episodes:
        if episode.kind == "bad":
            found.update(_rows(episode.subject.removeprefix(history.prefix), row))
    return found


def _axes(ax: Any, history: History, subjects: list[str], gaps: bool, bad: set[int]) -> None:
    times = [info.calibrated_at or info.recorded_at for info in history.snapshots]
    step = max(1, len(times) // 12)
    ax.set_xticks(range(0, len(times), step))
    ax.set_xticklabels(
        [t.strftime("%Y-%m-%d") for t in times[::step]], rotation=45, ha="right", fontsize=7
    )
    every = max(1, len(subjects) // 40)
    near_bad = {r + d for r in bad for d in range(1 - every, every)}
    rows = sorted(bad | {r for r in range(0, len(subjects), every) if r not in near_bad})
    ax.set_yticks(rows)
    ax.set_yticklabels([subjects[r] for r in rows], fontsize=6)
    for label, r in zip(ax.get_yticklabels(), rows, strict=True):
        if r in bad:
            label.set_fontweight("bold")
    ax.set_ylabel("qubit" if history.prefix == "qubit " else "coupler")
    title = drawn(f"{history.device}: {_metric_label(history)} over time (calibration snapshots)")
    if history.synthetic:
        title += "\n" + drawn(SYNTHETIC_NOTE)
    ax.set_title(title, fontsize=10)
    legend = "black box: dip · ▼: step · ■: persistently bad · magenta: error = 1 · grey: no value"
    if gaps:
        legend += f" · dashed line: no snapshot for over {GAP.days} days"
    ax.set_xlabel(drawn(legend), fontsize=7)
