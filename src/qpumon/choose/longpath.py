"""Is there a simple path of ``k`` qubits in a coupling graph at all? Found, or proven absent.

A depth-first search over paths, each step to the neighbour with the fewest free neighbours
first (Warnsdorff's rule: a long path should not leave dead ends behind it), cut where the free
qubits the path can still reach cannot hold the rest. That reach is counted exactly enough to
prune hard on a sparse lattice with holes: of the region round the path's end, every *tail* (a
run of qubits hanging off it, ending in a qubit with one free neighbour) but the longest is out
of reach, since a path can enter a dead end only to end there. Starts are tried fewest
neighbours first; once every path from a qubit is ruled out, no path ends there either (it would
start there read backwards), which shortens the tails that end in such qubits. On a bipartite
lattice (heavy-hex, square) a path alternates colours, so a region holds at most twice its
scarcer colour (plus one). A search that runs to the end without finding a path proves that
there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Which qubits are free, which no path ends at, each qubit's colour (-1 everywhere if the graph
#: is not bipartite) and its free neighbours.
Marks = tuple[list[bool], list[bool], list[int], list[int]]


@dataclass(frozen=True)
class LongPath:
    """A path of ``k`` qubits (empty if none was found), whether none exists (proven), and the
    search's work (paths extended)."""

    path: tuple[int, ...]
    none_exists: bool
    work: int


def find_path(neighbours: Sequence[Sequence[int]], k: int, max_work: int) -> LongPath:
    """A simple path of ``k`` qubits in the graph ``neighbours``, or the proof there is none,
    within ``max_work`` extensions (else neither: ``path`` empty, ``none_exists`` False)."""
    n = len(neighbours)
    if k <= 1:
        start = next((v for v in range(n)), None)
        return LongPath(() if start is None else (start,), start is None and k == 1, 0)
    free = [True] * n
    ended = [False] * n
    colour = _colours(neighbours)
    degree = [len(around) for around in neighbours]
    work = 0
    for start in sorted(range(n), key=lambda v: (len(neighbours[v]), v)):
        if not neighbours[start]:
            continue
        found, work = _from(neighbours, k, start, (free, ended, colour, degree), work, max_work)
        if found:
            return LongPath(tuple(found), False, work)
        if work >= max_work:
            return LongPath((), False, work)
        ended[start] = True
    return LongPath((), True, work)


def _from(
    neighbours: Sequence[Sequence[int]],
    k: int,
    start: int,
    marks: Marks,
    work: int,
    max_work: int,
) -> tuple[list[int], int]:
    """A path of ``k`` qubits starting at ``start`` (empty if none within the work left), and
    the work done so far; ``marks`` (:data:`Marks`) are restored on return."""
    path = [start]
    _take(neighbours, start, marks, True)
    stack = [_children(neighbours, start, marks, k - 1)]
    while stack and len(path) < k:
        options = stack[-1]
        if not options or work >= max_work:
            stack.pop()
            _take(neighbours, path.pop(), marks, False)
            continue
        w = options.pop()
        work += 1
        path.append(w)
        _take(neighbours, w, marks, True)
        stack.append(_children(neighbours, w, marks, k - len(path)))
    found = list(path) if len(path) == k else []
    for v in path[: len(stack)]:
        _take(neighbours, v, marks, False)
    return found, work


def _take(neighbours: Sequence[Sequence[int]], v: int, marks: Marks, taken: bool) -> None:
    """Mark ``v`` taken by the path (or free again), keeping its neighbours' free degrees."""
    marks[0][v] = not taken
    change = -1 if taken else 1
    for w in neighbours[v]:
        marks[3][w] += change


def _children(neighbours: Sequence[Sequence[int]], end: int, marks: Marks, left: int) -> list[int]:
    """The free neighbours of ``end`` worth trying (last = first tried), or none if the region
    round ``end`` cannot hold the ``left`` qubits still to place."""
    free, degree = marks[0], marks[3]
    if left == 0 or _reach(neighbours, end, marks) < left:
        return []
    options = [w for w in neighbours[end] if free[w]]
    return sorted(options, key=lambda w: (degree[w], w), reverse=True)


def _reach(neighbours: Sequence[Sequence[int]], end: int, marks: Marks) -> int:
    """An upper bound on the qubits a path from ``end`` can still add: of each free region
    beside it (the path enters one), its size less every tail but the one that reaches furthest
    (module docstring), and no more than alternating colours allow."""
    free = marks[0]
    best, seen = 0, {end}
    for first in neighbours[end]:
        if free[first] and first not in seen:
            region = {end, first}
            queue = [first]
            for v in queue:
                for w in neighbours[v]:
                    if free[w] and w not in region:
                        region.add(w)
                        queue.append(w)
            seen |= region
            reach = len(region) - 1 - _unused(neighbours, end, region, marks)
            best = max(best, min(reach, _alternating(end, region, marks[2])))
    return best


def _unused(neighbours: Sequence[Sequence[int]], end: int, region: set[int], marks: Marks) -> int:
    """Qubits of ``region`` no path from ``end`` reaches: the tails it cannot end in."""
    near = set(neighbours[end])
    total, usable = 0, 0
    for leaf in region:
        # its degree in the region: its free neighbours, and the end if beside it
        if leaf != end and marks[3][leaf] + (leaf in near) == 1:
            length, reached = _tail(neighbours, end, leaf, marks, near)
            total += length
            usable = max(usable, reached)
    return total - usable


def _tail(
    neighbours: Sequence[Sequence[int]], end: int, leaf: int, marks: Marks, near: set[int]
) -> tuple[int, int]:
    """The length of the tail ending in ``leaf``, and how far into it a path can reach: to its
    qubit nearest the leaf that a path may end at."""
    free, ended, degree = marks[0], marks[1], marks[3]
    length, previous = 1, leaf
    v = next(w for w in neighbours[leaf] if w == end or free[w])
    last_end = 0 if ended[leaf] else 1
    while v != end and degree[v] + (v in near) == 2:
        length += 1
        if not last_end and not ended[v]:
            last_end = length
        onward = (w for w in neighbours[v] if (w == end or free[w]) and w != previous)
        previous, v = v, next(onward)
    return length, length - last_end + 1 if last_end else 0


def _alternating(end: int, region: set[int], colour: list[int]) -> int:
    """Most qubits a path from ``end`` adds in ``region`` when colours alternate (bipartite)."""
    same = sum(1 for v in region if colour[v] == colour[end]) - 1
    other = len(region) - 1 - same
    if colour[end] < 0:
        return len(region) - 1
    return 2 * same + 1 if other > same else 2 * other


def _colours(neighbours: Sequence[Sequence[int]]) -> list[int]:
    """A 2-colouring of the graph (0/1), or -1 everywhere if it is not bipartite."""
    colour = [-1] * len(neighbours)
    for root in range(len(neighbours)):
        if colour[root] >= 0:
            continue
        colour[root] = 0
        queue = [root]
        for v in queue:
            for w in neighbours[v]:
                if colour[w] < 0:
                    colour[w] = 1 - colour[v]
                    queue.append(w)
                elif colour[w] == colour[v]:
                    return [-1] * len(neighbours)
    return colour
