"""The best chains for a path circuit (a GHZ, a linear chain): a model along the path and its DP.

A circuit whose interaction graph is one path of ``k`` qubits is placed on a simple path of the
device. Its qubits are placed in *chain order* ``s_0, s_1, ...`` from the end where the
as-late-as-possible schedule starts (for a GHZ, the last qubit: every idle time is a sum of the
gate lengths *after* a qubit's first gate). Placing ``s_t`` on ``w`` after ``s_(t-1)`` on ``v``
adds to the log-score, exactly:

- ``unary[t, w]``: the gate and readout fidelities of ``s_t`` (:mod:`.terms`, no decoherence);
- ``pair[t, v -> w]``: the 2q gates between ``s_(t-1)`` and ``s_t``;
- ``log f_w(idle)``, thermal relaxation over ``s_t``'s idle time (:func:`.cost.idle_fidelity`),
  where ``idle >= tau * delta + offset[t] - own[t, w]``. ``tau`` counts, in units of ``delta``,
  the lengths above their device minimum of the operations already placed on the qubit's
  critical chain (:class:`.terms.ChainSchedule`): a max-plus schedule lasts at least as long as
  any chain of its operations. ``tau`` is carried along the path: each step adds the
  operations of the last two qubits placed (``step[t, u -> v]``); chain operations not yet
  placed count at their device minimum, operations counted but off the chain at their maximum,
  so the floor holds for every length the device has. For a GHZ it is the idle time itself.

:class:`ChainModel` holds these tables; :meth:`ChainModel.rest` is the dynamic programme over
non-backtracking walks that bounds the best completion of any partial chain from its last arc
and ``tau`` (a walk may revisit a qubit, a chain may not: a valid upper bound, tight on the
sparse heavy-hex lattice where a revisit needs a whole hexagon). :func:`best_chains` runs a beam
over chains ranked by that bound, and :func:`prove` a depth-first branch and bound on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .circuits import CircuitOps
from .cost import COHERENCE_MODELS, READOUT_OPS, free_gates, idle_fidelity
from .graph import Pattern, SearchGraph
from .room import ROOM_FRACTION, ROOM_MAX_QUBITS, ROOM_MIN, _labels
from .tables import DeviceTables
from .terms import ChainSchedule, bound_terms

if TYPE_CHECKING:
    import numpy as np

#: Most cells (arcs × values of ``tau``, summed over the chain) of the DP tables; above it,
#: ``delta`` is coarsened (each step's lengths rounded down: still a valid, looser bound).
CHAIN_CELLS = 6_000_000
#: The beam drops partial chains walled in (too few free qubits beside their end) every this many
#: levels, in slices of this many cells (rows × qubits).
ROOM_EVERY = 4
ROOM_CELLS = 1 << 19
#: Partial chains kept per last qubit (so the beam keeps chains ending all over the device).
PER_END = 32
#: Moves tried at most per length and kind in one round of :func:`improve`.
MAX_MOVES = 100_000
#: Local moves reroute along simple paths of at most this many per qubit of the chain.
WALKS = 4096
#: Step size of the price tuning (a fraction of Polyak's).
PRICE_STEP = 0.7
#: Lengths are compared in units of this many ns (IBM's are whole ns).
RESOLUTION_NS = 1e-3


@dataclass(frozen=True)
class ChainModel:
    """The tables of a path circuit on one device (module docstring); arcs are
    ``graph.tail[a] -> graph.head[a]``, ``succ[a]`` the arcs that continue ``a`` without stepping
    back (-1 padded)."""

    seq: tuple[int, ...]
    graph: SearchGraph
    succ: np.ndarray
    unary: np.ndarray
    pair: np.ndarray
    step_first: np.ndarray
    step: np.ndarray
    delta: float
    offset: np.ndarray
    own: np.ndarray
    t1: np.ndarray
    t2: np.ndarray
    top: np.ndarray
    exact_time: bool
    tables: list[np.ndarray] = field(default_factory=list)
    #: The price-free part of each step's gain in :meth:`rest` (tuning calls it many times).
    _steps: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @property
    def k(self) -> int:
        """Qubits in the chain."""
        return len(self.seq)

    def idle(self, t: int, w: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """``log f_w`` of the idle floor of ``s_t`` on ``w`` at ``tau`` (same shapes)."""
        import numpy as np

        floor = np.maximum(tau * self.delta + self.offset[t] - self.own[t, w], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.log(idle_fidelity(floor, self.t1[w], self.t2[w]))
        return np.where(np.isnan(value), -np.inf, value)

    def flat(self, expected: bool) -> ChainModel:
        """The model without ``tau``: every length at its minimum (still a bound), or, if
        ``expected``, at its median over the arcs (an estimate, not a bound; cheap to guide)."""
        import dataclasses

        import numpy as np

        offset = self.offset.copy()
        if expected:
            steps = np.r_[0.0, float(np.median(self.step_first)), np.median(self.step[2:], axis=1)]
            offset = offset + np.cumsum(steps)[: self.k] * self.delta
        zeros = np.zeros_like(self.step)
        return dataclasses.replace(
            self,
            step_first=np.zeros_like(self.step_first),
            step=zeros,
            offset=offset,
            top=np.zeros_like(self.top),
        )

    def gain(self, t: int, arc: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """What placing ``s_t`` over ``arc`` (at ``tau``) adds to the log-score."""
        import numpy as np

        w = self.graph.head[arc]
        return np.asarray(self.unary[t, w] + self.pair[t, arc] + self.idle(t, w, tau))

    def rest(self, price: np.ndarray | None = None) -> list[np.ndarray]:
        """``rest[t][a, tau]``: the best the qubits after ``s_t`` can add, with ``s_t`` reached
        over arc ``a`` at ``tau`` (walks, priced by ``price`` per visit); ``rest[0]`` is per
        qubit of ``s_0``. The last entry is the bound of the whole chain."""
        import numpy as np

        arcs = self.graph.head.size
        unary = self.unary if price is None else self.unary - price[None, :]
        rest: list[np.ndarray] = [np.empty(0)] * self.k
        rest[self.k - 1] = np.zeros((arcs, int(self.top[self.k - 1]) + 1))
        for t in range(self.k - 2, 0, -1):
            rest[t] = self._back(t, rest[t + 1], unary)
        first = self._first_gain(rest[1], unary) if self.k > 1 else np.zeros(self.graph.num_qubits)
        w = np.arange(self.graph.num_qubits)
        whole = unary[0] + self.idle(0, w, np.zeros(w.size)) + first
        rest[0] = first
        rest.append(np.array([whole.max(initial=-np.inf)]))
        return rest

    def _back(self, t: int, later: np.ndarray, unary: np.ndarray) -> np.ndarray:
        """``rest[t]`` from ``rest[t + 1]``."""
        import numpy as np

        bins = later.shape[1]
        head = self.graph.head
        static = self._steps.get(t)
        if static is None or static.shape[1] != bins:
            tau = np.arange(bins)
            static = self.pair[t + 1][:, None] + self.idle(t + 1, head[:, None], tau[None, :])
            self._steps[t] = static
        gain = unary[t + 1, head][:, None] + static + later
        valid = self.succ >= 0
        best = np.full((head.size, bins), -np.inf)
        for s in range(self.succ.shape[1]):
            rows = np.flatnonzero(valid[:, s])
            best[rows] = np.maximum(best[rows], gain[self.succ[rows, s]])
        mine = int(self.top[t]) + 1
        shifted = np.minimum(np.arange(mine)[None, :] + self.step[t + 1][:, None], bins - 1)
        return np.asarray(np.take_along_axis(best, shifted, axis=1))

    def _first_gain(self, later: np.ndarray, unary: np.ndarray) -> np.ndarray:
        """The best the qubits after ``s_0`` can add, per qubit of ``s_0``."""
        import numpy as np

        graph = self.graph
        tau = self.step_first[graph.tail]
        gain = unary[1, graph.head] + self.pair[1] + self.idle(1, graph.head, tau)
        gain = gain + later[np.arange(graph.head.size), tau]
        best = np.full(graph.num_qubits, -np.inf)
        np.maximum.at(best, graph.tail, gain)
        return best


def chain_model(
    ops: CircuitOps,
    tables: DeviceTables,
    shape: Pattern,
    graph: SearchGraph,
    model: str = "default",
    reverse: bool | None = None,
) -> ChainModel:
    """The tables of ``ops`` (a path, :func:`.graph.is_path`) on ``tables`` for cost model
    ``model`` (a model without decoherence gets no idle terms); ``reverse`` forces the chain
    order (None: the one that counts the most of each idle time exactly)."""
    import numpy as np

    free = free_gates(tables)
    schedule = ChainSchedule(ops, tables, free)
    terms = bound_terms(ops, tables, model, idle=False)
    plans = [_plan(schedule, ops, seq) for seq in (shape.order, shape.order[::-1])]
    plan = max(plans, key=lambda p: p.captured) if reverse is None else plans[int(reverse)]
    k, n, arcs = shape.k, graph.num_qubits, graph.head.size
    unary = terms.unary[list(plan.seq)]
    index = {edge: e for e, edge in enumerate(terms.edges)}
    pair = np.zeros((k, arcs))
    for t in range(1, k):
        a, b = plan.seq[t - 1], plan.seq[t]
        e = index[(min(a, b), max(a, b))]
        first, second = (graph.tail, graph.head) if a < b else (graph.head, graph.tail)
        pair[t] = terms.pair_values(e, first, second, tables)
    lengths = _Lengths(schedule, tables, plan.seq, graph)
    excess_first = lengths.excess(plan.new[1] if k > 1 else [], 1)
    excess = [lengths.excess(plan.new[t], t) if t >= 2 else None for t in range(k)]
    delta, step_first, step, top, exact = _quantised(excess_first, excess, arcs)
    own = np.zeros((k, n))
    for t in range(k):
        for i in plan.own_off[t]:
            own[t] += np.nan_to_num(lengths.one_qubit(i))
    return ChainModel(
        seq=plan.seq,
        graph=graph,
        succ=_successors(graph),
        unary=unary,
        pair=pair,
        step_first=step_first,
        step=step,
        delta=delta,
        offset=np.array(plan.offset),
        own=own,
        t1=tables.t1_ns if model in COHERENCE_MODELS else np.full(n, np.inf),
        t2=tables.t2_ns if model in COHERENCE_MODELS else np.full(n, np.inf),
        top=top,
        exact_time=exact,
    )


@dataclass
class _Plan:
    """Which operations each placement counts in ``tau`` (module docstring)."""

    seq: tuple[int, ...]
    new: list[list[int]]
    offset: list[float]
    own_off: list[list[int]]
    captured: float


def _plan(schedule: ChainSchedule, ops: CircuitOps, seq: tuple[int, ...]) -> _Plan:
    """The operations counted at each step of the chain order ``seq``, and each qubit's
    constant part of the idle floor."""
    qubits = [qs for _, qs in schedule.ops]
    timed = [i for i, t in enumerate(schedule.timed) if t]
    chain_of = _chains(schedule)
    counted: set[int] = set()
    plan = _Plan(seq, [], [], [], 0.0)
    for t, j in enumerate(seq):
        own = {i for i in timed if j in qubits[i]}
        chain = chain_of.get(schedule.last[j], set())
        wanted = chain - own
        near = set(seq[max(t - 2, 0) : t])
        new = [i for i in sorted(wanted - counted) if set(qubits[i]) <= near]
        counted |= set(new)
        off = own - chain
        plan.new.append(new)
        plan.own_off.append([i for i in off if len(qubits[i]) == 1])
        plan.offset.append(
            sum(schedule.low[i] for i in wanted - counted)
            - sum(schedule.high[i] for i in counted - wanted)
            - sum(schedule.high[i] for i in off if len(qubits[i]) != 1)
            - float(schedule.first_high[j])
            + sum(schedule.low[i] for i in counted)
        )
        plan.captured += sum(schedule.middle[i] for i in wanted & counted)
    return plan


def _chains(schedule: ChainSchedule) -> dict[int, set[int]]:
    """Every timed operation's chain (itself and its ``pred`` links back to the start)."""
    chains: dict[int, set[int]] = {}
    for i, p in enumerate(schedule.pred):
        if schedule.timed[i]:
            chains[i] = (chains[p] if p >= 0 else set()) | {i}
    return chains


