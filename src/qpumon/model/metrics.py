"""The metric registry: one place that says what each calibration quantity is called, its unit,
whether lower is better, and how to read it from the model.

Table headers, sort directions, colour scales, drift thresholds and exporter names all come from
here, so a metric means the same thing in every report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import DeviceSnapshot, QubitCalibration
from .vocabulary import unknown

#: How a missing value is shown in every human-readable report.
MISSING = "—"
#: Below this magnitude (and from :data:`_EXPONENT_ABOVE` up) numbers are shown as ``7.64e-5``.
_EXPONENT_BELOW = 1e-4
_EXPONENT_ABOVE = 1e6


def format_number(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant digits (trailing zeros kept: ``93.20`` says four),
    plain decimals from 1e-4 to 1e6 (``0.000229``, ``101.3``, ``1560``), a short exponent
    outside (``7.64e-5``, ``1.000e308``); exact zero is ``0``."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if _EXPONENT_BELOW <= magnitude < 10.0**digits:  # the common case, in one format call
        text = f"{value:#.{digits}g}"  # "#": trailing zeros kept (and a trailing point)
        if "e" not in text:  # (9.9996e-5 rounds up to 1.000e-4 below: the general path)
            return text[:-1] if text[-1] == "." else text
    if not math.isfinite(value):
        return str(value)
    if magnitude < _EXPONENT_BELOW or magnitude >= _EXPONENT_ABOVE:
        mantissa, _, exponent = f"{value:.{digits - 1}e}".partition("e")
        return f"{mantissa}e{int(exponent)}"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    text = f"{value:.{decimals}f}"
    rounded_up = len(text.lstrip("-").replace(".", "").lstrip("0")) > digits  # 99.996 -> 100.00
    return f"{value:.{decimals - 1}f}" if rounded_up and decimals > 0 else text


@dataclass(frozen=True, slots=True)
class Metric:
    """A calibration quantity: ``key`` is its stable name (CLI, JSON, CSV, database, exporters).

    ``digits`` is how many significant digits every report shows; ``scope`` is ``qubit``,
    ``gate`` or ``device``; ``gate`` names the gate of a per-qubit gate metric (``sx`` for
    ``sx_error``), None otherwise. ``base_unit`` and ``to_base`` give the SI base unit and the
    factor into it (``seconds`` and 1e-6 for µs), for exporters that want base units, and
    ``export`` the quantity's name without a unit (``t1``), from which exporters name it
    (:attr:`prometheus_name`: ``qpumon_qubit_t1_seconds``).
    """

    key: str
    label: str
    unit: str
    description: str
    lower_is_better: bool
    digits: int
    scope: str
    gate: str | None = None
    base_unit: str = "ratio"
    to_base: float = 1.0
    export: str = ""

    @property
    def header(self) -> str:
        """Column header with the unit, e.g. ``T1 (µs)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def prometheus_name(self) -> str:
        """``qpumon_<scope>_<quantity>_<base unit>`` (no unit for a count), as Prometheus names
        metrics."""
        name = f"qpumon_{self.scope}_{self.export or self.key}"
        return f"{name}_{self.base_unit}" if self.base_unit else name

    @property
    def is_error(self) -> bool:
        """True for a probability of failure (gate or readout error): lower is better, unitless."""
        return self.unit == "" and self.lower_is_better

    def format(self, value: float | None) -> str:
        """``value`` with this metric's significant digits (:func:`format_number`); ``—`` if
        missing."""
        return MISSING if value is None else format_number(value, self.digits)

    def format_with_unit(self, value: float | None) -> str:
        """``144.9 µs``, ``0.00382``, or ``—``."""
        if value is None:
            return MISSING
        return f"{self.format(value)} {self.unit}" if self.unit else self.format(value)


def _qubit(
    key: str,
    export: str,
    label: str,
    unit: str,
    description: str,
    lower: bool,
    digits: int,
    base: str,
) -> Metric:
    factor = {"µs": 1e-6, "ns": 1e-9, "GHz": 1e9, "": 1.0}[unit]
    return Metric(key, label, unit, description, lower, digits, "qubit", None, base, factor, export)


