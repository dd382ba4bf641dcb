"""A snapshot's configuration as ``key: value`` lines, the important keys first."""

from __future__ import annotations

from typing import Any

from ..model import DeviceSnapshot
from ..util.words import count

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


class Items(list[Any]):
    """The first items of a long list, and how many it has (``total``)."""

    def __init__(self, items: list[Any], total: int) -> None:
        super().__init__(items)
        self.total = total


def _listed(values: tuple[tuple[Any, ...], ...], limit: int | None) -> list[Any] | None:
    """``values`` as IBM lists them (``[[0, 1], ...]``), only as far as ``limit`` items."""
    if not values:
        return None
    if limit is not None and len(values) > limit:
        return Items([list(v) for v in values[:limit]], len(values))
    return [list(v) for v in values]


def configuration_items(snapshot: DeviceSnapshot, limit: int | None = None) -> dict[str, Any]:
    """Every configuration key with its value: the typed fields in IBM's key names, then the rest.

    ``dt`` is given in ns whatever unit the source used. With ``limit``, the coupling map and
    the coordinates (a million edges on an all-to-all device) hold only their first items.
    """
    typed: dict[str, Any] = {
        "backend_name": snapshot.name,
        "backend_version": snapshot.backend_version,
        "n_qubits": snapshot.num_qubits,
        "basis_gates": list(snapshot.basis_gates),
        "coupling_map": _listed(snapshot.coupling_edges, limit),
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
        typed["coords"] = _listed(snapshot.coords, limit)
    rest = {k: v for k, v in snapshot.configuration.items() if k not in typed}
    return typed | rest


def configuration_lines(
    snapshot: DeviceSnapshot, everything: bool = False, skip: tuple[str, ...] = ("gates",)
) -> list[tuple[str, str]]:
    """``(key, text)`` pairs sorted by key; only :data:`IMPORTANT_KEYS` and abbreviated values
    unless ``everything``."""
    limit = None if everything else MAX_VALUE_LENGTH
    items = configuration_items(snapshot, limit)
    keys = sorted(k for k in items if k not in skip and (everything or k in IMPORTANT_KEYS))
    return [(k, value_text(items[k], limit)) for k in keys]


def value_text(value: Any, limit: int | None = MAX_VALUE_LENGTH) -> str:
    """``str(value)`` as Python prints it; a value longer than ``limit`` characters is shortened
    at an item boundary and says how many items it has (``--all-config`` shows it whole). A long
    list is only formatted as far as it is shown (a 1,000-qubit coupling map has 10^6 edges)."""
    if limit is not None and isinstance(value, list) and len(value) > limit:
        head = str(value[:limit])[:-1]  # at most ``limit`` items cover ``limit`` characters
        return _shortened(head, limit, getattr(value, "total", len(value)))
    text = str(value)
    if limit is None or len(text) <= limit:
        return text
    size = getattr(value, "total", len(value)) if isinstance(value, list | dict) else None
    return _shortened(text, limit, size)


def _shortened(text: str, limit: int, items: int | None) -> str:
    cut = text.rfind(", ", 0, limit)
    kept = text[: cut + 1] if cut > limit // 2 else text[:limit]
    size = f"{count(items, 'item')}; " if items is not None else f"{len(text)} characters; "
    return f"{kept} ... ({size}--all-config shows all)"
