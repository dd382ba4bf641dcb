"""The best connected qubit sets of a given size and shape on one device.

Each set is scored by a *canonical circuit* of its shape, placed with :mod:`.place`:

- ``line``: a GHZ chain, ``h(0); cx(i, i+1) ...; measure all``;
- ``ring``: the same chain closed by ``cx(N-1, 0)``, so every edge of the ring carries one gate;
- ``any``: every connected set (of any shape), with a GHZ grown along a breadth-first spanning tree
  from the set's most connected qubit.

A set is reported once, with its best ordering.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import QpumonError
from ..model import DeviceSnapshot
from .circuits import basis_family, circuit_ops, native_circuit
from .cost import STRICT_DIRECTION_MODELS
from .cost import cost_model as get_cost_model
from .place import find_layouts
from .results import LayoutScore
from .tables import DeviceTables, device_tables, reversible

if TYPE_CHECKING:
    import numpy as np

SHAPES = ("line", "ring", "any")
#: Connected sets enumerated at most for ``--shape any``.
MAX_CONNECTED_SETS = 200_000


@dataclass(frozen=True)
class QubitChoice:
    """The best qubit sets of one size and shape on one device, best first."""

    device: str
    num_qubits: int
    shape: str
    cost_model: str
    candidates: int
    top: tuple[LayoutScore, ...]
    dead_qubits: tuple[int, ...] = ()
    flagged_gates: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "device": self.device,
            "qubits": self.num_qubits,
            "shape": self.shape,
            "cost_model": self.cost_model,
            "candidates": self.candidates,
            "dead_qubits": list(self.dead_qubits),
            "flagged_gates": self.flagged_gates,
            "top": [
                {"rank": i + 1, "qubits": list(s.qubits), "fidelity": s.fidelity}
                for i, s in enumerate(self.top)
            ],
        }


def canonical_circuit(parents: Sequence[int], extra: Sequence[tuple[int, int]] = ()) -> Any:
    """GHZ grown along a tree (``parents[v]`` is v's parent; -1 for the root), plus ``extra``."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(len(parents), name="canonical")
    circuit.h(0)
    for child, parent in enumerate(parents):
        if parent >= 0:
            circuit.cx(parent, child)
    for a, b in extra:
        circuit.cx(a, b)
    circuit.measure_all()
    return circuit


def best_qubits(
    snapshot: DeviceSnapshot,
    num_qubits: int,
    shape: str = "line",
    top: int = 5,
    cost_model: str = "default",
) -> QubitChoice:
    """The ``top`` best connected sets of ``num_qubits`` qubits of ``shape`` on ``snapshot``."""
    if shape not in SHAPES:
        raise QpumonError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    model = get_cost_model(cost_model)
    if not 1 <= num_qubits <= snapshot.num_qubits:
        raise QpumonError(
            f"{snapshot.name}: --qubits must be between 1 and "
            f"{snapshot.num_qubits}, not {num_qubits}"
        )
    tables = device_tables(snapshot)
    if cost_model not in STRICT_DIRECTION_MODELS:
        tables = reversible(tables)
    family = basis_family(snapshot)
    scored = []
    for parents, extra, layouts in _groups(tables, family, num_qubits, shape):
        ops = circuit_ops(native_circuit(canonical_circuit(parents, extra), family), family)
        scored.append((layouts, model(ops, layouts, tables)))
    return _choice(snapshot.name, num_qubits, shape, cost_model, tables, scored, top)


def _choice(
    name: str,
    n: int,
    shape: str,
    cost_model: str,
    tables: DeviceTables,
    scored: list[tuple[np.ndarray, np.ndarray]],
    top: int,
) -> QubitChoice:
    import numpy as np

    layouts = np.concatenate([s[0] for s in scored]) if scored else np.empty((0, n), int)
    fidelity = np.concatenate([s[1] for s in scored]) if scored else np.empty(0)
    if not np.isfinite(fidelity).any():
        raise QpumonError(
            f"{name}: no usable set of {n} connected qubits (shape {shape}; "
            f"{len(tables.dead_qubits)} dead qubits, "
            f"{tables.flagged_gates} flagged gates)"
        )
    seen: set[frozenset[int]] = set()
    best: list[LayoutScore] = []
    for i in np.argsort(-np.nan_to_num(fidelity, nan=-1.0), kind="stable"):
        key = frozenset(int(q) for q in layouts[i])
        if key in seen or not np.isfinite(fidelity[i]):
            continue
        seen.add(key)
        best.append(LayoutScore(tuple(int(q) for q in layouts[i]), float(fidelity[i])))
        if len(best) == top:
            break
    return QubitChoice(
        name,
        n,
        shape,
        cost_model,
        len(layouts),
        tuple(best),
        tables.dead_qubits,
        tables.flagged_gates,
    )


def _groups(
    tables: DeviceTables, family: tuple[str, ...], n: int, shape: str
) -> Iterator[tuple[list[int], list[tuple[int, int]], np.ndarray]]:
    """``(parents, extra edges, layouts)`` sharing one canonical circuit."""
    if shape == "any":
        yield from _tree_groups(tables, family, n)
        return
    parents = [-1, *range(n - 1)]
    extra = [(n - 1, 0)] if shape == "ring" and n > 2 else []
    ops = circuit_ops(native_circuit(canonical_circuit(parents, extra), family), family)
    layouts, _ = find_layouts(ops, tables)
    yield parents, extra, layouts


def _tree_groups(
    tables: DeviceTables, family: tuple[str, ...], n: int
) -> Iterator[tuple[list[int], list[tuple[int, int]], np.ndarray]]:
    import numpy as np

    neighbours = _neighbours(tables, family)
    groups: dict[tuple[int, ...], list[list[int]]] = {}
    for count, subset in enumerate(connected_sets(neighbours, n)):
        if count == MAX_CONNECTED_SETS:
            raise QpumonError(
                f"{tables.name}: more than {MAX_CONNECTED_SETS} connected sets of "
                f"{n} qubits; use --shape line or fewer qubits"
            )
        order, parents = _bfs_tree(subset, neighbours)
        groups.setdefault(tuple(parents), []).append(order)
    for tree, orders in groups.items():
        yield list(tree), [], np.array(orders, dtype=np.intp)


def _neighbours(tables: DeviceTables, family: tuple[str, ...]) -> dict[int, set[int]]:
    """Undirected adjacency of the live qubits over usable native 2q gates."""
    import numpy as np

    neighbours: dict[int, set[int]] = {int(q): set() for q in np.flatnonzero(tables.usable)}
    for a, b in tables.edges(name for name in family if name in tables.two_qubit_error):
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


def connected_sets(neighbours: dict[int, set[int]], n: int) -> Iterator[frozenset[int]]:
    """Every connected set of ``n`` nodes, once each (Wernicke's ESU enumeration)."""

    def extend(
        subset: frozenset[int], extension: set[int], root: int, border: set[int]
    ) -> Iterator[frozenset[int]]:
        if len(subset) == n:
            yield subset
            return
        extension = set(extension)
        while extension:
            w = extension.pop()
            new = {u for u in neighbours[w] if u > root and u not in subset and u not in border}
            yield from extend(subset | {w}, extension | new, root, border | neighbours[w])

    for v in sorted(neighbours):
        yield from extend(
            frozenset({v}), {u for u in neighbours[v] if u > v}, v, neighbours[v] | {v}
        )


def _bfs_tree(
    subset: frozenset[int], neighbours: dict[int, set[int]]
) -> tuple[list[int], list[int]]:
    """Qubits in breadth-first order from the best-connected one, and each one's parent index."""
    root = max(sorted(subset), key=lambda q: len(neighbours[q] & subset))
    order, parents, index = [root], [-1], {root: 0}
    for qubit in order:
        for other in sorted(neighbours[qubit] & subset):
            if other not in index:
                index[other] = len(order)
                order.append(other)
                parents.append(index[qubit])
    return order, parents
