"""The best layouts of one translated circuit on one device: the pieces of the search assembled.

:func:`best_layouts` decomposes the cost model (:mod:`.terms`), orders the circuit's qubits and
builds the device graph (:mod:`.graph`), prices the bound (:mod:`.bounds`) and runs the
branch-and-bound search (:mod:`.search`), scoring complete layouts with the exact model in
slices (:func:`.cost.score`). :func:`why_nothing` says why a search found no layout at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import LimitExceededError
from .bounds import Bounds, bounds
from .circuits import CircuitOps
from .cost import STRICT_DIRECTION_MODELS, score
from .cost import cost_model as get_cost_model
from .graph import Pattern, SearchGraph, is_path, pattern, search_graph
from .limits import (
    DEFAULT_MAX_LAYOUTS,
    MAX_CHAIN_STEPS,
    MAX_SEARCH_CELLS,
    MAX_SEARCH_NODES,
    MAX_SHAPE_NODES,
)
from .longpath import find_path
from .pathsearch import search_path
from .search import Search, SearchLimits, SearchResult, TopK
from .tables import NON_GATES, DeviceTables, PairTable, absent_everywhere, reversible
from .terms import bound_terms

if TYPE_CHECKING:
    import numpy as np

#: Partial layouts of the first, narrow dive, which finds good layouts fast (and often settles
#: the search on its own).
DIVE_NODES = 20_000
#: Partial layouts per slice in the dive.
DIVE_ROWS = 32
#: Gap (in log-score) between the empty layout's bound and the dive's best layout above which the
#: bound is tightened with qubit prices before the full search.
PRICE_GAP = 0.1


@dataclass(frozen=True)
class Found:
    """A device's search result, with the qubits no layout may use for a missing value."""

    result: SearchResult
    missing_qubits: tuple[int, ...]


def model_tables(tables: DeviceTables, model: str) -> DeviceTables:
    """The tables a cost model scores with: one-way gates may run reversed unless it is strict."""
    return tables if model in STRICT_DIRECTION_MODELS else reversible(tables)


def best_layouts(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str = "default",
    top: int = 5,
    *,
    key: Callable[[tuple[int, ...]], Hashable] | None = None,
    max_layouts: int = DEFAULT_MAX_LAYOUTS,
    max_nodes: int = MAX_SEARCH_NODES,
    deadline: float | None = None,
    exhaustive: bool = False,
) -> Found:
    """The exact ``top`` layouts of ``ops`` on ``tables`` (already :func:`model_tables`), one
    per ``key``; truncated (``result.stopped``) at ``max_layouts``, ``max_nodes`` or
    ``deadline`` (``time.monotonic()``). A path circuit the exact search cannot settle is
    searched by :mod:`.pathsearch` unless ``exhaustive``."""
    import numpy as np

    refusal = too_big(ops, tables)
    if refusal:
        raise LimitExceededError(f"{tables.name}: {refusal}")
    terms = bound_terms(ops, tables, model)
    shape = pattern(len(ops.active), terms.edges)
    graph = search_graph(tables, ops.two_qubit_gates)
    model_function = get_cost_model(model)

    def run(prices: Bounds, collector: TopK, nodes: int, rows: int | None) -> SearchResult:
        limits = SearchLimits(max_layouts, nodes, deadline)
        return Search(
            shape,
            graph,
            terms,
            prices,
            tables,
            lambda layouts: score(model_function, ops, layouts, tables),
            collector,
            limits,
            rows,
        ).run()

    collector = TopK(top, key)
    plain = bounds(shape, graph, terms, tables)
    path = is_path(shape) and not exhaustive and bool(np.isfinite(plain.empty_bound(shape)))
    result = run(plain, collector, min(DIVE_NODES, max_nodes), DIVE_ROWS)
    if result.stopped == "nodes" and path:
        answer = search_path(
            ops, tables, model, shape, graph,
            lambda layouts: score(model_function, ops, layouts, tables), collector,
            lambda: _any_chain(shape, graph, max(max_nodes - result.work, 0)),
        )  # fmt: skip
        result = _joined(result, answer.result)
        if answer.no_chain:
            result = replace(result, bound=None, stopped=None)
    elif result.stopped == "nodes" and max_nodes > result.work:
        prices = plain
        if result.fidelity:
            target = math.log(result.fidelity[0]) - terms.constant
            if plain.empty_bound(shape) - target > PRICE_GAP:
                prices = bounds(shape, graph, terms, tables, target)
        result = _joined(result, run(prices, collector, max_nodes - result.work, None))
    missing = terms.missing.all(axis=0) & tables.usable
    return Found(result, tuple(int(q) for q in np.flatnonzero(missing)))