class _Lengths:
    """Lengths of the scheduled operations on the physical qubits of an arc."""

    def __init__(
        self,
        schedule: ChainSchedule,
        tables: DeviceTables,
        seq: tuple[int, ...],
        graph: SearchGraph,
    ) -> None:
        self.schedule, self.tables, self.seq, self.graph = schedule, tables, seq, graph

    def one_qubit(self, i: int) -> np.ndarray:
        """Length of 1q operation ``i`` on every physical qubit."""
        import numpy as np

        name = self.schedule.ops[i][0]
        if name in READOUT_OPS:
            return self.tables.measure_length_ns
        found = self.tables.one_qubit_length_ns.get(name)
        return found if found is not None else np.full(self.tables.num_qubits, np.nan)

    def excess(self, new: list[int], t: int) -> np.ndarray:
        """Lengths above their minimum of the operations ``new`` counted when ``s_t`` is placed:
        per qubit of ``s_0`` for ``t == 1``, else per arc ``u -> v`` (``s_(t-2)`` on ``u``,
        ``s_(t-1)`` on ``v``)."""
        import numpy as np

        graph = self.graph
        where = (
            {self.seq[0]: np.arange(graph.num_qubits)}
            if t == 1
            else {self.seq[t - 2]: graph.tail, self.seq[t - 1]: graph.head}
        )
        size = graph.num_qubits if t == 1 else graph.head.size
        total = np.zeros(size)
        for i in new:
            name, qubits = self.schedule.ops[i]
            if len(qubits) == 1:
                length = self.one_qubit(i)[where[qubits[0]]]
            else:
                table = self.tables.two_qubit[name]
                length = table.lookup(table.length_ns, where[qubits[0]], where[qubits[1]])
            total += np.maximum(np.nan_to_num(length - self.schedule.low[i]), 0.0)
        return total


