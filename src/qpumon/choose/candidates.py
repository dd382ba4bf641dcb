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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import LimitExceededError, NoCalibrationError, UsageError
from ..model import DeviceSnapshot
from .circuits import basis_family, check_circuit, circuit_ops, native_circuit
from .cost import COHERENCE_MODELS, score
from .cost import cost_model as get_cost_model
from .layouts import best_layouts, model_tables, shape_exists
from .limits import MAX_CONNECTED_SET_WORK, MAX_CONNECTED_SETS, MAX_TRANSLATION_WORK
from .pathsearch import bound_note
from .place import STOP_REASONS, deadline_after, out_of_time
from .results import LayoutScore
from .tables import (
    NON_GATES,
    Avoided,
    DeviceTables,
    absent_everywhere,
    avoiding,
    device_tables,
)

if TYPE_CHECKING:
    import numpy as np

SHAPES = ("line", "ring", "any")


@dataclass(frozen=True)
class QubitChoice:
    """The best qubit sets of one size and shape on one device, best first.

    ``candidates`` orderings were scored in full; ``pruned`` partial ones were ruled out because
    no completion could enter ``top``. Unless ``truncated`` (see ``notes``), ``top`` is exact.
    """

    device: str
    num_qubits: int
    shape: str
    cost_model: str
    candidates: int
    top: tuple[LayoutScore, ...]
    dead_qubits: tuple[int, ...] = ()
    flagged_gates: int = 0
    truncated: bool = False
    pruned: int = 0
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "device": self.device,
            "qubits": self.num_qubits,
            "shape": self.shape,
            "cost_model": self.cost_model,
            "candidates": self.candidates,
            "pruned": self.pruned,
            "search_truncated": self.truncated,
            "dead_qubits": list(self.dead_qubits),
            "flagged_gates": self.flagged_gates,
            "notes": list(self.notes),
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


def shape_circuit(num_qubits: int, shape: str) -> Any:
    """The canonical circuit of a ``line`` or ``ring`` of ``num_qubits`` qubits."""
    parents = [-1, *range(num_qubits - 1)]
    extra = [(num_qubits - 1, 0)] if shape == "ring" and num_qubits > 2 else []
    return canonical_circuit(parents, extra)


def best_qubits(
    snapshot: DeviceSnapshot,
    num_qubits: int,
    shape: str = "line",
    top: int = 5,
    cost_model: str = "default",
    max_seconds: float | None = None,
    avoided: Avoided | None = None,
) -> QubitChoice:
    """The ``top`` best connected sets of ``num_qubits`` qubits of ``shape`` on ``snapshot``,
    never using the ``avoided`` qubits.

    ``max_seconds`` bounds the search: past it, a :class:`~qpumon.errors.LimitExceededError`.
    """
    deadline = deadline_after(max_seconds)
    if shape not in SHAPES:
        raise UsageError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    get_cost_model(cost_model)
    if not 1 <= num_qubits <= snapshot.num_qubits:
        raise UsageError(
            f"{snapshot.name}: --qubits must be between 1 and "
            f"{snapshot.num_qubits}, not {num_qubits}"
        )
    tables = model_tables(avoiding(device_tables(snapshot), avoided), cost_model)
    family = basis_family(snapshot)
    if shape == "any":
        choice = _any_shape(tables, family, num_qubits, top, cost_model)
    else:
        choice, stopped = _searched(tables, family, num_qubits, shape, top, cost_model, deadline)
        if stopped == "time":
            raise out_of_time(snapshot.name, max_seconds)
    if not choice.top:
        _nothing(snapshot, tables, family, choice)
    return choice


def _searched(
    tables: DeviceTables,
    family: tuple[str, ...],
    n: int,
    shape: str,
    top: int,
    cost_model: str,
    deadline: float | None,
) -> tuple[QubitChoice, str | None]:
    """Line or ring: the exact search over orderings, one result per set of qubits; and the
    limit that stopped it, if any."""
    ops = circuit_ops(native_circuit(shape_circuit(n, shape), family), family)
    result = best_layouts(ops, tables, cost_model, top, key=frozenset, deadline=deadline).result
    notes = tables.notes
    if result.bound is not None:
        best = result.fidelity[0] if result.fidelity else None
        notes += (bound_note("line", best, result.bound),)
    if result.stopped in STOP_REASONS:
        notes += (
            f"the search stopped early ({STOP_REASONS[result.stopped]}): better sets may exist",
        )
    choice = QubitChoice(
        tables.name,
        n,
        shape,
        cost_model,
        result.scored,
        tuple(
            LayoutScore(layout, fidelity)
            for layout, fidelity in zip(result.layouts, result.fidelity, strict=True)
        ),
        tables.dead_qubits,
        tables.flagged_gates,
        truncated=result.stopped is not None,
        pruned=result.pruned,
        notes=notes,
    )
    return choice, result.stopped


def _nothing(
    snapshot: DeviceSnapshot, tables: DeviceTables, family: tuple[str, ...], choice: QubitChoice
) -> None:
    """Raise the error that says truly why no set was found."""
    n, shape = choice.num_qubits, choice.shape
    what = f"{snapshot.name}: no usable set of {n} connected qubits (shape {shape})"
    if choice.truncated:
        raise LimitExceededError(
            f"{what}: {choice.notes[-1] if choice.notes else 'the search stopped early'}"
        )
    live = int(tables.usable.sum())
    if n > live:
        raise UsageError(
            f"{what}: only {live} of {snapshot.num_qubits} qubits are live "
            f"({len(tables.dead_qubits)} dead); ask for at most {live}"
        )
    line_or_ring = shape_circuit(n, shape if shape != "any" else "line")
    ops = circuit_ops(native_circuit(line_or_ring, family), family)
    coupling = list(snapshot.coupling_edges) or tables.edges(tables.two_qubit)
    if shape != "any" and not shape_exists(ops, snapshot.num_qubits, coupling):
        kind = "ring" if shape == "ring" and n > 2 else "line"
        raise UsageError(f"{what}: no {n}-qubit {kind} exists in the coupling graph")
    if shape == "any" and not _connected_enough(coupling, snapshot.num_qubits, n):
        raise UsageError(f"{what}: no {n} connected qubits exist in the coupling graph")
    gates = [name for name, _ in ops.ops if name not in NON_GATES]
    absent = absent_everywhere(tables, gates, choice.cost_model in COHERENCE_MODELS)
    raise NoCalibrationError(
        f"{what}: every candidate touches one of the {tables.flagged_gates} flagged gates, "
        f"the {len(tables.dead_qubits)} dead qubits or a missing calibration value{absent}"
    )


