"""``best``: answers on every bundled device; numbers checked against the raw JSON."""

from __future__ import annotations

import itertools
import random

import pytest

from qpumon.choose.candidates import best_qubits, connected_sets
from qpumon.sources import BundledSource
from qpumon.sources import resolve as load
from tests.conftest import bundled_dirs, raw


def _raw_edges(stem: str) -> set[frozenset[int]]:
    return {frozenset(e) for e in raw(stem, "conf")["coupling_map"] or []}


@pytest.mark.slow
def test_best_three_qubit_line_on_every_bundled_device() -> None:
    names = BundledSource().names()
    assert len(names) == len(bundled_dirs()) == 68
    answered = 0
    for name in names:
        stem = name.removeprefix("fake_")
        n_qubits = raw(stem, "conf")["n_qubits"]
        if n_qubits < 3 or name == "fake_kyoto":  # kyoto: every 2q gate flagged
            continue
        choice = best_qubits(load(name), 3, "line", top=3)
        edges = _raw_edges(stem)
        for score in choice.top:
            a, b, c = score.qubits
            assert frozenset((a, b)) in edges and frozenset((b, c)) in edges, name
            assert 0 < score.fidelity < 1
        answered += 1
    assert answered >= 60


def test_ring_needs_a_cycle_and_finds_heavy_hex_hexagons() -> None:
    choice = best_qubits(load("fake_fez"), 12, "ring", top=2)
    edges = _raw_edges("fez")
    ring = choice.top[0].qubits
    assert all(frozenset((ring[i], ring[(i + 1) % 12])) in edges for i in range(12))
    with pytest.raises(Exception, match="no usable set of 4 connected qubits"):
        best_qubits(load("fake_fez"), 4, "ring")


def test_connected_sets_counts_a_small_graph() -> None:
    # a 4-cycle 0-1-2-3-0 plus a tail 3-4: 4 sets on the cycle, 2 with the tail
    neighbours = {0: {1, 3}, 1: {0, 2}, 2: {1, 3}, 3: {0, 2, 4}, 4: {3}}
    found = list(connected_sets(neighbours, 3))
    assert len(found) == len(set(found)) == 6
    assert frozenset({1, 3, 4}) not in found and frozenset({2, 3, 4}) in found


def test_connected_sets_match_brute_force_on_random_graphs() -> None:
    rng = random.Random(1)
    for _ in range(20):
        neighbours: dict[int, set[int]] = {i: set() for i in range(9)}
        for a, b in itertools.combinations(range(9), 2):
            if rng.random() < 0.3:
                neighbours[a].add(b)
                neighbours[b].add(a)
        for k in (2, 3, 4):
            found = list(connected_sets(neighbours, k))
            assert len(found) == len(set(found))
            assert set(found) == _brute_connected(neighbours, k)


def _brute_connected(neighbours: dict[int, set[int]], k: int) -> set[frozenset[int]]:
    out = set()
    for combo in itertools.combinations(neighbours, k):
        members, reached, stack = set(combo), {combo[0]}, [combo[0]]
        while stack:
            for other in (neighbours[stack.pop()] & members) - reached:
                reached.add(other)
                stack.append(other)
        if reached == members:
            out.add(frozenset(combo))
    return out


def test_any_shape_sets_are_connected_in_the_raw_coupling_map() -> None:
    edges = _raw_edges("fez")
    for score in best_qubits(load("fake_fez"), 5, "any", top=5).top:
        reached, frontier = {score.qubits[0]}, [score.qubits[0]]
        while frontier:
            q = frontier.pop()
            for other in set(score.qubits) - reached:
                if frozenset((q, other)) in edges:
                    reached.add(other)
                    frontier.append(other)
        assert reached == set(score.qubits)
