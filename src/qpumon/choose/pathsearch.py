"""The layouts of a path circuit (a GHZ, a linear chain) that the exact search cannot settle.

Three parts (:mod:`.chains` holds the model and its dynamic programme):

1. *Is there a chain at all?* A beam over chains (ranked by the model's value plus an
   estimate of the rest, walled-in chains dropped) usually finds many. If it finds none, the
   exact search is run on the coupling graph alone (every value 0, flagged couplers and dead
   qubits left out) until it finds one chain or proves there is none: on a sparse lattice with
   holes (fake_torino's 11 flagged CZ couplers) a 100-qubit chain may not exist, and that is
   the answer, not a search cut short.
2. *The best chains found:* the beam's best, each improved by local moves (:func:`.chains.improve`),
   scored with the exact cost model.
3. *How good can any chain be?* The dynamic programme of :mod:`.chains` over walks, with qubit
   prices tuned by subgradient steps: no chain scores above it. The answer is reported with this
   bound (and the gap to it), never as proven best unless the gap closes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .chains import ChainModel, beam, chain_model, improve, tune, walks
from .circuits import CircuitOps
from .graph import Pattern, SearchGraph
from .search import SearchResult, TopK
from .tables import DeviceTables

if TYPE_CHECKING:
    import numpy as np

#: Rows kept per level by the beam.
BEAM_WIDTH = 2048
#: Chains of the beam improved by local moves, and the longest reroute tried (couplers).
IMPROVED = 4
REROUTE = 8
#: Rounds of local moves at most per chain.
ROUNDS = 100
#: Subgradient steps tuning the bound's prices.
PRICE_STEPS = 30


@dataclass(frozen=True)
class PathAnswer:
    """The search's result and, if no chain exists, that it was proven so."""

    result: SearchResult
    no_chain: bool = False


def search_path(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str,
    shape: Pattern,
    graph: SearchGraph,
    scorer: Callable[[np.ndarray], np.ndarray],
    collector: TopK,
    exists: Callable[[], SearchResult],
) -> PathAnswer:
    """Best chains of a path circuit (module docstring); ``exists`` runs the search for any one
    chain on the bare coupling graph."""
    import numpy as np

    bound_model = chain_model(ops, tables, shape, graph, model)
    guide = chain_model(
        ops, tables, shape, graph, model, reverse=bound_model.seq[0] == shape.order[0]
    ).flat(expected=True)
    flat = bound_model.flat(expected=False)
    plain = float(flat.rest()[-1][0])
    price = tune(flat, PRICE_STEPS, plain - max(1.0, 0.5 * abs(plain)))
    found = beam(guide, guide, guide.rest(price), BEAM_WIDTH, price)
    paths = found.paths
    scored = 0
    if not paths.shape[0]:
        any_one = exists()
        if not any_one.layouts:
            return PathAnswer(any_one, no_chain=any_one.stopped is None)
        layout = np.array(any_one.layouts[0])
        paths = layout[list(guide.seq)][None, :]
        scored += any_one.scored
        found = replace(found, value=np.zeros(1))
    best = np.argsort(-found.value, kind="stable")[:IMPROVED]
    library = walks(graph, REROUTE, paths[best].ravel())
    better = [improve(guide, paths[i], library, ROUNDS) for i in best]
    chains = np.concatenate([paths, np.array(better).reshape(-1, guide.k)])
    layouts = np.empty_like(chains)
    layouts[:, list(guide.seq)] = chains
    fidelity = scorer(layouts)
    collector.offer(layouts, fidelity)
    ranked = collector.ranked()
    upper = _bound(bound_model, price)
    return PathAnswer(
        SearchResult(
            tuple(layout for _, layout in ranked),
            tuple(score for score, _ in ranked),
            scored + layouts.shape[0],
            int(np.count_nonzero(~np.isfinite(fidelity))),
            0,
            None,
            layouts.shape[0] * guide.k,
            bound=upper,
        )
    )


def _bound(model: ChainModel, price: np.ndarray) -> float:
    """The bound of every chain's score: the priced dynamic programme with ``tau``."""
    rest = model.rest(price)
    return math.exp(min(float(rest[-1][0]) + float(price.sum()), 0.0))


def bound_note(what: str, best: float | None, bound: float) -> str:
    """The note of a path's answer that is not proven best: the bound and the gap to it."""
    reached = f", the best found reaches {best / bound:.1%} of it" if best and bound > 0 else ""
    return (
        f"a {what}: searched by a beam of {BEAM_WIDTH:,} chains and local moves, not "
        f"exhaustively; no {what} can score above {bound:.4g}{reached}, so the best found is "
        "not proven best"
    )
