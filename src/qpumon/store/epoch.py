"""How the SQLite store keeps times: integer microseconds since the Unix epoch, UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(value: datetime) -> int:
    """Microseconds since the Unix epoch (naive datetimes are taken to be UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@lru_cache(maxsize=65_536)
def _from_epoch_us(value: int) -> datetime:
    """Calibration times repeat across thousands of rows: convert each once."""
    return _EPOCH + timedelta(microseconds=value)


def to_datetime(value: Any) -> datetime | None:
    """A stored time (epoch microseconds or a datetime) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, int):
        return _from_epoch_us(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    raise TypeError(f"not a stored time: {value!r}")
