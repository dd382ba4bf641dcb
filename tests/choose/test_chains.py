"""The path search of long chains: its model against the exact score, its bound against every
chain, and "no chain exists" against an independent depth-first search of the raw data."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from qpumon.choose import place
from qpumon.choose.chains import chain_model, values
from qpumon.choose.circuits import basis_family, translate
from qpumon.choose.cost import esp_fidelity
from qpumon.choose.graph import pattern, search_graph
from qpumon.choose.layouts import model_tables
from qpumon.choose.tables import device_tables
from qpumon.choose.terms import bound_terms
from qpumon.errors import CircuitError
from qpumon.sources import resolve
from tests.choose.helpers import ghz
from tests.conftest import raw


def _random_chains(neighbours: list[list[int]], k: int, count: int) -> list[list[int]]:
    rng = np.random.default_rng(5)
    chains: list[list[int]] = []
    while len(chains) < count:
        chain = [int(rng.integers(len(neighbours)))]
        while len(chain) < k:
            free = [w for w in neighbours[chain[-1]] if w not in chain]
            if not free:
                break
            chain.append(int(rng.choice(free)))
        if len(chain) == k:
            chains.append(chain)
    return chains


@pytest.mark.parametrize("device", ["fake_fez", "fake_torino", "fake_brisbane"])
def test_the_chain_model_bounds_the_exact_score_and_its_dp_bounds_every_chain(device: str) -> None:
    snapshot = resolve(device)
    k = 20
    ops = translate(ghz(k), basis_family(snapshot))
    tables = model_tables(device_tables(snapshot), "default")
    shape = pattern(k, bound_terms(ops, tables, "default").edges)
    graph = search_graph(tables, ops.two_qubit_gates)
    model = chain_model(ops, tables, shape, graph)
    heads = np.split(graph.head, graph.indptr[1:-1])
    neighbours = [h.tolist() for h in heads]
    chains = np.array(_random_chains(neighbours, k, 300))
    layouts = np.empty_like(chains)
    layouts[:, list(model.seq)] = chains
    exact = esp_fidelity(ops, layouts, tables)
    ours = values(model, chains)
    scored = np.isfinite(exact) & (exact > 0)
    assert scored.sum() > 100
    assert np.all(ours[scored] >= np.log(exact[scored]) - 1e-9)
    # the floor of the idle time is the idle time itself for a GHZ once lengths are uniform
    assert np.median(ours[scored] - np.log(exact[scored])) < 0.01
    bound = float(model.rest()[-1][0])
    assert bound >= ours[scored].max() - 1e-9


def _usable_neighbours(stem: str, entangler: str) -> dict[int, set[int]]:
    """The coupling graph of the raw properties: couplers whose entangler has a direction
    without error = 1, between qubits whose 1q gates are not flagged."""
    props = raw(stem, "props")
    dead: set[int] = set()
    good: set[tuple[int, int]] = set()
    for gate in props["gates"]:
        error = next((p["value"] for p in gate["parameters"] if p["name"] == "gate_error"), None)
        qubits = gate["qubits"]
        if len(qubits) == 1 and error == 1:
            dead.add(qubits[0])
        if len(qubits) == 2 and gate["gate"] == entangler and error != 1:
            good.add((qubits[0], qubits[1]))
    neighbours: dict[int, set[int]] = {}
    for a, b in good:
        if a in dead or b in dead:
            continue
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    return neighbours


def _chain_exists(neighbours: dict[int, set[int]], k: int) -> bool:
    """Depth-first search over every simple path, cut where the free qubits reachable from the
    end are fewer than the qubits still to place."""

    def reach(start: int, used: set[int]) -> int:
        seen, stack = {start}, [start]
        while stack:
            for w in neighbours[stack.pop()]:
                if w not in used and w not in seen:
                    seen.add(w)
                    stack.append(w)
        return len(seen)

    def extend(path: list[int], used: set[int]) -> bool:
        if len(path) == k:
            return True
        for w in neighbours[path[-1]] - used:
            used.add(w)
            path.append(w)
            if reach(w, used - {w}) >= k - len(path) + 1 and extend(path, used):
                return True
            path.pop()
            used.discard(w)
        return False

    return any(extend([v], {v}) for v in sorted(neighbours))


def test_no_100_qubit_chain_on_cusco_is_proven_not_cut_short() -> None:
    """fake_cusco's 19 flagged ECR entries leave no 100-qubit chain (the raw data, searched
    independently): place says so, with no search cut short."""
    assert not _chain_exists(_usable_neighbours("cusco", "ecr"), 100)
    assert _chain_exists(_usable_neighbours("cusco", "ecr"), 40)
    with pytest.raises(CircuitError, match="fake_cusco: no layout: every candidate touches"):
        place(ghz(100), [resolve("fake_cusco")], top=1)


@pytest.mark.parametrize("device", ["fake_sherbrooke", "fake_kyiv", "fake_marrakesh"])
def test_a_100_qubit_chain_is_found_where_one_exists(device: str) -> None:
    """Devices where the old beam stopped early: a chain of usable couplers, with its bound."""
    stem = device.removeprefix("fake_")
    entangler = "ecr" if stem != "marrakesh" else "cz"
    neighbours = _usable_neighbours(stem, entangler)
    found = place(ghz(100), [resolve(device)], top=1).devices[0]
    assert found.best is not None and not found.truncated
    chain = found.best.qubits
    assert len(set(chain)) == 100
    assert all(b in neighbours[a] for a, b in itertools.pairwise(chain))
    assert found.bound is not None and found.best.fidelity <= found.bound
    assert math.isfinite(found.best.fidelity)
