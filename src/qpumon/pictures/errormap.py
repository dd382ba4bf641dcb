"""The error map: the chip as it is laid out, qubits and couplers coloured by their calibration.

Every drawn element carries a ``gid`` that SVG output keeps as the ``id`` of its group, so tests,
the HTML report and other tools can find it: ``qubit-<i>``, ``coupler-<a>-<b>`` (``a < b``),
``qubit-label-<i>``. Its state (measured, flagged or missing) is in the style: flagged values
are drawn in :data:`~.scale.FLAGGED_COLOUR` (hatched qubits, dashed couplers), missing ones in
:data:`~.scale.MISSING_COLOUR` (dotted).
"""

from __future__ import annotations

from typing import Any

from ..metrics import Metric
from ..model import DeviceSnapshot
from .layout import Layout, qubit_layout
from .mpl import new_figure
from .scale import (
    FLAGGED_COLOUR,
    MEDIAN_COLOUR,
    MISSING_COLOUR,
    ColourScale,
    colour_scale,
    plain_log_ticks,
    text_colour,
)
from .values import Series, Value, coupler_series, coupler_values, gate_label, qubit_series

#: Inches per lattice unit; qubit radius and coupler width in lattice units.
UNIT_INCHES = 0.5
QUBIT_RADIUS = 0.32
COUPLER_WIDTH = 0.2
#: Points per inch.
_PT = 72.0
#: Room (inches) for one colour bar with its labels, both bars, the title and the legend.
_BAR_INCHES = 1.35
_BARS_INCHES = 2 * _BAR_INCHES + 0.2
_TITLE_INCHES = 0.45
_LEGEND_INCHES = 0.45


def error_map(
    snapshot: DeviceSnapshot,
    qubit_metric: str = "readout",
    edge_metric: str = "2q_error",
    *,
    layout: Layout | None = None,
) -> Any:
    """A ``matplotlib.figure.Figure``: the chip coloured by ``qubit_metric`` and ``edge_metric``."""
    layout = layout or qubit_layout(snapshot)
    qubits = qubit_series(snapshot, qubit_metric)
    edges = coupler_series(snapshot, edge_metric)
    width, height = _figure_size(layout)
    figure = new_figure(width, height, constrained=False)
    map_width = width - _BARS_INCHES
    ax = figure.add_axes(
        (
            0.0,
            _LEGEND_INCHES / height,
            map_width / width,
            (height - _TITLE_INCHES - _LEGEND_INCHES) / height,
        )
    )
    qubit_scale, edge_scale = colour_scale(qubits), colour_scale(edges)
    _draw_couplers(ax, layout, edges, edge_scale)
    _draw_qubits(ax, layout, qubits, qubit_scale)
    _frame(ax, layout)
    for slot, (scale, series, gid) in enumerate(
        ((qubit_scale, qubits, "qubit-colorbar"), (edge_scale, edges, "coupler-colorbar"))
    ):
        left = (map_width + 0.15 + slot * _BAR_INCHES) / width
        cax = figure.add_axes((left, 0.18, 0.16 / width, 0.64))
        _colour_bar(figure, cax, scale, series, gid)
    _legend(figure, qubits, edges, snapshot)
    figure.suptitle(map_title(snapshot), fontsize=10, y=1 - 0.12 / height, va="top")
    return figure


