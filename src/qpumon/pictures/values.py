"""The numbers a picture shows: one value per qubit and per coupler, with its flag state.

Pictures read the model only through this module and :mod:`qpumon.model.metrics`. A value is
``measured``, ``off`` (the vendor has taken the qubit or gate out of service: IBM's
``operational = 0``), ``flagged`` (IBM's ``error == 1``: a failed benchmark, not a measurement)
or ``missing``; off, flagged and missing values never enter a colour range, median or histogram.
A NaN (from a Python caller) is missing; a magnitude outside :data:`DRAWABLE` (T1 = 1e308, inf,
an error of 1e-300) is ``beyond``: kept for the record but drawn and counted like a missing one,
since no matplotlib axis or colour scale can hold it.

Apart from its state, a qubit's value can be ``dead``: the qubit is in service but every
benchmarked single-qubit gate on it failed, so it cannot be used, whatever its T1 or readout.
Labels name the definition of an error that is not an average gate infidelity (Google's
``CZ error (XEB per cycle)``, IQM's ``CZ error (depolarizing parameter λ)``): a picture shows
the vendor's numbers as the vendor defines them, never converted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import UsageError
from ..model import FAILED_GATE_ERROR, DeviceSnapshot, GateCalibration
from ..model.definitions import AVERAGE, DEFINITIONS, DEPOLARIZING
from ..model.metrics import (
    GATE_ERROR,
    GATE_LENGTH,
    QUBIT_METRICS,
    Metric,
    qubit_metric,
    qubit_values,
)
from ..model.summary import dead_qubits, summarize, two_qubit_gates
from ..util.words import count
from .layout import couplers

#: ``--edge-metric`` names -> the gate quantity.
EDGE_METRICS: dict[str, Metric] = {
    "2q_error": GATE_ERROR,
    "error": GATE_ERROR,
    "2q_length": GATE_LENGTH,
    "length": GATE_LENGTH,
    "length_ns": GATE_LENGTH,
}
#: The state of one value.
MEASURED, OFF, FLAGGED, MISSING, BEYOND = "measured", "off", "flagged", "missing", "beyond"
#: Magnitudes that can be drawn (besides 0): matplotlib's axis limits, margins and ticks overflow
#: near the largest float, and its colour bars take a range near the smallest for a single value.
DRAWABLE = (1e-280, 1e300)
#: How a picture names that range.
DRAWABLE_TEXT = "outside 1e-280 to 1e300"
#: How a picture names a definition: the definition's name, with its symbol where it has one.
_SYMBOLS = {DEPOLARIZING: " λ"}


@dataclass(frozen=True, slots=True)
class Value:
    """One shown value; ``value`` is None when missing (and kept, but not coloured, if out of
    service, flagged or outside :data:`DRAWABLE`). ``dead`` marks a qubit in service that cannot
    be used (every benchmarked 1q gate failed), whatever the state of this value."""

    value: float | None
    flagged: bool = False
    beyond: bool = False
    off: bool = False
    dead: bool = False

    @property
    def state(self) -> str:
        """``measured``, ``off``, ``flagged``, ``missing`` or ``beyond``."""
        if self.off:
            return OFF
        if self.flagged:
            return FLAGGED
        if self.beyond:
            return BEYOND
        return MISSING if self.value is None else MEASURED

    @property
    def measured(self) -> float | None:
        """The value if it is a real, drawable measurement."""
        return self.value if self.state == MEASURED else None


def value_of(
    raw: float | None, flagged: bool = False, *, off: bool = False, dead: bool = False
) -> Value:
    """The shown value of ``raw``: NaN is missing, a magnitude outside :data:`DRAWABLE` is
    ``beyond``; ``off`` (out of service) comes before ``flagged``."""
    if raw is None or math.isnan(raw):
        return Value(None, flagged, off=off, dead=dead)
    low, high = DRAWABLE
    beyond = raw != 0 and not low <= abs(raw) <= high
    return Value(raw, flagged, beyond=not (flagged or off) and beyond, off=off, dead=dead)


@dataclass(frozen=True, slots=True)
class CouplerValue(Value):
    """A coupler's value: the mean of its usable directions; ``gates`` lists every direction.
    ``some_failed`` says a direction in service carries IBM's failure flag, ``some_off`` that a
    direction is out of service (while the coupler may keep a measured one)."""

    qubits: tuple[int, int] = (0, 0)
    gates: tuple[GateCalibration, ...] = field(default=())
    some_failed: bool = False
    some_off: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    """A metric's values over a device: what a map colours and a histogram counts."""

    metric: Metric
    label: str  # e.g. "CZ error", "CZ error (XEB per cycle)", "T1 (µs)"
    values: tuple[Value, ...]
    #: What the errors are (:func:`definition_name`): ``average`` (named in ``label`` only when
    #: it is not), ``XEB per cycle``...; empty for a quantity that is not a gate error.
    definition: str = ""

    @property
    def base(self) -> str:
        """The label without its definition: ``CZ error``."""
        return self.label.removesuffix(f" ({self.definition})")

    @property
    def measured(self) -> list[float]:
        """The real, drawable measurements (nothing out of service, flagged, missing or beyond
        the limit)."""
        return [v.value for v in self.values if v.value is not None and v.state == MEASURED]

    @property
    def off(self) -> int:
        """How many values are out of service."""
        return sum(1 for v in self.values if v.state == OFF)

    @property
    def flagged(self) -> int:
        """How many values carry the failure flag (and are in service)."""
        return sum(1 for v in self.values if v.state == FLAGGED)

    @property
    def missing(self) -> int:
        """How many values are missing."""
        return sum(1 for v in self.values if v.state == MISSING)

    @property
    def beyond(self) -> int:
        """How many values lie outside :data:`DRAWABLE` (not drawn)."""
        return sum(1 for v in self.values if v.state == BEYOND)

    @property
    def dead(self) -> int:
        """How many values belong to a dead qubit (in service, every 1q gate failed)."""
        return sum(1 for v in self.values if v.dead)

    @property
    def median(self) -> float | None:
        """Median of the measured values (without overflow: the median of 1e308 and 1e308 is
        1e308)."""
        ordered = sorted(self.measured)
        if not ordered:
            return None
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return ordered[middle - 1] / 2 + ordered[middle] / 2