def _any_chain(shape: Pattern, graph: SearchGraph, max_nodes: int) -> SearchResult:
    """One layout of the path ``shape`` on ``graph`` whatever its values, or the proof that
    there is none (``stopped`` None and no layout): :func:`.longpath.find_path`."""
    import numpy as np

    neighbours = [h.tolist() for h in np.split(graph.head, graph.indptr[1:-1])]
    found = find_path(neighbours, shape.k, min(max_nodes, MAX_CHAIN_STEPS))
    stopped = None if found.path or found.none_exists else "nodes"
    layouts: tuple[tuple[int, ...], ...] = ()
    if found.path:
        layout = [0] * shape.k
        for j, q in zip(shape.order, found.path, strict=True):
            layout[j] = q
        layouts = (tuple(layout),)
    return SearchResult(layouts, (1.0,) * len(layouts), len(layouts), 0, 0, stopped, found.work)


def _flat_tables(ops: CircuitOps, n: int, keys: np.ndarray, zeros: np.ndarray) -> DeviceTables:
    """Tables with every value 0 on the directed pairs ``keys``: only the graph counts."""
    import numpy as np

    two = {name: PairTable(n, keys, zeros, zeros) for name in ops.two_qubit_gates}
    one = {name: np.zeros(n) for name, qubits in ops.ops if len(qubits) == 1}
    return DeviceTables(
        "shape", n, one, dict.fromkeys(one, np.zeros(n)), two, np.zeros(n), np.zeros(n),
        np.full(n, math.inf), np.full(n, math.inf), (), 0,
    )  # fmt: skip


def _joined(dive: SearchResult, full: SearchResult) -> SearchResult:
    """The full search's result, with the dive's work counted in."""
    return replace(
        full,
        scored=dive.scored + full.scored,
        unscorable=dive.unscorable + full.unscorable,
        pruned=dive.pruned + full.pruned,
        work=dive.work + full.work,
    )


def too_big(ops: CircuitOps, tables: DeviceTables) -> str | None:
    """Why the search's tables for ``ops`` on ``tables`` would be too large, if they would."""
    k, n = len(ops.active), tables.num_qubits
    couplers = sum(t.keys.size for name, t in tables.two_qubit.items() if name in ops.family)
    cells = k * (n + 2 * couplers)
    if cells <= MAX_SEARCH_CELLS:
        return None
    return (
        f"a {k}-qubit circuit on {n} qubits needs {cells:,} search table cells, beyond the "
        f"bound of {MAX_SEARCH_CELLS:,}; place a smaller circuit or on a smaller device"
    )


def why_nothing(
    ops: CircuitOps,
    tables: DeviceTables,
    coupling: list[tuple[int, int]],
    coherence: bool = True,
) -> str:
    """Why no layout of ``ops`` was found: too few live qubits, no such shape in the coupling
    graph, or every candidate touching a flagged gate, a dead qubit or a missing value."""
    k = len(ops.active)
    live = int(tables.usable.sum())
    if k > live:
        return (
            f"the circuit uses {k} qubits and only {live} of {tables.num_qubits} are live "
            f"({len(tables.dead_qubits)} dead)"
        )
    if not shape_exists(ops, tables.num_qubits, coupling):
        return "its interaction graph does not occur in the device's coupling graph"
    gates = [name for name, qubits in ops.ops if name not in NON_GATES]
    return (
        f"every candidate touches one of the {tables.flagged_gates} flagged gates, "
        f"{len(tables.dead_qubits)} dead qubits or a missing calibration value"
        f"{absent_everywhere(tables, gates, coherence)}"
    )


def shape_exists(ops: CircuitOps, n: int, coupling: list[tuple[int, int]]) -> bool:
    """Does the interaction graph of ``ops`` fit the raw coupling graph (flags, dead qubits and
    directions ignored)? Searched with every value 0; an undecided search counts as yes."""
    import numpy as np

    pairs = {(a, b) for a, b in coupling if 0 <= a < n and 0 <= b < n and a != b}
    pairs |= {(b, a) for a, b in pairs}
    keys = np.array(sorted(a * n + b for a, b in pairs), dtype=np.int64)
    flat = _flat_tables(ops, n, keys, np.zeros(keys.size))
    shape = pattern(len(ops.active), bound_terms(ops, flat, "mapomatic").edges)
    if is_path(shape):
        neighbours: list[list[int]] = [[] for _ in range(n)]
        for a, b in sorted(pairs):
            neighbours[a].append(b)
        chain = find_path(neighbours, shape.k, MAX_CHAIN_STEPS)
        return bool(chain.path) or not chain.none_exists
    found = best_layouts(
        replace(ops, ops=tuple(op for op in ops.ops if op[0] != "barrier")),
        flat,
        "mapomatic",
        1,
        max_layouts=1,
        max_nodes=MAX_SHAPE_NODES,
    )
    return bool(found.result.layouts) or found.result.stopped is not None
