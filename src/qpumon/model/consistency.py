"""The checks every source makes on the snapshot it built, before anything else uses it.

A document can be well-formed field by field and still describe an impossible device: a coupler
to a qubit the device does not have, a gate on the same qubit twice, two entries for one qubit,
a qubit count no data backs, a resonator gate that does not reach its resonator.
:func:`check_snapshot` refuses those with one
:class:`~qpumon.errors.InputError` naming the document and what is wrong, and bounds the sizes
every consumer allocates by (qubits, names).
"""

from __future__ import annotations

from itertools import chain

from ..errors import InputError, InputTooLargeError
from . import ALL_TO_ALL, DEVICE_KEYS, GRAPH, DeviceSnapshot
from .validate import check_values

#: The most qubits qpumon accepts for one device.
MAX_QUBITS = 100_000
#: A device may claim up to this many qubits with no per-qubit data (a configuration alone);
#: beyond it, the qubit count must be backed by qubit entries, couplers or gates.
UNBACKED_QUBITS = 1024
#: The longest gate or device name (the history store keeps gate names in 40 characters).
MAX_NAME = 40
MAX_DEVICE_NAME = 200


def check_snapshot(snapshot: DeviceSnapshot, where: str) -> DeviceSnapshot:
    """``snapshot`` if it describes a possible device; an :class:`InputError` naming ``where``
    and the first inconsistency otherwise."""
    n = snapshot.num_qubits
    if n > MAX_QUBITS:
        raise InputTooLargeError(f"{where}: {n} qubits is more than qpumon accepts ({MAX_QUBITS})")
    _name(snapshot.name, where, "device name", MAX_DEVICE_NAME)
    _qubit_entries(snapshot, where)
    _edges(snapshot, where)
    _gates(snapshot, where)
    backed = max(
        len(snapshot.qubits),
        1 + max(chain.from_iterable(snapshot.coupling_edges), default=-1),
        1 + max(chain.from_iterable(g.qubits for g in snapshot.gates), default=-1),
    )
    if n > max(backed, UNBACKED_QUBITS):
        raise InputTooLargeError(
            f"{where}: n_qubits is {n} but the data describes {backed} qubits (a device of more "
            f"than {UNBACKED_QUBITS} qubits needs its qubits in the data)"
        )
    _extras(snapshot, where)
    _resonators(snapshot, where)
    check_values(snapshot, where)
    return snapshot


def _name(text: str, where: str, what: str, limit: int) -> None:
    if not text.strip():
        raise InputError(f"{where}: the {what} is empty")
    if len(text) > limit:
        raise InputError(f"{where}: the {what} is {len(text)} characters long (at most {limit})")


def _qubit_entries(snapshot: DeviceSnapshot, where: str) -> None:
    seen: set[int] = set()
    for position, qubit in enumerate(snapshot.qubits):
        if not 0 <= qubit.index < snapshot.num_qubits:
            raise InputError(
                f"{where}: qubit entry {position} is qubit {qubit.index}, outside the device's "
                f"qubits 0-{snapshot.num_qubits - 1}"
            )
        if qubit.index in seen:
            raise InputError(f"{where}: qubit {qubit.index} is described twice")
        seen.add(qubit.index)


def _edges(snapshot: DeviceSnapshot, where: str) -> None:
    n = snapshot.num_qubits
    if snapshot.connectivity not in (GRAPH, ALL_TO_ALL):
        raise InputError(
            f"{where}: connectivity {snapshot.connectivity!r} is not graph or all-to-all"
        )
    edges = snapshot.coupling_edges
    ends = list(chain.from_iterable(edges))
    if not ends or (min(ends) >= 0 and max(ends) < n and all(a != b for a, b in edges)):
        return  # the common case, checked in bulk; the loop below names what is wrong
    for a, b in edges:
        if not (0 <= a < n and 0 <= b < n):
            raise InputError(
                f"{where}: the coupler {a}-{b} joins a qubit the device does not have "
                f"(qubits 0-{n - 1})"
            )
        if a == b:
            raise InputError(f"{where}: the coupler {a}-{b} joins a qubit to itself")


