"""Unit conversion for calibration values.

Sources label values with unit strings (``us``, ``µs``, ``GHz``, ``ns``...); the model stores
every value in one canonical unit per dimension, named in the field (``t1_us``, ``frequency_ghz``).
An unknown unit is an error, never a guess.
"""

from __future__ import annotations

from typing import Literal

from .errors import UnitError

Dimension = Literal["time_us", "time_ns", "frequency_ghz", "dimensionless"]

_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ns": 1e-9}
_HERTZ = {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}

_TARGET_SCALE: dict[Dimension, tuple[dict[str, float], float]] = {
    "time_us": (_SECONDS, 1e-6),
    "time_ns": (_SECONDS, 1e-9),
    "frequency_ghz": (_HERTZ, 1e9),
}

#: The label each canonical dimension is shown with.
CANONICAL_LABEL: dict[Dimension, str] = {
    "time_us": "µs",
    "time_ns": "ns",
    "frequency_ghz": "GHz",
    "dimensionless": "",
}


def convert(value: float, unit: str | None, dimension: Dimension, where: str = "") -> float:
    """Return ``value`` (given in ``unit``) in the canonical unit of ``dimension``.

    Raises :class:`UnitError` naming ``where`` if the unit is unknown or of another dimension.
    """
    unit = (unit or "").strip()
    if dimension == "dimensionless":
        if unit:
            raise UnitError(f"{where}: unexpected unit {unit!r} for a dimensionless value")
        return value
    table, target = _TARGET_SCALE[dimension]
    factor = table.get(unit)
    if factor is None:
        known = ", ".join(table)
        raise UnitError(f"{where}: unknown unit {unit!r} (expected one of {known})")
    if factor == target:
        return value
    return value * (factor / target)


def same_unit(unit: str | None, dimension: Dimension) -> bool:
    """True if ``unit`` already denotes the canonical unit of ``dimension`` (no scaling needed)."""
    unit = (unit or "").strip()
    if dimension == "dimensionless":
        return unit == ""
    table, target = _TARGET_SCALE[dimension]
    return table.get(unit) == target
