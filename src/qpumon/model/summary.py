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

from . import (
    FAILED_GATE_ERROR,
    GRAPH,
    MEASURED,
    DeviceSnapshot,
    DeviceStatus,
    GateCalibration,
    QubitCalibration,
)
from .definitions import ASSIGNMENT, AVERAGE, SPAM, gate_to_average, to_average

#: The gate whose error stands for "the 1q error" of a device, by preference: ``sx`` on today's
#: devices, ``u2`` (one pulse, like sx) on the old u1/u2/u3 ones; ``rb`` is Amazon Braket's
#: per-qubit randomized-benchmarking error (preferred over its simultaneous one, as IBM's are
#: measured qubit by qubit); ``rx`` is Rigetti's (its RB fidelity is of the RX gates), ``prx``
#: IQM's.
ONE_QUBIT_REFERENCE_GATES = ("sx", "u2", "x", "u3", "rb", "rx", "prx")
#: The chain length IBM quotes EPLG for.
EPLG_CHAIN = 100


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    """Headline numbers of one snapshot.

    Medians come from per-qubit and per-gate values; where a source gives only device-level
    values (Quantinuum), those are the headline. ``*_definition`` says what each error median
    means (:mod:`qpumon.model.definitions`); a median never mixes definitions.
    ``device_level`` names the headline fields that are the source's one device-wide value rather
    than a median (``median_t1_us``...).

    Every value keeps its definition: ``median_1q_error``/``median_2q_error`` are in the source's
    definition; ``median_1q_error_avg``/``median_2q_error_avg`` are the same gates' errors each
    converted to an average gate infidelity (``*_avg_bound``: ``lower``/``upper`` where the
    conversion gives a bound, ``*_avg_formula`` how). The 2q numbers are the native entangler's
    (``two_qubit_gates``: CZ, ECR, CX); fractional gates (RZZ) are counted apart. Failure counts
    are in couplers (``failed_2q_couplers`` of ``native_couplers``; ``failed_2q_gates`` counts
    directed entries); a count that does not apply (no per-gate data, a vendor without IBM's
    flag, no T1/T2) is None. Qubits and gates out of service are left out of every median and
    count and counted in ``out_of_service_*``.
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
    failed_gates: int | None
    failed_2q_gates: int | None
    failed_2q_couplers: int | None
    unreliable_readouts: int | None
    t2_exceeds_twice_t1: int | None
    include_flagged: bool
    vendor: str = "ibm"
    connectivity: str = GRAPH
    provenance: str = MEASURED
    readout_definition: str | None = ASSIGNMENT
    one_qubit_definition: str | None = AVERAGE
    two_qubit_definition: str | None = AVERAGE
    device_level: frozenset[str] = frozenset()
    median_1q_error_avg: float | None = None
    median_2q_error_avg: float | None = None
    one_qubit_avg_bound: str | None = None
    two_qubit_avg_bound: str | None = None
    one_qubit_avg_formula: str | None = None
    two_qubit_avg_formula: str | None = None
    native_couplers: int = 0
    all_native_flagged: bool = False
    fractional_gates: tuple[str, ...] = ()
    fractional_couplers: int = 0
    failed_fractional_couplers: int = 0
    median_fractional_error: float | None = None
    failed_1q_qubits: int | None = None
    dead_qubits: int | None = None
    out_of_service_qubits: int = 0
    out_of_service_gates: int = 0

    @property
    def flagged(self) -> int | None:
        """Flagged qubits and couplers: failed native couplers, qubits with a failed 1q gate,
        qubits and gates out of service, unreliable readouts and T2 > 2·T1 qubits (None where
        none of these applies: no per-qubit or per-gate data)."""
        counts = (
            self.failed_2q_couplers,
            self.failed_1q_qubits,
            self.unreliable_readouts,
            self.t2_exceeds_twice_t1,
        )
        if all(c is None for c in counts):
            return None
        present = sum(c for c in counts if c is not None)
        return present + self.out_of_service_qubits + self.out_of_service_gates


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
    """Calibrations of the device's native entanglers (CZ, ECR, CX; both directions where listed;
    fractional RZZ is not one)."""
    native = set(snapshot.native_entanglers)
    return [g for g in snapshot.gates if len(g.qubits) == 2 and g.gate in native]


def fractional_gates(snapshot: DeviceSnapshot) -> list[GateCalibration]:
    """Calibrations of the fractional two-qubit gates (RZZ)."""
    fractional = set(snapshot.fractional_gates)
    return [g for g in snapshot.gates if len(g.qubits) == 2 and g.gate in fractional]


def coupler_count(gates: Iterable[GateCalibration]) -> int:
    """How many couplers (undirected qubit pairs) ``gates`` act on."""
    return len({frozenset(g.qubits) for g in gates})


def eplg(snapshot: DeviceSnapshot, chain: int = EPLG_CHAIN) -> float | None:
    """IBM's error per layered gate for a ``chain``-qubit layer, if its layer fidelity is given."""
    for lf in snapshot.layer_fidelities:
        if lf.num_qubits == chain:
            return lf.eplg
    return None


