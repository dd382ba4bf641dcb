"""Circuits for placement: read them, translate them per basis family, reduce them to operations.

A *basis family* is the set of gates a device runs natively (``cz rz sx x``, ``ecr rz sx x``,
``cx u1 u2 u3``...). A circuit is transpiled once per family, without a coupling map (all-to-all),
so its interaction graph is known before any device is looked at; layouts are then searched in
each device's coupling graph. Only the qubits the circuit acts on are placed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import CircuitError, QpumonError
from ..model import DeviceSnapshot
from ..util.printable import printable
from .native import qiskit_gate
from .reading import CircuitSize, check_size, parse_qasm, read_circuit
from .tables import NON_GATES
from .translation import ALWAYS_SUPPORTED, run_translation

__all__ = [
    "ALWAYS_SUPPORTED",
    "CONTROL_FLOW",
    "CircuitOps",
    "CircuitSize",
    "basis_family",
    "check_circuit",
    "circuit_ops",
    "native_circuit",
    "parse_qasm",
    "read_circuit",
    "translate",
    "unsupported_gates",
]
#: Control-flow operations, which placement does not score.
CONTROL_FLOW = frozenset({"if_else", "while_loop", "for_loop", "switch_case", "box"})


@dataclass(frozen=True)
class CircuitOps:
    """A circuit reduced to what scoring needs.

    ``active`` lists the circuit's qubits that carry operations (indices into the original
    circuit); ``ops`` are ``(name, qubits)`` in program order with qubits numbered 0..k-1 along
    ``active``; ``interactions`` are the directed 2q pairs, in the same numbering.
    """

    name: str
    num_qubits: int
    family: tuple[str, ...]
    active: tuple[int, ...]
    ops: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def interactions(self) -> tuple[tuple[int, int], ...]:
        """Directed pairs of (compact) qubits joined by a 2q gate, in first-use order."""
        pairs = (qs for name, qs in self.ops if len(qs) == 2 and name != "barrier")
        return tuple(dict.fromkeys((q[0], q[1]) for q in pairs))

    @property
    def two_qubit_gates(self) -> tuple[str, ...]:
        """Names of the 2q gates the circuit uses."""
        return tuple(dict.fromkeys(n for n, qs in self.ops if len(qs) == 2 and n != "barrier"))

    def count_ops(self) -> dict[str, int]:
        """How many of each operation."""
        counts: dict[str, int] = {}
        for name, _ in self.ops:
            counts[name] = counts.get(name, 0) + 1
        return counts


def basis_family(snapshot: DeviceSnapshot) -> tuple[str, ...]:
    """The gates ``snapshot`` runs natively, by their Qiskit names, sorted, without non-gates
    (``id``, ``reset``...) and without vendor gates Qiskit has no standard gate for (Google's
    ``syc``, ``coupler_pulse``: a circuit cannot be translated to them)."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    gates = snapshot.basis_gates or tuple(dict.fromkeys(g.gate for g in snapshot.gates))
    names = {qiskit_gate(g) for g in gates} - NON_GATES - CONTROL_FLOW
    if snapshot.vendor != "ibm":
        names &= set(get_standard_gate_name_mapping())
    return tuple(sorted(names))


def check_circuit(circuit: Any) -> CircuitSize:
    """A :class:`CircuitError` for an empty circuit or one with control flow, an
    :class:`~qpumon.errors.InputTooLargeError` for one beyond the limits of :mod:`.limits`;
    the circuit's size otherwise."""
    name = printable(str(circuit.name))
    names = {inst.operation.name for inst in circuit.data}
    if circuit.num_qubits == 0 or not names - {"barrier", "delay"}:
        raise CircuitError(f"circuit {name!r} is empty: it has no operations on qubits to place")
    flow = sorted(names & CONTROL_FLOW)
    if flow:
        raise CircuitError(
            f"circuit {name!r} uses control flow ({', '.join(flow)}); "
            "placement scores straight-line circuits only"
        )
    return check_size(circuit)


def translate(
    circuit: Any,
    family: tuple[str, ...],
    optimization_level: int = 3,
    seed: int = 7,
    after_each_pass: Callable[..., None] | None = None,
) -> CircuitOps:
    """``circuit`` transpiled to ``family`` on an all-to-all device, reduced to its operations
    (``after_each_pass``: see :func:`.translation.run_translation`)."""
    native = native_circuit(circuit, family, optimization_level, seed, after_each_pass)
    return circuit_ops(native, family, circuit.name)


def native_circuit(
    circuit: Any,
    family: tuple[str, ...],
    optimization_level: int = 3,
    seed: int = 7,
    after_each_pass: Callable[..., None] | None = None,
) -> Any:
    """``circuit`` in the gates of ``family`` with no coupling constraint, as
    ``transpile(circuit, basis_gates=..., optimization_level=...)`` gives it (see
    :mod:`.translation`; ``seed`` is kept for callers: without layout or routing it is unused)."""
    try:
        return run_translation(circuit, family, optimization_level, after_each_pass)
    except QpumonError:  # raised by after_each_pass
        raise
    except Exception as exc:  # TranspilerError, QiskitError, CircuitError from Qiskit
        used = sorted(
            {i.operation.name for i in circuit.data} - set(family) - {*ALWAYS_SUPPORTED, "barrier"}
        )
        reason = (
            f"no translation for {', '.join(used)}"
            if "Unable to translate" in str(exc)
            else str(exc).strip().splitlines()[0][:200].strip("'")
        )
        raise CircuitError(
            f"circuit {printable(str(circuit.name))!r} cannot be translated to the gates "
            f"{' '.join(family)}: {printable(reason)}"
        ) from exc


def circuit_ops(native: Any, family: tuple[str, ...], name: str | None = None) -> CircuitOps:
    """The operations of an already-native circuit, on its active qubits only."""
    index = {bit: i for i, bit in enumerate(native.qubits)}
    raw = [(inst.operation.name, tuple(index[q] for q in inst.qubits)) for inst in native.data]
    active = sorted({q for op, qs in raw if op not in ("barrier", "delay") for q in qs})
    compact = {q: i for i, q in enumerate(active)}
    ops = tuple(
        (op, tuple(compact[q] for q in qs if q in compact)) for op, qs in raw if op != "delay"
    )
    return CircuitOps(
        name=name or native.name,
        num_qubits=native.num_qubits,
        family=family,
        active=tuple(active),
        ops=tuple((op, qs) for op, qs in ops if qs),
    )


def unsupported_gates(ops: CircuitOps, family: Iterable[str]) -> list[str]:
    """Gates of ``ops`` outside ``family`` (the transpiler could not translate them)."""
    allowed = set(family) | {*ALWAYS_SUPPORTED, "barrier"}
    return sorted({name for name, _ in ops.ops if name not in allowed})
