"""Where each qubit sits in a picture: the chip's own geometry, found within a bounded time.

In order of preference:

1. the configuration's ``coords`` (IBM's planar qubit coordinates: ``(column, row)`` with rows
   growing downwards, one unit between neighbouring qubits), when there is one finite point per
   qubit;
2. a single qubit or one chain of qubits: a straight line;
3. a placement on a chip lattice (:mod:`.lattices`) found from the coupling graph by a subgraph
   isomorphism (rustworkx VF2), so that every coupler is one lattice step long: induced first (no
   two qubits that are not coupled are lattice neighbours), then plain (a coupler missing from the
   map). The lattices, in order: Qiskit's heavy-hex when the graph fills most of one (Qiskit's
   ``CouplingMap.from_heavy_hex``), IBM's heavy-hex patches (Falcon, Hummingbird, Eagle, Heron and
   their predecessors), Qiskit's heavy-hex otherwise, then square patches (the 20-qubit devices,
   Nighthawk). Each VF2 search visits at most :data:`CALL_LIMIT` states, and fewer on a large
   graph (each state costs a pass over the graph's qubits: :data:`LATTICE_WORK` bounds states
   times qubits, so a graph too large to be placed within it is not searched at all); the whole
   search stops trying lattices after :data:`LATTICE_SECONDS` (so on a very slow machine a large
   device may miss a lattice that a fast one finds); a graph that is not bipartite fits no
   lattice and is not searched at all;
4. otherwise a force-directed layout (rustworkx's seeded ``spring_layout``) up to
   :data:`SPRING_LIMIT` qubits, breadth-first rows above, and rows in qubit order when there is no
   coupler at all.

All positions use the ``coords`` convention: x to the right, y downwards, one unit per lattice step
(a free layout has about the density of a lattice).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import DeviceSnapshot
from . import lattices
from .free_layout import free_layout, unconnected

if TYPE_CHECKING:
    import rustworkx as rx

Point = tuple[float, float]

#: VF2 gives up on one lattice after visiting this many states.
CALL_LIMIT = 200_000
#: States times qubits one VF2 search may visit: rustworkx's VF2 scans the qubits at every state
#: (about 40 ns each: 1.5 s for 10,000 states of a 4,000-qubit graph), so a 20,000-qubit graph
#: under :data:`CALL_LIMIT` alone took minutes per lattice. Up to 250 qubits it is
#: :data:`CALL_LIMIT`; a graph whose search could not visit as many states as it has qubits
#: (above about 7,000) cannot be placed and is not searched.
LATTICE_WORK = 50_000_000
#: The lattice search stops trying new lattices after this many seconds.
LATTICE_SECONDS = 2.0
#: Above this many qubits a free layout is layered rather than force-directed (which is
#: quadratic: about 0.2 s at 1,000 qubits, 1.7 s at 3,000).
SPRING_LIMIT = 2_000
#: Up to this many qubits VF2 matches them in number order (see :func:`.lattices.embed`).
NUMBER_ORDER_LIMIT = 200
#: Qiskit's heavy-hex is tried before IBM's when the graph fills this much of it.
_QISKIT_FIRST = 0.9


@dataclass(frozen=True, slots=True)
class Layout:
    """Qubit positions (``positions[i]`` is qubit ``i``) and how they were found."""

    positions: tuple[Point, ...]
    #: "coords", "line", "heavy-hex", "square", "spring", "layered" or "unconnected"
    method: str

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
    """The undirected couplers ``(a, b)`` with ``a < b`` between qubits of the device, in the
    order the device lists them."""
    n = snapshot.num_qubits
    seen = dict.fromkeys(
        (min(a, b), max(a, b))
        for a, b in snapshot.coupling_edges
        if a != b and 0 <= a < n and 0 <= b < n
    )
    return list(seen)


def qubit_layout(snapshot: DeviceSnapshot) -> Layout:
    """The positions of ``snapshot``'s qubits (see the module docstring for the rules)."""
    n = snapshot.num_qubits
    coords = snapshot.coords
    if coords is not None and len(coords) == n and all(map(_finite, coords)):
        return Layout(tuple((float(x), float(y)) for x, y in coords), "coords")
    edges = couplers(snapshot)
    line = _line(n, edges)
    if line is not None:
        return Layout(line, "line")
    if not edges:
        return Layout(unconnected(n), "unconnected")
    graph = _graph(n, edges)
    found = _on_lattice(graph, time.monotonic() + LATTICE_SECONDS)
    if found is not None:
        return found
    method = "spring" if n <= SPRING_LIMIT else "layered"
    return Layout(free_layout(graph, method), method)


