"""An upper bound of a cost model that splits into one term per circuit qubit and one per edge.

The layout search (:mod:`.search`) needs, for a partial layout, a bound on the best score any
completion could reach. That is easy for a score of the form::

    log B(layout) = constant + sum_j unary[j, layout[j]] + sum_(a,b) pair_ab(layout[a], layout[b])

and this module gives each cost model such a ``B`` with ``B >= F`` for every layout:

- ``mapomatic``: ``log F`` itself (a product of gate and readout fidelities).
- ``default``: the gate and readout fidelities exactly, times a bound of the idle factor
  ``prod_j f_j(idle_j)`` (:func:`.cost.idle_fidelity`, decreasing in the idle time). Every time of
  the schedule (:func:`.cost.scheduled_ops`) is a max-plus expression of the gate lengths, so
  along one chain of operations (taken from a reference schedule with the median lengths)
  ``idle_j >= L_j``, a sum of lengths with coefficients +1/-1, for *any* lengths; ``L_j >= x_j``
  over every length the device has, so ``f_j(idle_j) <= f_j(x_j)``: one term per qubit. On
  devices with uniform gate lengths (Nighthawk) the bound is exact.

Unusable values (missing, flagged) are ``-inf``; the exact score is NaN there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .circuits import CircuitOps
from .cost import (
    READOUT_OPS,
    free_gates,
    grouped_ops,
    idle_fidelity,
    mapomatic_counted,
    scheduled_ops,
)
from .tables import DeviceTables

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class PairTerm:
    """One 2q gate on a circuit edge ``(a, b)``: its error counts ``errors`` times; ``forward``
    if it runs ``(a, b)``, else ``(b, a)``."""

    name: str
    forward: bool
    errors: int


@dataclass(frozen=True)
class BoundTerms:
    """``log B`` of one circuit on one device (module docstring); ``edges[e] = (a, b)``, a < b."""

    unary: np.ndarray
    missing: np.ndarray
    edges: tuple[tuple[int, int], ...]
    pair_terms: tuple[tuple[PairTerm, ...], ...]
    constant: float

    def pair_values(
        self, edge: int, a: np.ndarray, b: np.ndarray, tables: DeviceTables
    ) -> np.ndarray:
        """``pair_ab`` with circuit qubit ``edges[edge][0]`` on ``a``, the other on ``b``."""
        import numpy as np

        total = np.zeros(np.shape(a))
        for term in self.pair_terms[edge]:
            first, second = (a, b) if term.forward else (b, a)
            table = tables.two_qubit.get(term.name)
            if table is None:
                return np.full(np.shape(a), -np.inf)
            total += term.errors * _log_keep(table.lookup(table.error, first, second))
        return np.where(np.isnan(total), -np.inf, total)

    def evaluate(self, layouts: np.ndarray, tables: DeviceTables) -> np.ndarray:
        """``log B`` of complete layouts (rows of physical qubits, one column per circuit qubit)."""
        import numpy as np

        total = np.full(layouts.shape[0], self.constant)
        for j in range(layouts.shape[1]):
            total += self.unary[j, layouts[:, j]]
        for e, (a, b) in enumerate(self.edges):
            total += self.pair_values(e, layouts[:, a], layouts[:, b], tables)
        return total


def bound_terms(ops: CircuitOps, tables: DeviceTables, model: str, idle: bool = True) -> BoundTerms:
    """The decomposed bound of ``model`` (``default`` or ``mapomatic``) for ``ops``; without
    ``idle``, the default model's gate and readout terms only (exact, no decoherence)."""
    import numpy as np

    k, n = len(ops.active), tables.num_qubits
    unary = np.zeros((k, n))
    pairs: dict[tuple[int, int], list[PairTerm]] = {}
    if model == "mapomatic":
        counts = grouped_ops(ops, mapomatic_counted)
    else:
        free = free_gates(tables)
        counts = grouped_ops(ops, lambda name, qs: name != "barrier" and name not in free)
    for (name, qubits), count in counts.items():
        if len(qubits) == 1:
            unary[qubits[0]] += count * _log_keep(_one_qubit_errors(name, tables))
        elif len(qubits) == 2:
            _add_pair(pairs, name, qubits, count)
        else:  # no calibration for gates on 3 or more qubits: nothing can be scored
            unary[:] = np.nan
    if model != "mapomatic" and idle:
        unary += _idle_terms(ops, tables, free)
    missing = np.isnan(unary)
    unary[missing] = -np.inf
    unary[:, ~tables.usable] = -np.inf
    edges = tuple(sorted(pairs))
    return BoundTerms(unary, missing, edges, tuple(tuple(pairs[e]) for e in edges), 0.0)


def _add_pair(
    pairs: dict[tuple[int, int], list[PairTerm]],
    name: str,
    qubits: tuple[int, ...],
    errors: int,
) -> None:
    a, b = qubits
    edge = (min(a, b), max(a, b))
    pairs.setdefault(edge, []).append(PairTerm(name, a < b, errors))


