"""A device's headline numbers: medians and counts of flagged values.

Medians leave out IBM's ``error == 1`` flags (failed benchmarks, not measurements) unless asked;
everything missing is simply absent from a median, never counted as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from .definitions import ASSIGNMENT, AVERAGE, SPAM
from .model import (
    FAILED_GATE_ERROR,
    GRAPH,
    MEASURED,
    DeviceSnapshot,
    DeviceStatus,
    GateCalibration,
)

#: The gate whose error stands for "the 1q error" of a device, by preference: ``sx`` on today's
#: devices, ``u2`` (one pulse, like sx) on the old u1/u2/u3 ones; ``rb`` is Amazon Braket's
#: per-qubit randomized-benchmarking error (preferred over its simultaneous one, as IBM's are
#: measured qubit by qubit).
ONE_QUBIT_REFERENCE_GATES = ("sx", "u2", "x", "u3", "rb")
#: The chain length IBM quotes EPLG for.
EPLG_CHAIN = 100


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    """Headline numbers of one snapshot.

    Medians come from per-qubit and per-gate values; where a source gives only device-level
    values (Quantinuum), those are the headline. ``*_definition`` says what each error median
    means (:mod:`qpumon.definitions`); a median never mixes definitions. ``device_level`` names
    the headline fields that are the source's one device-wide value rather than a median
    (``median_t1_us``...).
    """

    name: str
    num_qubits: int
    processor: str | None
    status: DeviceStatus | None
    calibrated_at: datetime | None
    source: str
    has_calibration: bool
    median_t1_us: float | None
    median_t2_us: float | None
    mean_t1_us: float | None
    mean_t2_us: float | None
    median_readout_error: float | None
    one_qubit_gate: str | None
    median_1q_error: float | None
    two_qubit_gates: tuple[str, ...]
    median_2q_error: float | None
    eplg_100: float | None
    failed_gates: int
    failed_2q_gates: int
    failed_2q_couplers: int
    unreliable_readouts: int
    t2_exceeds_twice_t1: int
    include_flagged: bool
    vendor: str = "ibm"
    connectivity: str = GRAPH
    provenance: str = MEASURED
    readout_definition: str | None = ASSIGNMENT
    one_qubit_definition: str | None = AVERAGE
    two_qubit_definition: str | None = AVERAGE
    device_level: frozenset[str] = frozenset()

    @property
    def flagged(self) -> int:
        """All flagged values: failed gates, unreliable readouts and T2 > 2·T1 qubits."""
        return self.failed_gates + self.unreliable_readouts + self.t2_exceeds_twice_t1


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 qubit``, ``2 qubits``, ``0 qubits``: a count with its noun agreeing."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def entries_on_couplers(entries: int, couplers: int, gates: str) -> str:
    """How every output counts two-qubit gate entries: ``14 CZ entries on 7 couplers`` (a device
    that lists both directions has two entries per coupler)."""
    return f"{count(entries, f'{gates} entry', f'{gates} entries')} on {count(couplers, 'coupler')}"


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are present; None if there are none.

    (``statistics.median`` computes the same; importing ``statistics`` pulls in ``fractions``
    and ``decimal``, which cost every ``qpumon monitor`` more than computing it here.)
    """
    present = sorted(x for x in values if x is not None)
    if not present:
        return None
    middle = len(present) // 2
    if len(present) % 2:
        return present[middle]
    return present[middle - 1] / 2 + present[middle] / 2  # halves first: no overflow at 1e308


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are present; None if there are none."""
    present = [x for x in values if x is not None]
    if not present:
        return None
    # fsum: exactly rounded on every Python (3.12's sum() compensates, 3.11's does not), and
    # each term divided first so that values near the float maximum cannot overflow.
    return math.fsum(x / len(present) for x in present)


def gate_errors(gates: Iterable[GateCalibration], include_flagged: bool = False) -> list[float]:
    """The errors of ``gates`` that exist, without IBM's failure flags unless asked."""
    if include_flagged:
        return [g.error for g in gates if g.error is not None]
    return [g.error for g in gates if g.error is not None and g.error != FAILED_GATE_ERROR]


def one_qubit_reference_gate(snapshot: DeviceSnapshot) -> str | None:
    """The single-qubit gate whose error summarises the device (see ONE_QUBIT_REFERENCE_GATES;
    on a device with none of them, its one calibrated single-qubit gate, such as IQM's prx)."""
    present = dict.fromkeys(
        g.gate for g in snapshot.gates if len(g.qubits) == 1 and g.error is not None
    )
    found = next((name for name in ONE_QUBIT_REFERENCE_GATES if name in present), None)
    if found is None and len(present) == 1:
        return next(iter(present))
    return found


