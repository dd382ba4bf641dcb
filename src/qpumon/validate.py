"""Checks for raw values at a source's edge; each failure names where the bad value is."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .errors import DataError


def number(value: Any, where: str) -> float:
    """``value`` as a finite float; ints are coerced, bools, strings, NaN and inf rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"{where}: expected a number, got {_show(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise DataError(f"{where}: expected a finite number, got {result}")
    return result


def at_least(value: float, low: float, where: str) -> float:
    """``value`` if it is >= ``low``, else a :class:`DataError`."""
    if value < low:
        raise DataError(f"{where}: {value} is below {low:g}, which is impossible for this quantity")
    return value


def probability(value: float, where: str) -> float:
    """``value`` if it lies in [0, 1], else a :class:`DataError`."""
    if not 0.0 <= value <= 1.0:
        raise DataError(f"{where}: {value} is not a probability (expected 0 to 1)")
    return value


def integer(value: Any, where: str) -> int:
    """``value`` as an int (a float with no fractional part is accepted)."""
    if isinstance(value, bool):
        raise DataError(f"{where}: expected an integer, got {_show(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise DataError(f"{where}: expected an integer, got {_show(value)}")


def text(value: Any, where: str) -> str:
    """``value`` if it is a string."""
    if not isinstance(value, str):
        raise DataError(f"{where}: expected a string, got {_show(value)}")
    return value


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, Mapping):
        raise DataError(f"{where}: expected an object, got {_show(value)}")
    return value


def sequence(value: Any, where: str) -> Sequence[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list | tuple):
        raise DataError(f"{where}: expected an array, got {_show(value)}")
    return value


def timestamp(value: Any, where: str, cache: dict[str, datetime] | None = None) -> datetime:
    """An ISO-8601 string (or a datetime) as a UTC datetime; a naive one is taken to be UTC."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc
        )
    if cache is not None and isinstance(value, str):
        hit = cache.get(value)
        if hit is not None:
            return hit
    raw = text(value, where)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise DataError(f"{where}: {raw!r} is not an ISO-8601 date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    result = parsed.astimezone(timezone.utc)
    if cache is not None:
        cache[raw] = result
    return result


def _show(value: Any) -> str:
    shown = repr(value)
    kind = type(value).__name__
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} ({kind})"