def coupler_values(values: Series) -> list[CouplerValue]:
    """The per-coupler values of a series made by :func:`coupler_series`."""
    return [v for v in values.values if isinstance(v, CouplerValue)]


def gate_label(snapshot: DeviceSnapshot) -> str:
    """The native entangling gate(s) as pictures name them: ``CZ``, ``ECR``, ``ECR/CX`` (a
    fractional RZZ is never one)."""
    names = snapshot.native_entanglers
    return "/".join(g.upper() for g in names) if names else "2Q gate"


def definition_name(gates: Iterable[GateCalibration]) -> str:
    """What the errors of ``gates`` are, as a picture names it: ``average``, ``XEB per
    cycle``, ``depolarizing parameter λ`` (every definition, joined by `` / ``, where they
    differ); empty when no gate has an error."""
    found = dict.fromkeys(g.definition for g in gates if g.error is not None)
    return " / ".join(_definition_name(d) for d in found)


def _labelled(base: str, definition: str) -> str:
    """``CZ error (XEB per cycle)``; just ``CZ error`` for an average gate infidelity."""
    return base if definition in ("", _definition_name(AVERAGE)) else f"{base} ({definition})"


def _definition_name(definition: str) -> str:
    known = DEFINITIONS.get(definition)
    name = definition if known is None else known.name
    return name + _SYMBOLS.get(definition, "")