def two_qubit_gates(snapshot: DeviceSnapshot) -> list[GateCalibration]:
    """Calibrations of the device's native entangling gates (both directions where listed)."""
    native = set(snapshot.two_qubit_basis_gates)
    return [g for g in snapshot.gates if len(g.qubits) == 2 and g.gate in native]


def eplg(snapshot: DeviceSnapshot, chain: int = EPLG_CHAIN) -> float | None:
    """IBM's error per layered gate for a ``chain``-qubit layer, if its layer fidelity is given."""
    for lf in snapshot.layer_fidelities:
        if lf.num_qubits == chain:
            return lf.eplg
    return None


def summarize(snapshot: DeviceSnapshot, include_flagged: bool = False) -> DeviceSummary:
    """The headline numbers of ``snapshot``."""
    qubits = snapshot.qubits
    reference = one_qubit_reference_gate(snapshot)
    entanglers = two_qubit_gates(snapshot)
    one_qubit = [g for g in snapshot.gates if g.gate == reference and len(g.qubits) == 1]
    t1 = _per_qubit_or_device(snapshot, "t1_us", [q.t1_us for q in qubits])
    t2 = _per_qubit_or_device(snapshot, "t2_us", [q.t2_us for q in qubits])
    readout = _readout(snapshot)
    one_q = _gate_median(snapshot, one_qubit, "1q_error", include_flagged)
    two_q = _gate_median(snapshot, entanglers, "2q_error", include_flagged)
    failed_entanglers = [g for g in entanglers if g.error == FAILED_GATE_ERROR]
    headline = {
        "median_t1_us": t1,
        "median_t2_us": t2,
        "median_readout_error": readout,
        "median_1q_error": one_q,
        "median_2q_error": two_q,
    }
    return DeviceSummary(
        name=snapshot.name,
        num_qubits=snapshot.num_qubits,
        processor=snapshot.processor,
        status=snapshot.status,
        calibrated_at=snapshot.calibrated_at,
        source=snapshot.source,
        has_calibration=snapshot.has_calibration,
        median_t1_us=t1.value,
        median_t2_us=t2.value,
        mean_t1_us=mean(q.t1_us for q in qubits) if qubits else t1.value,
        mean_t2_us=mean(q.t2_us for q in qubits) if qubits else t2.value,
        median_readout_error=readout.value,
        one_qubit_gate=reference,
        median_1q_error=one_q.value,
        two_qubit_gates=snapshot.two_qubit_basis_gates,
        median_2q_error=two_q.value,
        eplg_100=eplg(snapshot),
        failed_gates=len(snapshot.failed_gates),
        failed_2q_gates=len(failed_entanglers),
        failed_2q_couplers=len({frozenset(g.qubits) for g in failed_entanglers}),
        unreliable_readouts=sum(1 for q in qubits if q.readout_unreliable),
        t2_exceeds_twice_t1=sum(1 for q in qubits if q.t2_exceeds_twice_t1),
        include_flagged=include_flagged,
        vendor=snapshot.vendor,
        connectivity=snapshot.connectivity,
        provenance=snapshot.provenance,
        readout_definition=readout.definition,
        one_qubit_definition=one_q.definition,
        two_qubit_definition=two_q.definition,
        device_level=frozenset(key for key, found in headline.items() if found.device_level),
    )


class _Headline(NamedTuple):
    """A headline number, its definition, and whether it is the device's one value."""

    value: float | None
    definition: str | None = None
    device_level: bool = False


def _device(snapshot: DeviceSnapshot, key: str, definition: str | None = None) -> _Headline:
    found = snapshot.device_value(key)
    if found is None:
        return _Headline(None)
    return _Headline(found.value, found.definition or definition, True)


def _per_qubit_or_device(
    snapshot: DeviceSnapshot, key: str, values: list[float | None]
) -> _Headline:
    found = median(values)
    return _device(snapshot, key) if found is None else _Headline(found)


def _readout(snapshot: DeviceSnapshot) -> _Headline:
    """The median readout (assignment) error, else the device's readout or SPAM error."""
    found = median(q.readout_error for q in snapshot.qubits)
    if found is not None:
        return _Headline(found, ASSIGNMENT)
    for key, definition in (("readout_error", ASSIGNMENT), ("spam_error", SPAM)):
        device = _device(snapshot, key, definition)
        if device.value is not None:
            return device
    return _Headline(None)


def _gate_median(
    snapshot: DeviceSnapshot, gates: list[GateCalibration], key: str, include_flagged: bool
) -> _Headline:
    """The median error of ``gates`` and its definition (the gates' most common one; gates of
    another definition are left out rather than mixed in), else the device-level ``key``."""
    measured = [g for g in gates if g.error is not None]
    if measured:
        definitions = [g.definition for g in measured]
        chosen = max(dict.fromkeys(definitions), key=definitions.count)
        same = [g for g in measured if g.definition == chosen]
        return _Headline(median(gate_errors(same, include_flagged)), chosen)
    return _device(snapshot, key)
