"""Layouts for coupling graphs that fit no chip lattice: force-directed, layered, or in rows.

Positions follow the ``coords`` convention of :mod:`.layout` (y downwards), start at the origin,
and are scaled to about the density of a chip lattice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import rustworkx as rx

Point = tuple[float, float]

#: Seed of the force-directed layout: the same graph is always drawn the same way.
SPRING_SEED = 1234
#: Square units of picture per qubit in a force-directed layout (a lattice has 1 to 2).
_AREA_PER_QUBIT = 2.0
#: A layered layout is about this many times sqrt(n) units wide at most.
_WRAP = 1.5
#: Gap (units) between the components of a layered layout.
_COMPONENT_GAP = 2.0


def free_layout(graph: rx.PyGraph, method: str) -> tuple[Point, ...]:
    """Positions of every node of ``graph`` by ``method``: ``spring`` or ``layered``."""
    if method == "spring":
        return _at_origin(_unit_area(_spring(graph)))
    return _at_origin(_layered(graph))


def unconnected(n: int) -> tuple[Point, ...]:
    """``n`` qubits without couplers, in index order on rows of about sqrt(n)."""
    per_row = max(1, math.ceil(math.sqrt(n)))
    return tuple((float(i % per_row), float(i // per_row)) for i in range(n))


def _spring(graph: rx.PyGraph) -> list[Point]:
    import rustworkx as rx

    found: Any = rx.spring_layout(graph, seed=SPRING_SEED)
    return [(float(found[i][0]), -float(found[i][1])) for i in range(len(graph))]


def _unit_area(points: list[Point]) -> list[Point]:
    """``points`` scaled so that they spread over about :data:`_AREA_PER_QUBIT` square units
    each (a force-directed layout is denser in its middle than at its rim: scaling it by the
    nearest-neighbour distance leaves a sparse rim spanning most of the picture)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) if points else 0.0
    side = math.sqrt(_AREA_PER_QUBIT * len(points))
    scale = side / extent if extent > 0 else 1.0
    return [(x * scale, y * scale) for x, y in points]


def _at_origin(points: Sequence[Point]) -> tuple[Point, ...]:
    if not points:
        return ()
    x0 = min(p[0] for p in points)
    y0 = min(p[1] for p in points)
    return tuple((x - x0, y - y0) for x, y in points)


def _layered(graph: rx.PyGraph) -> list[Point]:
    """Each connected component in rows by breadth-first distance from one of its ends (a row
    wider than the picture should be is folded into several); within a row, qubits follow the
    mean position of their neighbours above. Components are packed left to right in shelves."""
    import rustworkx as rx

    wrap = max(8, math.ceil(_WRAP * math.sqrt(len(graph))))
    points: list[Point] = [(0.0, 0.0)] * len(graph)
    left = top = shelf = 0.0
    for component in sorted(rx.connected_components(graph), key=min):
        placed = _layered_component(graph, component, wrap)
        width = max(x for x, _ in placed.values()) + 1
        height = max(y for _, y in placed.values()) + 1
        if left > 0 and left + width > wrap:
            left, top, shelf = 0.0, top + shelf + _COMPONENT_GAP, 0.0
        for node, (x, y) in placed.items():
            points[node] = (x + left, y + top)
        left, shelf = left + width + _COMPONENT_GAP, max(shelf, height)
    return points


def _layered_component(graph: rx.PyGraph, component: set[int], wrap: int) -> dict[int, Point]:
    placed: dict[int, Point] = {}
    y = 0.0
    for row in _bfs_rows(graph, _far_end(graph, min(component))):
        keyed = sorted(row, key=lambda q: (_above(graph, q, placed), q))
        for start in range(0, len(keyed), wrap):
            chunk = keyed[start : start + wrap]
            offset = (len(chunk) - 1) / 2
            placed.update((node, (i - offset, y)) for i, node in enumerate(chunk))
            y += 1.0
    x0 = min(x for x, _ in placed.values())
    return {node: (x - x0, y) for node, (x, y) in placed.items()}


def _above(graph: rx.PyGraph, node: int, placed: dict[int, Point]) -> float:
    xs = [placed[nb][0] for nb in graph.neighbors(node) if nb in placed]
    return math.fsum(xs) / len(xs) if xs else 0.0  # the same on every Python


def _bfs_rows(graph: rx.PyGraph, start: int) -> list[list[int]]:
    rows, seen = [[start]], {start}
    while True:
        following = sorted(
            {nb for node in rows[-1] for nb in graph.neighbors(node) if nb not in seen}
        )
        if not following:
            return rows
        seen.update(following)
        rows.append(following)


def _far_end(graph: rx.PyGraph, node: int) -> int:
    """The node farthest from ``node`` (an end of the component, for straighter rows)."""
    return _bfs_rows(graph, node)[-1][0]
