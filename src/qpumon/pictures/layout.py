"""Where each qubit sits in a picture: the chip's own geometry, not a generic graph layout.

In order of preference:

1. the configuration's ``coords`` (IBM's planar qubit coordinates: ``(column, row)`` with rows
   growing downwards, one unit between neighbouring qubits), when there is one point per qubit;
2. a placement on IBM's lattices, found from the coupling graph: the heavy-hex lattice (Falcon,
   Hummingbird, Eagle, Heron and their predecessors), then the square lattice (the 20-qubit
   devices, Nighthawk), by an induced subgraph isomorphism of the coupling graph into the lattice
   (rustworkx VF2), so that every coupler is one lattice step long and no two qubits that are not
   coupled are lattice neighbours;
3. otherwise a seeded spring layout from rustworkx (e.g. the bowtie of the 5-qubit ``yorktown``).

All positions use the ``coords`` convention: x to the right, y downwards, one unit per lattice step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import DeviceSnapshot

if TYPE_CHECKING:
    import rustworkx as rx

Point = tuple[float, float]

#: VF2 gives up after this many states for one lattice (keeps a pathological graph cheap).
_CALL_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Layout:
    """Qubit positions (``positions[i]`` is qubit ``i``) and how they were found."""

    positions: tuple[Point, ...]
    method: str  # "coords", "heavy-hex", "square", "line", "spring"

    @property
    def width(self) -> float:
        """Horizontal extent in lattice units."""
        return _extent(p[0] for p in self.positions)

    @property
    def height(self) -> float:
        """Vertical extent in lattice units."""
        return _extent(p[1] for p in self.positions)


def _extent(values: Iterator[float]) -> float:
    found = list(values)
    return max(found) - min(found) if found else 0.0


def couplers(snapshot: DeviceSnapshot) -> list[tuple[int, int]]:
    """The undirected couplers ``(a, b)`` with ``a < b``, in the order the device lists them."""
    seen = dict.fromkeys((min(a, b), max(a, b)) for a, b in snapshot.coupling_edges if a != b)
    return list(seen)


def qubit_layout(snapshot: DeviceSnapshot) -> Layout:
    """The positions of ``snapshot``'s qubits (see the module docstring for the rules)."""
    n = snapshot.num_qubits
    if snapshot.coords is not None and len(snapshot.coords) == n:
        return Layout(tuple(snapshot.coords), "coords")
    edges = couplers(snapshot)
    line = _line(n, edges)
    if line is not None:
        return Layout(line, "line")
    graph = _graph(n, edges)
    degree = max((graph.degree(i) for i in graph.node_indices()), default=0)
    if degree <= 3:
        for sites in _heavy_hex_patches(n):
            # induced first; then allow uncoupled neighbours (a coupler missing from the map)
            found = _embed(graph, sites) or _embed(graph, sites, induced=False)
            if found is not None:
                return Layout(found, "heavy-hex")
    for induced in (True, False):
        for width, height in _square_sizes(n):
            found = _embed(graph, _square(width, height), induced)
            if found is not None:
                return Layout(found, "square")
    return Layout(_spring(graph), "spring")


def _graph(n: int, edges: Sequence[tuple[int, int]]) -> rx.PyGraph:
    import rustworkx as rx

    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data([e for e in edges if max(e) < n])
    return graph


def _line(n: int, edges: Sequence[tuple[int, int]]) -> tuple[Point, ...] | None:
    """Straight positions for a device whose qubits form one chain (or a single qubit)."""
    if n == 1:
        return ((0.0, 0.0),)
    if len(edges) != n - 1:
        return None
    neighbours: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    if any(len(v) > 2 or not v for v in neighbours.values()):
        return None
    start = min(i for i, v in neighbours.items() if len(v) == 1)
    order, previous = [start], -1
    while len(order) < n:
        following = [q for q in neighbours[order[-1]] if q != previous]
        if not following:
            return None
        previous = order[-1]
        order.append(following[0])
    positions = {q: (float(x), 0.0) for x, q in enumerate(order)}
    return tuple(positions[i] for i in range(n))


