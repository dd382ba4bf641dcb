"""A snapshot's configuration as ``key: value`` lines, the important keys first."""

from __future__ import annotations

from typing import Any

from ..model import DeviceSnapshot

#: Keys shown without ``--all-config`` (when the device has them).
IMPORTANT_KEYS = (
    "backend_name",
    "backend_version",
    "basis_gates",
    "clops_h",
    "conditional",
    "coupling_map",
    "description",
    "dt",
    "dynamic_reprate_enabled",
    "local",
    "max_experiments",
    "max_shots",
    "n_qubits",
    "online_date",
    "processor_type",
    "quantum_volume",
    "sample_name",
    "simulator",
    "supported_instructions",
    "timing_constraints",
)
#: Values longer than this are abbreviated unless every detail is asked for.
MAX_VALUE_LENGTH = 100


def configuration_items(snapshot: DeviceSnapshot) -> dict[str, Any]:
    """Every configuration key with its value: the typed fields in IBM's key names, then the rest.

    ``dt`` is given in ns whatever unit the source used.
    """
    typed: dict[str, Any] = {
        "backend_name": snapshot.name,
        "backend_version": snapshot.backend_version,
        "n_qubits": snapshot.num_qubits,
        "basis_gates": list(snapshot.basis_gates),
        "coupling_map": [list(edge) for edge in snapshot.coupling_edges] or None,
        "simulator": snapshot.simulator,
    }
    if snapshot.processor_family is not None:
        typed["processor_type"] = {
            "family": snapshot.processor_family,
            "revision": snapshot.processor_revision,
        }
    if snapshot.dt_ns is not None:
        typed["dt"] = snapshot.dt_ns
    if snapshot.coords is not None:
        typed["coords"] = [list(point) for point in snapshot.coords]
    rest = {k: v for k, v in snapshot.configuration.items() if k not in typed}
    return typed | rest


def configuration_lines(
    snapshot: DeviceSnapshot, everything: bool = False, skip: tuple[str, ...] = ("gates",)
) -> list[tuple[str, str]]:
    """``(key, text)`` pairs sorted by key; only :data:`IMPORTANT_KEYS` and abbreviated values
    unless ``everything``."""
    items = configuration_items(snapshot)
    keys = sorted(k for k in items if k not in skip and (everything or k in IMPORTANT_KEYS))
    return [(k, value_text(items[k], None if everything else MAX_VALUE_LENGTH)) for k in keys]


def value_text(value: Any, limit: int | None = MAX_VALUE_LENGTH) -> str:
    """``str(value)`` as Python prints it; a value longer than ``limit`` characters is shortened
    at an item boundary and says how long it is (``--all-config`` shows it whole)."""
    text = str(value)
    if limit is None or len(text) <= limit:
        return text
    cut = text.rfind(", ", 0, limit)
    kept = text[: cut + 1] if cut > limit // 2 else text[:limit]
    size = f", {len(value)} items" if isinstance(value, list | dict) else ""
    return f"{kept} ... ({len(text)} characters{size}; --all-config shows all)"
