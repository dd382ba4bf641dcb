"""Words that agree with their numbers."""

from __future__ import annotations


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 qubit``, ``2 qubits``, ``0 qubits``: a count with its noun agreeing."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
