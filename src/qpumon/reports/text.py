"""Shared text helpers for reports: times, ages, qubit ranges, numbers."""

from __future__ import annotations

from ..errors import UsageError


def parse_qubit_ranges(spec: str, num_qubits: int) -> tuple[int, ...]:
    """``0-9,12`` -> (0, 1, ..., 9, 12); every index must exist on the device."""
    chosen: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high) if high else int(low)
        except ValueError as exc:
            raise UsageError(
                f"--qubits: {part!r} is not a qubit index or a range like 0-9"
            ) from exc
        if first > last or first < 0 or last >= num_qubits:
            raise UsageError(
                f"--qubits: {part!r} is outside the device's qubits 0-{num_qubits - 1}"
            )
        chosen.extend(range(first, last + 1))
    if not chosen:
        raise UsageError("--qubits: no qubit given")
    return tuple(dict.fromkeys(chosen))