def _gates(snapshot: DeviceSnapshot, where: str) -> None:
    if _gates_fine(snapshot):
        return
    n = snapshot.num_qubits
    seen: set[tuple[str, tuple[int, ...]]] = set()
    for gate in snapshot.gates:
        _name(gate.gate, where, "gate name", MAX_NAME)
        if not gate.qubits or any(not 0 <= q < n for q in gate.qubits):
            raise InputError(
                f"{where}: gate {gate.gate} on {list(gate.qubits)} acts on a qubit the device "
                f"does not have (qubits 0-{n - 1})"
            )
        if len(set(gate.qubits)) != len(gate.qubits):
            raise InputError(f"{where}: gate {gate.gate} on {list(gate.qubits)} repeats a qubit")
        key = (gate.gate, gate.qubits)
        if key in seen:
            raise InputError(f"{where}: gate {gate.gate} on {list(gate.qubits)} is listed twice")
        seen.add(key)


def _gates_fine(snapshot: DeviceSnapshot) -> bool:
    """True if every gate is well formed, checked in bulk (a large device has 60,000 gates);
    False sends :func:`_gates` through them one by one to name the first fault."""
    gates, n = snapshot.gates, snapshot.num_qubits
    if not gates:
        return True
    names = {g.gate for g in gates}
    if any(not name.strip() or len(name) > MAX_NAME for name in names):
        return False
    qubits = list(chain.from_iterable(g.qubits for g in gates))
    if not qubits or min(qubits) < 0 or max(qubits) >= n:
        return False
    multi = [g.qubits for g in gates if len(g.qubits) != 1]
    if any(not q or len(set(q)) != len(q) for q in multi):  # none, or a repeated qubit
        return False
    return len({(g.gate, g.qubits) for g in gates}) == len(gates)


def _extras(snapshot: DeviceSnapshot, where: str) -> None:
    n = snapshot.num_qubits
    if snapshot.coords is not None and len(snapshot.coords) != n:
        raise InputError(f"{where}: coords has {len(snapshot.coords)} points for {n} qubits")
    if snapshot.qubit_names and len(snapshot.qubit_names) != n:
        raise InputError(f"{where}: {len(snapshot.qubit_names)} qubit names for {n} qubits")
    for value in snapshot.device_values:
        if value.key not in DEVICE_KEYS:
            known = ", ".join(sorted(DEVICE_KEYS))
            raise InputError(f"{where}: unknown device value {value.key!r} (known: {known})")


def _resonators(snapshot: DeviceSnapshot, where: str) -> None:
    """Each resonator has a name of its own, and each of its gates acts on it (component
    ``num_qubits + k``) and otherwise on distinct qubits of the device, once per gate and
    qubits."""
    n = snapshot.num_qubits
    names = set(snapshot.qubit_names)
    for k, resonator in enumerate(snapshot.resonators):
        at = f"resonators[{k}]"
        _name(resonator.name, where, f"name of {at}", MAX_NAME)
        if resonator.name in names:
            raise InputError(f"{where}: {at} is named {resonator.name!r}, like another component")
        names.add(resonator.name)
        own = n + k
        seen: set[tuple[str, tuple[int, ...]]] = set()
        for i, gate in enumerate(resonator.gates):
            what = f"{at}.gates[{i}] ({gate.gate} on {list(gate.qubits)})"
            _name(gate.gate, where, f"gate name of {at}.gates[{i}]", MAX_NAME)
            others = [q for q in gate.qubits if q != own]
            if len(others) != len(gate.qubits) - 1:
                raise InputError(
                    f"{where}: {what} does not act on its resonator {resonator.name} "
                    f"(component {own}) exactly once"
                )
            if any(not 0 <= q < n for q in others) or len(set(others)) != len(others):
                raise InputError(
                    f"{where}: {what} must join {resonator.name} (component {own}) to distinct "
                    f"qubits of the device (qubits 0-{n - 1})"
                )
            if (gate.gate, gate.qubits) in seen:
                raise InputError(f"{where}: {what} is listed twice")
            seen.add((gate.gate, gate.qubits))
