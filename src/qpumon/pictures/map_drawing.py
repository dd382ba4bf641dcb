"""Qubits, couplers and qubit numbers of the error map, drawn into a matplotlib ``Axes``.

Up to :data:`ADDRESSABLE_LIMIT` qubits each qubit, coupler and number is its own artist with a
``gid`` (SVG output keeps it as the ``id`` of its group: ``qubit-<i>``, ``coupler-<a>-<b>``,
``qubit-label-<i>``), which the HTML report's tooltips and the tests find. Larger maps are drawn
with one collection per kind (ids ``couplers``, ``qubits``, ``qubits-flagged``, ``qubits-off``,
``qubits-dead``, ``qubit-labels``): drawing 10,000 qubits then costs about as much as drawing a
hundred.

Styles: a measured value is filled from its colour scale; one out of service (IBM's
``operational = 0``) is an empty circle with a heavy black ring for a qubit and a black dashed
line for a coupler; a flagged one (IBM's ``error = 1``) is magenta, hatched for a qubit and
dashed for a coupler; a missing one (or one that cannot be drawn) is grey and dotted. A coupler
with one failed (or out-of-service) direction and one measured is drawn in the measured colour
with a thin magenta (or black) dash along it. A dead qubit (every benchmarked 1q gate failed)
keeps its fill and is crossed out in magenta (``qubit-dead-<i>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .glyphs import number_paths
from .layout import Layout
from .scale import (
    FLAGGED_COLOUR,
    MISSING_COLOUR,
    OFF_COLOUR,
    OFF_FILL,
    ColourScale,
    text_colour,
)
from .values import BEYOND, FLAGGED, MEASURED, MISSING, OFF, Series, Value, coupler_values

#: Up to this many qubits, every element is an artist of its own with an id.
ADDRESSABLE_LIMIT = 1_000
#: Qubit radius and coupler width, in lattice units.
QUBIT_RADIUS = 0.32
COUPLER_WIDTH = 0.2
#: Inches per lattice unit at full size; a map is shrunk so that its longer side fits in
#: :data:`MAX_MAP_INCHES` (a 10,000-qubit PNG stays a few megapixels).
UNIT_INCHES = 0.5
MAX_MAP_INCHES = 24.0
#: Room around the outermost qubits, in lattice units.
MARGIN = 0.7
#: Qubit numbers smaller than this (points) cannot be read and are left out.
MIN_LABEL_POINTS = 4.5
_PT = 72.0
_DOTS = (0, (0.25, 0.35))
#: Dashes of a coupler out of service (black) or flagged (magenta), in line widths.
FLAGGED_DASHES = (0, (0.5, 0.35))
_DASHES: dict[str, Any] = {
    OFF: FLAGGED_DASHES,
    FLAGGED: FLAGGED_DASHES,
    MISSING: _DOTS,
    BEYOND: _DOTS,
}
#: The thin dash along a coupler that keeps a measured direction beside a failed or
#: out-of-service one.
PARTLY_DASHES = (0, (2.0, 1.5))
#: Hatch of a flagged qubit.
FLAGGED_HATCH = "xxx"
#: Outline width of a qubit out of service (relative to a measured qubit's 0.6).
OFF_RING = 2.2
#: Half the arms of a dead qubit's cross, in lattice units (within the circle).
_CROSS = 0.7 * QUBIT_RADIUS


@dataclass(frozen=True, slots=True)
class MapScale:
    """How large the map is drawn: inches per lattice unit, and the qubit numbers' size."""

    unit: float
    label_points: float | None  # None: numbers left out, too small to read
    addressable: bool

    @property
    def stroke(self) -> float:
        """Outline widths relative to a full-size map."""
        return self.unit / UNIT_INCHES


def map_scale(layout: Layout) -> MapScale:
    """The scale of ``layout``'s map (see the module constants)."""
    n = len(layout.positions)
    span = max(layout.width, layout.height) + 2 * MARGIN
    unit = min(UNIT_INCHES, MAX_MAP_INCHES / span)
    digits = len(str(max(n - 1, 0)))
    size = (6.5 if n >= 100 else 8.0) * unit / UNIT_INCHES
    # about 0.6 em per digit, within 90% of the circle
    fits = 0.9 * 2 * QUBIT_RADIUS * unit * _PT / (0.6 * digits)
    size = min(size, fits)
    return MapScale(unit, size if size >= MIN_LABEL_POINTS else None, n <= ADDRESSABLE_LIMIT)


