"""The metric registry: one place that says what each calibration quantity is called, its unit,
whether lower is better, and how to read it from the model.

Table headers, sort directions, colour scales, drift thresholds and exporter names all come from
here, so a metric means the same thing in every report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .errors import QpumonError
from .model import DeviceSnapshot, QubitCalibration


@dataclass(frozen=True, slots=True)
class Metric:
    """A calibration quantity: ``key`` is its stable name (CLI, JSON, CSV, database, exporters)."""

    key: str
    label: str
    unit: str
    description: str
    lower_is_better: bool
    digits: int
    scope: str  # "qubit" or "gate"

    @property
    def header(self) -> str:
        """Column header with the unit, e.g. ``T1 (µs)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def format(self, value: float | None) -> str:
        """``value`` as text with this metric's precision; ``—`` when missing."""
        if value is None:
            return MISSING
        if self.digits < 0:  # error rates: significant digits, readable from 1e-5 to 1
            return f"{value:.{-self.digits}g}" if value else "0"
        return f"{value:.{self.digits}f}"


#: How a missing value is shown in every human-readable report.
MISSING = "—"


def _qubit(key: str, label: str, unit: str, description: str, lower: bool, digits: int) -> Metric:
    return Metric(key, label, unit, description, lower, digits, "qubit")


QUBIT_METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        _qubit("t1_us", "T1", "µs", "energy relaxation time", False, 2),
        _qubit("t2_us", "T2", "µs", "dephasing time (Hahn echo)", False, 2),
        _qubit("frequency_ghz", "Freq", "GHz", "qubit frequency", False, 5),
        _qubit("anharmonicity_ghz", "Anharm", "GHz", "anharmonicity", False, 5),
        _qubit("readout_error", "Readout err", "", "assignment error of a measurement", True, -3),
        _qubit(
            "prob_meas0_prep1", "P(0|1)", "", "probability of reading 0 after preparing 1", True, -3
        ),
        _qubit(
            "prob_meas1_prep0", "P(1|0)", "", "probability of reading 1 after preparing 0", True, -3
        ),
        _qubit("readout_length_ns", "Readout len", "ns", "duration of a measurement", True, 0),
    )
}

GATE_ERROR = Metric("error", "Error", "", "gate error (randomized benchmarking)", True, -3, "gate")
GATE_LENGTH = Metric("length_ns", "Length", "ns", "gate duration", True, 1, "gate")

#: Aliases accepted on the command line for the per-qubit metrics.
ALIASES: dict[str, str] = {
    "t1": "t1_us",
    "t2": "t2_us",
    "freq": "frequency_ghz",
    "frequency": "frequency_ghz",
    "anharmonicity": "anharmonicity_ghz",
    "readout": "readout_error",
    "p01": "prob_meas0_prep1",
    "p10": "prob_meas1_prep0",
    "readout_length": "readout_length_ns",
}


def gate_error_metric(gate: str) -> Metric:
    """The per-qubit metric "error of single-qubit gate ``gate``" (key ``<gate>_error``)."""
    return Metric(
        f"{gate}_error", f"{gate.upper()} err", "", f"error of the {gate} gate", True, -3, "qubit"
    )


def qubit_metric(name: str, snapshot: DeviceSnapshot | None = None) -> Metric:
    """The per-qubit metric called ``name`` (a key, an alias, or ``<gate>_error``)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key in QUBIT_METRICS:
        return QUBIT_METRICS[key]
    if key.endswith("_error"):
        gate = key[: -len("_error")]
        if snapshot is None or gate in single_qubit_gates(snapshot):
            return gate_error_metric(gate)
    known = sorted(set(QUBIT_METRICS) | set(ALIASES))
    if snapshot is not None:
        known += [f"{g}_error" for g in single_qubit_gates(snapshot)]
    raise QpumonError(f"unknown metric {name!r}; choose one of: {', '.join(known)}")


def single_qubit_gates(snapshot: DeviceSnapshot) -> list[str]:
    """Names of the single-qubit gates with an error, in the order the source lists them."""
    return list(
        dict.fromkeys(g.gate for g in snapshot.gates if g.arity == 1 and g.error is not None)
    )


def qubit_values(snapshot: DeviceSnapshot, metric: Metric) -> list[float | None]:
    """``metric`` for every qubit of ``snapshot``, in qubit order (None where missing)."""
    if metric.key in QUBIT_METRICS:
        return [getattr(q, metric.key) for q in snapshot.qubits]
    get = value_getter(snapshot, metric)
    return [get(q) for q in snapshot.qubits]


def value_getter(
    snapshot: DeviceSnapshot, metric: Metric
) -> Callable[[QubitCalibration], float | None]:
    """A function reading ``metric`` from one qubit of ``snapshot``."""
    if metric.key in QUBIT_METRICS:
        return lambda q: q.value(metric.key)
    gate = metric.key[: -len("_error")]

    def gate_error(q: QubitCalibration) -> float | None:
        calibration = snapshot.gate(gate, (q.index,))
        return None if calibration is None else calibration.error

    return gate_error


def all_qubit_metrics(snapshot: DeviceSnapshot) -> Iterator[Metric]:
    """Every per-qubit metric of ``snapshot``: the fixed ones, then each 1q gate's error."""
    yield from QUBIT_METRICS.values()
    for gate in single_qubit_gates(snapshot):
        yield gate_error_metric(gate)