def _quantised(
    first: np.ndarray, excess: list[np.ndarray | None], arcs: int
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, bool]:
    """``delta`` and the steps in its units (rounded down), the largest ``tau`` at each
    placement, and whether no length was rounded."""
    import numpy as np

    k = len(excess)
    units = [np.floor(first / RESOLUTION_NS + 1e-6).astype(np.int64)]
    units += [np.floor(e / RESOLUTION_NS + 1e-6).astype(np.int64) for e in excess if e is not None]
    nonzero = np.concatenate(units)
    nonzero = nonzero[nonzero > 0]
    base = int(np.gcd.reduce(nonzero)) if nonzero.size else 1
    scale = 1
    while True:
        unit = base * scale
        step_first = units[0] // unit
        step = np.zeros((k, arcs), dtype=np.int64)
        for t in range(2, k):
            step[t] = units[t - 1] // unit
        top = np.zeros(k, dtype=np.int64)
        if k > 1:
            top[1] = step_first.max(initial=0)
        for t in range(2, k):
            top[t] = top[t - 1] + step[t].max(initial=0)
        if arcs * int((top + 1).sum()) <= CHAIN_CELLS:
            exact = scale == 1
            return unit * RESOLUTION_NS, step_first, step, top, exact
        scale *= 2


def _successors(graph: SearchGraph) -> np.ndarray:
    """``succ[a]``: the arcs leaving ``a``'s head, except the one straight back (-1 padded)."""
    import numpy as np

    width = max(graph.max_degree - 1, 1)
    succ = np.full((graph.head.size, width), -1, dtype=np.intp)
    for a in range(graph.head.size):
        v, u = graph.head[a], graph.tail[a]
        out = [b for b in range(graph.indptr[v], graph.indptr[v + 1]) if graph.head[b] != u]
        succ[a, : len(out)] = out
    return succ