def qubit_series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Per-qubit values of metric ``name`` (``t1``, ``readout``, ``sx_error``...): a qubit out of
    service, or whose gate of a gate metric is, is ``off``; a dead qubit is marked ``dead``."""
    metric = qubit_metric(name, snapshot)
    gate_metric = metric.key not in QUBIT_METRICS
    off_qubits = snapshot.out_of_service_qubits
    dead = dead_qubits(snapshot)
    gate = metric.gate
    gates = [snapshot.gate(gate, (q.index,)) for q in snapshot.qubits] if gate else []
    raw = qubit_values(snapshot, metric)
    values = tuple(
        value_of(
            v,
            flagged=gate_metric and v == FAILED_GATE_ERROR,
            off=q.index in off_qubits or bool(gates and _off(gates[k])),
            dead=q.index in dead,
        )
        for k, (q, v) in enumerate(zip(snapshot.qubits, raw, strict=True))
    )
    by_index = {q.index: v for q, v in zip(snapshot.qubits, values, strict=True)}
    # a qubit the calibration does not list is missing (or off, if the source says so)
    padded = tuple(
        by_index.get(i, Value(None, off=i in off_qubits)) for i in range(snapshot.num_qubits)
    )
    definition = definition_name(g for g in gates if g is not None)
    return Series(metric, _labelled(metric.header, definition), padded, definition)


def _off(gate: GateCalibration | None) -> bool:
    return gate is not None and not gate.operational


def edge_metric(name: str) -> Metric:
    """The gate quantity called ``name`` (``2q_error`` or ``length``)."""
    try:
        return EDGE_METRICS[name.lower()]
    except KeyError as exc:
        raise UsageError(
            f"unknown edge metric {name!r}; choose one of: {', '.join(EDGE_METRICS)}"
        ) from exc


def coupler_series(snapshot: DeviceSnapshot, name: str = "2q_error") -> Series:
    """One value per undirected coupler of the native entangling gate(s): ``off`` when every
    direction is out of service (itself, or on a qubit that is)."""
    metric = edge_metric(name)
    by_pair: dict[tuple[int, int], list[GateCalibration]] = {}
    entanglers = two_qubit_gates(snapshot)
    for gate in entanglers:
        a, b = gate.qubits
        by_pair.setdefault((min(a, b), max(a, b)), []).append(gate)
    values = tuple(
        _coupler(snapshot, pair, by_pair.get(pair, []), metric) for pair in couplers(snapshot)
    )
    unit = f" ({metric.unit})" if metric.unit else ""
    label = f"{gate_label(snapshot)} {metric.label.lower()}{unit}"
    definition = definition_name(entanglers) if metric is GATE_ERROR else ""
    return Series(metric, _labelled(label, definition), values, definition)


def _coupler(
    snapshot: DeviceSnapshot,
    pair: tuple[int, int],
    gates: Sequence[GateCalibration],
    metric: Metric,
) -> CouplerValue:
    in_service = [g for g in gates if not snapshot.out_of_service(g)]
    off = bool(gates) and not in_service
    some_failed = any(g.failed for g in in_service)
    some_off = len(in_service) < len(gates)
    if off:
        value = Value(None, off=True)
    elif metric is GATE_ERROR:
        present = [e for g in in_service if not g.failed and (e := _number(g.error)) is not None]
        flagged = not present and some_failed
        value = value_of(FAILED_GATE_ERROR if flagged else _mean(present), flagged)
    else:
        value = value_of(_mean([v for g in in_service if (v := _number(g.length_ns)) is not None]))
    return CouplerValue(
        value.value,
        value.flagged,
        value.beyond,
        value.off,
        qubits=pair,
        gates=tuple(gates),
        some_failed=some_failed,
        some_off=some_off,
    )


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _mean(values: Sequence[float]) -> float | None:
    """The mean, without overflow (the mean of 1e308 and 1e308 is 1e308)."""
    if not values:
        return None
    if not all(map(math.isfinite, values)):
        return math.inf
    return math.fsum(v / len(values) for v in values)


def partly_flagged(values: Series) -> int:
    """Couplers with a failed direction (error = 1) that keep a measured one (drawn measured)."""
    return sum(1 for v in coupler_values(values) if v.state == MEASURED and v.some_failed)


def partly_off(values: Series) -> int:
    """Couplers with a direction out of service that keep a measured one (drawn measured)."""
    return sum(1 for v in coupler_values(values) if v.state == MEASURED and v.some_off)


def kept_words(partly: int) -> str:
    """``2 of these couplers keep a measured direction`` (after :func:`flagged_words`)."""
    return f"{partly} of these couplers {'keeps' if partly == 1 else 'keep'} a measured direction"


def flagged_words(snapshot: DeviceSnapshot, values: Series) -> str:
    """How many values of ``values`` carry IBM's failure flag, in the words ``monitor`` uses:
    ``7 CZ couplers`` for the native entangler, ``3 qubits`` for a qubit metric; empty when
    none."""
    if values.metric is GATE_ERROR:
        failed = summarize(snapshot).failed_2q_couplers
        return count(failed, f"{gate_label(snapshot)} coupler") if failed else ""
    return count(values.flagged, "qubit") if values.flagged else ""


def off_words(snapshot: DeviceSnapshot, qubits: Series | None, edges: Series | None) -> str:
    """``1 qubit / 4 CZ couplers``: what is drawn out of service; empty when nothing is."""
    parts = []
    if qubits is not None and qubits.off:
        parts.append(count(qubits.off, "qubit"))
    if edges is not None and edges.off:
        parts.append(count(edges.off, f"{gate_label(snapshot)} coupler"))
    return " / ".join(parts)


def series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Any metric by name: a coupler metric (``2q_error``, ``2q_length``) or a qubit metric."""
    if name.lower() in EDGE_METRICS:
        return coupler_series(snapshot, name)
    return qubit_series(snapshot, name)
