"""What an error number means, and how one meaning converts to another.

Vendors publish different quantities under the name "error": IBM's randomized-benchmarking
``gate_error`` is an average gate infidelity; Google publishes both average and Pauli errors for
single-qubit gates and cross-entropy (XEB) errors per cycle for two-qubit gates; Quantinuum
publishes average infidelities and SPAM errors; Amazon Braket publishes fidelities; IQM states
the parameter of a depolarizing channel. Every error in the model carries one of these
definitions, and a report that puts several devices side by side converts each to the average
gate error (:func:`gate_to_average` for a gate of a snapshot, :func:`to_average` for a bare
number), saying so and saying whether the result is exact or a bound (:attr:`Conversion.bound`).

The conversion between average and Pauli (process) infidelity of an n-qubit gate is exact for
any noise: ``F_avg = (d · F_pro + 1)/(d + 1)``, so ``e_avg = e_P · d / (d + 1)`` with
``d = 2**n`` (Horodecki et al., PRA 60, 1888 (1999); Nielsen, Phys. Lett. A 303, 249 (2002)).
An XEB error per cycle estimates the Pauli error of the whole cycle (its two-qubit gate with the
single-qubit gates around it; Arute et al., Nature 574, 505 (2019)), so converting it is an
upper estimate of the two-qubit gate's own average error (:data:`UPPER`).

A depolarizing parameter λ (the channel ``D_λ: ρ → (1 − λ) ρ + λ I/d``, Qiskit Aer's
``depolarizing_error``) is how IQM states its errors, and IQM's own noise model (iqm-client's
``IQMFakeBackend``) applies it after thermal relaxation: each qubit of the gate relaxes for the
gate's duration t (Aer's ``thermal_relaxation_error(T1, T2, t)``, no excited-state population),
then ``D_λ`` acts on all of them. That channel's process fidelity has a closed form: for any
trace-preserving E, ``F_pro(D_λ ∘ E) = (1 − λ) F_pro(E) + λ/d²``; the process fidelity of a
tensor product is the product of the factors'; and one qubit's thermal relaxation (amplitude
damping ``γ = 1 − e^(−t/T1)`` with dephasing to a coherence decay ``e^(−t/T2)``) has
``F_pro = (1 + e^(−t/T1) + 2 e^(−t/T2))/4``. :func:`gate_to_average` gives the average
infidelity of that full model where T1 and T2 of every qubit of the gate and its duration are
known (exact: the value IQM's model gives the gate). Without them, λ alone gives
``e_avg = λ · (d − 1)/d``, which leaves relaxation out: a lower bound (:data:`LOWER`), since
``F_pro(E) ≤ 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import DeviceSnapshot, GateCalibration

#: Average gate infidelity, 1 − F_avg (randomized benchmarking; IBM's gate_error).
AVERAGE = "average"
#: Pauli (process, entanglement) infidelity, 1 − F_pro.
PAULI = "pauli"
#: Cross-entropy benchmarking error per cycle (Google): the Pauli error of one layer.
XEB_CYCLE = "xeb_cycle"
#: The parameter λ of a depolarizing channel (IQM): ρ → (1 − λ) ρ + λ I/d.
DEPOLARIZING = "depolarizing"
#: Readout assignment error: the mean of P(0|1) and P(1|0).
ASSIGNMENT = "assignment"
#: State preparation and measurement error (SPAM).
SPAM = "spam"
#: Gate errors that are not one of the above (stated by the source).
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Definition:
    """A definition's short label (for a column), its name (for a heading) and its description
    (for a footnote, a noun phrase with its article: "an average gate infidelity ...")."""

    key: str
    label: str
    name: str
    description: str


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            AVERAGE,
            "avg",
            "average",
            "an average gate infidelity 1 − F_avg (randomized benchmarking)",
        ),
        Definition(PAULI, "Pauli", "Pauli", "a Pauli (process) infidelity 1 − F_pro"),
        Definition(
            XEB_CYCLE,
            "XEB",
            "XEB per cycle",
            "a cross-entropy benchmarking (XEB) error per cycle, a Pauli error",
        ),
        Definition(
            DEPOLARIZING,
            "depol.",
            "depolarizing parameter",
            "a depolarizing-channel parameter λ",
        ),
        Definition(
            ASSIGNMENT,
            "assign.",
            "assignment",
            "a readout assignment error, the mean of P(0|1) and P(1|0)",
        ),
        Definition(SPAM, "SPAM", "SPAM", "a state preparation and measurement (SPAM) error"),
        Definition(OTHER, "other", "as defined by the vendor", "an error as the vendor defines it"),
    )
}
#: Definitions of the same kind as the average gate error (Pauli-type ones convert to it).
PAULI_TYPE = frozenset({PAULI, XEB_CYCLE})


#: A converted error that the true average error is at least (depolarizing λ without relaxation).
LOWER = "lower"
#: A converted error that overestimates the gate's own average error (XEB per cycle).
UPPER = "upper"


@dataclass(frozen=True, slots=True)
class Conversion:
    """An error expressed as an average gate infidelity, and how (``formula`` None: it already
    was one). ``bound`` is :data:`LOWER` (the average error is at least ``value``), :data:`UPPER`
    (``value`` overestimates it) or None (the conversion is exact)."""

    value: float
    source: str
    formula: str | None
    bound: str | None = None

    @property
    def converted(self) -> bool:
        """True if a formula was applied."""
        return self.formula is not None


def to_average(error: float, definition: str, num_qubits: int) -> Conversion | None:
    """``error`` (of ``definition``, on a gate of ``num_qubits`` qubits) as an average gate
    infidelity; None when no documented formula converts it (SPAM, readout, other). Without the
    gate's durations and T1/T2 a depolarizing λ gives a lower bound (:func:`gate_to_average`
    uses them where the snapshot has them)."""
    if definition == AVERAGE:
        return Conversion(error, definition, None)
    if definition in PAULI_TYPE:
        d = 2**num_qubits
        formula = f"e_avg = e_P · d/(d+1), d = {d}"
        bound = UPPER if definition == XEB_CYCLE else None
        return Conversion(error * d / (d + 1), definition, formula, bound)
    if definition == DEPOLARIZING:
        d = 2**num_qubits
        formula = f"e_avg = λ · (d−1)/d, d = {d}, a lower bound: thermal relaxation adds to it"
        return Conversion(error * (d - 1) / d, definition, formula, LOWER)
    return None


def relaxation_process_fidelity(duration_ns: float, t1_us: float, t2_us: float) -> float:
    """The process fidelity of one qubit's thermal relaxation over ``duration_ns`` (Qiskit
    Aer's ``thermal_relaxation_error`` with no excited-state population):
    ``(1 + e^(−t/T1) + 2 e^(−t/T2))/4``. Its average fidelity is ``(2 F_pro + 1)/3``."""
    t1_ns, t2_ns = t1_us * 1000.0, t2_us * 1000.0
    return (1.0 + math.exp(-duration_ns / t1_ns) + 2.0 * math.exp(-duration_ns / t2_ns)) / 4.0


def gate_to_average(snapshot: DeviceSnapshot, gate: GateCalibration) -> Conversion | None:
    """``gate``'s error as an average gate infidelity, using what ``snapshot`` knows of it; None
    for a gate without an error or whose definition no formula converts.

    A depolarizing λ is converted with IQM's full noise model (λ after thermal relaxation of each
    of the gate's qubits, or resonators, over its ``length_ns``; exact, ``bound`` None) where T1,
    T2 (with T2 ≤ 2·T1, as a relaxation channel needs) and the length are known, and to the lower
    bound ``λ · (d−1)/d`` otherwise. Other definitions convert as :func:`to_average` does. A
    gate's flags (failed, out of service) are the caller's to judge."""
    if gate.error is None:
        return None
    if gate.definition != DEPOLARIZING:
        return to_average(gate.error, gate.definition, gate.arity)
    duration = gate.length_ns
    times = [t for t in (_relaxation_times(snapshot, q) for q in gate.qubits) if t is not None]
    if duration is None or duration < 0 or len(times) != gate.arity:
        return to_average(gate.error, gate.definition, gate.arity)
    d = 2**gate.arity
    process = 1.0
    for t1_us, t2_us in times:
        process *= relaxation_process_fidelity(duration, t1_us, t2_us)
    process = (1.0 - gate.error) * process + gate.error / d**2
    formula = (
        f"IQM's noise model: λ after thermal relaxation over the gate's duration t, "
        f"F_pro = (1 − λ)·Π_q (1 + e^(−t/T1) + 2e^(−t/T2))/4 + λ/d², "
        f"e_avg = (1 − F_pro) · d/(d+1), d = {d}"
    )
    return Conversion((1.0 - process) * d / (d + 1), gate.definition, formula)


def _relaxation_times(snapshot: DeviceSnapshot, component: int) -> tuple[float, float] | None:
    """(T1, T2) in µs of qubit ``component`` or, past the qubits, of the resonator it names;
    None where either is missing or they cannot describe a relaxation channel."""
    t1: float | None
    t2: float | None
    qubits = snapshot.qubits
    if component >= snapshot.num_qubits:
        resonators = snapshot.resonators
        k = component - snapshot.num_qubits
        if k >= len(resonators):
            return None
        t1, t2 = resonators[k].t1_us, resonators[k].t2_us
    else:
        if component < len(qubits) and qubits[component].index == component:
            qubit = qubits[component]
        else:
            found = [q for q in qubits if q.index == component]
            if not found:
                return None
            qubit = found[0]
        t1, t2 = qubit.t1_us, qubit.t2_us
    if t1 is None or t2 is None or not (t1 > 0 and 0 < t2 <= 2 * t1):
        return None
    return t1, t2


def from_fidelity(fidelity: float) -> float:
    """An error from a fidelity: ``1 − F`` (the rule for every source that publishes fidelities)."""
    return 1.0 - fidelity


def label(definition: str | None) -> str:
    """The short label of ``definition`` (``avg``, ``Pauli``, ``XEB``...), ``—`` if unknown."""
    found = DEFINITIONS.get(definition or "")
    return "—" if found is None else found.label
