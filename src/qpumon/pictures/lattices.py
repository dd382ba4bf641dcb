"""The lattices of real chips, and coupling graphs placed on them by subgraph isomorphism.

A lattice is a list of integer sites ``(x, y)`` (y grows downwards); two sites one step apart
horizontally or vertically are neighbours. :func:`embed` places a coupling graph on a lattice
with rustworkx's VF2 so that every coupler is one lattice step long, within a bound on the work.

- IBM's heavy-hex (:func:`ibm_heavy_hex_patches`): rows of qubits on even y, bridges every 4
  columns between them, shifted by 2 from one gap to the next (Falcon, Hummingbird, Eagle, Heron);
- Qiskit's heavy-hex (:func:`qiskit_heavy_hex`): the layout of
  ``CouplingMap.from_heavy_hex(d)`` (rustworkx's ``heavy_hex_graph``): ``d`` rows of ``2d - 1``
  qubits, bridges at the row ends and every 4 columns inside;
- the square lattice (:func:`square_patches`): the 20-qubit devices, Nighthawk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import rustworkx as rx

Site = tuple[int, int]


def ibm_heavy_hex(rows: int, width: int) -> list[Site]:
    """IBM's heavy-hex sites: rows of qubits on even y, bridges every 4 columns between them,
    shifted by 2 from one gap to the next."""
    sites = []
    for row in range(rows):
        sites += [(x, 2 * row) for x in range(width)]
        if row < rows - 1:
            sites += [(x, 2 * row + 1) for x in range(2 * (row % 2), width, 4)]
    return sites


def ibm_heavy_hex_patches(n: int) -> Iterator[list[Site]]:
    """IBM heavy-hex patches that can hold ``n`` qubits, smallest first (fewest rows on a tie),
    so the first patch that takes the device gives its most compact drawing, rows straight as IBM
    draws them. Each size is given without, then with, dangling bridge sites above its first and
    below its last row."""
    sizes = sorted(
        (
            (rows, width)
            for rows in range(1, n + 1)
            for width in _widths(rows, n)
            if n <= _ibm_capacity(rows, width) <= 4 * n + 8
        ),
        key=lambda s: (s[0] * s[1], s[0]),
    )
    for rows, width in sizes:
        last = 2 * (rows + 1)
        sites = [(x, y) for x, y in ibm_heavy_hex(rows + 2, width) if y not in (0, last)]
        yield [(x, y) for x, y in sites if y not in (1, last - 1)]
        yield sites


def _ibm_capacity(rows: int, width: int) -> int:
    """Sites of an IBM patch of ``rows`` rows of ``width``, dangling bridges included."""
    return rows * width + (rows + 1) * (width + 3) // 4


def _widths(rows: int, n: int) -> range:
    """The row widths whose capacity can lie in [n, 4n + 8] (a superset, without scanning every
    width: capacity grows by at least ``rows`` and at most ``rows + (rows + 1) / 4 + 1`` per
    column)."""
    low = max(2, n // (rows + (rows + 1) // 4 + 1) - 1)
    high = min(n + 2, (4 * n + 8) // rows + 1)
    return range(low, high + 1)


def qiskit_heavy_hex_size(distance: int) -> int:
    """Qubits of Qiskit's heavy-hex graph of code distance ``distance``: (5d² - 2d - 1) / 2."""
    return (5 * distance * distance - 2 * distance - 1) // 2


def qiskit_heavy_hex(distance: int) -> list[Site]:
    """Sites of Qiskit's ``CouplingMap.from_heavy_hex(distance)`` (odd ``distance`` >= 3)."""
    last = 2 * distance - 2
    sites = [(x, 2 * row) for row in range(distance) for x in range(last + 1)]
    even_gap, odd_gap = [0, *range(3, last + 1, 4)], [*range(1, last + 1, 4), last]
    for gap in range(distance - 1):
        sites += [(x, 2 * gap + 1) for x in (odd_gap if gap % 2 else even_gap)]
    return sites


def qiskit_heavy_hex_distance(n: int) -> int | None:
    """The smallest odd distance whose Qiskit heavy-hex holds ``n`` qubits (None below 3)."""
    if n < 2:
        return None
    distance = 3
    while qiskit_heavy_hex_size(distance) < n:
        distance += 2
    return distance


def square(width: int, height: int) -> list[Site]:
    """A ``width`` x ``height`` patch of the square lattice."""
    return [(x, y) for y in range(height) for x in range(width)]


def square_patches(n: int) -> Iterator[list[Site]]:
    """Square-lattice patches from the most compact up (wide before tall)."""
    sizes = [
        (w, h)
        for w in range(1, n + 1)
        for h in range(max(1, -(-n // w)), min(w, int((1.5 * n + 4) // w)) + 1)
    ]
    for width, height in sorted(sizes, key=lambda s: (s[0] * s[1], s[0] - s[1])):
        yield square(width, height)


def lattice_graph(sites: Sequence[Site]) -> rx.PyGraph:
    """The graph of ``sites`` (each node's payload is its site)."""
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
    return lattice


def could_hold(lattice: rx.PyGraph, graph: rx.PyGraph) -> bool:
    """A cheap necessary condition for ``graph`` to be a subgraph of ``lattice``: enough sites,
    enough edges, and for every degree d enough sites of degree d or more."""
    if len(lattice) < len(graph) or lattice.num_edges() < graph.num_edges():
        return False
    have, need = _degrees(lattice), _degrees(graph)
    return all(_at_least(have, degree) >= _at_least(need, degree) for degree in need)


def _degrees(graph: rx.PyGraph) -> Counter[int]:
    return Counter(graph.degree(i) for i in graph.node_indices())


def _at_least(degrees: Counter[int], degree: int) -> int:
    return sum(c for d, c in degrees.items() if d >= degree)


def embed(
    graph: rx.PyGraph, lattice: rx.PyGraph, induced: bool, call_limit: int, in_order: bool
) -> list[Site] | None:
    """The site of each node of ``graph`` (in node order) in a subgraph isomorphism into
    ``lattice``, or None when VF2 finds none within ``call_limit`` states. ``induced``: qubits
    that are not coupled are never lattice neighbours. ``in_order``: VF2 matches qubits in number
    order (drawings then follow the numbering, as IBM's do; slow on large graphs), else in its own
    heuristic order."""
    import rustworkx as rx

    mappings = rx.vf2_mapping(
        lattice, graph, subgraph=True, induced=induced, call_limit=call_limit, id_order=in_order
    )
    mapping: Any = next(iter(mappings), None)
    if mapping is None:
        return None
    placed = {qubit: lattice[site] for site, qubit in mapping.items()}
    return [placed[q] for q in range(len(graph))]
