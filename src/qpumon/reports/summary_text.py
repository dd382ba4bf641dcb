"""How every output words a device summary's counts and converted values, so the monitor, the
overview, map legends and the fleet page say the same thing in the same words."""

from __future__ import annotations

from ..model.metrics import GATE_ERROR, MISSING
from ..model.summary import DeviceSummary
from ..util.words import count


def two_qubit_label(summary: DeviceSummary) -> str:
    """The native entangler(s) as reports name them: ``CZ``, ``ECR/CX``, or ``2q`` (fractional
    RZZ is never one of them)."""
    return "/".join(g.upper() for g in summary.two_qubit_gates) or "2q"


def fractional_label(summary: DeviceSummary) -> str:
    """The fractional two-qubit gates as reports name them: ``RZZ``."""
    return "/".join(g.upper() for g in summary.fractional_gates)


def failed_couplers_text(summary: DeviceSummary) -> str:
    """``11 of 150 couplers (22 entries)``: the native entangler's couplers carrying IBM's
    failure flag in either direction; ``—`` for a device with no per-gate data."""
    failed = summary.failed_2q_couplers
    if failed is None:
        return MISSING
    if not summary.native_couplers:
        return "no native 2q gate calibrated"
    text = f"{failed} of {count(summary.native_couplers, 'coupler')}"
    entries = summary.failed_2q_gates or 0
    return text + (f" ({count(entries, 'entry', 'entries')})" if entries != failed else "")


def failed_1q_text(summary: DeviceSummary) -> str:
    """``2 qubits (1 dead: every 1q gate failed)``."""
    text = count(summary.failed_1q_qubits or 0, "qubit")
    if summary.dead_qubits:
        text += f" ({summary.dead_qubits} dead: every 1q gate failed)"
    return text


def fractional_text(summary: DeviceSummary) -> str:
    """``150 of 171 couplers flagged error = 1; median error 0.00512``."""
    text = (
        f"{summary.failed_fractional_couplers} of "
        f"{count(summary.fractional_couplers, 'coupler')} flagged error = 1"
    )
    if summary.median_fractional_error is not None:
        text += f"; median error {GATE_ERROR.format(summary.median_fractional_error)}"
    return text


def out_of_service_text(summary: DeviceSummary) -> str:
    """``1 qubit, 3 gates``: what the vendor has taken out of service."""
    return (
        f"{count(summary.out_of_service_qubits, 'qubit')}, "
        f"{count(summary.out_of_service_gates, 'gate')}"
    )


def bounded(value: float, bound: str | None) -> str:
    """``0.00275``, ``≥ 0.00275`` (a lower bound) or ``≤ 0.00275`` (an upper estimate)."""
    sign = {"lower": "≥ ", "upper": "≤ "}.get(bound or "", "")
    return sign + GATE_ERROR.format(value)
