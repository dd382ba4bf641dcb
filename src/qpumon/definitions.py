"""What an error number means, and how one meaning converts to another.

Vendors publish different quantities under the name "error": IBM's randomized-benchmarking
``gate_error`` is an average gate infidelity; Google publishes both average and Pauli errors for
single-qubit gates and cross-entropy (XEB) errors per cycle for two-qubit gates; Quantinuum
publishes average infidelities and SPAM errors; Amazon Braket publishes fidelities. Every error in
the model carries one of these definitions, and a report that puts several devices side by side
converts each to the average gate error with :func:`to_average`, saying so.

The conversion between average and Pauli (process) infidelity of an n-qubit gate is exact for
any noise: ``e_avg = e_P · d / (d + 1)`` with ``d = 2**n`` (Nielsen, Phys. Lett. A 303, 249
(2002); Magesan et al., PRA 85, 042311 (2012)). An XEB error per cycle estimates the Pauli error
of the whole cycle (its two-qubit gate with the single-qubit gates around it; Arute et al.,
Nature 574, 505 (2019)), so converting it is an upper estimate of the two-qubit gate's own
average error. A depolarizing parameter λ (the channel ``ρ → (1 − λ) ρ + λ I/d``, Qiskit Aer's
``depolarizing_error``, in which IQM states its errors) has average infidelity
``e_avg = λ · (d − 1)/d`` exactly; IQM composes the channel with thermal relaxation, so the
converted number is a lower bound on the average error IQM's model gives the gate.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Conversion:
    """An error expressed as an average gate infidelity, and how (None: it already was one)."""

    value: float
    source: str
    formula: str | None

    @property
    def converted(self) -> bool:
        """True if a formula was applied."""
        return self.formula is not None


def to_average(error: float, definition: str, num_qubits: int) -> Conversion | None:
    """``error`` (of ``definition``, on a gate of ``num_qubits`` qubits) as an average gate
    infidelity; None when no documented formula converts it (SPAM, readout, other)."""
    if definition == AVERAGE:
        return Conversion(error, definition, None)
    if definition in PAULI_TYPE:
        d = 2**num_qubits
        formula = f"e_avg = e_P · d/(d+1), d = {d}"
        return Conversion(error * d / (d + 1), definition, formula)
    if definition == DEPOLARIZING:
        d = 2**num_qubits
        formula = f"e_avg = λ · (d−1)/d, d = {d}, a lower bound: thermal relaxation adds to it"
        return Conversion(error * (d - 1) / d, definition, formula)
    return None


def from_fidelity(fidelity: float) -> float:
    """An error from a fidelity: ``1 − F`` (the rule for every source that publishes fidelities)."""
    return 1.0 - fidelity


def label(definition: str | None) -> str:
    """The short label of ``definition`` (``avg``, ``Pauli``, ``XEB``...), ``—`` if unknown."""
    found = DEFINITIONS.get(definition or "")
    return "—" if found is None else found.label