def map_title(snapshot: DeviceSnapshot) -> str:
    """``fake_fez · Heron r2 · 156 qubits · CZ · calibrated 2025-…`` style heading."""
    parts = [snapshot.name]
    if snapshot.processor:
        parts.append(snapshot.processor)
    parts.append(f"{snapshot.num_qubits} qubits")
    if snapshot.two_qubit_basis_gates:
        parts.append(gate_label(snapshot))
    if snapshot.calibrated_at is not None:
        parts.append(f"calibrated {snapshot.calibrated_at:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)


def _figure_size(layout: Layout) -> tuple[float, float]:
    """Inches: the map at UNIT_INCHES per lattice step, plus the colour bars, title and legend."""
    width = max(layout.width + 1.4, 4.0) * UNIT_INCHES + _BARS_INCHES
    height = max(layout.height + 1.4, 3.0) * UNIT_INCHES + _TITLE_INCHES + _LEGEND_INCHES
    return width, max(height, 3.6)


def _fills(series: Series, scale: ColourScale | None) -> list[Any]:
    """Face colour of each value: from the scale, or the flagged / missing colour."""
    measured = [v.value for v in series.values if v.state == "measured" and v.value is not None]
    colours = iter(scale.colours(measured) if scale is not None else [])
    return [
        next(colours) if v.state == "measured" else FLAGGED_COLOUR if v.flagged else MISSING_COLOUR
        for v in series.values
    ]


def _draw_couplers(ax: Any, layout: Layout, edges: Series, scale: ColourScale | None) -> None:
    from matplotlib.lines import Line2D

    width = COUPLER_WIDTH * UNIT_INCHES * _PT
    n = len(layout.positions)
    for value, colour in zip(coupler_values(edges), _fills(edges, scale), strict=True):
        a, b = value.qubits
        if max(a, b) >= n:
            continue
        (xa, ya), (xb, yb) = layout.positions[a], layout.positions[b]
        style: Any = {"flagged": (0, (0.5, 0.35)), "missing": (0, (0.25, 0.35))}.get(
            value.state, "-"
        )
        line = Line2D(
            [xa, xb],
            [ya, yb],
            color=colour,
            linewidth=width,
            linestyle=style,
            solid_capstyle="butt",
            zorder=1,
            gid=f"coupler-{a}-{b}",
        )
        ax.add_artist(line)


def _draw_qubits(ax: Any, layout: Layout, qubits: Series, scale: ColourScale | None) -> None:
    from matplotlib.patches import Circle

    size = 6.5 if len(layout.positions) >= 100 else 8.0
    for index, (value, colour) in enumerate(zip(qubits.values, _fills(qubits, scale), strict=True)):
        x, y = layout.positions[index]
        ax.add_artist(
            Circle(
                (x, y),
                QUBIT_RADIUS,
                facecolor=colour,
                **_qubit_edge(value),
                zorder=2,
                gid=f"qubit-{index}",
            )
        )
        ax.text(
            x,
            y,
            str(index),
            ha="center",
            va="center",
            fontsize=size,
            zorder=3,
            color=text_colour(colour),
            gid=f"qubit-label-{index}",
        )


def _qubit_edge(value: Value) -> dict[str, Any]:
    if value.flagged:
        return {"edgecolor": "black", "linewidth": 1.0, "hatch": "xxx"}
    if value.value is None:
        return {"edgecolor": "#707070", "linewidth": 1.0, "linestyle": ":"}
    return {"edgecolor": "#303030", "linewidth": 0.6}


def _frame(ax: Any, layout: Layout) -> None:
    xs = [p[0] for p in layout.positions] or [0.0]
    ys = [p[1] for p in layout.positions] or [0.0]
    margin = 0.7
    ax.set_xlim(min(xs) - margin, max(xs) + margin)
    ax.set_ylim(max(ys) + margin, min(ys) - margin)  # rows grow downwards, as in ``coords``
    ax.set_aspect("equal")
    ax.set_axis_off()


def _colour_bar(figure: Any, cax: Any, scale: ColourScale | None, series: Series, gid: str) -> None:
    """A colour bar for ``series`` in ``cax``, its median marked; a note if nothing was measured."""
    if scale is None:
        cax.set_axis_off()
        cax.text(
            0.5,
            0.5,
            f"{series.label}:\nno measured value",
            rotation=90,
            fontsize=8,
            ha="center",
            va="center",
            transform=cax.transAxes,
            gid=f"{gid}-empty",
        )
        return
    from matplotlib.cm import ScalarMappable

    mappable = ScalarMappable(norm=scale.norm(), cmap=scale.cmap())
    bar = figure.colorbar(mappable, cax=cax)
    bar.ax.set_gid(gid)
    label = series.label
    if scale.median is not None:
        bar.ax.axhline(scale.median, color=MEDIAN_COLOUR, linewidth=2.0, gid=f"{gid}-median")
        label = f"{label}\nmedian {_format(series.metric, scale.median)} (magenta line)"
    bar.set_label(label, fontsize=8)
    if scale.log:
        plain_log_ticks(bar.ax.yaxis, scale.vmin, scale.vmax)
    bar.ax.tick_params(which="both", labelsize=7)


def _format(metric: Metric, value: float) -> str:
    text = metric.format(value)
    return f"{text} {metric.unit}" if metric.unit else text


def _legend(figure: Any, qubits: Series, edges: Series, snapshot: DeviceSnapshot) -> None:
    """Legend entries for flagged and missing values, with their counts (only those present)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    gate = gate_label(snapshot)
    if edges.flagged:
        handles.append(
            Line2D(
                [],
                [],
                color=FLAGGED_COLOUR,
                linestyle="--",
                linewidth=3,
                label=f"{gate} failed: error = 1 ({edges.flagged})",
            )
        )
    if edges.missing:
        handles.append(
            Line2D(
                [],
                [],
                color=MISSING_COLOUR,
                linestyle=":",
                linewidth=3,
                label=f"{gate} {edges.metric.label.lower()} missing ({edges.missing})",
            )
        )
    if qubits.flagged:
        handles.append(
            Patch(
                facecolor=FLAGGED_COLOUR,
                edgecolor="black",
                hatch="xxx",
                label=f"{qubits.metric.label} failed: error = 1 ({qubits.flagged})",
            )
        )
    if qubits.missing:
        handles.append(
            Patch(
                facecolor=MISSING_COLOUR,
                edgecolor="#707070",
                linestyle=":",
                label=f"{qubits.metric.label} missing ({qubits.missing})",
            )
        )
    if handles:
        legend = figure.legend(
            handles=handles,
            loc="lower center",
            ncols=min(len(handles), 2),
            fontsize=7,
            frameon=False,
        )
        legend.set_gid("legend")
