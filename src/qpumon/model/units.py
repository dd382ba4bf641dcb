"""Unit conversion for calibration values.

Sources label values with unit strings (``us``, ``µs``, ``GHz``, ``ns``...); the model stores
every value in one canonical unit per dimension, named in the field (``t1_us``, ``frequency_ghz``).
An unknown unit is an error, never a guess.
"""

from __future__ import annotations

from typing import Literal

from ..errors import UnitError

Dimension = Literal["time_us", "time_ns", "frequency_ghz", "dimensionless"]

# Each unit as a power of ten of the SI unit, so that a conversion is one correctly rounded
# multiplication or division by an exact power of ten.
_SECONDS = {"s": 0, "ms": -3, "us": -6, "\u00b5s": -6, "\u03bcs": -6, "ns": -9}
_HERTZ = {"Hz": 0, "kHz": 3, "MHz": 6, "GHz": 9}

_TARGET_SCALE: dict[Dimension, tuple[dict[str, int], int]] = {
    "time_us": (_SECONDS, -6),
    "time_ns": (_SECONDS, -9),
    "frequency_ghz": (_HERTZ, 9),
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
    if unit is not None and not isinstance(unit, str):
        raise UnitError(f"{where}: a unit is a string, got {type(unit).__name__}")
    unit = (unit or "").strip()
    if dimension == "dimensionless":
        if unit:
            raise UnitError(f"{where}: unexpected unit {unit!r} for a dimensionless value")
        return value
    table, target = _TARGET_SCALE[dimension]
    exponent = table.get(unit)
    if exponent is None:
        known = ", ".join(table)
        raise UnitError(f"{where}: unknown unit {unit!r} (expected one of {known})")
    shift = exponent - target
    return float(value * 10**shift if shift >= 0 else value / 10**-shift)


def same_unit(unit: str | None, dimension: Dimension) -> bool:
    """True if ``unit`` already denotes the canonical unit of ``dimension`` (no scaling needed)."""
    unit = (unit or "").strip()
    if dimension == "dimensionless":
        return unit == ""
    table, target = _TARGET_SCALE[dimension]
    return table.get(unit) == target