def summarize(snapshot: DeviceSnapshot, include_flagged: bool = False) -> DeviceSummary:
    """The headline numbers of ``snapshot``. Qubits and gates out of service are left out of
    every median and count of measured values (and counted apart); IBM's ``error == 1`` flags
    too, unless ``include_flagged``."""
    off = snapshot.out_of_service_qubits
    qubits = [q for q in snapshot.qubits if q.index not in off]
    in_service = [g for g in snapshot.gates if not snapshot.out_of_service(g)]
    reference = one_qubit_reference_gate(snapshot)
    entanglers = [g for g in two_qubit_gates(snapshot) if not snapshot.out_of_service(g)]
    fractional = [g for g in fractional_gates(snapshot) if not snapshot.out_of_service(g)]
    one_qubit = [g for g in in_service if g.gate == reference and len(g.qubits) == 1]
    t1 = _per_qubit_or_device(snapshot, "t1_us", [q.t1_us for q in qubits])
    t2 = _per_qubit_or_device(snapshot, "t2_us", [q.t2_us for q in qubits])
    readout = _readout(snapshot, qubits)
    one_q = _gate_median(snapshot, one_qubit, "1q_error", include_flagged)
    two_q = _gate_median(snapshot, entanglers, "2q_error", include_flagged)
    failed_entanglers = [g for g in entanglers if g.failed]
    per_qubit = _per_qubit_flags(snapshot, qubits, in_service)
    headline = {
        "median_t1_us": t1,
        "median_t2_us": t2,
        "median_readout_error": readout,
        "median_1q_error": one_q,
        "median_2q_error": two_q,
    }
    # IBM's error = 1 flag is IBM's: other vendors' data has nothing to count
    has_gates = bool(snapshot.gates) and snapshot.vendor == "ibm"
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
        two_qubit_gates=snapshot.native_entanglers,
        median_2q_error=two_q.value,
        eplg_100=eplg(snapshot),
        failed_gates=sum(1 for g in in_service if g.failed) if has_gates else None,
        failed_2q_gates=len(failed_entanglers) if has_gates else None,
        failed_2q_couplers=coupler_count(failed_entanglers) if has_gates else None,
        unreliable_readouts=per_qubit.unreliable_readouts,
        t2_exceeds_twice_t1=per_qubit.t2_exceeds_twice_t1,
        include_flagged=include_flagged,
        vendor=snapshot.vendor,
        connectivity=snapshot.connectivity,
        provenance=snapshot.provenance,
        readout_definition=readout.definition,
        one_qubit_definition=one_q.definition,
        two_qubit_definition=two_q.definition,
        device_level=frozenset(key for key, found in headline.items() if found.device_level),
        median_1q_error_avg=one_q.average,
        median_2q_error_avg=two_q.average,
        one_qubit_avg_bound=one_q.bound,
        two_qubit_avg_bound=two_q.bound,
        one_qubit_avg_formula=one_q.formula,
        two_qubit_avg_formula=two_q.formula,
        native_couplers=coupler_count(entanglers),
        all_native_flagged=bool(entanglers) and all(g.failed for g in entanglers),
        fractional_gates=snapshot.fractional_gates,
        fractional_couplers=coupler_count(fractional),
        failed_fractional_couplers=coupler_count(g for g in fractional if g.failed),
        median_fractional_error=median(gate_errors(fractional, include_flagged)),
        failed_1q_qubits=per_qubit.failed_1q_qubits,
        dead_qubits=per_qubit.dead_qubits,
        out_of_service_qubits=len(off),
        out_of_service_gates=sum(1 for g in snapshot.gates if not g.operational),
    )


class _QubitFlags(NamedTuple):
    """Counts of flagged qubits (None where the data has nothing to flag)."""

    unreliable_readouts: int | None
    t2_exceeds_twice_t1: int | None
    failed_1q_qubits: int | None
    dead_qubits: int | None