QUBIT_METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        _qubit("t1_us", "t1", "T1", "µs", "energy relaxation time", False, 4, "seconds"),
        _qubit("t2_us", "t2", "T2", "µs", "dephasing time (Hahn echo)", False, 4, "seconds"),
        _qubit("frequency_ghz", "frequency", "Freq", "GHz", "qubit frequency", False, 5, "hertz"),
        _qubit(
            "anharmonicity_ghz",
            "anharmonicity",
            "Anharm",
            "GHz",
            "anharmonicity",
            False,
            4,
            "hertz",
        ),
        _qubit(
            "readout_error",
            "readout_error",
            "Readout err",
            "",
            "assignment error of a measurement",
            True,
            3,
            "ratio",
        ),
        _qubit(
            "prob_meas0_prep1",
            "prob_meas0_prep1",
            "P(0|1)",
            "",
            "probability of reading 0 after preparing 1",
            True,
            3,
            "ratio",
        ),
        _qubit(
            "prob_meas1_prep0",
            "prob_meas1_prep0",
            "P(1|0)",
            "",
            "probability of reading 1 after preparing 0",
            True,
            3,
            "ratio",
        ),
        _qubit(
            "readout_length_ns",
            "readout_length",
            "Readout len",
            "ns",
            "duration of a measurement",
            True,
            4,
            "seconds",
        ),
    )
}

GATE_ERROR = Metric(
    "error", "Error", "", "gate error (randomized benchmarking)", True, 3, "gate", export="error"
)
GATE_LENGTH = Metric(
    "length_ns", "Length", "ns", "gate duration", True, 4, "gate", None, "seconds", 1e-9, "length"
)


def _device(key: str, export: str, label: str, description: str, lower: bool = True) -> Metric:
    unit, base, factor = ("µs", "seconds", 1e-6) if key.endswith("_us") else ("", "ratio", 1.0)
    base = "" if key == "quantum_volume" else base  # a count, not a ratio
    return Metric(key, label, unit, description, lower, 3, "device", None, base, factor, export)


#: The values a source gives for a whole device (``DeviceSnapshot.device_values``), keyed like
#: :data:`qpumon.model.DEVICE_KEYS`; what an error means is in each value's definition.
DEVICE_METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        _device("1q_error", "1q_error", "1q error", "single-qubit gate error"),
        _device("2q_error", "2q_error", "2q error", "two-qubit gate error"),
        _device("readout_error", "readout_error", "Readout error", "readout error"),
        _device("spam_error", "spam_error", "SPAM error", "state preparation and measurement"),
        _device("memory_error", "memory_error", "Memory error", "error per qubit while idle"),
        _device("crosstalk_error", "crosstalk_error", "Crosstalk error", "crosstalk error"),
        _device("t1_us", "t1", "T1", "energy relaxation time", lower=False),
        _device("t2_us", "t2", "T2", "dephasing time", lower=False),
        _device("quantum_volume", "quantum_volume", "Quantum volume", "quantum volume", False),
    )
}

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
        f"{gate}_error",
        f"{gate.upper()} err",
        "",
        f"error of the {gate} gate",
        True,
        3,
        "qubit",
        gate,
    )


def qubit_metric(name: str, snapshot: DeviceSnapshot | None = None) -> Metric:
    """The per-qubit metric called ``name`` (a key, an alias, or ``<gate>_error``)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key in QUBIT_METRICS:
        return QUBIT_METRICS[key]
    gate = key.removesuffix("_error")  # parsing what the user typed: ``sx_error`` -> ``sx``
    if gate and gate != key and (snapshot is None or gate in single_qubit_gates(snapshot)):
        return gate_error_metric(gate)
    known = [*QUBIT_METRICS, *ALIASES]
    if snapshot is not None:
        known += [f"{g}_error" for g in single_qubit_gates(snapshot)]
    raise unknown("metric", name, known)


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
    if metric.gate is None:
        return lambda q: q.value(metric.key)
    gate = metric.gate

    def gate_error(q: QubitCalibration) -> float | None:
        calibration = snapshot.gate(gate, (q.index,))
        return None if calibration is None else calibration.error

    return gate_error


def all_qubit_metrics(snapshot: DeviceSnapshot) -> Iterator[Metric]:
    """Every per-qubit metric of ``snapshot``: the fixed ones, then each 1q gate's error."""
    yield from QUBIT_METRICS.values()
    for gate in single_qubit_gates(snapshot):
        yield gate_error_metric(gate)