@dataclass(frozen=True)
class Chains:
    """Complete chains (``paths[i, t]``: the physical qubit of ``s_t``) and their values under
    the model."""

    paths: np.ndarray
    value: np.ndarray


def beam(
    model: ChainModel,
    guide: ChainModel,
    rest: list[np.ndarray],
    width: int,
    price: np.ndarray | None = None,
) -> Chains:
    """Chains built ``s_0`` first, level by level keeping the ``width`` partial chains ranked
    best by their value plus ``rest`` (of ``guide``, priced by ``price``) plus the prices of
    the qubits they leave free, one per set of qubits and last arc."""
    import numpy as np

    graph, k = model.graph, model.k
    n = graph.num_qubits
    price = np.zeros(n) if price is None else price
    live = int((graph.degree > 0).sum())
    roomy = k >= max(ROOM_MIN, ROOM_FRACTION * live) and n <= ROOM_MAX_QUBITS
    v = np.arange(n)
    value = model.unary[0] + model.idle(0, v, np.zeros(n))
    keep = np.flatnonzero(np.isfinite(value + rest[0]))
    paths = keep[:, None]
    value = value[keep]
    bound = value + rest[0][keep] - price[keep]
    keep = np.argsort(-bound, kind="stable")[:width]
    paths, value = paths[keep], value[keep]
    arc = np.full(paths.shape[0], -1)
    tau = np.zeros(paths.shape[0], dtype=np.int64)
    for t in range(1, k):
        if t == 1:
            starts = graph.indptr[paths[:, 0]]
            count = graph.indptr[paths[:, 0] + 1] - starts
            rows = np.repeat(np.arange(paths.shape[0]), count)
            child = starts[rows] + (
                np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
            )
            new_tau = model.step_first[paths[rows, 0]]
        else:
            nxt = model.succ[arc]
            rows, slot = np.nonzero(nxt >= 0)
            child = nxt[rows, slot]
            new_tau = tau[rows] + model.step[t][arc[rows]]
        w = graph.head[child]
        fresh = ~(paths[rows] == w[:, None]).any(axis=1)
        rows, child, w, new_tau = rows[fresh], child[fresh], w[fresh], new_tau[fresh]
        gained = value[rows] + model.gain(t, child, new_tau)
        g_tau = np.minimum(new_tau, rest[t].shape[1] - 1) if t < k - 1 else new_tau
        later = rest[t][child, g_tau] if t < k - 1 else np.zeros(child.size)
        bound = gained + later - price[paths[rows]].sum(axis=1) - price[w]
        ok = np.flatnonzero(np.isfinite(bound))
        order = ok[np.argsort(-bound[ok], kind="stable")]
        paths = np.concatenate([paths[rows[order]], w[order, None]], axis=1)
        value, arc, tau = gained[order], child[order], new_tau[order]
        keep = _distinct(paths, arc, width)
        if roomy and t % ROOM_EVERY == 0 and t < k - 1:
            keep = keep[_roomy(graph, paths[keep], k - 1 - t)]
        paths, value, arc, tau = paths[keep], value[keep], arc[keep], tau[keep]
        if not paths.shape[0]:
            break
    return Chains(paths, value)


