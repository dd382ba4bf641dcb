"""The error map: the chip as it is laid out, qubits and couplers coloured by their calibration.

The map (:mod:`.map_drawing`: ids, styles, large maps), one colour bar for the qubits and one for
the couplers (log scale for error rates, the median marked), a legend that counts what is out of
service, flagged, dead or missing as ``monitor`` does (couplers of the native entangler: ``7 CZ
couplers``), and a note when the qubit numbers are left out or no chip lattice fits the coupling
graph. Values out of service are drawn in :data:`~.scale.OFF_COLOUR`, flagged ones in
:data:`~.scale.FLAGGED_COLOUR`, missing ones in :data:`~.scale.MISSING_COLOUR`. Colour bars and
legends name an error's definition where it is not an average gate infidelity (``CZ error (XEB
per cycle)``): the colours are the vendor's own numbers.
"""

from __future__ import annotations

import math
from typing import Any

from ..model import ALL_TO_ALL, DeviceSnapshot
from ..model.definitions import label
from ..model.metrics import GATE_ERROR, format_number
from ..model.summary import summarize
from ..util.words import count
from .layout import Layout, describe, qubit_layout
from .map_drawing import (
    FLAGGED_HATCH,
    MARGIN,
    OFF_RING,
    PARTLY_DASHES,
    MapScale,
    draw_couplers,
    draw_qubits,
    map_scale,
)
from .mpl import drawn, new_figure
from .scale import (
    FLAGGED_COLOUR,
    MEDIAN_COLOUR,
    MISSING_COLOUR,
    OFF_COLOUR,
    OFF_FILL,
    ColourScale,
    colour_scale,
    plain_log_ticks,
)
from .values import (
    DRAWABLE_TEXT,
    Series,
    coupler_series,
    flagged_words,
    gate_label,
    kept_words,
    off_words,
    partly_flagged,
    partly_off,
    qubit_series,
)

#: Room (inches) for one colour bar with its labels, both bars, the title, the legend and notes.
_BAR_INCHES = 1.35
_BARS_INCHES = 2 * _BAR_INCHES + 0.2
_TITLE_INCHES = 0.45
_LEGEND_INCHES = 0.45
#: Height of one row of the 7-point legend (two entries a row).
_LEGEND_ROW_INCHES = 0.16
_NOTE_INCHES = 0.2
#: Width of one character of the 10-point title, about (so that a long title is not cut).
_TITLE_CHAR_INCHES = 0.085
#: The smallest map area (inches).
_MIN_WIDTH, _MIN_HEIGHT = 2.0, 1.5
#: Layout methods that are not a chip's geometry (the map says how it was drawn).
_FREE = ("spring", "layered", "unconnected")


def error_map(
    snapshot: DeviceSnapshot,
    qubit_metric: str = "readout",
    edge_metric: str = "2q_error",
    *,
    layout: Layout | None = None,
) -> Any:
    """A ``matplotlib.figure.Figure``: the chip coloured by ``qubit_metric`` and ``edge_metric``."""
    qubits = qubit_series(snapshot, qubit_metric)
    edges = coupler_series(snapshot, edge_metric)
    layout = layout or qubit_layout(snapshot)
    size = map_scale(layout)
    notes = _notes(snapshot, layout, size)
    title = drawn(map_title(snapshot))
    handles = _legend_handles(qubits, edges, snapshot)
    legend = max(_LEGEND_INCHES, 0.15 + _LEGEND_ROW_INCHES * math.ceil(len(handles) / 2))
    figure, ax, bars_left, bottom = _canvas(layout, size, bool(notes), len(title), legend)
    qubit_scale, edge_scale = colour_scale(qubits), colour_scale(edges)
    draw_couplers(ax, layout, edges, edge_scale, size)
    draw_qubits(ax, layout, qubits, qubit_scale, size)
    _frame(ax, layout)
    bars = ((qubit_scale, qubits, "qubit-colorbar"), (edge_scale, edges, "coupler-colorbar"))
    for slot, (scale, series, gid) in enumerate(bars):
        width = figure.get_figwidth()
        cax = figure.add_axes(((bars_left + slot * _BAR_INCHES) / width, 0.18, 0.16 / width, 0.64))
        _colour_bar(figure, cax, scale, series, gid, _nothing(snapshot, series))
    height = figure.get_figheight()
    _legend(figure, handles, (bottom - legend / 2) / height)
    if notes:
        figure.text(0.01, 0.04 / height, notes, fontsize=7, color="#555555", gid="map-note")
    figure.suptitle(title, fontsize=10, y=1 - 0.12 / height, va="top")
    return figure