def _log_keep(error: np.ndarray) -> np.ndarray:
    """``log(1 - error)``; NaN where the error is NaN or above 1."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log1p(-np.asarray(error, dtype=float)))


def _one_qubit_errors(name: str, tables: DeviceTables) -> np.ndarray:
    import numpy as np

    if name in READOUT_OPS:
        return tables.readout_error
    table = tables.one_qubit_error.get(name)
    return table if table is not None else np.full(tables.num_qubits, np.nan)


def _one_qubit_lengths(name: str, tables: DeviceTables) -> np.ndarray:
    import numpy as np

    if name in READOUT_OPS:
        return tables.measure_length_ns
    table = tables.one_qubit_length_ns.get(name)
    return table if table is not None else np.full(tables.num_qubits, np.nan)


def _length_range(name: str, arity: int, tables: DeviceTables) -> tuple[float, float, float]:
    """``(min, median, max)`` of the lengths of ``name`` on the device (0s when unknown)."""
    import numpy as np

    if arity == 1:
        values = _one_qubit_lengths(name, tables)
    else:
        table = tables.two_qubit.get(name)
        values = np.empty(0) if table is None else table.length_ns[np.isfinite(table.error)]
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 0.0, 0.0
    return float(values.min()), float(np.median(values)), float(values.max())


def _idle_terms(ops: CircuitOps, tables: DeviceTables, free: set[str]) -> np.ndarray:
    """``log f_v(x_j)`` for circuit qubit ``j`` on physical qubit ``v`` (module docstring)."""
    import numpy as np

    floor = ChainSchedule(ops, tables, free).idle_floor()
    keep = idle_fidelity(floor[:, None], tables.t1_ns[None, :], tables.t2_ns[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(keep))


class ChainSchedule:
    """The circuit's schedule (:func:`.cost.scheduled_ops`), reduced to what the decoherence
    bound needs.

    ``pred[i]`` is the timed operation whose end started operation ``i`` in the reference
    schedule (median lengths); ``last[j]`` the one that ends qubit ``j``; ``first_high[j]`` the
    start of qubit ``j``'s first operation with every length at its maximum (an upper bound).
    """

    def __init__(self, ops: CircuitOps, tables: DeviceTables, free: set[str]) -> None:
        import numpy as np

        self.ops = scheduled_ops(ops)
        self.k = len(ops.active)
        self.timed = [name not in free for name, _ in self.ops]
        ranges = {
            (name, len(qs)): _length_range(name, len(qs), tables)
            for (name, qs), timed in zip(self.ops, self.timed, strict=True)
            if timed
        }
        self.low = np.array([ranges.get((n, len(q)), (0.0,) * 3)[0] for n, q in self.ops])
        self.high = np.array([ranges.get((n, len(q)), (0.0,) * 3)[2] for n, q in self.ops])
        self.middle = np.array([ranges.get((n, len(q)), (0.0,) * 3)[1] for n, q in self.ops])
        self.pred, self.last, _ = self._run(self.middle)
        _, _, first = self._run(self.high)
        self.first_high = np.array(first)

    def _run(self, lengths: np.ndarray) -> tuple[list[int], list[int], list[float]]:
        finish, last = [0.0] * self.k, [-1] * self.k
        first = [float("inf")] * self.k
        pred = [-1] * len(self.ops)
        for i, (_, qubits) in enumerate(self.ops):
            lead = max(qubits, key=lambda q: finish[q])
            start = finish[lead]
            for q in qubits:
                first[q] = min(first[q], start)
            if not self.timed[i]:
                continue
            pred[i] = last[lead]
            for q in qubits:
                finish[q], last[q] = start + float(lengths[i]), i
        return pred, last, [0.0 if f == float("inf") else f for f in first]

    def idle_floor(self) -> np.ndarray:
        """``x_j``: the least ``L_j`` over every length the device has, and at least 0."""
        import numpy as np

        chain_low = np.zeros(len(self.ops))
        for i, p in enumerate(self.pred):
            if self.timed[i]:
                chain_low[i] = self.low[i] + (chain_low[p] if p >= 0 else 0.0)
        enter, leave = self._tour()
        floor = np.array([chain_low[e] if e >= 0 else 0.0 for e in self.last])
        for i, (_, qubits) in enumerate(self.ops):
            if not self.timed[i]:
                continue
            for j in qubits:
                end = self.last[j]
                on_chain = end >= 0 and enter[i] <= enter[end] and leave[end] <= leave[i]
                floor[j] -= self.low[i] if on_chain else self.high[i]
        return np.asarray(np.maximum(floor - self.first_high, 0.0))

    def _tour(self) -> tuple[list[int], list[int]]:
        """Entry and exit times of a depth-first tour of the ``pred`` forest (ancestor tests)."""
        children: list[list[int]] = [[] for _ in self.ops]
        roots: list[int] = []
        for i, p in enumerate(self.pred):
            if self.timed[i]:
                (children[p] if p >= 0 else roots).append(i)
        enter, leave = [0] * len(self.ops), [0] * len(self.ops)
        clock = 0
        for root in roots:
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                clock += 1
                if done:
                    leave[node] = clock
                    continue
                enter[node] = clock
                stack.append((node, True))
                stack.extend((c, False) for c in children[node])
        return enter, leave