def _per_qubit_flags(
    snapshot: DeviceSnapshot, qubits: list[QubitCalibration], gates: list[GateCalibration]
) -> _QubitFlags:
    """Readouts no better than chance, T2 > 2·T1, qubits with a failed 1q gate and dead qubits
    (every benchmarked 1q gate failed) among the qubits in service."""
    one_qubit = benchmarked_gates(gates)
    has_readout = any(q.readout_error is not None for q in qubits)
    has_both = any(q.t1_us is not None and q.t2_us is not None for q in qubits)
    return _QubitFlags(
        sum(1 for q in qubits if q.readout_unreliable) if has_readout else None,
        sum(1 for q in qubits if q.t2_exceeds_twice_t1) if has_both else None,
        sum(1 for gs in one_qubit.values() if any(g.failed for g in gs)) if one_qubit else None,
        sum(1 for gs in one_qubit.values() if all(g.failed for g in gs)) if one_qubit else None,
    )


#: Single-qubit operations whose error is no benchmark of the qubit's gates: a virtual Z rotation
#: (IBM's ``rz``: error 0 and length 0, by construction), the readout, the reset and a delay.
NOT_BENCHMARKED = frozenset({"rz", "u1", "measure", "reset", "delay"})


def benchmarked_gates(gates: Iterable[GateCalibration]) -> dict[int, list[GateCalibration]]:
    """Qubit -> its benchmarked single-qubit gates (with an error; not :data:`NOT_BENCHMARKED`)."""
    found: dict[int, list[GateCalibration]] = {}
    for g in gates:
        if len(g.qubits) == 1 and g.error is not None and g.gate not in NOT_BENCHMARKED:
            found.setdefault(g.qubits[0], []).append(g)
    return found


def dead_qubits(snapshot: DeviceSnapshot) -> frozenset[int]:
    """Qubits in service that cannot be used: every benchmarked single-qubit gate on them
    carries IBM's failure flag (fake_nighthawk's Q85: ``id``, ``sx`` and ``x``). Qubits out of
    service are :attr:`~qpumon.model.DeviceSnapshot.out_of_service_qubits`, not counted here."""
    failed = {q for q, gs in benchmarked_gates(snapshot.gates).items() if all(g.failed for g in gs)}
    return frozenset(failed - snapshot.out_of_service_qubits)


class _Headline(NamedTuple):
    """A headline number, its definition, whether it is the device's one value, and (for an
    error) the same as an average gate infidelity with the bound that conversion gives."""

    value: float | None
    definition: str | None = None
    device_level: bool = False
    average: float | None = None
    bound: str | None = None
    formula: str | None = None


def _device(
    snapshot: DeviceSnapshot, key: str, definition: str | None = None, arity: int = 0
) -> _Headline:
    found = snapshot.device_value(key)
    if found is None:
        return _Headline(None)
    meaning = found.definition or definition
    converted = to_average(found.value, meaning, arity) if arity and meaning else None
    if converted is None:
        return _Headline(found.value, meaning, True)
    return _Headline(
        found.value, meaning, True, converted.value, converted.bound, converted.formula
    )


def _per_qubit_or_device(
    snapshot: DeviceSnapshot, key: str, values: list[float | None]
) -> _Headline:
    found = median(values)
    return _device(snapshot, key) if found is None else _Headline(found)


def _readout(snapshot: DeviceSnapshot, qubits: list[QubitCalibration]) -> _Headline:
    """The median readout (assignment) error of ``qubits``, else the device's readout or SPAM
    error."""
    found = median(q.readout_error for q in qubits)
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
    another definition are left out rather than mixed in), and the median of the same gates'
    errors each converted to an average gate infidelity; else the device-level ``key``."""
    measured = [g for g in gates if g.error is not None]
    if not measured:
        return _device(snapshot, key, arity=int(key[0]))
    definitions = [g.definition for g in measured]
    chosen = max(dict.fromkeys(definitions), key=definitions.count)
    same = [g for g in measured if g.definition == chosen and (include_flagged or not g.failed)]
    value = median(g.error for g in same)
    if chosen == AVERAGE:
        return _Headline(value, chosen, average=value)
    converted = [c for g in same if (c := gate_to_average(snapshot, g)) is not None]
    if not converted:
        return _Headline(value, chosen)
    # One gate without T1/T2 makes the whole median a bound; its formula is the one shown.
    shown = next((c for c in converted if c.bound is not None), converted[0])
    average = median(c.value for c in converted)
    return _Headline(value, chosen, False, average, shown.bound, shown.formula)
