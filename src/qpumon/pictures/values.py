"""The numbers a picture shows: one value per qubit and per coupler, with its flag state.

Pictures read the model only through this module and :mod:`qpumon.metrics`. A value is
``measured``, ``flagged`` (IBM's ``error == 1``: a failed benchmark, not a measurement) or
``missing``; flagged and missing values never enter a colour range, median or histogram. A NaN
(from a Python caller) is missing; a magnitude outside :data:`DRAWABLE` (T1 = 1e308, inf, an
error of 1e-300) is ``beyond``: kept for the record but drawn and counted like a missing one,
since no matplotlib axis or colour scale can hold it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import UsageError
from ..metrics import GATE_ERROR, GATE_LENGTH, QUBIT_METRICS, Metric, qubit_metric, qubit_values
from ..model import FAILED_GATE_ERROR, DeviceSnapshot, GateCalibration
from ..summary import count, summarize, two_qubit_gates
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
MEASURED, FLAGGED, MISSING, BEYOND = "measured", "flagged", "missing", "beyond"
#: Magnitudes that can be drawn (besides 0): matplotlib's axis limits, margins and ticks overflow
#: near the largest float, and its colour bars take a range near the smallest for a single value.
DRAWABLE = (1e-280, 1e300)
#: How a picture names that range.
DRAWABLE_TEXT = "outside 1e-280 to 1e300"


@dataclass(frozen=True, slots=True)
class Value:
    """One shown value; ``value`` is None when missing (and kept, but not coloured, if flagged
    or outside :data:`DRAWABLE`)."""

    value: float | None
    flagged: bool = False
    beyond: bool = False

    @property
    def state(self) -> str:
        """``measured``, ``flagged``, ``missing`` or ``beyond``."""
        if self.flagged:
            return FLAGGED
        if self.beyond:
            return BEYOND
        return MISSING if self.value is None else MEASURED

    @property
    def measured(self) -> float | None:
        """The value if it is a real, drawable measurement."""
        return self.value if self.state == MEASURED else None


def value_of(raw: float | None, flagged: bool = False) -> Value:
    """The shown value of ``raw``: NaN is missing, a magnitude outside :data:`DRAWABLE` is
    ``beyond``."""
    if raw is None or math.isnan(raw):
        return Value(None, flagged)
    low, high = DRAWABLE
    beyond = raw != 0 and not low <= abs(raw) <= high
    return Value(raw, flagged, beyond=not flagged and beyond)


@dataclass(frozen=True, slots=True)
class CouplerValue(Value):
    """A coupler's value: the mean of its unflagged directions; ``gates`` lists every direction."""

    qubits: tuple[int, int] = (0, 0)
    gates: tuple[GateCalibration, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Series:
    """A metric's values over a device: what a map colours and a histogram counts."""

    metric: Metric
    label: str  # e.g. "CZ error", "T1 (µs)"
    values: tuple[Value, ...]

    @property
    def measured(self) -> list[float]:
        """The real, drawable measurements (no flags, nothing missing or beyond the limit)."""
        return [v.value for v in self.values if v.value is not None and v.state == MEASURED]

    @property
    def flagged(self) -> int:
        """How many values carry the failure flag."""
        return sum(1 for v in self.values if v.flagged)

    @property
    def missing(self) -> int:
        """How many values are missing."""
        return sum(1 for v in self.values if v.state == MISSING)

    @property
    def beyond(self) -> int:
        """How many values lie outside :data:`DRAWABLE` (not drawn)."""
        return sum(1 for v in self.values if v.state == BEYOND)

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
    """The native entangling gate(s) as pictures name them: ``CZ``, ``ECR``, ``ECR/CX``."""
    names = snapshot.two_qubit_basis_gates
    return "/".join(g.upper() for g in names) if names else "2Q gate"


def qubit_series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Per-qubit values of metric ``name`` (``t1``, ``readout``, ``sx_error``...)."""
    metric = qubit_metric(name, snapshot)
    gate_metric = metric.key not in QUBIT_METRICS
    values = tuple(
        value_of(v, flagged=gate_metric and v == FAILED_GATE_ERROR)
        for v in qubit_values(snapshot, metric)
    )
    by_index = {q.index: v for q, v in zip(snapshot.qubits, values, strict=True)}
    # a qubit the calibration does not list is missing
    padded = tuple(by_index.get(i, Value(None)) for i in range(snapshot.num_qubits))
    return Series(metric, metric.header, padded)


def edge_metric(name: str) -> Metric:
    """The gate quantity called ``name`` (``2q_error`` or ``length``)."""
    try:
        return EDGE_METRICS[name.lower()]
    except KeyError as exc:
        raise UsageError(
            f"unknown edge metric {name!r}; choose one of: {', '.join(EDGE_METRICS)}"
        ) from exc


def coupler_series(snapshot: DeviceSnapshot, name: str = "2q_error") -> Series:
    """One value per undirected coupler of the native entangling gate(s)."""
    metric = edge_metric(name)
    by_pair: dict[tuple[int, int], list[GateCalibration]] = {}
    for gate in two_qubit_gates(snapshot):
        a, b = gate.qubits
        by_pair.setdefault((min(a, b), max(a, b)), []).append(gate)
    values = tuple(_coupler(pair, by_pair.get(pair, []), metric) for pair in couplers(snapshot))
    unit = f" ({metric.unit})" if metric.unit else ""
    return Series(metric, f"{gate_label(snapshot)} {metric.label.lower()}{unit}", values)


def _coupler(
    pair: tuple[int, int], gates: Sequence[GateCalibration], metric: Metric
) -> CouplerValue:
    if metric is GATE_ERROR:
        present = [e for g in gates if not g.failed and (e := _number(g.error)) is not None]
        flagged = not present and any(g.failed for g in gates)
        value = value_of(FAILED_GATE_ERROR if flagged else _mean(present), flagged)
    else:
        value = value_of(_mean([v for g in gates if (v := _number(g.length_ns)) is not None]))
    return CouplerValue(value.value, value.flagged, value.beyond, pair, tuple(gates))


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
    return sum(
        1 for v in coupler_values(values) if v.state == MEASURED and any(g.failed for g in v.gates)
    )


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


def series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Any metric by name: a coupler metric (``2q_error``, ``2q_length``) or a qubit metric."""
    if name.lower() in EDGE_METRICS:
        return coupler_series(snapshot, name)
    return qubit_series(snapshot, name)
