"""A circuit transpiled *to a device*, as mapomatic's own workflow does before it matches layouts.

mapomatic's documented workflow transpiles the circuit to the backend (``optimization_level=3``),
deflates it to its active qubits and matches that circuit, 2q directions included, against the
coupling map. On a one-way coupler (Eagle's ECR) the transpiler has already turned a gate that
runs against the coupler's direction around and dressed it with 1q gates, so mapomatic scores
those gates and the direction pattern of the layout the transpiler chose. The ``mapomatic`` cost
model reproduces that: the circuit is transpiled to a Qiskit ``Target`` built from the snapshot
(the same gates, errors and lengths a backend built from the same calibration carries), reduced
to its active qubits (as :func:`mapomatic.deflate_circuit` does), and its qubits renumbered
back to the original circuit's through the transpiler's initial layout, so a layout lists
physical qubits in the circuit's qubit order, as for the other models.

Where the transpiler has to insert swaps (the interaction graph is not in the coupling graph),
the circuit translated once per basis family is scored instead, as before: mapomatic would match
the routed circuit, qpumon finds no layout. A device Qiskit cannot transpile to at all (one-way
CX pairs whose qubits lack the 1q gates to turn them around: fake_cairo) is skipped, with
Qiskit's reason; mapomatic's workflow stops there too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import CircuitError, QpumonError
from ..model import GRAPH, DeviceSnapshot
from ..util.printable import printable
from .circuits import CircuitOps, circuit_ops
from .native import qiskit_gate
from .translation import ALWAYS_SUPPORTED


def device_target(snapshot: DeviceSnapshot, family: tuple[str, ...]) -> Any:
    """A Qiskit ``Target`` of ``snapshot``: every gate it calibrates (``id`` and ``reset``
    included: the transpiler's layout scoring averages the errors of all of a qubit's
    instructions) and each gate of ``family``, on the qubits (and directed pairs) it is
    calibrated on, with its error and length, and ``measure`` with each qubit's readout."""
    from qiskit.circuit import Measure, Reset
    from qiskit.circuit.library import get_standard_gate_name_mapping
    from qiskit.transpiler import InstructionProperties, Target

    n = snapshot.num_qubits
    known = {**get_standard_gate_name_mapping(), "reset": Reset()}
    calibrated: dict[str, dict[tuple[int, ...], Any]] = {}
    for gate in snapshot.gates:
        name = qiskit_gate(gate.gate)
        if name in known and name != "measure" and max(gate.qubits, default=n) < n:
            calibrated.setdefault(name, {})[gate.qubits] = InstructionProperties(
                duration=_seconds(gate.length_ns), error=gate.error
            )
    target = Target(num_qubits=n)
    for name in dict.fromkeys([*family, *calibrated]):
        instruction = known[name]
        if name in calibrated:
            target.add_instruction(instruction, _ordered(calibrated[name], snapshot))
        elif instruction.num_qubits == 1:
            target.add_instruction(instruction, {(q,): None for q in range(n)})
    readout = {
        (q.index,): InstructionProperties(
            duration=_seconds(q.readout_length_ns), error=q.readout_error
        )
        for q in snapshot.qubits
        if q.index < n
    }
    target.add_instruction(Measure(), readout or {(q,): None for q in range(n)})
    _add_control_flow(target, snapshot)
    return target


def _add_control_flow(target: Any, snapshot: DeviceSnapshot) -> None:
    """The control-flow operations the device says it supports, as its backend's target has
    them (their presence changes which of equally good layouts the transpiler picks)."""
    from qiskit.circuit import BoxOp, ForLoopOp, IfElseOp, SwitchCaseOp, WhileLoopOp

    classes = {
        "if_else": IfElseOp,
        "while_loop": WhileLoopOp,
        "for_loop": ForLoopOp,
        "switch_case": SwitchCaseOp,
        "box": BoxOp,
    }
    supported = snapshot.configuration.get("supported_instructions") or ()
    for name in supported:
        if isinstance(name, str) and name in classes and name not in target:
            target.add_instruction(classes[name], name=name)


def _ordered(props: dict[tuple[int, ...], Any], snapshot: DeviceSnapshot) -> dict[Any, Any]:
    """``props`` in qubit order, pairs in the order of the coupling map (as a backend's target
    has them: the transpiler breaks ties between equally scored layouts by this order)."""
    rank: dict[tuple[int, ...], int] = {pair: i for i, pair in enumerate(snapshot.coupling_edges)}
    return dict(sorted(props.items(), key=lambda kv: (len(kv[0]), rank.get(kv[0], -1), kv[0])))


def _seconds(length_ns: float | None) -> float | None:
    return None if length_ns is None else length_ns / 1e9


def on_device(
    circuit: Any,
    snapshot: DeviceSnapshot,
    family: tuple[str, ...],
    optimization_level: int = 3,
    seed: int = 7,
    after_each_pass: Callable[..., None] | None = None,
) -> CircuitOps | None:
    """``circuit`` transpiled to ``snapshot`` and deflated, its qubits numbered as in
    ``circuit``; None for a device without a coupling graph, or where the transpiler had to route
    (swaps: the circuit's qubits no longer stay on one physical qubit each). ``after_each_pass``
    is called after every pass (it may raise to stop: a deadline)."""
    if snapshot.connectivity != GRAPH or not snapshot.coupling_edges:
        return None
    from qiskit.transpiler import generate_preset_pass_manager

    try:
        manager = generate_preset_pass_manager(
            optimization_level, target=device_target(snapshot, family), seed_transpiler=seed
        )
        native = manager.run(circuit, callback=after_each_pass)
    except QpumonError:  # raised by after_each_pass
        raise
    except Exception as exc:  # TranspilerError, QiskitError, CircuitError from Qiskit
        raise CircuitError(
            f"circuit {printable(str(circuit.name))!r} cannot be transpiled to "
            f"{snapshot.name}: {printable(str(exc).strip().splitlines()[0][:200])}"
        ) from exc
    return _renumbered(native, circuit, family)


def _renumbered(native: Any, circuit: Any, family: tuple[str, ...]) -> CircuitOps | None:
    """The deflated ops of ``native`` with ``active`` naming ``circuit``'s qubits."""
    layout = native.layout
    routed = layout is not None and layout.final_layout is not None
    if routed and layout.final_index_layout(False) != layout.initial_index_layout(False):
        return None
    ops = circuit_ops(native, family, circuit.name)
    if layout is None:
        return ops
    virtual = {p: v for v, p in enumerate(layout.initial_index_layout(filter_ancillas=False))}
    active = tuple(virtual[p] for p in ops.active)
    if any(v >= circuit.num_qubits for v in active) or any(
        name not in {*family, *ALWAYS_SUPPORTED, "barrier"} for name, _ in ops.ops
    ):
        return None
    rank = {v: i for i, v in enumerate(sorted(active))}
    compact = [rank[v] for v in active]
    relabelled = tuple((name, tuple(compact[q] for q in qs)) for name, qs in ops.ops)
    return CircuitOps(ops.name, circuit.num_qubits, family, tuple(sorted(active)), relabelled)
