"""Place a circuit: every layout of its interaction graph on each device, scored, best first.

Layouts are found with rustworkx's VF2 (``vf2_mapping``, ``subgraph=True, induced=False``) in the
device's coupling graph *after* flagged 2q gates and dead qubits are taken out. With the
``mapomatic`` model a 2q gate must run in the device's calibrated direction (Eagle's ECR is
one-way); the default model may run it reversed, at a cost (:func:`.tables.reversible`). All
layouts are then scored at once with a cost model from :mod:`qpumon.choose.cost`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CircuitError, NoCalibrationError
from ..model import DeviceSnapshot
from .circuits import CircuitOps, basis_family, check_circuit, read_circuit, translate
from .cost import STRICT_DIRECTION_MODELS
from .cost import cost_model as get_cost_model
from .results import DevicePlacement, LayoutScore, Placement
from .tables import DeviceTables, device_tables, reversible

if TYPE_CHECKING:
    import numpy as np

#: The most layouts scored per device; VF2 stops there (circuits of several disconnected parts
#: have combinatorially many layouts).
DEFAULT_MAX_LAYOUTS = 1_000_000


def find_layouts(
    ops: CircuitOps, tables: DeviceTables, max_layouts: int = DEFAULT_MAX_LAYOUTS
) -> tuple[np.ndarray, bool]:
    """Every layout of ``ops`` on live qubits and usable gates: ``(m, k)`` array, truncated?"""
    import numpy as np
    import rustworkx as rx

    k = len(ops.active)
    live = np.flatnonzero(tables.usable)
    if k > live.size:
        return np.empty((0, k), dtype=np.intp), False
    position = {int(q): i for i, q in enumerate(live)}
    device = rx.PyDiGraph(multigraph=False)
    device.add_nodes_from(live.tolist())
    device.add_edges_from_no_data(
        [(position[a], position[b]) for a, b in tables.edges(ops.two_qubit_gates)]
    )
    pattern = rx.PyDiGraph(multigraph=False)
    pattern.add_nodes_from(range(k))
    pattern.add_edges_from_no_data(list(ops.interactions))
    mappings = rx.vf2_mapping(device, pattern, subgraph=True, induced=False, id_order=False)
    keys: list[int] = []
    values: list[int] = []
    count, truncated = 0, False
    for mapping in mappings:
        if count == max_layouts:
            truncated = True
            break
        keys.extend(mapping.keys())
        values.extend(mapping.values())
        count += 1
    layouts = np.empty((count, k), dtype=np.intp)
    layouts[np.repeat(np.arange(count), k), values] = live[keys]
    return layouts, truncated


def rank(fidelity: np.ndarray, top: int) -> np.ndarray:
    """Indices of the ``top`` best scorable layouts, best first (ties keep VF2's order)."""
    import numpy as np

    finite = np.flatnonzero(np.isfinite(fidelity))
    order = np.argsort(-fidelity[finite], kind="stable")
    return finite[order[:top]]


def score_device(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str = "default",
    top: int = 5,
    max_layouts: int = DEFAULT_MAX_LAYOUTS,
) -> DevicePlacement:
    """The ``top`` layouts of ``ops`` on one device under cost model ``model``."""
    import numpy as np

    if model not in STRICT_DIRECTION_MODELS:
        tables = reversible(tables)
    layouts, truncated = find_layouts(ops, tables, max_layouts)
    fidelity = get_cost_model(model)(ops, layouts, tables)
    best = rank(fidelity, top)
    return DevicePlacement(
        device=tables.name,
        family=ops.family,
        active=ops.active,
        num_circuit_qubits=ops.num_qubits,
        found=len(layouts),
        unscorable=int(np.count_nonzero(~np.isfinite(fidelity))),
        truncated=truncated,
        top=tuple(LayoutScore(tuple(int(q) for q in layouts[i]), float(fidelity[i])) for i in best),
        dead_qubits=tables.dead_qubits,
        flagged_gates=tables.flagged_gates,
        notes=_notes(ops, tables, len(layouts)),
    )


def _notes(ops: CircuitOps, tables: DeviceTables, found: int) -> tuple[str, ...]:
    notes = list(tables.notes)
    if found == 0:
        pairs = set(ops.interactions)
        if any((b, a) in pairs for a, b in pairs) and tables.is_directed(ops.two_qubit_gates):
            notes.append(
                "the circuit uses a pair in both directions; this device's "
                f"{'/'.join(ops.two_qubit_gates)} runs one way only"
            )
        else:
            notes.append("no layout: the interaction graph does not fit the usable coupling graph")
    return tuple(notes)


def place(
    circuit: Any,
    snapshots: Sequence[DeviceSnapshot],
    *,
    top: int = 5,
    cost_model: str = "default",
    max_layouts: int = DEFAULT_MAX_LAYOUTS,
    optimization_level: int = 3,
    skip_uncalibrated: bool = False,
) -> Placement:
    """Place ``circuit`` (a ``QuantumCircuit`` or an OpenQASM 2/3 or QPY path) on ``devices``.

    ``snapshots`` come from :func:`qpumon.sources.resolve`. The result's ``initial_layout`` is
    ready for ``qiskit.transpile(circuit, backend, initial_layout=...)``.
    """
    if isinstance(circuit, (str, Path)):
        circuit = read_circuit(circuit)
    check_circuit(circuit)
    get_cost_model(cost_model)
    if not snapshots:
        raise CircuitError("no device to place the circuit on; name devices or use --all")
    skipped: list[tuple[str, str]] = []
    tables = _tables(snapshots, skipped, skip_uncalibrated)
    translated = _translate_families(
        [s for s in snapshots if s.name in tables], circuit, optimization_level, skipped
    )
    results = []
    for snapshot in snapshots:
        ops = translated.get(basis_family(snapshot))
        if snapshot.name not in tables or ops is None:
            continue
        if len(ops.active) > snapshot.num_qubits:
            skipped.append(
                (
                    snapshot.name,
                    f"has {snapshot.num_qubits} qubits, the circuit uses {len(ops.active)}",
                )
            )
            continue
        results.append(score_device(ops, tables[snapshot.name], cost_model, top, max_layouts))
    if not results:
        raise CircuitError(_nothing_fits(circuit, snapshots, translated, skipped))
    width = len(next(iter(translated.values())).active)
    return Placement(
        circuit.name, circuit.num_qubits, width, cost_model, tuple(results), tuple(skipped)
    )


def _tables(
    snapshots: Sequence[DeviceSnapshot], skipped: list[tuple[str, str]], skip_uncalibrated: bool
) -> dict[str, DeviceTables]:
    tables = {}
    for snapshot in snapshots:
        try:
            tables[snapshot.name] = device_tables(snapshot)
        except NoCalibrationError:
            if not skip_uncalibrated:
                raise
            skipped.append((snapshot.name, "no calibration data"))
    return tables


def _translate_families(
    snapshots: Sequence[DeviceSnapshot],
    circuit: Any,
    optimization_level: int,
    skipped: list[tuple[str, str]],
) -> dict[tuple[str, ...], CircuitOps]:
    """The circuit translated once per basis family; devices of failing families are skipped."""
    translated: dict[tuple[str, ...], CircuitOps] = {}
    failures: dict[tuple[str, ...], str] = {}
    for family in dict.fromkeys(basis_family(s) for s in snapshots):
        try:
            translated[family] = translate(circuit, family, optimization_level)
        except CircuitError as exc:
            failures[family] = str(exc)
    if failures and not translated:
        raise CircuitError(next(iter(failures.values())))
    skipped.extend(
        (s.name, failures[basis_family(s)]) for s in snapshots if basis_family(s) in failures
    )
    return translated


def _nothing_fits(
    circuit: Any,
    snapshots: Sequence[DeviceSnapshot],
    translated: dict[tuple[str, ...], CircuitOps],
    skipped: list[tuple[str, str]],
) -> str:
    widest = max(snapshots, key=lambda s: s.num_qubits)
    width = max((len(ops.active) for ops in translated.values()), default=circuit.num_qubits)
    if width > widest.num_qubits:
        return (
            f"circuit {circuit.name!r} uses {width} qubits; the largest device given "
            f"({widest.name}) has {widest.num_qubits}"
        )
    reasons = "; ".join(f"{d}: {r}" for d, r in skipped[:3])
    return f"circuit {circuit.name!r} could not be placed on any device ({reasons})"
