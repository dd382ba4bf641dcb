"""The exact top-k layouts of a circuit on a device: depth-first branch and bound in NumPy slices.

A partial layout assigns the first ``t`` qubits of :class:`~.graph.Pattern`'s order. Its bound
(:mod:`.bounds`, over the decomposed terms of :mod:`.terms`) is at least the score of every
layout that completes it; a partial layout whose bound is below the k-th best score found so far
is dropped with everything below it. Children are generated for a whole slice of partial layouts
at once (the neighbours of the parent's qubit), sorted best bound first and searched depth-first,
so good layouts are found early and memory holds one slice per depth. Complete layouts are scored
with the exact cost model; when the search ends without reaching a limit, the top ``k`` is exact
(ties in score are ordered by the physical qubits).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bounds import Bounds
from .graph import Pattern, SearchGraph
from .limits import SEARCH_CHUNK_CELLS
from .room import Room, is_walk
from .tables import DeviceTables
from .terms import BoundTerms

if TYPE_CHECKING:
    import numpy as np

#: Devices up to this many qubits track each partial layout's used qubits in a bit set (cheaper
#: than comparing with every assigned qubit; above it the bit sets would outweigh the layouts).
BITSET_QUBITS = 4096
#: Scoring a complete layout (its whole schedule) costs about as much as making one partial
#: layout per this many circuit qubits.
SCORE_QUBITS = 32
#: Complete layouts are scored this many at a time (fewer, larger NumPy calls), or once they
#: have waited for SCORE_PATIENCE expansions (their scores raise the threshold).
SCORE_BATCH = 1024
SCORE_PATIENCE = 16
#: Slack (in log-score) kept below the k-th best: the bound is summed in logs, the score
#: multiplied, so equal scores may differ in the last bits.
TOLERANCE = 1e-9
#: The beam's preference (in log-score per qubit) for lines that keep free qubits within reach.
ROOM_WEIGHT = 0.2

Scorer = Callable[["np.ndarray"], "np.ndarray"]


@dataclass(frozen=True)
class SearchLimits:
    """When the search stops early: layouts scored, work done (partial layouts made, plus one
    unit per :data:`SCORE_QUBITS` circuit qubits of each layout scored), a monotonic deadline."""

    max_layouts: int
    max_nodes: int
    deadline: float | None = None


@dataclass(frozen=True)
class SearchResult:
    """The best layouts found (``layouts[i]`` holds the physical qubit of each circuit qubit),
    their scores, and what the search did; ``stopped`` names the limit reached, if any.
    ``bound`` is None when the top is proven exact, else an upper bound of every layout's score
    (the answer of a search that was not exhaustive, such as a beam, is within it)."""

    layouts: tuple[tuple[int, ...], ...]
    fidelity: tuple[float, ...]
    scored: int
    unscorable: int
    pruned: int
    stopped: str | None
    work: int = 0
    bound: float | None = None


class TopK:
    """The ``top`` best scored layouts, one per ``key`` (a layout, or its set of qubits)."""

    def __init__(self, top: int, key: Callable[[tuple[int, ...]], Hashable] | None) -> None:
        self.top = top
        self.key = key or (lambda layout: layout)
        self.best: dict[Hashable, tuple[float, tuple[int, ...]]] = {}
        self.threshold = -math.inf

    def offer(self, layouts: np.ndarray, fidelity: np.ndarray) -> None:
        """Take the layouts that enter the top; update the threshold (log of the k-th score)."""
        import numpy as np

        with np.errstate(divide="ignore"):
            logs = np.log(np.where(fidelity > 0, fidelity, 0.0))
        keep = np.flatnonzero(np.isfinite(fidelity) & (logs >= self.threshold - TOLERANCE))
        for i in keep[np.argsort(-fidelity[keep], kind="stable")]:
            score = float(fidelity[i])
            if len(self.best) == self.top and score < self._worst()[0]:
                break
            layout = tuple(int(q) for q in layouts[i])
            key = self.key(layout)
            held = self.best.get(key)
            if held is None or (-score, layout) < (-held[0], held[1]):
                self.best[key] = (score, layout)
                if len(self.best) > self.top:
                    del self.best[self.key(self._worst()[1])]
        if len(self.best) == self.top:
            worst = self._worst()[0]
            self.threshold = math.log(worst) if worst > 0 else -math.inf

    def ranked(self) -> list[tuple[float, tuple[int, ...]]]:
        """Best first; ties by the physical qubits."""
        return sorted(self.best.values(), key=lambda entry: (-entry[0], entry[1]))

    def _worst(self) -> tuple[float, tuple[int, ...]]:
        return max(self.best.values(), key=lambda entry: (-entry[0], entry[1]))


@dataclass
class _Slice:
    """Partial layouts of one depth: ``assign[:, t]`` holds the qubit of ``order[t]``; on
    devices of at most :data:`BITSET_QUBITS` qubits, ``bits`` marks each row's used qubits."""

    depth: int
    assign: np.ndarray
    value: np.ndarray
    rest: np.ndarray
    price_used: np.ndarray
    bits: np.ndarray | None
    room: np.ndarray | None = None

    def bound(self, constant: float) -> np.ndarray:
        """Upper bound of the log-score of every completion."""
        bound: np.ndarray = constant + self.value + self.rest - self.price_used
        return bound

    def take(self, rows: np.ndarray) -> _Slice:
        """The slice restricted to ``rows``."""
        return _Slice(
            self.depth,
            self.assign[rows],
            self.value[rows],
            self.rest[rows],
            self.price_used[rows],
            None if self.bits is None else self.bits[rows],
            None if self.room is None else self.room[rows],
        )

    def used(self, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``used[i, s]``: is qubit ``w[i, s]`` already in row ``rows[i]``?"""
        import numpy as np

        if self.bits is not None:
            words = self.bits[rows[:, None], w >> 6]
            return np.asarray((words >> (w & 63).astype(np.uint64)) & np.uint64(1) == 1)
        assign = self.assign[rows]
        if not assign.shape[1]:
            return np.zeros(w.shape, dtype=bool)
        return np.asarray((assign[:, :, None] == w[:, None, :]).any(axis=1))

    def extended_bits(self, rows: np.ndarray, w: np.ndarray) -> np.ndarray | None:
        """The used-qubit bits of ``rows`` with ``w[i]`` added to row ``i``."""
        import numpy as np

        if self.bits is None:
            return None
        bits: np.ndarray = self.bits[rows]
        bits[np.arange(rows.size), w >> 6] |= np.uint64(1) << (w & 63).astype(np.uint64)
        return bits


def _joined(parts: list[_Slice]) -> _Slice:
    """The rows of several slices of one depth, in one slice."""
    import numpy as np

    def stacked(arrays: list[np.ndarray | None]) -> np.ndarray | None:
        present = [a for a in arrays if a is not None]
        return np.concatenate(present) if len(present) == len(arrays) else None

    return _Slice(
        parts[0].depth,
        np.concatenate([p.assign for p in parts]),
        np.concatenate([p.value for p in parts]),
        np.concatenate([p.rest for p in parts]),
        np.concatenate([p.price_used for p in parts]),
        stacked([p.bits for p in parts]),
        stacked([p.room for p in parts]),
    )


def _best_rows(part: _Slice, width: int, per_end: int, constant: float) -> _Slice:
    """The ``width`` rows of best bound, one per set of used qubits and newest qubit (the rest of
    the score depends on nothing else) and at most ``per_end`` per newest qubit (so the beam keeps
    lines ending all over the device, not only variants of one); ties by the qubits placed."""
    import numpy as np

    if not part.assign.shape[1]:
        return part
    bound = part.bound(constant)
    if part.room is not None:
        bound = bound + ROOM_WEIGHT * np.abs(part.room)
    order = np.lexsort((*part.assign.T[::-1], -bound))
    end = part.assign[order, -1].astype(np.int64)
    if part.bits is not None:
        salt = np.random.default_rng(1).integers(1, 2**63, part.bits.shape[1], dtype=np.uint64)
        with np.errstate(over="ignore"):
            key = (part.bits[order] * salt).sum(axis=1, dtype=np.uint64)
            key ^= end.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        _, first = np.unique(key, return_index=True)
        order, end = order[np.sort(first)], end[np.sort(first)]
    rank = _rank_within(end)
    return part.take(order[rank < per_end][:width])


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """``rank[i]``: how many earlier entries share ``groups[i]``."""
    import numpy as np

    by_group = np.argsort(groups, kind="stable")
    sorted_groups = groups[by_group]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, groups.size])
    within = np.arange(groups.size) - np.repeat(starts, lengths)
    rank = np.empty(groups.size, dtype=np.int64)
    rank[by_group] = within
    return rank


class Search:
    """One device's search (see the module docstring); :meth:`run` does it."""

    def __init__(
        self,
        pattern: Pattern,
        graph: SearchGraph,
        terms: BoundTerms,
        bounds: Bounds,
        tables: DeviceTables,
        scorer: Scorer,
        collector: TopK,
        limits: SearchLimits,
        rows: int | None = None,
    ) -> None:
        self.pattern, self.graph, self.terms, self.b = pattern, graph, terms, bounds
        self.tables, self.scorer, self.top, self.limits = tables, scorer, collector, limits
        self.constant = terms.constant + bounds.price_total
        self.depth_of = pattern.depth_of
        self.rows = rows or max(16, SEARCH_CHUNK_CELLS // max(pattern.k, 1))
        self.scored = self.unscorable = self.pruned = self.nodes = 0
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_rows = self.waited = 0
        self.score_weight = max(1, pattern.k // SCORE_QUBITS)
        self.room = Room(graph, pattern, bounds.price) if is_walk(pattern, graph) else None
        self.stopped: str | None = None

    def run(self) -> SearchResult:
        """Search until every partial layout is settled or a limit is reached."""

        stack: list[Iterator[_Slice]] = [iter([self._empty()])]
        while stack and self.stopped is None:
            part = next(stack[-1], None)
            if part is None:
                stack.pop()
            elif part.depth == self.pattern.k:
                self._collect(part)
            else:
                stack.append(self._children(part))
                self.waited += 1
                if self.pending and self.waited >= SCORE_PATIENCE:
                    self._flush()
        self._flush()
        return self._result()

    def beam(self, width: int, per_end: int) -> SearchResult:
        """A beam search: level by level, only the ``width`` partial layouts of best bound (one
        per set of used qubits and end qubit) are extended. Every complete layout it reaches is
        scored exactly; it is not exhaustive, and says nothing of the layouts it left out."""
        import numpy as np

        level = self._empty()
        while level.depth < self.pattern.k and level.assign.shape[0]:
            parts = [
                chunk
                for row in range(0, level.assign.shape[0], self.rows)
                for chunk in self._children(
                    level.take(np.arange(row, min(row + self.rows, level.assign.shape[0])))
                )
            ]
            if not parts:
                break
            level = _best_rows(_joined(parts), width, per_end, self.constant)
        if level.depth == self.pattern.k:
            self._collect(level)
        self._flush()
        return self._result()

    def _empty(self) -> _Slice:
        """The empty partial layout."""
        import numpy as np

        words = (self.graph.num_qubits + 63) // 64
        return _Slice(
            0,
            np.empty((1, 0), dtype=np.int32),
            np.zeros(1),
            np.array([self.b.empty_bound(self.pattern) - self.b.price_total]),
            np.zeros(1),
            np.zeros((1, words), np.uint64) if self.graph.num_qubits <= BITSET_QUBITS else None,
        )

    def _result(self) -> SearchResult:
        ranked = self.top.ranked()
        return SearchResult(
            tuple(layout for _, layout in ranked),
            tuple(score for score, _ in ranked),
            self.scored,
            self.unscorable,
            self.pruned,
            self.stopped,
            self.nodes,
        )

    def _children(self, part: _Slice) -> Iterator[_Slice]:
        """Every child slice of ``part``, best bounds first, re-checked against the threshold."""
        import numpy as np

        j = self.pattern.order[part.depth]
        sources = (
            self._root_children(part, j)
            if self.pattern.parent[j] < 0
            else iter([self._tree_children(part, j)])
        )
        for children in sources:
            bound = children.bound(self.constant)
            self.nodes += bound.size
            keep = np.flatnonzero(np.isfinite(bound) & (bound >= self.top.threshold - TOLERANCE))
            if self.room is not None and children.room is not None:
                keep = self._roomy(children, keep)
                bound = children.bound(self.constant)
            self.pruned += bound.size - keep.size
            order = keep[np.argsort(-bound[keep], kind="stable")]
            for lo in range(0, order.size, self.rows):
                if self._out_of_budget():
                    return
                rows = order[lo : lo + self.rows]
                fresh = rows[bound[rows] >= self.top.threshold - TOLERANCE]
                self.pruned += rows.size - fresh.size
                if not fresh.size:
                    self.pruned += order.size - lo - rows.size
                    break
                yield children.take(fresh)

    def _roomy(self, children: _Slice, keep: np.ndarray) -> np.ndarray:
        """``keep`` without the rows whose rest of the line no longer fits (:mod:`.room`)."""
        if self.room is None or children.room is None or not keep.size:
            return keep
        again, region_price = self.room.refresh(children.room, children.assign, keep)
        if again.size:
            # only the prices of the qubits the rest of the line can still reach are refunded
            children.price_used[again] = self.b.price_total - region_price
            bound = children.bound(self.constant)[keep]
            keep = keep[bound >= self.top.threshold - TOLERANCE]
        fits = self.room.fits(children.room[keep], children.depth)
        kept: np.ndarray = keep[fits]
        return kept

    def _tree_children(self, part: _Slice, j: int) -> _Slice:
        """Children placing ``j`` on a free neighbour of its parent's qubit."""
        import numpy as np

        p = self.pattern.parent[j]
        v = part.assign[:, self.depth_of[p]].astype(np.intp)
        grand = self.pattern.parent[p]
        avoid = part.assign[:, self.depth_of[grand]] if grand >= 0 else np.full(v.size, -1)
        width = max(self.graph.max_degree, 1)
        arc = self.graph.indptr[v][:, None] + np.arange(width)[None, :]
        valid = arc < self.graph.indptr[v + 1][:, None]
        arc = np.where(valid, arc, 0)
        w = self.graph.head[arc] if self.graph.head.size else np.zeros_like(arc)
        valid &= ~part.used(np.arange(v.size), w)
        rows, slots = np.nonzero(valid)
        arcs, w = arc[rows, slots], w[rows, slots]
        value = part.value[rows] + self.b.arc_value[j][arcs] + self.terms.unary[j, w]
        rest = part.rest[rows] - self.b.attach(j, v[rows], avoid[rows])
        children = self._child_slice(part, j, rows, w, value, rest, v[rows])
        if self.room is not None and part.room is not None:
            children.room = self.room.after(part.room, v, valid, part.used, rows)
        return children

    def _root_children(self, part: _Slice, j: int) -> Iterator[_Slice]:
        """Children placing the first qubit ``j`` of a part anywhere, best start first."""
        import numpy as np

        start = self.b.start[j]
        if not np.isfinite(self.b.part_best[j]):
            return
        candidates = np.flatnonzero(np.isfinite(start))
        candidates = candidates[np.argsort(-start[candidates], kind="stable")]
        base = part.bound(self.constant) - self.b.part_best[j]
        step = max(1, self.rows // max(part.assign.shape[0], 1))
        for lo in range(0, candidates.size, step):
            w_all = candidates[lo : lo + step]
            if float(base.max()) + float(start[w_all[0]]) < self.top.threshold - TOLERANCE:
                self.pruned += candidates.size - lo
                return
            rows = np.repeat(np.arange(part.assign.shape[0]), w_all.size)
            w = np.tile(w_all, part.assign.shape[0])
            free = ~part.used(rows, w[:, None])[:, 0]
            rows, w = rows[free], w[free]
            value = part.value[rows] + self.terms.unary[j, w]
            rest = part.rest[rows] - self.b.part_best[j]
            children = self._child_slice(part, j, rows, w, value, rest, np.full(w.size, -1))
            if self.room is not None and part.depth == 0:
                children.room, region_price = self.room.first(w)
                children.price_used = self.b.price_total - region_price
            yield children

    def _child_slice(
        self,
        part: _Slice,
        j: int,
        rows: np.ndarray,
        w: np.ndarray,
        value: np.ndarray,
        rest: np.ndarray,
        came_from: np.ndarray,
    ) -> _Slice:
        """Children of ``part`` (one per ``rows[i]``) with ``j`` on ``w[i]``, bound completed."""
        import numpy as np

        assign = np.concatenate([part.assign[rows], w[:, None].astype(np.int32)], axis=1)
        for d in self.pattern.children[j]:
            rest = rest + self.b.attach(d, w, came_from)
        for e in self.pattern.closing[part.depth]:
            a, b = self.pattern.edges[e]
            qa, qb = assign[:, self.depth_of[a]], assign[:, self.depth_of[b]]
            value = value + self.terms.pair_values(e, qa, qb, self.tables)
            rest = rest - self.b.edge_best[e]
        price_used = part.price_used[rows] + self.b.price[w]
        bits = part.extended_bits(rows, w)
        return _Slice(part.depth + 1, assign, value, rest, price_used, bits)

    def _collect(self, part: _Slice) -> None:
        """Keep complete layouts until :data:`SCORE_BATCH` of them can be scored at once."""
        self.pending.append((part.assign, part.bound(self.constant)))
        self.pending_rows += part.assign.shape[0]
        if self.pending_rows >= SCORE_BATCH:
            self._flush()

    def _flush(self) -> None:
        """Score the kept complete layouts exactly and offer them to the top."""
        import numpy as np

        self.waited = 0
        if not self.pending:
            return
        assign = np.concatenate([a for a, _ in self.pending])
        bound = np.concatenate([b for _, b in self.pending])
        self.pending, self.pending_rows = [], 0
        assign = assign[bound >= self.top.threshold - TOLERANCE]
        self.pruned += bound.size - assign.shape[0]
        if not assign.shape[0]:
            return
        layouts = np.empty_like(assign, dtype=np.intp)
        layouts[:, list(self.pattern.order)] = assign
        fidelity = self.scorer(layouts)
        self.scored += layouts.shape[0]
        self.nodes += layouts.shape[0] * self.score_weight
        self.unscorable += int(np.count_nonzero(~np.isfinite(fidelity)))
        self.top.offer(layouts, fidelity)
        if self.scored >= self.limits.max_layouts:
            self.stopped = self.stopped or "layouts"

    def _out_of_budget(self) -> bool:
        if self.scored >= self.limits.max_layouts:
            self.stopped = "layouts"
        elif self.nodes >= self.limits.max_nodes:
            self.stopped = "nodes"
        elif self.limits.deadline is not None and time.monotonic() > self.limits.deadline:
            self.stopped = "time"
        return self.stopped is not None