def _finite(point: Sequence[float]) -> bool:
    return len(point) == 2 and all(math.isfinite(v) for v in point)


def _graph(n: int, edges: Sequence[tuple[int, int]]) -> rx.PyGraph:
    import rustworkx as rx

    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data(list(edges))
    return graph


def _line(n: int, edges: Sequence[tuple[int, int]]) -> tuple[Point, ...] | None:
    """Straight positions for a device whose qubits form one chain (or a single qubit)."""
    if n == 1:
        return ((0.0, 0.0),)
    if n == 0 or len(edges) != n - 1:
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


def _on_lattice(graph: rx.PyGraph, deadline: float) -> Layout | None:
    """The first lattice placement of ``graph`` (see the module docstring), or None."""
    import rustworkx as rx

    call_limit = lattice_call_limit(len(graph))
    if call_limit < len(graph) or not rx.is_bipartite(graph):
        return None
    for method, sites, induced in _candidates(graph):
        if time.monotonic() > deadline:
            return None
        lattice = lattices.lattice_graph(sites)
        if not lattices.could_hold(lattice, graph):
            continue
        in_order = len(graph) <= NUMBER_ORDER_LIMIT
        placed = lattices.embed(graph, lattice, induced, call_limit, in_order)
        if placed is not None:
            return Layout(_orient(placed), method)
    return None


def lattice_call_limit(n: int) -> int:
    """The VF2 states one lattice search of an ``n``-qubit graph may visit."""
    return min(CALL_LIMIT, LATTICE_WORK // max(n, 1))


def _candidates(graph: rx.PyGraph) -> Iterator[tuple[str, list[lattices.Site], bool]]:
    """``(method, sites, induced)`` for every lattice to try, in order."""
    n = len(graph)
    degree = max((graph.degree(i) for i in graph.node_indices()), default=0)
    if degree <= 3:
        distance = lattices.qiskit_heavy_hex_distance(n)
        qiskit = [] if distance is None else lattices.qiskit_heavy_hex(distance)
        qiskit_first = len(qiskit) * _QISKIT_FIRST <= n
        if qiskit_first:
            yield from (("heavy-hex", qiskit, induced) for induced in (True, False))
        for sites in lattices.ibm_heavy_hex_patches(n):
            yield from (("heavy-hex", sites, induced) for induced in (True, False))
        if qiskit and not qiskit_first:
            yield from (("heavy-hex", qiskit, induced) for induced in (True, False))
    if degree <= 4:
        for induced in (True, False):
            yield from (("square", sites, induced) for sites in lattices.square_patches(n))


def _orient(points: list[lattices.Site]) -> tuple[Point, ...]:
    """Shift to the origin and mirror so that qubit 0 sits in the top left, as IBM draws it."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    flip_x = points[0][0] - x0 > x1 - points[0][0]
    flip_y = points[0][1] - y0 > y1 - points[0][1]
    return tuple(
        (float(x1 - x if flip_x else x - x0), float(y1 - y if flip_y else y - y0))
        for x, y in points
    )


def describe(layout: Layout) -> str:
    """How the layout was found, in words (for notes): ``laid out on the heavy-hex lattice``."""
    return {
        "coords": "at the configuration's coordinates",
        "line": "in a line",
        "heavy-hex": "on the heavy-hex lattice",
        "square": "on the square lattice",
        "spring": "by a force-directed layout (no lattice fits)",
        "layered": "in breadth-first rows (no lattice fits)",
        "unconnected": "in rows (no couplers)",
    }.get(layout.method, layout.method)
