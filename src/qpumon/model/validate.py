"""Checks for raw values at a source's edge; each failure names where the bad value is."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..util.times import document_time


def number(value: Any, where: str) -> float:
    """``value`` as a finite float; ints are coerced, bools, strings, NaN and inf rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {_show(value)}")
    try:
        result = float(value)
    except OverflowError as exc:  # an integer beyond any float, such as 10**400
        raise InputError(f"{where}: {_show(value)} is too large for a number") from exc
    if not math.isfinite(result):
        raise InputError(f"{where}: expected a finite number, got {result}")
    return result


def at_least(value: float, low: float, where: str) -> float:
    """``value`` if it is >= ``low``, else a :class:`InputError`."""
    if value < low:
        raise InputError(
            f"{where}: {value} is below {low:g}, which is impossible for this quantity"
        )
    return value


def non_negative(value: Any, where: str) -> float:
    """``value`` as a finite float >= 0 (a time, a duration, a length, an uncertainty)."""
    return at_least(number(value, where), 0.0, where)


def optional_non_negative(value: Any, where: str) -> float | None:
    """None for None, else :func:`non_negative` (an uncertainty a document may leave out)."""
    return None if value is None else non_negative(value, where)


def fraction(value: Any, where: str) -> float:
    """``value`` as a finite float in [0, 1] (an error, a fidelity, a probability)."""
    return probability(number(value, where), where)


def finite(value: float, where: str) -> float:
    """``value`` if a computation from valid numbers (a unit conversion) left it finite."""
    if not math.isfinite(value):
        raise InputError(f"{where}: the value is beyond the largest number once converted")
    return value


def probability(value: float, where: str) -> float:
    """``value`` if it lies in [0, 1], else a :class:`InputError`."""
    if not 0.0 <= value <= 1.0:
        raise InputError(f"{where}: {value} is not a probability (expected 0 to 1)")
    return value


def integer(value: Any, where: str) -> int:
    """``value`` as an int (a float with no fractional part is accepted)."""
    if isinstance(value, bool):
        raise InputError(f"{where}: expected an integer, got {_show(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise InputError(f"{where}: expected an integer, got {_show(value)}")


INDEX_DIGITS = 9
"""The most digits an index (a qubit, a page, a count) may have as text: far beyond any device,
well inside a 64-bit integer, and short enough to convert without a digit-limit error."""


def index_text(value: str, where: str) -> int:
    """A non-negative index written as text (a query value, an option, a qubit label) as an int:
    ASCII digits only (``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses), at
    most :data:`INDEX_DIGITS` of them; anything else is an :class:`InputError` naming ``where``."""
    stripped = value.strip()
    if not stripped or not (stripped.isascii() and stripped.isdigit()):
        raise InputError(f"{where}: expected a non-negative whole number, got {_show(value)}")
    if len(stripped) > INDEX_DIGITS:
        raise InputError(f"{where}: {len(stripped)} digits is too many (at most {INDEX_DIGITS})")
    return int(stripped)


def text(value: Any, where: str) -> str:
    """``value`` if it is a string."""
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a string, got {_show(value)}")
    return value


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected an object, got {_show(value)}")
    return value


def sequence(value: Any, where: str) -> Sequence[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list | tuple):
        raise InputError(f"{where}: expected an array, got {_show(value)}")
    return value


def timestamp(value: Any, where: str, cache: dict[str, datetime] | None = None) -> datetime:
    """An ISO-8601 string (or a datetime) as a UTC datetime (see
    :func:`qpumon.util.times.parse_iso`); ``cache`` remembers strings already parsed (a
    calibration repeats a few dates many times)."""
    if cache is not None and isinstance(value, str):
        hit = cache.get(value)
        if hit is not None:
            return hit
    result = document_time(value, where)
    if cache is not None and isinstance(value, str):
        cache[value] = result
    return result


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits (int)"
    shown = repr(value)
    kind = type(value).__name__
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} ({kind})"
