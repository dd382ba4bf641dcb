"""The one normalised model every source produces and everything else consumes.

All classes are frozen dataclasses. Units are canonical and named in the field names (``t1_us``,
``frequency_ghz``, ``length_ns``); datetimes are timezone-aware UTC; a value the source does not
have is ``None`` and stays ``None`` (it is never replaced by 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from ..util import display
from .definitions import AVERAGE

#: How a device's qubits are connected: a coupling graph (``coupling_edges``), or every qubit to
#: every other (trapped ions: Quantinuum, IonQ).
GRAPH, ALL_TO_ALL = "graph", "all-to-all"
#: Where a snapshot's numbers come from: measured calibration, a vendor's sample data (fake
#: backends whose numbers look made up), or qpumon's synthetic demo history.
MEASURED, VENDOR_SAMPLE, SYNTHETIC = "measured", "vendor sample data", "synthetic"
#: How reports name the vendors a snapshot's ``vendor`` may hold (others are shown as they are).
VENDOR_NAMES = {
    "ibm": "IBM",
    "google": "Google",
    "quantinuum": "Quantinuum",
    "iqm": "IQM",
    "braket": "Amazon Braket",
    "ionq": "IonQ",
    "rigetti": "Rigetti",
    "quera": "QuEra",
}

#: IBM marks a gate whose benchmark has failed for several days with an error of exactly 1.
FAILED_GATE_ERROR = 1.0
#: The two flags a value can carry: the vendor took the qubit or gate out of service (shown
#: ``OFF``), or IBM's benchmark failed (``error == 1``, shown ``FAILED``). Both keep the value
#: out of medians, counts of measured values and layouts.
OUT_OF_SERVICE, FAILED = "out_of_service", "failed"
#: The flag of a missing value whose source wrote a placeholder (IBM's 0 anharmonicity).
PLACEHOLDER = "placeholder"
#: A readout error at or above this is no better than a coin toss.
UNRELIABLE_READOUT_ERROR = 0.5

#: Fractional two-qubit gates (Heron's RZZ(θ), Rigetti's XY(θ) and CPHASE(θ)): listed beside the
#: native entangler, calibrated at one angle, and far more often flagged; summaries count them
#: apart from the native entangler.
FRACTIONAL_GATES = frozenset({"rzz", "xy", "cphase"})

#: The per-qubit calibration fields, in display order.
QUBIT_FIELDS: tuple[str, ...] = (
    "t1_us",
    "t2_us",
    "frequency_ghz",
    "anharmonicity_ghz",
    "readout_error",
    "prob_meas0_prep1",
    "prob_meas1_prep0",
    "readout_length_ns",
)


@dataclass(frozen=True, slots=True)
class QubitCalibration:
    """One qubit's calibration. ``measured_at`` maps a field name to when it was measured.

    ``operational`` is False for a qubit the vendor has taken out of service (IBM's
    ``operational = 0``): its values are shown, flagged ``OFF``, and left out of medians, counts
    and layouts, and so is every gate on it.
    """

    index: int
    t1_us: float | None = None
    t2_us: float | None = None
    frequency_ghz: float | None = None
    anharmonicity_ghz: float | None = None
    readout_error: float | None = None
    prob_meas0_prep1: float | None = None
    prob_meas1_prep0: float | None = None
    readout_length_ns: float | None = None
    measured_at: Mapping[str, datetime] = field(default_factory=dict)
    operational: bool = True

    def value(self, name: str) -> float | None:
        """The value of the per-qubit field ``name`` (one of :data:`QUBIT_FIELDS`)."""
        result: float | None = getattr(self, name)
        return result

    @property
    def t2_exceeds_twice_t1(self) -> bool:
        """T2 > 2·T1 is physically odd (a fit artefact or a stale T1); shown and flagged."""
        return self.t1_us is not None and self.t2_us is not None and self.t2_us > 2 * self.t1_us

    @property
    def readout_unreliable(self) -> bool:
        """A readout error of 0.5 or more: the qubit's measurement carries no information."""
        return self.readout_error is not None and self.readout_error >= UNRELIABLE_READOUT_ERROR