def _heavy_hex_patches(n: int) -> Iterator[list[tuple[int, int]]]:
    """Heavy-hex patches that can hold ``n`` qubits, smallest first (fewest rows on a tie), so
    the first patch that takes the device gives its most compact drawing, rows straight as IBM
    draws them. Each size is tried without, then with, dangling bridge sites above its first and
    below its last row."""
    sizes = sorted(
        (
            (rows, width)
            for rows in range(1, n + 1)
            for width in range(2, n + 3)
            if n <= rows * width + (rows + 1) * (width + 3) // 4 <= 4 * n + 8
        ),
        key=lambda s: (s[0] * s[1], s[0]),
    )
    for rows, width in sizes:
        last = 2 * (rows + 1)
        sites = [(x, y) for x, y in _heavy_hex(rows + 2, width) if y not in (0, last)]
        yield [(x, y) for x, y in sites if y not in (1, last - 1)]
        yield sites


def _heavy_hex(rows: int, width: int) -> list[tuple[int, int]]:
    """Heavy-hex lattice sites: rows of qubits on even y, bridges every 4 columns between them,
    shifted by 2 from one gap to the next (IBM's Falcon/Eagle/Heron pattern)."""
    sites = []
    for row in range(rows):
        sites += [(x, 2 * row) for x in range(width)]
        if row < rows - 1:
            sites += [(x, 2 * row + 1) for x in range(2 * (row % 2), width, 4)]
    return sites


def _square(width: int, height: int) -> list[tuple[int, int]]:
    return [(x, y) for y in range(height) for x in range(width)]


def _square_sizes(n: int) -> list[tuple[int, int]]:
    """Square-lattice patches from the most compact up (wide before tall)."""
    sizes = [(w, h) for w in range(1, n + 1) for h in range(1, w + 1) if n <= w * h <= 1.5 * n + 4]
    return sorted(sizes, key=lambda s: (s[0] * s[1], s[0] - s[1]))


def _embed(
    graph: rx.PyGraph, sites: list[tuple[int, int]], induced: bool = True
) -> tuple[Point, ...] | None:
    """Positions from a subgraph isomorphism of ``graph`` into the lattice ``sites`` (induced:
    qubits that are not coupled are not placed side by side)."""
    import rustworkx as rx

    lattice = rx.PyGraph()
    index = {site: lattice.add_node(site) for site in sites}
    lattice.add_edges_from_no_data(
        [
            (i, index[nb])
            for (x, y), i in index.items()
            for nb in ((x + 1, y), (x, y + 1))
            if nb in index
        ]
    )
    mappings = rx.vf2_mapping(
        lattice, graph, subgraph=True, induced=induced, call_limit=_CALL_LIMIT
    )
    mapping: Any = next(iter(mappings), None)
    if mapping is None:
        return None
    placed = {qubit: lattice[site] for site, qubit in mapping.items()}
    return _orient([placed[q] for q in range(len(placed))])


def _orient(points: list[tuple[int, int]]) -> tuple[Point, ...]:
    """Shift to the origin and mirror so that qubit 0 sits in the top left, as IBM draws it."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    flip_x = points[0][0] - x0 > x1 - points[0][0]
    flip_y = points[0][1] - y0 > y1 - points[0][1]
    return tuple(
        (float(x1 - x if flip_x else x - x0), float(y1 - y if flip_y else y - y0))
        for x, y in points
    )


def _spring(graph: rx.PyGraph) -> tuple[Point, ...]:
    import rustworkx as rx

    found: Any = rx.spring_layout(graph, seed=1234)
    scale = math.sqrt(max(len(graph), 1))
    return tuple(
        (float(found[i][0]) * scale, float(-found[i][1]) * scale) for i in range(len(graph))
    )
