"""The numbers a picture shows: one value per qubit and per coupler, with its flag state.

Pictures read the model only through this module and :mod:`qpumon.metrics`. A value is
``measured``, ``flagged`` (IBM's ``error == 1``: a failed benchmark, not a measurement) or
``missing``; flagged and missing values never enter a colour range, median or histogram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import QpumonError
from ..metrics import GATE_ERROR, GATE_LENGTH, QUBIT_METRICS, Metric, qubit_metric, qubit_values
from ..model import FAILED_GATE_ERROR, DeviceSnapshot, GateCalibration
from ..summary import median, two_qubit_gates
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
MEASURED, FLAGGED, MISSING = "measured", "flagged", "missing"


@dataclass(frozen=True, slots=True)
class Value:
    """One shown value; ``value`` is None when missing (and kept, but not coloured, if flagged)."""

    value: float | None
    flagged: bool = False

    @property
    def state(self) -> str:
        """``measured``, ``flagged`` or ``missing``."""
        if self.flagged:
            return FLAGGED
        return MISSING if self.value is None else MEASURED

    @property
    def measured(self) -> float | None:
        """The value if it is a real measurement (not flagged, not missing)."""
        return None if self.flagged else self.value


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
        """The real measurements (no flags, nothing missing)."""
        return [v.value for v in self.values if v.value is not None and not v.flagged]

    @property
    def flagged(self) -> int:
        """How many values carry the failure flag."""
        return sum(1 for v in self.values if v.flagged)

    @property
    def missing(self) -> int:
        """How many values are missing."""
        return sum(1 for v in self.values if v.value is None and not v.flagged)

    @property
    def median(self) -> float | None:
        """Median of the measured values."""
        return median(self.measured)


def coupler_values(values: Series) -> list[CouplerValue]:
    """The per-coupler values of a series made by :func:`coupler_series`."""
    return [v for v in values.values if isinstance(v, CouplerValue)]


def gate_label(snapshot: DeviceSnapshot) -> str:
    """The native entangling gate(s) as pictures name them: ``CZ``, ``ECR``, ``ECR/CX``."""
    names = snapshot.two_qubit_basis_gates
    return "/".join(g.upper() for g in names) if names else "2Q gate"


def is_error(metric: Metric) -> bool:
    """True for probabilities of failure (gate errors, readout errors): shown on a log scale."""
    return metric.unit == "" and metric.lower_is_better


def qubit_series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Per-qubit values of metric ``name`` (``t1``, ``readout``, ``sx_error``...)."""
    metric = qubit_metric(name, snapshot)
    gate_metric = metric.key not in QUBIT_METRICS
    values = tuple(
        Value(v, flagged=gate_metric and v == FAILED_GATE_ERROR)
        for v in qubit_values(snapshot, metric)
    )
    by_index = {q.index: v for q, v in zip(snapshot.qubits, values, strict=True)}
    padded = tuple(by_index.get(i, Value(None)) for i in range(snapshot.num_qubits))
    return Series(metric, metric.header, padded)


def edge_metric(name: str) -> Metric:
    """The gate quantity called ``name`` (``2q_error`` or ``length``)."""
    try:
        return EDGE_METRICS[name.lower()]
    except KeyError:
        raise QpumonError(
            f"unknown edge metric {name!r}; choose one of: {', '.join(EDGE_METRICS)}"
        ) from None


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
        present = [g.error for g in gates if g.error is not None and not g.failed]
        flagged = not present and any(g.failed for g in gates)
        value = FAILED_GATE_ERROR if flagged else _mean(present)
        return CouplerValue(value, flagged, pair, tuple(gates))
    lengths = [g.length_ns for g in gates if g.length_ns is not None]
    return CouplerValue(_mean(lengths), False, pair, tuple(gates))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def series(snapshot: DeviceSnapshot, name: str) -> Series:
    """Any metric by name: a coupler metric (``2q_error``, ``2q_length``) or a qubit metric."""
    if name.lower() in EDGE_METRICS:
        return coupler_series(snapshot, name)
    return qubit_series(snapshot, name)
