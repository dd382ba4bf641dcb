"""Is there room left? A line that walls itself in is dropped long before it dead-ends.

When the circuit's qubits are placed one after the other along a line (a GHZ chain, a ring: each
qubit's parent is the one placed just before it), the rest of the line must fit among the free
qubits reachable from the newest one, ``room``. Long lines on sparse devices (a 100-qubit line
on a 156-qubit heavy-hex) mostly die this way, and the cost bound cannot see it.

``room`` is carried from parent to child: placing ``w`` next to the end ``e`` gives
``room(w) = room(e) - 1`` unless ``e`` was a cut vertex of its free region, which needs two free
neighbours of ``e`` with no free path between them. A precomputed short detour between each two
neighbours of each qubit (round a hexagon or square) settles most cases at once; the rest are
relabelled: one sparse graph holding a copy of the device per row, labelled by
:func:`scipy.sparse.csgraph.connected_components`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from .graph import Pattern, SearchGraph

if TYPE_CHECKING:
    import numpy as np

#: Longest detour (in qubits) looked for between two neighbours of a qubit: round a heavy-hex
#: hexagon takes 9, round a square 1 or 3.
DETOUR_QUBITS = 10
#: Lines shorter than this never run out of room in practice; they are not checked.
ROOM_MIN = 8
#: ... nor lines shorter than this fraction of the device's coupled qubits.
ROOM_FRACTION = 0.25
#: Devices above this many qubits are not checked (their detour table would cost too much).
ROOM_MAX_QUBITS = 4096
#: Stale rooms (module docstring) are relabelled once every this many placed qubits.
RELABEL_EVERY = 8


def is_walk(pattern: Pattern, graph: SearchGraph) -> bool:
    """True if the search places the circuit's qubits as one line (each after its parent), long
    enough against the device's live qubits for room to run out."""
    live = int((graph.degree > 0).sum())
    return (
        pattern.k >= max(ROOM_MIN, ROOM_FRACTION * live)
        and graph.num_qubits <= ROOM_MAX_QUBITS
        and all(
            pattern.parent[pattern.order[t]] == pattern.order[t - 1] for t in range(1, pattern.k)
        )
    )