def map_title(snapshot: DeviceSnapshot) -> str:
    """``fake_fez · Heron r2 · 156 qubits · CZ · calibrated 2025-…`` style heading."""
    parts = [snapshot.name]
    if snapshot.processor:
        parts.append(snapshot.processor)
    parts.append(count(snapshot.num_qubits, "qubit"))
    if snapshot.two_qubit_basis_gates:
        parts.append(gate_label(snapshot))
    if snapshot.calibrated_at is not None:
        parts.append(f"calibrated {snapshot.calibrated_at:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)


#: The device-wide value that stands for a per-qubit metric a map can be coloured by.
_DEVICE_KEYS = {
    "readout_error": ("readout_error", "spam_error"),
    "t1_us": ("t1_us",),
    "t2_us": ("t2_us",),
}


def _notes(snapshot: DeviceSnapshot, layout: Layout, size: MapScale) -> str:
    parts = []
    if snapshot.connectivity == ALL_TO_ALL:
        parts.append(
            "All-to-all connectivity: any two qubits interact, so no couplers are drawn; "
            "qubits placed in rows."
        )
    elif layout.method in _FREE:
        parts.append(f"Qubits placed {describe(layout)}.")
    if size.label_points is None and layout.positions:
        parts.append("Qubit numbers left out: too small to read at this size.")
    return " ".join(parts)


def _canvas(
    layout: Layout, size: MapScale, notes: bool, title_length: int, legend: float
) -> tuple[Any, Any, float, float]:
    """The figure and the map's axes: the map at ``size.unit`` inches per lattice unit (so a
    qubit has the same size on every map of that scale), centred left of the colour bars, above
    the legend (``legend`` inches tall) and notes. Also where the bars start and the room below
    the map, in inches."""
    inches_x = (layout.width + 2 * MARGIN) * size.unit
    inches_y = (layout.height + 2 * MARGIN) * size.unit
    bottom = legend + (_NOTE_INCHES if notes else 0.0)
    height = max(max(inches_y, _MIN_HEIGHT) + _TITLE_INCHES + bottom, 3.6)
    width = max(max(inches_x, _MIN_WIDTH) + _BARS_INCHES, title_length * _TITLE_CHAR_INCHES + 0.3)
    figure = new_figure(width, height, constrained=False)
    room_x, room_y = width - _BARS_INCHES, height - _TITLE_INCHES - bottom
    left, low = (room_x - inches_x) / 2, bottom + (room_y - inches_y) / 2
    ax = figure.add_axes((left / width, low / height, inches_x / width, inches_y / height))
    return figure, ax, room_x + 0.15, bottom


def _frame(ax: Any, layout: Layout) -> None:
    xs = [p[0] for p in layout.positions] or [0.0]
    ys = [p[1] for p in layout.positions] or [0.0]
    ax.set_xlim(min(xs) - MARGIN, max(xs) + MARGIN)
    ax.set_ylim(max(ys) + MARGIN, min(ys) - MARGIN)  # rows grow downwards, as in ``coords``
    ax.set_aspect("equal")
    ax.set_axis_off()


def _colour_bar(
    figure: Any, cax: Any, scale: ColourScale | None, series: Series, gid: str, nothing: str
) -> None:
    """A colour bar for ``series`` in ``cax``, its median marked; a note if nothing was measured."""
    label = drawn(series.label)
    if scale is None:
        cax.set_axis_off()
        cax.text(
            0.5,
            0.5,
            f"{label}:\n{nothing}",
            rotation=90,
            fontsize=8,
            ha="center",
            va="center",
            transform=cax.transAxes,
            gid=f"{gid}-empty",
        )
        return
    from matplotlib.cm import ScalarMappable

    bar = figure.colorbar(ScalarMappable(norm=scale.norm(), cmap=scale.cmap()), cax=cax)
    bar.ax.set_gid(gid)
    if scale.median is not None:
        mark = scale.within(scale.median)
        bar.ax.axhline(mark, color=MEDIAN_COLOUR, linewidth=2.0, gid=f"{gid}-median")
        label = f"{label}\nmedian {series.metric.format_with_unit(scale.median)} (magenta line)"
    bar.set_label(label, fontsize=8)
    if scale.log:
        plain_log_ticks(bar.ax.yaxis, scale.vmin, scale.vmax)
    bar.ax.tick_params(which="both", labelsize=7)


def _nothing(snapshot: DeviceSnapshot, series: Series) -> str:
    """Why a colour bar would be empty: nothing to colour, or nothing measured (and the
    device-wide value where the source gives one instead, as Quantinuum does)."""
    gate = series.metric.scope == "gate"
    if not series.values:
        why = (
            (
                "all-to-all, no per-pair values"
                if snapshot.connectivity == ALL_TO_ALL
                else "no couplers"
            )
            if gate
            else "no qubits"
        )
    elif series.metric is GATE_ERROR and (flagged := _all_flagged(snapshot)):
        why = flagged
    else:
        why = "no measured value"
    keys = ("2q_error",) if gate else _DEVICE_KEYS.get(series.metric.key, ())
    device = next((v for v in map(snapshot.device_value, keys) if v is not None), None)
    if device is not None:
        why += f"\ndevice-wide: {format_number(device.value, 3)}"
        why += f" ({label(device.definition)})" if device.definition else ""
    return why


def _all_flagged(snapshot: DeviceSnapshot) -> str:
    """Where every native 2q gate carries IBM's flag (fake_kyoto), what monitor says of it:
    the numbers show the flag, not the gates; empty otherwise."""
    summary = summarize(snapshot)
    if not summary.all_native_flagged:
        return ""
    eplg = summary.eplg_100
    measured = (
        "" if eplg is None else f"\nEPLG (100-qubit layer) {GATE_ERROR.format(eplg)}, measured"
    )
    return (
        f"every {gate_label(snapshot)} gate carries IBM's error = 1 flag:\n"
        f"the numbers show the flag, not the gates{measured}"
    )


def _legend_handles(
    qubits: Series, edges: Series, snapshot: DeviceSnapshot
) -> list[tuple[Any, str]]:
    """Legend entries (handle, label) for what is out of service, flagged, dead or missing,
    counted as ``monitor`` counts them (couplers of the native entangler)."""
    handles: list[tuple[Any, str]] = []
    gate = drawn(gate_label(snapshot))
    off = drawn(off_words(snapshot, qubits, edges))
    if off:
        handles.append((_off_handle(qubits.off > 0, edges.off > 0), f"out of service (OFF): {off}"))
    failed = drawn(flagged_words(snapshot, edges))
    if failed:
        handles.append((_line(FLAGGED_COLOUR, "--"), f"{gate} failed, error = 1: {failed}"))
    partly = partly_flagged(edges)
    if partly:
        label = f"{kept_words(partly)} (thin dash)"
        handles.append((_line(FLAGGED_COLOUR, PARTLY_DASHES, width=1), label))
    kept = partly_off(edges)
    if kept:
        label = f"{count(kept, f'{gate} coupler')} OFF in one direction, measured in the other"
        handles.append((_line(OFF_COLOUR, PARTLY_DASHES, width=1), f"{label} (thin dash)"))
    if edges.missing:
        label = f"{gate} {edges.metric.label.lower()} missing: {count(edges.missing, 'coupler')}"
        handles.append((_line(MISSING_COLOUR, ":"), label))
    qubit = drawn(qubits.metric.label)
    flagged_qubits = flagged_words(snapshot, qubits)
    if flagged_qubits:
        patch = _patch(FLAGGED_COLOUR, "black", hatch=FLAGGED_HATCH)
        handles.append((patch, f"{qubit} failed, error = 1: {flagged_qubits}"))
    if qubits.dead:
        label = f"dead, every 1q gate failed (error = 1): {count(qubits.dead, 'qubit')}"
        handles.append((_cross(), label))
    if qubits.missing:
        handles.append((_grey_patch(), f"{qubit} missing: {count(qubits.missing, 'qubit')}"))
    if qubits.beyond:
        handles.append((_grey_patch(), f"{qubit} {_beyond(qubits, 'qubit')}"))
    if edges.beyond:
        handles.append((_line(MISSING_COLOUR, ":"), f"{gate} {_beyond(edges, 'coupler')}"))
    return handles


def _legend(figure: Any, entries: list[tuple[Any, str]], middle: float) -> None:
    """The legend, two entries a row, centred at height ``middle`` (a fraction of the figure)."""
    if entries:
        legend = figure.legend(
            handles=[handle for handle, _ in entries],
            labels=[label for _, label in entries],
            loc="center",
            bbox_to_anchor=(0.5, middle),
            ncols=min(len(entries), 2),
            fontsize=7,
            frameon=False,
        )
        legend.set_gid("legend")


def _off_handle(qubits: bool, couplers: bool) -> Any:
    """The out-of-service entry's handle: an empty ringed qubit and/or a black dashed coupler
    (a tuple, which matplotlib's legend draws side by side)."""
    from matplotlib.lines import Line2D

    parts: list[Any] = []
    if qubits:
        ring = Line2D([], [], marker="o", markersize=9, linestyle="none", color=OFF_COLOUR)
        ring.set_markerfacecolor(OFF_FILL)
        ring.set_markeredgewidth(OFF_RING)
        parts.append(ring)
    if couplers:
        parts.append(_line(OFF_COLOUR, "--"))
    return parts[0] if len(parts) == 1 else tuple(parts)


def _cross() -> Any:
    from matplotlib.lines import Line2D

    return Line2D(
        [], [], marker="x", markersize=8, markeredgewidth=2, color=FLAGGED_COLOUR, linestyle="none"
    )


def _beyond(values: Series, noun: str) -> str:
    return f"{DRAWABLE_TEXT}, not drawn: {count(values.beyond, noun)}"


def _grey_patch() -> Any:
    return _patch(MISSING_COLOUR, "#707070", linestyle=":")


def _patch(face: str, edge: str, **style: Any) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=face, edgecolor=edge, **style)


def _line(colour: str, style: Any, width: float = 3) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linestyle=style, linewidth=width)
