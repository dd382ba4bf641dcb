"""Colour scales: log for error rates, linear otherwise, ranged on real measurements only.

A flagged value (``error == 1``) or a missing one never stretches a range: each has its own
style (:data:`FLAGGED_COLOUR`, :data:`MISSING_COLOUR`). Bad values are yellow, good ones dark,
whichever way the metric points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .values import Series, is_error

#: Fill of a value flagged as a failed benchmark (outside every colour map used).
FLAGGED_COLOUR = "#e0007a"
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

    def colours(self, values: list[float]) -> list[tuple[float, float, float, float]]:
        """RGBA of each value (clipped to the range; non-positive values on a log scale to vmin)."""
        if not values:
            return []
        norm, cmap = self.norm(), self.cmap()
        clipped = [max(v, self.vmin) if self.log else v for v in values]
        return [tuple(float(c) for c in rgba) for rgba in cmap(norm(clipped))]  # type: ignore[misc]


def colour_scale(series: Series) -> ColourScale | None:
    """The scale of ``series``; None when it has no measured value at all."""
    measured = series.measured
    log = is_error(series.metric)
    if log:
        measured = [v for v in measured if v > 0]
    if not measured:
        return None
    low, high = min(measured), max(measured)
    if low == high:
        pad = 0.5 * abs(low or 1.0)
        low, high = (low / 1.5, high * 1.5) if log else (low - pad, high + pad)
    return ColourScale(low, high, log, not series.metric.lower_is_better, series.median)


def text_colour(rgba: Any) -> str:
    """Black or white, whichever reads better on ``rgba``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(rgba)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def plain_log_ticks(axis: Any, low: float, high: float) -> None:
    """Label a log ``axis`` with plain numbers (``0.004``, not mathtext ``4×10⁻³``: readable,
    and much faster to draw); minor ticks are labelled only when the range is under one decade."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plain = FuncFormatter(lambda value, _: f"{value:g}")
    axis.set_major_formatter(plain)
    few_decades = low > 0 and high / low < 10
    axis.set_minor_formatter(plain if few_decades else NullFormatter())
