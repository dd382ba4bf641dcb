"""Shared text helpers for reports: times, ages, qubit ranges, numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import QpumonError
from ..metrics import MISSING


def format_time(when: datetime | None) -> str:
    """``2025-02-26 20:16 UTC``, or the missing mark."""
    return MISSING if when is None else when.strftime("%Y-%m-%d %H:%M UTC")


def format_age(when: datetime | None, now: datetime) -> str:
    """How long before ``now`` ``when`` was, in the two largest units: ``1 year 9 months ago``."""
    if when is None:
        return MISSING
    delta = now - when
    if delta < timedelta(0):
        return "in the future"
    days = delta.days
    parts: list[tuple[int, str]] = [
        (days // 365, "year"),
        (days % 365 // 30, "month"),
        (days % 365 % 30, "day"),
        (delta.seconds // 3600, "hour"),
        (delta.seconds % 3600 // 60, "minute"),
    ]
    shown = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n][:2]
    return " ".join(shown) + " ago" if shown else "just now"


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
        except ValueError:
            raise QpumonError(
                f"--qubits: {part!r} is not a qubit index or a range like 0-9"
            ) from None
        if first > last or first < 0 or last >= num_qubits:
            raise QpumonError(
                f"--qubits: {part!r} is outside the device's qubits 0-{num_qubits - 1}"
            )
        chosen.extend(range(first, last + 1))
    if not chosen:
        raise QpumonError("--qubits: no qubit given")
    return tuple(dict.fromkeys(chosen))