def _roomy(graph: SearchGraph, paths: np.ndarray, left: int) -> np.ndarray:
    """Rows whose end still reaches ``left`` free qubits (in one region beside it)."""
    import numpy as np

    keep = np.ones(paths.shape[0], dtype=bool)
    rows = max(1, ROOM_CELLS // graph.num_qubits)
    for lo in range(0, paths.shape[0], rows):
        part = paths[lo : lo + rows]
        labels, size = _labels(graph, part)
        m, n = part.shape[0], graph.num_qubits
        labels = labels.reshape(m, n)
        end = part[:, -1]
        width = max(graph.max_degree, 1)
        arc = graph.indptr[end][:, None] + np.arange(width)[None, :]
        valid = arc < graph.indptr[end + 1][:, None]
        heads = graph.head[np.where(valid, arc, 0)]
        reach = np.where(valid, size[labels[np.arange(m)[:, None], heads]], 0).max(axis=1)
        keep[lo : lo + rows] = reach >= left
    return np.asarray(keep)


def _distinct(paths: np.ndarray, arc: np.ndarray, width: int) -> np.ndarray:
    """The first ``width`` rows (already best first), one per set of qubits and last arc, at
    most :data:`PER_END` per last qubit."""
    import numpy as np

    rng = np.random.default_rng(1)
    salt = rng.integers(1, 2**62, int(paths.max(initial=0)) + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        key = salt[paths].sum(axis=1, dtype=np.int64) ^ (arc.astype(np.int64) * 0x9E3779B97F4A7C1)
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    from .search import _rank_within

    first = first[_rank_within(paths[first, -1]) < PER_END]
    return first[:width]


def values(model: ChainModel, paths: np.ndarray) -> np.ndarray:
    """The model's log-value of complete chains (rows of physical qubits in chain order);
    -inf where two consecutive qubits are not coupled or a value is unusable."""
    import numpy as np

    graph, k = model.graph, model.k
    m = paths.shape[0]
    if not m:
        return np.empty(0)
    t = np.arange(k)
    total = model.unary[t[None, :], paths].sum(axis=1)
    arcs, found = arc_index(graph, paths[:, :-1], paths[:, 1:])
    total += np.where(found, model.pair[t[None, 1:], arcs], -np.inf).sum(axis=1)
    tau = np.zeros((m, k), dtype=np.int64)
    if k > 1:
        tau[:, 1] = model.step_first[paths[:, 0]]
    if k > 2:
        tau[:, 2:] = tau[:, 1:2] + np.cumsum(model.step[t[None, 2:], arcs[:, :-1]], axis=1)
    floor = np.maximum(tau * model.delta + model.offset[None, :] - model.own[t[None, :], paths], 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        idle = np.log(idle_fidelity(floor, model.t1[paths], model.t2[paths]))
    total += np.where(np.isnan(idle), -np.inf, idle).sum(axis=1)
    return np.asarray(total)


def arc_index(graph: SearchGraph, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The arc ``a -> b`` of each pair (0 where absent), and whether it exists."""
    import numpy as np

    n = graph.num_qubits
    keys = graph.tail.astype(np.int64) * n + graph.head
    wanted = np.asarray(a, dtype=np.int64) * n + np.asarray(b, dtype=np.int64)
    where = np.minimum(np.searchsorted(keys, wanted), max(keys.size - 1, 0))
    found = keys[where] == wanted if keys.size else np.zeros(wanted.shape, bool)
    return np.where(found, where, 0), found


def walks(graph: SearchGraph, longest: int, starts: np.ndarray) -> list[np.ndarray]:
    """``walks[d]``: every simple path of ``d`` couplers (rows of qubits) from ``starts``, for
    ``d <= longest``, and no longer than keeps them below :data:`WALKS` per start."""
    import numpy as np

    branching = max(graph.max_degree - 1, 2)
    longest = min(longest, int(math.log(WALKS) / math.log(branching)))
    found = [np.unique(starts)[:, None]]
    for _ in range(longest):
        last = found[-1]
        if not last.shape[0]:
            found.append(last.reshape(0, last.shape[1] + 1))
            continue
        end = last[:, -1]
        count = graph.indptr[end + 1] - graph.indptr[end]
        rows = np.repeat(np.arange(last.shape[0]), count)
        offsets = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
        head = graph.head[graph.indptr[end[rows]] + offsets]
        fresh = ~(last[rows] == head[:, None]).any(axis=1)
        found.append(np.concatenate([last[rows[fresh]], head[fresh, None]], axis=1))
    return found


def improve(
    model: ChainModel, path: np.ndarray, library: list[np.ndarray], rounds: int
) -> np.ndarray:
    """``path`` improved by local moves until none helps (or ``rounds``): a stretch between two
    of its qubits rerouted round free qubits (the same length, or longer with as many qubits
    dropped at one end), or qubits moved from one end to the other."""
    import numpy as np

    best = values(model, path[None, :])[0]
    for _ in range(rounds):
        candidates = _moves(model, path, library)
        if not candidates.shape[0]:
            break
        scored = values(model, candidates)
        i = int(np.argmax(scored))
        if not scored[i] > best + 1e-12:
            break
        path, best = candidates[i], float(scored[i])
    return path


def _moves(model: ChainModel, path: np.ndarray, library: list[np.ndarray]) -> np.ndarray:
    """Every chain one move away from ``path`` (see :func:`improve`)."""
    import numpy as np

    k, n = model.k, model.graph.num_qubits
    pos = np.full(n, -1)
    pos[path] = np.arange(k)
    out = []
    for d in range(2, len(library)):
        lib = library[d]
        start, end = pos[lib[:, 0]], pos[lib[:, -1]]
        inner = pos[lib[:, 1:-1]]
        ok = (start >= 0) & (end > start)
        span = end - start
        free = (inner < 0) | ((inner > start[:, None]) & (inner < end[:, None]))
        ok &= free.all(axis=1) & (span <= d) & (span >= 1)
        for row in np.flatnonzero(ok)[:MAX_MOVES]:
            i, j = int(start[row]), int(end[row])
            middle = path[i : j + 1]
            if span[row] == d and np.array_equal(lib[row], middle):
                continue
            new = np.concatenate([path[:i], lib[row], path[j + 1 :]])
            extra = new.size - k
            if extra == 0:
                out.append(new)
            else:
                out.append(new[extra:])
                out.append(new[:k])
    for r in range(1, len(library)):
        lib = library[r]
        for side, anchor in ((0, path[-1]), (1, path[0])):
            rows = lib[(lib[:, 0] == anchor) & (pos[lib[:, 1:]] < 0).all(axis=1)]
            for ext in rows[:MAX_MOVES]:
                if side == 0:
                    out.append(np.concatenate([path[r:], ext[1:]]))
                else:
                    out.append(np.concatenate([ext[:0:-1], path[:-r]]))
    return np.array(out, dtype=np.intp).reshape(-1, k)


def tune(model: ChainModel, steps: int, target: float) -> np.ndarray:
    """Qubit prices that lower the bound of ``model`` (module docstring of :mod:`.bounds`):
    Polyak subgradient steps towards ``target`` (a log-score some chain reaches)."""
    import numpy as np

    n = model.graph.num_qubits
    price = np.zeros(n)
    best, best_price = math.inf, price
    for _ in range(steps):
        rest = model.rest(price)
        bound = float(rest[-1][0]) + float(price.sum())
        if not math.isfinite(bound):
            break
        if bound < best:
            best, best_price = bound, price.copy()
        visits = np.bincount(best_walk(model, rest, price), minlength=n)
        slope = 1.0 - visits
        slope[(price <= 0) & (slope > 0)] = 0.0
        norm = float(slope @ slope)
        if norm == 0:
            break
        price = np.maximum(price - PRICE_STEP * max(bound - target, 0.01) / norm * slope, 0.0)
    return best_price


def best_walk(model: ChainModel, rest: list[np.ndarray], price: np.ndarray) -> list[int]:
    """The walk that reaches the bound of ``rest`` (priced by ``price``)."""
    import numpy as np

    graph = model.graph
    unary = model.unary - price[None, :]
    w = np.arange(graph.num_qubits)
    v = int(np.argmax(unary[0] + model.idle(0, w, np.zeros(w.size)) + rest[0]))
    path = [v]
    tau = int(model.step_first[v]) if model.k > 1 else 0
    arcs = np.arange(graph.indptr[v], graph.indptr[v + 1])
    arc = -1
    for t in range(1, model.k):
        if t >= 2:
            tau += int(model.step[t][arc])
        heads = graph.head[arcs]
        later = rest[t][arcs, tau] if t < model.k - 1 else 0.0
        if not arcs.size:
            break
        at = np.full(arcs.size, tau)
        gain = unary[t, heads] + model.pair[t, arcs] + model.idle(t, heads, at) + later
        arc = int(arcs[np.argmax(gain)])
        path.append(int(graph.head[arc]))
        arcs = model.succ[arc][model.succ[arc] >= 0]
    return path
