"""A history as a picture (matplotlib, imported only here): one line per subject when there are
few, else the median with the min-max and interquartile bands."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from ..history.series import SYNTHETIC_NOTE, History
from .mpl import drawn, new_figure, output_format, save

#: Up to this many subjects are drawn one line each.
MAX_LINES = 12


def save_history_plot(history: History, path: Path) -> None:
    """Draw ``history`` into ``path`` (format from its suffix: png, svg or pdf)."""
    output_format(str(path))
    save(history_figure(history), str(path))


def history_figure(history: History) -> Any:
    """``history`` as a matplotlib ``Figure``: lines, or median and bands for many subjects."""
    figure = new_figure(9, 4.5)
    ax = figure.add_subplot()
    times: list[Any] = [s.calibrated_at for s in history.snapshots]
    if len(history.series) <= MAX_LINES:
        for subject, values in history.series.items():
            ax.plot(times, _clean(history, values), marker=".", label=drawn(subject))
        ax.legend(fontsize="small", ncols=2)
    else:
        _bands(ax, history, times)
    metric = history.selection.metric
    ax.set_ylabel(metric.header)
    title = drawn(f"{history.device}: {history.selection.label}")
    ax.set_title(title + (f" ({SYNTHETIC_NOTE})" if history.synthetic else ""), fontsize="medium")
    ax.grid(alpha=0.3)
    figure.autofmt_xdate()
    return figure


def _clean(history: History, values: list[float | None]) -> list[float]:
    return [float("nan") if v is None or history.failed(v) else v for v in values]


def _bands(ax: Any, history: History, times: list[Any]) -> None:
    columns = list(zip(*(_clean(history, v) for v in history.series.values()), strict=True))
    stats = [_quantiles([x for x in column if x == x]) for column in columns]
    ax.fill_between(
        times, [s[0] for s in stats], [s[4] for s in stats], alpha=0.15, label="min-max"
    )
    ax.fill_between(
        times, [s[1] for s in stats], [s[3] for s in stats], alpha=0.35, label="interquartile"
    )
    ax.plot(times, [s[2] for s in stats], label=f"median of {len(history.series)}")
    ax.legend(fontsize="small")


def _quantiles(values: list[float]) -> tuple[float, ...]:
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return (v, v, v, v, v)
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return (min(values), q1, q2, q3, max(values))
