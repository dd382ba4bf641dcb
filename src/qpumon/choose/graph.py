"""The two graphs of a layout search: the device's usable coupling graph and the circuit's.

:class:`SearchGraph` holds the device's live qubits and usable couplers as compressed sparse
rows over physical qubits (memory in proportion to the couplers). :class:`Pattern` holds the
circuit's interaction graph with the order the search assigns its qubits in: breadth-first from
the best-connected qubit of each connected part (largest part first), so every qubit after the
first of its part is a neighbour of one assigned before it (its *parent*).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .tables import DeviceTables

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class SearchGraph:
    """Arcs ``tail[i] -> head[i]`` (both directions of every usable coupler), grouped by tail:
    the arcs leaving qubit ``v`` are ``indptr[v]:indptr[v + 1]``."""

    num_qubits: int
    indptr: np.ndarray
    tail: np.ndarray
    head: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """How many couplers each physical qubit has."""
        import numpy as np

        return np.diff(self.indptr)

    @property
    def max_degree(self) -> int:
        """The largest degree (0 for a graph without couplers)."""
        return int(self.degree.max()) if self.num_qubits else 0


def search_graph(tables: DeviceTables, gates: Iterable[str]) -> SearchGraph:
    """Live qubits joined where any of ``gates`` is usable in at least one direction."""
    import numpy as np

    n = tables.num_qubits
    a, b = tables.edge_arrays(gates)
    keys = np.unique(np.concatenate([a * n + b, b * n + a])) if a.size else np.empty(0, np.int64)
    tail, head = keys // n, keys % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, tail + 1, 1)
    return SearchGraph(n, np.cumsum(indptr), tail.astype(np.intp), head.astype(np.intp))


@dataclass(frozen=True)
class Pattern:
    """The circuit's interaction graph over its ``k`` (compact) qubits, in search order.

    ``order[t]`` is the qubit assigned at depth ``t``; ``parent[j]`` the earlier qubit it hangs
    from (-1 for the first of a connected part); ``edge_of[j]`` the index in ``edges`` of the
    edge to its parent; ``closing[t]`` the other edges completed at depth ``t``.
    """

    k: int
    edges: tuple[tuple[int, int], ...]
    order: tuple[int, ...]
    parent: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    edge_of: tuple[int, ...]
    closing: tuple[tuple[int, ...], ...]

    @property
    def depth_of(self) -> tuple[int, ...]:
        """``depth_of[j]``: the depth at which qubit ``j`` is assigned."""
        depth = [0] * self.k
        for t, j in enumerate(self.order):
            depth[j] = t
        return tuple(depth)


def pattern(k: int, edges: tuple[tuple[int, int], ...]) -> Pattern:
    """The search order of a ``k``-qubit interaction graph with undirected ``edges`` (a < b)."""
    neighbours: list[set[int]] = [set() for _ in range(k)]
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    order, parent = _depth_first(k, neighbours)
    depth = {j: t for t, j in enumerate(order)}
    index = {edge: i for i, edge in enumerate(edges)}
    edge_of = tuple(
        -1 if parent[j] < 0 else index[(min(j, parent[j]), max(j, parent[j]))] for j in range(k)
    )
    closing: list[list[int]] = [[] for _ in range(k)]
    tree = set(edge_of)
    for i, (a, b) in enumerate(edges):
        if i not in tree:
            closing[max(depth[a], depth[b])].append(i)
    children = tuple(tuple(c for c in order if parent[c] == j) for j in range(k))
    return Pattern(
        k, edges, tuple(order), tuple(parent), children, edge_of, tuple(map(tuple, closing))
    )


def is_path(shape: Pattern) -> bool:
    """True if the interaction graph is one simple path through all its qubits (a GHZ chain, a
    linear chain of gates): the search order then walks along it from one end."""
    return (
        shape.k >= 2
        and len(shape.edges) == shape.k - 1
        and all(shape.parent[shape.order[t]] == shape.order[t - 1] for t in range(1, shape.k))
    )


def _depth_first(k: int, neighbours: list[set[int]]) -> tuple[list[int], list[int]]:
    """Depth-first order of every connected part, largest part first, and each qubit's parent.

    A part starts at its best-connected qubit (lowest index among ties), except a line or a
    ring, which starts at its lowest end (lowest index): then the order walks along it.
    """
    parts = _parts(k, neighbours)
    order: list[int] = []
    parent = [-1] * k
    for part in parts:
        if max(len(neighbours[q]) for q in part) <= 2:
            root = min(part, key=lambda q: (len(neighbours[q]), q))
        else:
            root = max(part, key=lambda q: (len(neighbours[q]), -q))
        stack, placed = [root], set()
        while stack:
            q = stack.pop()
            if q in placed:
                continue
            placed.add(q)
            order.append(q)
            for other in sorted(neighbours[q] - placed, reverse=True):
                parent[other] = q
                stack.append(other)
    return order, parent


def _parts(k: int, neighbours: list[set[int]]) -> list[list[int]]:
    """The connected parts of the graph, largest first (then by lowest qubit)."""
    parts: list[list[int]] = []
    seen: set[int] = set()
    for start in range(k):
        if start in seen:
            continue
        part, frontier = [start], [start]
        seen.add(start)
        while frontier:
            q = frontier.pop()
            for other in sorted(neighbours[q] - seen):
                seen.add(other)
                part.append(other)
                frontier.append(other)
        parts.append(sorted(part))
    parts.sort(key=lambda p: (-len(p), p[0]))
    return parts