@dataclass(frozen=True, slots=True)
class GateCalibration:
    """One gate on one tuple of qubits (direction matters: ``(0, 1)`` is not ``(1, 0)``).

    ``definition`` says what ``error`` is (:mod:`qpumon.model.definitions`: IBM's is an average gate
    infidelity); ``uncertainty`` is its stated standard error, where the source gives one;
    ``operational`` is False for a gate the vendor has taken out of service (IBM's
    ``operational = 0``).
    """

    gate: str
    qubits: tuple[int, ...]
    error: float | None = None
    length_ns: float | None = None
    measured_at: datetime | None = None
    definition: str = AVERAGE
    uncertainty: float | None = None
    operational: bool = True

    @property
    def failed(self) -> bool:
        """True for IBM's ``error == 1`` flag: the benchmark failed; it is not a measured error."""
        return self.error == FAILED_GATE_ERROR

    @property
    def flag(self) -> str | None:
        """:data:`OUT_OF_SERVICE` (the gate's own ``operational = 0``), :data:`FAILED` (IBM's
        ``error == 1``), or None for a gate whose error can be used."""
        if not self.operational:
            return OUT_OF_SERVICE
        return FAILED if self.error == FAILED_GATE_ERROR else None

    @property
    def arity(self) -> int:
        """Number of qubits the gate acts on."""
        return len(self.qubits)


@dataclass(frozen=True, slots=True)
class LayerFidelity:
    """A layer fidelity ``LF_N`` measured on a chain of ``num_qubits`` qubits."""

    num_qubits: int
    fidelity: float
    qubits: tuple[int, ...] = ()
    measured_at: datetime | None = None

    @property
    def eplg(self) -> float | None:
        """Error per layered gate: ``4/5 · (1 - LF^(1/(N-1)))``; None for a chain shorter than 2."""
        if self.num_qubits < 2 or self.fidelity <= 0:
            return None
        return 0.8 * (1.0 - float(self.fidelity ** (1.0 / (self.num_qubits - 1))))


@dataclass(frozen=True, slots=True)
class DeviceValue:
    """A value the source gives for the whole device rather than per qubit or gate (Quantinuum's
    1q and 2q errors, a SPAM error, a quantum volume).

    ``key`` names the quantity (:data:`DEVICE_KEYS`); ``definition`` says what an error means;
    ``uncertainty`` is its stated standard error.
    """

    key: str
    value: float
    definition: str | None = None
    uncertainty: float | None = None
    measured_at: datetime | None = None


#: The device-level quantities the model knows: errors (their definitions vary), times in µs,
#: and figures of merit.
DEVICE_KEYS = frozenset(
    {
        "1q_error",
        "2q_error",
        "readout_error",
        "spam_error",
        "memory_error",
        "crosstalk_error",
        "t1_us",
        "t2_us",
        "quantum_volume",
    }
)


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """What the device said about itself when it was asked."""

    operational: bool
    message: str = ""
    pending_jobs: int | None = None


