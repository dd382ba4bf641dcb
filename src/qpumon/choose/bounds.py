"""How good can the rest of a partial layout get? Tables for the search's upper bound.

The qubits not yet assigned form subtrees of the search tree of :class:`~.graph.Pattern`, each
hanging from an assigned qubit. The best value of a subtree is bounded by relaxing "distinct
qubits" to "walks in the coupling graph that never step straight back" (dynamic programming over
arcs, in ``O(k × couplers)``); edges outside the search tree are bounded by their best value.

The relaxation would happily walk round and round the device's best qubits, so each physical
qubit ``v`` also gets a price ``lambda_v >= 0`` (Lagrangian relaxation): a subtree pays
``lambda_v`` each time it visits ``v`` and is refunded ``lambda_v`` for every qubit still unused.
Any prices give a valid bound (a real layout visits each unused qubit at most once); they are
tuned by subgradient steps to make the bound of the empty layout as small as possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .graph import Pattern, SearchGraph
from .tables import DeviceTables
from .terms import BoundTerms

if TYPE_CHECKING:
    import numpy as np

#: Subgradient steps spent tuning the qubit prices.
PRICE_STEPS = 100
#: Steps without improvement before the step size is halved.
PRICE_PATIENCE = 5
#: Table cells (circuit qubits × (qubits + arcs)) computed at most while tuning prices: fewer
#: steps on large devices.
PRICE_CELLS = 20_000_000


@dataclass(frozen=True)
class Bounds:
    """Tables for the bound of :mod:`.search` (see the module docstring).

    For each non-first qubit ``d`` and physical qubit ``x`` (where ``d``'s parent sits),
    ``best[d, x]`` is the best priced value of the subtree of ``d``, reached over an arc leaving
    ``x`` to ``best_head[d, x]``; ``second[d, x]`` the best over the other arcs, to
    ``second_head[d, x]`` (used when the best one steps back onto the grandparent).
    ``start[r, v]`` is the priced value of the part whose first qubit ``r`` sits on ``v``;
    ``part_best[r]`` its maximum. ``arc_value[d]`` is the
    exact value of the edge to ``d``'s parent over every arc (parent at the tail).
    """

    price: np.ndarray
    price_total: float
    best: np.ndarray
    best_head: np.ndarray
    second: np.ndarray
    second_head: np.ndarray
    start: np.ndarray
    part_best: np.ndarray
    arc_value: dict[int, np.ndarray]
    edge_best: np.ndarray

    def attach(self, d: int, x: np.ndarray, avoid: np.ndarray) -> np.ndarray:
        """Bound of the subtree of ``d`` with its parent on ``x``, not stepping onto ``avoid``."""
        import numpy as np

        return np.asarray(
            np.where(self.best_head[d, x] != avoid, self.best[d, x], self.second[d, x])
        )

    def empty_bound(self, pattern: Pattern) -> float:
        """The bound of the empty layout (every part at its best, plus the non-tree edges)."""
        roots = [j for j in pattern.order if pattern.parent[j] < 0]
        closing = [e for t in pattern.closing for e in t]
        return float(
            sum(self.part_best[r] for r in roots)
            + sum(self.edge_best[e] for e in closing)
            + self.price_total
        )


def arc_values(
    pattern: Pattern, graph: SearchGraph, terms: BoundTerms, tables: DeviceTables
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Each tree edge's exact value over the arcs (parent at the tail), and every edge's best."""
    import numpy as np

    values = {}
    for d in range(pattern.k):
        e = pattern.edge_of[d]
        if e < 0:
            continue
        parent_first = pattern.edges[e][0] == pattern.parent[d]
        a, b = (graph.tail, graph.head) if parent_first else (graph.head, graph.tail)
        values[d] = terms.pair_values(e, a, b, tables)
    edge_best = np.array(
        [
            terms.pair_values(e, graph.tail, graph.head, tables).max(initial=-np.inf)
            for e in range(len(pattern.edges))
        ]
    )
    return values, edge_best


def bounds(
    pattern: Pattern,
    graph: SearchGraph,
    terms: BoundTerms,
    tables: DeviceTables,
    target: float | None = None,
) -> Bounds:
    """The bound tables; with ``target`` (the log-score of a known layout, minus
    ``terms.constant``), qubit prices tuned by :data:`PRICE_STEPS` Polyak subgradient steps."""
    import numpy as np

    arcs, edge_best = arc_values(pattern, graph, terms, tables)
    price = np.zeros(graph.num_qubits)
    current = best = _tables(pattern, graph, terms, arcs, edge_best, price)
    if target is None or not np.isfinite(target):
        return best[0]
    live = np.isfinite(terms.unary).any(axis=0)
    scale, stalled = 1.0, 0
    cells = pattern.k * (graph.num_qubits + graph.tail.size)
    for _ in range(min(PRICE_STEPS, PRICE_CELLS // max(cells, 1))):
        visits = _visits(pattern, current[0])
        if visits is None:
            break
        slope = np.where(live, 1.0 - visits, 0.0)
        slope[(price <= 0) & (slope > 0)] = 0.0  # prices stay >= 0
        norm = float(slope @ slope)
        if norm == 0 or current[1] <= target:
            break
        price = np.maximum(price - scale * (current[1] - target) / norm * slope, 0.0)
        current = _tables(pattern, graph, terms, arcs, edge_best, price)
        if current[1] < best[1] - 1e-12:
            best, stalled = current, 0
        else:
            stalled += 1
            if stalled == PRICE_PATIENCE:
                scale, stalled = scale / 2, 0
    return best[0]


def _tables(
    pattern: Pattern,
    graph: SearchGraph,
    terms: BoundTerms,
    arcs: dict[int, np.ndarray],
    edge_best: np.ndarray,
    price: np.ndarray,
) -> tuple[Bounds, float]:
    import numpy as np

    k, n = pattern.k, graph.num_qubits
    priced = terms.unary - price[None, :]
    best = np.full((k, n), -np.inf)
    second = np.full((k, n), -np.inf)
    best_head = np.full((k, n), -1, dtype=np.intp)
    second_head = np.full((k, n), -1, dtype=np.intp)
    for d in reversed(pattern.order):
        if pattern.parent[d] < 0:
            continue
        value = arcs[d] + priced[d, graph.head]
        for e in pattern.children[d]:
            value = value + _excluding(best, best_head, second, e, graph.head, graph.tail)
        best[d], best_head[d], second[d], second_head[d] = _top_two(graph, value)
    start = np.full((k, n), -np.inf)
    part_best = np.full(k, -np.inf)
    for r in pattern.order:
        if pattern.parent[r] < 0:
            start[r] = priced[r] + sum((best[e] for e in pattern.children[r]), np.zeros(n))
            part_best[r] = start[r].max(initial=-np.inf)
    result = Bounds(
        price,
        float(price.sum()),
        best,
        best_head,
        second,
        second_head,
        start,
        part_best,
        arcs,
        edge_best,
    )
    return result, result.empty_bound(pattern)


def _excluding(
    best: np.ndarray,
    best_head: np.ndarray,
    second: np.ndarray,
    e: int,
    x: np.ndarray,
    avoid: np.ndarray,
) -> np.ndarray:
    import numpy as np

    return np.asarray(np.where(best_head[e, x] != avoid, best[e, x], second[e, x]))


def _top_two(
    graph: SearchGraph, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per tail qubit: the best arc value and its head, the best of the other arcs and its head
    (arcs are grouped by tail, so each qubit's arcs are one segment)."""
    import numpy as np

    n = graph.num_qubits
    best = np.full(n, -np.inf)
    head = np.full(n, -1, dtype=np.intp)
    second = np.full(n, -np.inf)
    second_head = np.full(n, -1, dtype=np.intp)
    has = np.flatnonzero(graph.degree > 0)
    if not value.size or not has.size:
        return best, head, second, second_head
    starts = graph.indptr[has]
    best[has], lead = _segment_max(value, starts, graph.tail, has, n)
    head[has] = np.where(lead >= 0, graph.head[np.maximum(lead, 0)], -1)
    rest = value.copy()
    rest[lead[lead >= 0]] = -np.inf
    second[has], runner = _segment_max(rest, starts, graph.tail, has, n)
    second_head[has] = np.where(runner >= 0, graph.head[np.maximum(runner, 0)], -1)
    head[~np.isfinite(best)] = -1
    second_head[~np.isfinite(second)] = -1
    return best, head, second, second_head


def _segment_max(
    value: np.ndarray, starts: np.ndarray, tail: np.ndarray, has: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of each non-empty segment and the first arc holding it (-1 if none)."""
    import numpy as np

    top = np.maximum.reduceat(value, starts)
    per_tail = np.full(n, -np.inf)
    per_tail[has] = top
    index = np.arange(value.size)
    holder = np.where(value == per_tail[tail], index, value.size)
    first = np.minimum.reduceat(holder, starts)
    return top, np.where(first < value.size, first, -1)


def _visits(pattern: Pattern, tables: Bounds) -> np.ndarray | None:
    """How often the relaxed best of the empty layout visits each qubit (None if infeasible)."""
    import numpy as np

    visits = np.zeros(tables.price.size)
    for r in pattern.order:
        if pattern.parent[r] >= 0:
            continue
        if not np.isfinite(tables.part_best[r]):
            return None
        stack = [(r, int(np.argmax(tables.start[r])), -1)]
        while stack:
            j, v, came_from = stack.pop()
            visits[v] += 1
            for d in pattern.children[j]:
                head = int(tables.best_head[d, v])
                if head == came_from:
                    head = int(tables.second_head[d, v])
                if head >= 0:
                    stack.append((d, head, v))
    return visits