def fills(series: Series, scale: ColourScale | None, off: str = OFF_COLOUR) -> list[Any]:
    """Face colour of each value: from the scale, or the out-of-service (``off``), flagged or
    missing colour."""
    measured = [v.value for v in series.values if v.state == MEASURED and v.value is not None]
    colours = iter(scale.colours(measured) if scale is not None else ())
    others = {OFF: off, FLAGGED: FLAGGED_COLOUR}
    out: list[Any] = []
    for v in series.values:
        state = v.state
        if state == MEASURED:
            out.append(tuple(float(c) for c in next(colours)))
        else:
            out.append(others.get(state, MISSING_COLOUR))
    return out


def draw_couplers(
    ax: Any, layout: Layout, edges: Series, scale: ColourScale | None, size: MapScale
) -> None:
    """Every coupler as a line between its qubits."""
    width = COUPLER_WIDTH * size.unit * _PT
    segments, colours, styles = [], [], []
    failed, off = [], []
    for value, colour in zip(coupler_values(edges), fills(edges, scale), strict=True):
        a, b = value.qubits
        segments.append((layout.positions[a], layout.positions[b]))
        colours.append(colour)
        styles.append(_DASHES.get(value.state, "solid"))
        if value.state == MEASURED and value.some_failed:
            failed.append(len(segments) - 1)
        elif value.state == MEASURED and value.some_off:
            off.append(len(segments) - 1)
    if size.addressable:
        _coupler_artists(ax, edges, segments, colours, styles, width)
    else:
        _coupler_collection(ax, segments, colours, styles, width)
    styles_of = (
        (failed, (FLAGGED_COLOUR, "coupler-flag", "couplers-partly-flagged")),
        (off, (OFF_COLOUR, "coupler-off", "couplers-partly-off")),
    )
    for indices, style in styles_of:
        _partly(ax, edges, segments, indices, width, size.addressable, style)


def _coupler_artists(
    ax: Any,
    edges: Series,
    segments: list[Any],
    colours: list[Any],
    styles: list[Any],
    width: float,
) -> None:
    from matplotlib.lines import Line2D

    for value, ((xa, ya), (xb, yb)), colour, style in zip(
        coupler_values(edges), segments, colours, styles, strict=True
    ):
        a, b = value.qubits
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


def _coupler_collection(
    ax: Any, segments: list[Any], colours: list[Any], styles: list[Any], width: float
) -> None:
    from matplotlib.collections import LineCollection

    lines = LineCollection(
        segments, colors=colours, linewidths=width, linestyles=styles, capstyle="butt", zorder=1
    )
    lines.set_gid("couplers")
    ax.add_collection(lines, autolim=False)


def _partly(
    ax: Any,
    edges: Series,
    segments: list[Any],
    indices: list[int],
    width: float,
    one_each: bool,
    style: tuple[str, str, str],
) -> None:
    """A thin dash along each coupler (``indices`` into ``segments``) that keeps a measured
    direction beside a failed one (magenta, ``coupler-flag-<a>-<b>``) or one out of service
    (black, ``coupler-off-<a>-<b>``): one artist each or one collection
    (``couplers-partly-flagged``, ``couplers-partly-off``)."""
    colour, prefix, collection = style
    values = coupler_values(edges)
    if one_each:
        for i in indices:
            a, b = values[i].qubits
            _dash(ax, [segments[i]], width, colour, f"{prefix}-{a}-{b}")
    elif indices:
        _dash(ax, [segments[i] for i in indices], width, colour, collection)


def _dash(ax: Any, segments: list[Any], width: float, colour: str, gid: str) -> None:
    from matplotlib.collections import LineCollection

    lines = LineCollection(
        segments,
        colors=colour,
        linewidths=width / 3,
        linestyles=[PARTLY_DASHES],
        capstyle="butt",
        zorder=1.5,
    )
    lines.set_gid(gid)
    ax.add_collection(lines, autolim=False)


def draw_qubits(
    ax: Any, layout: Layout, qubits: Series, scale: ColourScale | None, size: MapScale
) -> None:
    """Every qubit as a circle, with its number where it can be read; a dead qubit crossed
    out."""
    colours = fills(qubits, scale, off=OFF_FILL)
    if size.addressable:
        _qubit_artists(ax, layout, qubits, colours, size)
    else:
        _qubit_collections(ax, layout, qubits, colours, size)
        if size.label_points is not None:
            _label_collection(ax, layout, colours, size.label_points / _PT / size.unit)
    _crosses(ax, layout, qubits, size)


