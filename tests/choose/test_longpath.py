"""The search for any one long chain against an exhaustive enumeration of every simple path,
on small lattices with holes, and on the raw data of devices whose chains it decides."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qpumon.choose import place
from qpumon.choose.longpath import find_path
from qpumon.errors import CircuitError
from qpumon.sources import resolve
from tests.choose.helpers import ghz
from tests.choose.test_chains import _usable_neighbours


def _longest(neighbours: list[list[int]]) -> int:
    """The most qubits of any simple path, by enumerating every one (no pruning)."""
    best = 0

    def extend(path: list[int]) -> None:
        nonlocal best
        best = max(best, len(path))
        for w in neighbours[path[-1]]:
            if w not in path:
                path.append(w)
                extend(path)
                path.pop()

    for v in range(len(neighbours)):
        extend([v])
    return best


def _holed_lattice(rows: int, columns: int, seed: int, heavy: bool) -> list[list[int]]:
    """A square lattice (or its heavy version: a qubit on every coupler of a coarser one) with
    random couplers and qubits taken out."""
    rng = np.random.default_rng(seed)
    n = rows * columns
    edges = [
        (r * columns + c, r * columns + c + 1) for r in range(rows) for c in range(columns - 1)
    ]
    edges += [
        (r * columns + c, (r + 1) * columns + c) for r in range(rows - 1) for c in range(columns)
    ]
    if heavy:
        edges = [(a, n + i) for i, (a, _) in enumerate(edges)] + [
            (b, n + i) for i, (_, b) in enumerate(edges)
        ]
        n += rows * (columns - 1) + (rows - 1) * columns
    dead = set(rng.choice(n, size=n // 10, replace=False).tolist())
    kept = [e for e in edges if rng.random() > 0.15 and not dead & set(e)]
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in kept:
        neighbours[a].append(b)
        neighbours[b].append(a)
    return neighbours


@pytest.mark.parametrize("seed", range(12))
def test_it_finds_a_path_exactly_when_one_exists(seed: int) -> None:
    neighbours = _holed_lattice(3, 4, seed, heavy=seed % 2 == 1)
    longest = _longest(neighbours)
    for k in (longest, longest + 1):
        found = find_path(neighbours, k, 10**7)
        assert found.none_exists == (k > longest)
        if k <= longest:
            assert len(set(found.path)) == k
            assert all(b in neighbours[a] for a, b in itertools.pairwise(found.path))


def test_a_search_out_of_work_claims_nothing() -> None:
    neighbours = _holed_lattice(3, 4, 3, heavy=True)
    found = find_path(neighbours, _longest(neighbours), 0)
    assert not found.path and not found.none_exists


def test_brussels_has_a_100_qubit_chain_that_place_finds() -> None:
    """The old search stopped early on fake_brussels: its chain, checked on the raw data."""
    neighbours = _usable_neighbours("brussels", "ecr")
    found = place(ghz(100), [resolve("fake_brussels")], top=1).devices[0]
    assert found.best is not None and not found.truncated
    chain = found.best.qubits
    assert len(set(chain)) == 100
    assert all(b in neighbours[a] for a, b in itertools.pairwise(chain))


@pytest.mark.parametrize("device", ["fake_torino", "fake_quebec"])
def test_no_100_qubit_chain_is_a_proven_no_layout_not_a_search_cut_short(device: str) -> None:
    with pytest.raises(CircuitError, match=f"{device}: no layout"):
        place(ghz(100), [resolve(device)], top=1)