class Room:
    """Carries ``room`` for the partial layouts of a walk (see the module docstring)."""

    def __init__(self, graph: SearchGraph, pattern: Pattern, price: np.ndarray) -> None:
        import numpy as np

        self.graph, self.k, self.price = graph, pattern.k, price
        self.width = max(graph.max_degree, 1)
        self.detours = _detours(graph, self.width)
        labels, size = _labels(graph, np.zeros((1, 0), dtype=np.int32))
        self.start = np.maximum(size[labels] - 1, 0)
        self.start_price = np.bincount(labels, weights=price)[labels] - price

    def first(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``room`` once the first qubit is placed on ``w``, and the prices of its region."""
        import numpy as np

        return np.asarray(self.start[w]), np.asarray(self.start_price[w])

    def after(
        self,
        room: np.ndarray,
        v: np.ndarray,
        free_slots: np.ndarray,
        used: Callable[[np.ndarray, np.ndarray], np.ndarray],
        rows: np.ndarray,
    ) -> np.ndarray:
        """``room`` of each child of parent row ``rows[i]`` (its end on ``v``, whose free
        neighbours are ``free_slots``; ``used(rows, qubits)`` tells which qubits a parent row
        has taken).

        Where the parent's end may cut its region, ``room - 1`` is only an upper bound (still
        safe for pruning); it is marked stale (negative) until :meth:`refresh` makes it exact.
        """
        import numpy as np

        branching = np.flatnonzero(free_slots.sum(axis=1) >= 2)
        cut_free = np.ones(v.size, dtype=bool)
        if branching.size:
            detours = self.detours[v[branching]]
            flat = detours.reshape(branching.size, -1)
            taken = (flat >= 0) & used(branching, np.maximum(flat, 0))
            cut_free[branching] = self._detours_clear(
                free_slots[branching], v[branching], taken.reshape(detours.shape)
            )
        result = np.abs(room[rows]) - 1
        stale = (room[rows] < 0) | ~cut_free[rows]
        return np.asarray(np.where(stale, -np.maximum(result, 1), result))

    def refresh(
        self, room: np.ndarray, assign: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Make the stale rooms among ``rows`` exact, every :data:`RELABEL_EVERY` qubits, in one
        batch (``room`` is updated in place); the rows relabelled and the prices of their
        regions."""
        import numpy as np

        if assign.shape[1] % RELABEL_EVERY:
            return np.empty(0, np.intp), np.empty(0)
        again = rows[room[rows] < 0]
        if not again.size:
            return again, np.empty(0)
        room[again], prices = self._reach(assign[again])
        return again, prices

    def fits(self, room: np.ndarray, depth: int) -> np.ndarray:
        """Rows with room for the qubits still to place after ``depth`` of them."""
        import numpy as np

        return np.asarray(np.abs(room) >= self.k - depth)

    def _detours_clear(
        self, free_slots: np.ndarray, v: np.ndarray, detour_taken: np.ndarray
    ) -> np.ndarray:
        """Rows where each two consecutive free neighbours of ``v`` are joined by a detour of
        free qubits: ``v`` does not cut its region."""
        import numpy as np

        ok = np.ones(v.size, dtype=bool)
        width = self.width
        for s in range(width - 1):
            for t in range(s + 1, width):
                between = free_slots[:, s + 1 : t].any(axis=1)
                pair = free_slots[:, s] & free_slots[:, t] & ~between
                known = self.detours[v, s * width + t, 0] != -2
                clear = ~detour_taken[:, s * width + t, :].any(axis=1)
                ok &= ~pair | (known & clear)
        return ok

    def _reach(self, assign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many free qubits the rest of each row's line can still reach: the largest region
        round its newest qubit (the line enters one of them only), and the sum of the prices of
        all of them (a looser refund, still valid)."""
        import numpy as np

        labels, size = _labels(self.graph, assign)
        free = np.ones((assign.shape[0], self.graph.num_qubits), dtype=bool)
        free[np.arange(assign.shape[0])[:, None], assign] = False
        weights = np.where(free, self.price[None, :], 0.0).ravel()
        region_price = np.bincount(labels, weights=weights, minlength=size.size)
        m, n = assign.shape[0], self.graph.num_qubits
        w = assign[:, -1].astype(np.intp)
        arc = self.graph.indptr[w][:, None] + np.arange(self.width)[None, :]
        valid = arc < self.graph.indptr[w + 1][:, None]
        heads = self.graph.head[np.where(valid, arc, 0)]
        label = labels.reshape(m, n)[np.arange(m)[:, None], heads]
        total = np.zeros(m, dtype=np.int64)
        price = np.zeros(m)
        for s in range(self.width):
            counted = (label[:, :s] == label[:, s, None]) & valid[:, :s]
            fresh = valid[:, s] & ~counted.any(axis=1)
            total = np.maximum(total, np.where(fresh, size[label[:, s]], 0))
            price += np.where(fresh, region_price[label[:, s]], 0.0)
        return total, price


def _labels(graph: SearchGraph, assign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Region labels of the free qubits of each row (one copy of the device per row)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    m, n = assign.shape[0], graph.num_qubits
    free = np.ones((m, n), dtype=bool)
    if assign.size:
        free[np.arange(m)[:, None], assign] = False
    rows, arcs = np.nonzero(free[:, graph.tail] & free[:, graph.head])
    nodes = rows * n + graph.tail[arcs]
    indptr = np.zeros(m * n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(nodes, minlength=m * n))
    matrix = csr_matrix(
        (np.ones(arcs.size), rows * n + graph.head[arcs], indptr), shape=(m * n, m * n)
    )
    # symmetric graph: its strong components are its regions (no transposed copy needed)
    _, labels = connected_components(matrix, directed=True, connection="strong")
    size = np.bincount(labels)
    size[labels[~free.ravel()]] = 0
    return labels, size


def _detours(graph: SearchGraph, width: int) -> np.ndarray:
    """``detours[v, s * width + t]``: the qubits of a short path between the neighbours in
    slots ``s`` and ``t`` of ``v`` that avoids ``v`` (-1 padding; -2 first if there is none
    within :data:`DETOUR_QUBITS`)."""
    import numpy as np

    n = graph.num_qubits
    detours = np.full((n, width * width, DETOUR_QUBITS), -1, dtype=np.intp)
    neighbours = [graph.head[graph.indptr[v] : graph.indptr[v + 1]].tolist() for v in range(n)]
    for v in range(n):
        around = neighbours[v]
        for s in range(len(around)):
            for t in range(s + 1, len(around)):
                path = _short_path(neighbours, around[s], around[t], v)
                if path is None:
                    detours[v, s * width + t, 0] = -2
                else:
                    detours[v, s * width + t, : len(path)] = path
    return detours


def _short_path(neighbours: list[list[int]], a: int, b: int, avoid: int) -> list[int] | None:
    """The inner qubits of a shortest ``a``-``b`` path avoiding ``avoid``, if short enough."""
    previous = {a: a}
    queue = deque([(a, 0)])
    while queue:
        q, hops = queue.popleft()
        if q == b:
            path = []
            while previous[q] != a:
                q = previous[q]
                path.append(q)
            return path
        if hops > DETOUR_QUBITS:
            continue
        for other in neighbours[q]:
            if other != avoid and other not in previous:
                previous[other] = q
                queue.append((other, hops + 1))
    return None