@dataclass(frozen=True)
class DeviceSnapshot:
    """One device's configuration and calibration at one time, from one source.

    ``source`` says where it came from (``bundled:fake_fez``, ``file:/path``, ``backend:FakeFez``).
    ``configuration`` holds the configuration keys the typed fields do not (JSON values).
    ``unit_labels`` records the unit string the source wrote for each per-qubit field, so a report
    can show the data as it was written (the legacy layout prints ``µs`` or ``us``).
    ``vendor`` names who built the device (``ibm``, ``google``...); ``connectivity`` is
    :data:`GRAPH` (``coupling_edges``) or :data:`ALL_TO_ALL`; ``device_values`` are the values
    given for the whole device; ``qubit_names`` the vendor's names of the qubits in index order
    (Google's ``5_6``), empty when they are just numbers; ``provenance`` says whether the numbers
    are measurements (:data:`MEASURED`, :data:`VENDOR_SAMPLE`, :data:`SYNTHETIC`);
    ``placeholders`` maps a per-qubit field to the qubits whose source value was a placeholder
    (IBM's anharmonicity of exactly 0), read as missing.
    """

    name: str
    num_qubits: int
    source: str
    backend_version: str | None = None
    processor_family: str | None = None
    processor_revision: str | None = None
    basis_gates: tuple[str, ...] = ()
    coupling_edges: tuple[tuple[int, int], ...] = ()
    dt_ns: float | None = None
    coords: tuple[tuple[float, float], ...] | None = None
    simulator: bool = False
    configuration: Mapping[str, Any] = field(default_factory=dict)
    status: DeviceStatus | None = None
    calibrated_at: datetime | None = None
    qubits: tuple[QubitCalibration, ...] = ()
    gates: tuple[GateCalibration, ...] = ()
    layer_fidelities: tuple[LayerFidelity, ...] = ()
    unit_labels: Mapping[str, str] = field(default_factory=dict)
    vendor: str = "ibm"
    connectivity: str = GRAPH
    device_values: tuple[DeviceValue, ...] = ()
    qubit_names: tuple[str, ...] = ()
    provenance: str = MEASURED
    placeholders: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: Components that are not qubits (IQM's computational resonators), after the qubits: the
    #: k-th takes index ``num_qubits + k`` in its own gates, and nowhere else.
    resonators: tuple[Resonator, ...] = ()

    def _repr_html_(self) -> str:
        """The snapshot's monitor report in a notebook (Jupyter's rich display)."""
        return display.html(self)

    @property
    def has_calibration(self) -> bool:
        """True if the source carried any calibration data at all."""
        return bool(self.qubits or self.gates or self.device_values)

    def qubit_name(self, index: int) -> str:
        """How qubit ``index`` is shown: ``Q12``, or the vendor's name (``Q12 (5_6)``)."""
        if index < len(self.qubit_names):
            return f"Q{index} ({self.qubit_names[index]})"
        return f"Q{index}"

    def device_value(self, key: str) -> DeviceValue | None:
        """The device-level value ``key``, if the source gives it."""
        return next((v for v in self.device_values if v.key == key), None)

    @property
    def processor(self) -> str | None:
        """``Heron r2`` style processor name, or None when unknown."""
        if self.processor_family is None:
            return None
        if self.processor_revision is None:
            return self.processor_family
        return f"{self.processor_family} r{self.processor_revision}"

    @cached_property
    def gate_index(self) -> Mapping[tuple[str, tuple[int, ...]], GateCalibration]:
        """Gates keyed by ``(gate, qubits)``."""
        return {(g.gate, g.qubits): g for g in self.gates}

    def gate(self, name: str, qubits: tuple[int, ...]) -> GateCalibration | None:
        """The calibration of gate ``name`` on ``qubits`` (in that direction), if any."""
        return self.gate_index.get((name, tuple(qubits)))

    @cached_property
    def two_qubit_basis_gates(self) -> tuple[str, ...]:
        """Native entangling gates: 2-qubit gates in ``basis_gates`` (all 2q gates if unknown)."""
        listed = dict.fromkeys(g.gate for g in self.gates if len(g.qubits) == 2)
        if self.basis_gates:
            return tuple(name for name in listed if name in self.basis_gates)
        return tuple(listed)

    @cached_property
    def native_entanglers(self) -> tuple[str, ...]:
        """The native entangling gates (CZ, ECR, CX): two-qubit basis gates that are not
        fractional."""
        return tuple(g for g in self.two_qubit_basis_gates if g not in FRACTIONAL_GATES)

    @cached_property
    def fractional_gates(self) -> tuple[str, ...]:
        """The fractional two-qubit gates the calibration lists (RZZ), basis gates or not."""
        listed = dict.fromkeys(g.gate for g in self.gates if len(g.qubits) == 2)
        return tuple(name for name in listed if name in FRACTIONAL_GATES)

    @cached_property
    def failed_gates(self) -> tuple[GateCalibration, ...]:
        """Gates carrying IBM's ``error == 1`` flag."""
        return tuple(g for g in self.gates if g.error == FAILED_GATE_ERROR)

    @cached_property
    def out_of_service_qubits(self) -> frozenset[int]:
        """Indices of the qubits the vendor has taken out of service."""
        return frozenset(q.index for q in self.qubits if not q.operational)

    def out_of_service(self, gate: GateCalibration) -> bool:
        """True if ``gate`` is out of service itself or acts on a qubit that is."""
        off = self.out_of_service_qubits
        return not gate.operational or (bool(off) and not off.isdisjoint(gate.qubits))

    def usable(self, gate: GateCalibration) -> bool:
        """True if ``gate`` is in service and not IBM's ``error == 1`` flag (its error, where
        there is one, is a measurement)."""
        return not gate.failed and not self.out_of_service(gate)


@dataclass(frozen=True, slots=True)
class Resonator:
    """A component that is not a qubit: IQM's computational resonator (``CR1``), which qubits
    reach with ``move`` and ``cz`` gates. Not counted, listed or coupled as a qubit.

    The k-th resonator of a snapshot takes the component index ``num_qubits + k`` inside its own
    ``gates`` (each acts on it and on qubits); ``t1_us`` and ``t2_us`` are its relaxation times
    where the source gives them (they enter the error model of its gates).
    """

    name: str
    gates: tuple[GateCalibration, ...] = ()
    t1_us: float | None = None
    t2_us: float | None = None


#: The fields of a snapshot that are not its calibration: where it was read from and the device's
#: status (a new queue length is the same calibration).
NOT_CALIBRATION = ("source", "status")


def same_calibration(old: DeviceSnapshot, new: DeviceSnapshot) -> bool:
    """True if ``new`` carries the calibration ``old`` does: equal in every field but
    :data:`NOT_CALIBRATION` (device-level values, configuration and times included). The one
    meaning of "the same calibration": the store's content hash leaves out the same fields."""
    return replace(old, source=new.source, status=new.status) == new