def _crosses(ax: Any, layout: Layout, qubits: Series, size: MapScale) -> None:
    """A magenta cross over each dead qubit: one artist each (``qubit-dead-<i>``) or one
    collection (``qubits-dead``)."""
    from matplotlib.collections import LineCollection

    dead = [i for i, v in enumerate(qubits.values) if v.dead]
    if not dead:
        return
    groups = [([i], f"qubit-dead-{i}") for i in dead] if size.addressable else []
    groups = groups or [(dead, "qubits-dead")]
    for indices, gid in groups:
        segments = []
        for i in indices:
            x, y = layout.positions[i]
            segments.append(((x - _CROSS, y - _CROSS), (x + _CROSS, y + _CROSS)))
            segments.append(((x - _CROSS, y + _CROSS), (x + _CROSS, y - _CROSS)))
        lines = LineCollection(
            segments,
            colors=FLAGGED_COLOUR,
            linewidths=2.2 * size.stroke,
            capstyle="round",
            zorder=2.5,
        )
        lines.set_gid(gid)
        ax.add_collection(lines, autolim=False)


def _qubit_artists(
    ax: Any, layout: Layout, qubits: Series, colours: list[Any], size: MapScale
) -> None:
    from matplotlib.patches import Circle

    for index, (value, colour) in enumerate(zip(qubits.values, colours, strict=True)):
        x, y = layout.positions[index]
        circle = Circle(
            (x, y),
            QUBIT_RADIUS,
            facecolor=colour,
            **_qubit_edge(value, size.stroke),
            zorder=2,
            gid=f"qubit-{index}",
        )
        ax.add_artist(circle)
        if size.label_points is not None:
            ax.text(
                x,
                y,
                str(index),
                ha="center",
                va="center",
                fontsize=size.label_points,
                zorder=3,
                gid=f"qubit-label-{index}",
                **_label_style(value, colour),
            )


def _label_style(value: Value, fill: Any) -> dict[str, Any]:
    """A qubit number's colour: black or white on its fill; black with a white halo over a dead
    qubit's cross, so that it can still be read."""
    if not value.dead:
        return {"color": text_colour(fill)}
    from matplotlib.patheffects import withStroke

    return {"color": "black", "path_effects": [withStroke(linewidth=2.5, foreground="white")]}


def _qubit_edge(value: Value, stroke: float) -> dict[str, Any]:
    state = value.state
    if state == OFF:
        return {"edgecolor": OFF_COLOUR, "linewidth": OFF_RING * stroke}
    if state == FLAGGED:
        return {"edgecolor": "black", "linewidth": 1.0 * stroke, "hatch": FLAGGED_HATCH}
    if value.state != MEASURED:
        return {"edgecolor": "#707070", "linewidth": 1.0 * stroke, "linestyle": ":"}
    return {"edgecolor": "#303030", "linewidth": 0.6 * stroke}


def _qubit_collections(
    ax: Any, layout: Layout, qubits: Series, colours: list[Any], size: MapScale
) -> None:
    """One collection of circles for the measured and missing qubits, one (hatched) for the
    flagged ones and one for those out of service."""
    states = [v.state for v in qubits.values]
    plain = [i for i, s in enumerate(states) if s not in (FLAGGED, OFF)]
    flagged = [i for i, s in enumerate(states) if s == FLAGGED]
    off = [i for i, s in enumerate(states) if s == OFF]
    for indices, gid in ((plain, "qubits"), (flagged, "qubits-flagged"), (off, "qubits-off")):
        if not indices:
            continue
        edges = [_qubit_edge(qubits.values[i], size.stroke) for i in indices]
        circles = _circles(
            ax,
            [layout.positions[i] for i in indices],
            facecolors=[colours[i] for i in indices],
            edgecolors=[e["edgecolor"] for e in edges],
            linewidths=[e["linewidth"] for e in edges],
            linestyles=[e.get("linestyle", "solid") for e in edges],
        )
        if gid == "qubits-flagged":
            circles.set_hatch(FLAGGED_HATCH)
        circles.set_gid(gid)


def _circles(ax: Any, centres: list[tuple[float, float]], **style: Any) -> Any:
    from matplotlib.collections import EllipseCollection

    diameter = 2 * QUBIT_RADIUS
    circles = EllipseCollection(
        diameter,
        diameter,
        0.0,
        units="xy",
        offsets=centres,
        offset_transform=ax.transData,
        zorder=2,
        **style,
    )
    ax.add_collection(circles, autolim=False)
    return circles


def _label_collection(ax: Any, layout: Layout, colours: list[Any], height: float) -> None:
    """Every qubit's number (font size ``height`` lattice units) as one collection of glyph
    outlines: thousands of text artists would take seconds to lay out."""
    from matplotlib.collections import PathCollection

    paths = number_paths(range(len(layout.positions)), layout.positions, height)
    labels = PathCollection(
        paths,
        facecolors=[text_colour(c) for c in colours],
        edgecolors="none",
        linewidths=0,
        transform=ax.transData,
        zorder=3,
    )
    labels.set_gid("qubit-labels")
    ax.add_collection(labels, autolim=False)
