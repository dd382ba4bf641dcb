"""Colour scales: log for error rates, linear otherwise, ranged on real measurements only.

A value out of service (``operational = 0``), a flagged one (``error == 1``) or a missing one
never stretches a range: each has its own style (:data:`OFF_COLOUR`, :data:`FLAGGED_COLOUR`,
:data:`MISSING_COLOUR`). Bad values are yellow, good ones dark,
whichever way the metric points. An error rate of exactly 0 sits at the good end of a log scale;
when every measured error is 0 the scale is linear. Ranges never overflow (T1 = 1e308 has a
finite scale).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

from .values import Series

#: Fill of a value flagged as a failed benchmark (outside every colour map used).
FLAGGED_COLOUR = "#e0007a"
#: Colour of a qubit's outline and hatch, and of a coupler, out of service (a qubit is filled
#: with :data:`OFF_FILL`): black, hatched or dash-dotted, so that it never reads as the dark end of
#: a colour map.
OFF_COLOUR = "#000000"
#: Fill of a qubit out of service: empty.
OFF_FILL = "#ffffff"
#: Fill of a missing value.
MISSING_COLOUR = "#c4c4c4"
#: Colour of the median mark on colour bars.
MEDIAN_COLOUR = "#e0007a"


@dataclass(frozen=True, slots=True)
class ColourScale:
    """Maps a series' measured values to colours."""

    vmin: float
    vmax: float
    log: bool
    reverse: bool  # True when higher is better (so low values get the "bad" end)
    median: float | None

    def norm(self) -> Any:
        """The matplotlib normalisation (``LogNorm`` or ``Normalize``)."""
        from matplotlib.colors import LogNorm, Normalize

        return (LogNorm if self.log else Normalize)(vmin=self.vmin, vmax=self.vmax, clip=True)

    def cmap(self) -> Any:
        """The colour map: viridis, dark = good, yellow = bad."""
        from matplotlib import colormaps

        return colormaps["viridis_r" if self.reverse else "viridis"]

    def colours(self, values: list[float]) -> Any:
        """RGBA rows, one per value (clipped to the range: an error of 0 on a log scale gets the
        colour of vmin)."""
        import numpy as np

        if not values:
            return np.zeros((0, 4))
        clipped = np.clip(np.asarray(values, dtype=float), self.vmin, self.vmax)
        return self.cmap()(self.norm()(clipped))

    def within(self, value: float) -> float:
        """``value`` clipped to the range (where a mark for it is drawn on the colour bar)."""
        return min(max(value, self.vmin), self.vmax)


def colour_scale(series: Series) -> ColourScale | None:
    """The scale of ``series``; None when it has no measured value at all."""
    measured = series.measured
    if not measured:
        return None
    positive = [v for v in measured if v > 0]
    log = series.metric.is_error and bool(positive)
    low, high = (min(positive), max(positive)) if log else (min(measured), max(measured))
    if low == high:
        low, high = _widened(low, log, probability=series.metric.is_error)
    return ColourScale(low, high, log, not series.metric.lower_is_better, series.median)


def _widened(value: float, log: bool, probability: bool) -> tuple[float, float]:
    """A range around a single value, within the floats (and within [0, 1] for a probability)."""
    if log:
        return value / 1.5, min(value * 1.5, sys.float_info.max)
    pad = 0.5 * abs(value) if value else 0.5
    low, high = value - pad, value + pad
    if probability:
        low, high = max(low, 0.0), min(high, 1.0)
    return max(low, -sys.float_info.max), min(high, sys.float_info.max)


def text_colour(rgba: Any) -> str:
    """Black or white, whichever reads better on ``rgba``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(rgba)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def plain_log_ticks(axis: Any, low: float, high: float) -> None:
    """Label a log ``axis`` with plain numbers (``0.004``, not mathtext ``4×10⁻³``: readable,
    and much faster to draw). Minor ticks are labelled too when the range is under one decade,
    those at 1, 2 and 5 when it is under two."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plain = FuncFormatter(lambda value, _: f"{value:g}")
    axis.set_major_formatter(plain)
    if low > 0 and high < 10 * low:
        axis.set_minor_formatter(plain)
    elif low > 0 and high < 100 * low:
        axis.set_minor_formatter(FuncFormatter(_one_two_five))
    else:
        axis.set_minor_formatter(NullFormatter())


def _one_two_five(value: float, _: Any) -> str:
    """A minor tick's label where its leading digit is 1, 2 or 5 (a readable few per decade)."""
    if value <= 0:
        return ""
    leading = round(value / 10 ** math.floor(math.log10(value)), 6)
    return f"{value:g}" if leading in (1.0, 2.0, 5.0) else ""
