"""Durations (``30m``, ``90d``) and points in time (``2025-01-31``, ``7d`` ago) from the command
line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..errors import QpumonError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdwy])\s*$", re.IGNORECASE)


def parse_duration(text: str, what: str = "duration") -> timedelta:
    """``90d``, ``30m``, ``12h``, ``2w``, ``1y``, ``45s`` -> a positive timedelta."""
    found = _DURATION.match(text)
    if found is None:
        raise QpumonError(
            f"{what} {text!r}: give a number and a unit s, m, h, d, w or y (e.g. 30m, 90d)"
        )
    seconds = float(found.group(1)) * _UNITS[found.group(2).lower()]
    if seconds <= 0:
        raise QpumonError(f"{what} {text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def parse_when(text: str, now: datetime | None = None, what: str = "time") -> datetime:
    """A duration means that long before ``now``; otherwise an ISO-8601 date or time (UTC unless
    it says otherwise)."""
    if _DURATION.match(text):
        return (now or datetime.now(timezone.utc)) - parse_duration(text, what)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise QpumonError(
            f"{what} {text!r}: give an ISO date or time (2025-01-31, 2025-01-31T12:00) or an age "
            "such as 30d"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def short(when: datetime | None) -> str:
    """``2025-02-26 20:16`` (UTC), or ``—`` when unknown."""
    return "—" if when is None else when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