def _connected_enough(coupling: list[tuple[int, int]], n_qubits: int, n: int) -> bool:
    """Does some connected part of the coupling graph have at least ``n`` qubits?"""
    neighbours: dict[int, set[int]] = {q: set() for q in range(n_qubits)}
    for a, b in coupling:
        if 0 <= a < n_qubits and 0 <= b < n_qubits:
            neighbours[a].add(b)
            neighbours[b].add(a)
    seen: set[int] = set()
    for start in range(n_qubits):
        if start in seen:
            continue
        part, stack = 0, [start]
        seen.add(start)
        while stack:
            part += 1
            for other in neighbours[stack.pop()] - seen:
                seen.add(other)
                stack.append(other)
        if part >= n:
            return True
    return False


def _any_shape(
    tables: DeviceTables, family: tuple[str, ...], n: int, top: int, cost_model: str
) -> QubitChoice:
    """Every connected set, each scored with the GHZ of its breadth-first tree."""
    import numpy as np

    model = get_cost_model(cost_model)
    layouts: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    groups = _tree_groups(tables, family, n)
    _check_tree_translations(tables.name, n, len(groups))
    for parents, orders in groups:
        ops = circuit_ops(native_circuit(canonical_circuit(parents), family), family)
        layouts.append(orders)
        scores.append(score(model, ops, orders, tables))
    merged = np.concatenate(layouts) if layouts else np.empty((0, n), dtype=np.intp)
    fidelity = np.concatenate(scores) if scores else np.empty(0)
    best = _best_sets(merged, fidelity, top)
    return QubitChoice(
        tables.name, n, "any", cost_model, len(merged), best, tables.dead_qubits,
        tables.flagged_gates, notes=tables.notes,
    )  # fmt: skip


def _best_sets(layouts: np.ndarray, fidelity: np.ndarray, top: int) -> tuple[LayoutScore, ...]:
    """The ``top`` best scorable rows, one per set of qubits (ties keep the enumeration order)."""
    import numpy as np

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
    return tuple(best)


def _check_tree_translations(name: str, n: int, trees: int) -> None:
    """Refuse, before translating, more distinct trees than the translation work bound allows
    (each tree's canonical circuit is translated once)."""
    each = check_circuit(canonical_circuit([-1, *range(n - 1)])).translation_work
    if trees * each > MAX_TRANSLATION_WORK:
        raise LimitExceededError(
            f"{name}: the connected sets of {n} qubits grow {trees:,} different trees, whose "
            f"circuits are {trees * each:,} units of translation work, beyond the bound of "
            f"{MAX_TRANSLATION_WORK:,} for --shape any; use --shape line or fewer qubits"
        )


def _tree_groups(
    tables: DeviceTables, family: tuple[str, ...], n: int
) -> list[tuple[list[int], np.ndarray]]:
    """``(parents, orderings)`` of the connected sets that share one breadth-first tree."""
    import numpy as np

    neighbours = _neighbours(tables, family)
    groups: dict[tuple[int, ...], list[list[int]]] = {}
    sets = connected_sets(neighbours, n, MAX_CONNECTED_SET_WORK)
    try:
        for count, subset in enumerate(sets):
            if count == MAX_CONNECTED_SETS:
                raise LimitExceededError(f"more than {MAX_CONNECTED_SETS:,} connected sets")
            order, parents = _bfs_tree(subset, neighbours)
            groups.setdefault(tuple(parents), []).append(order)
    except LimitExceededError as exc:
        raise LimitExceededError(
            f"{tables.name}: {exc} of {n} qubits, the limit for --shape any; use --shape line "
            "or fewer qubits"
        ) from None
    return [(list(tree), np.array(orders, dtype=np.intp)) for tree, orders in groups.items()]


def _neighbours(tables: DeviceTables, family: tuple[str, ...]) -> dict[int, set[int]]:
    """Undirected adjacency of the live qubits over usable native 2q gates."""
    import numpy as np

    neighbours: dict[int, set[int]] = {int(q): set() for q in np.flatnonzero(tables.usable)}
    for a, b in tables.edges(name for name in family if name in tables.two_qubit):
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


def connected_sets(
    neighbours: dict[int, set[int]], n: int, max_work: int | None = None
) -> Iterator[frozenset[int]]:
    """Every connected set of ``n`` nodes, once each (Wernicke's ESU enumeration). With
    ``max_work``, a :class:`LimitExceededError` once its steps have copied more nodes than that
    (counted at every step: a search of dead ends yields nothing for a long time)."""
    done = [0]

    def extend(
        subset: frozenset[int], extension: set[int], root: int, border: set[int]
    ) -> Iterator[frozenset[int]]:
        done[0] += len(subset) + len(extension) + len(border)
        if max_work is not None and done[0] > max_work:
            raise LimitExceededError(
                f"connected sets whose enumeration passes its bound of {max_work:,} steps"
            )
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
