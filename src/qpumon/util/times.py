"""Times: the one ISO-8601 parser, durations and ages from the command line, and how times are
shown.

Every time qpumon reads, from a calibration file, a service answer or an option such as ``--at``
or ``--since``, goes through :func:`parse_iso` (or :func:`parse_time`, which also takes an age
such as ``30d``). They accept ``Z`` for UTC on every Python qpumon supports, take a time without
an offset to be UTC, and return an aware UTC ``datetime``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..errors import InputError, UsageError

#: Units of a duration, in seconds.
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}
_DURATION = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,6})?)\s*([smhdwy])\s*$", re.IGNORECASE)
#: The longest duration accepted: a century is more history than any device has.
MAX_DURATION = timedelta(days=100 * 365)


def parse_iso(text: str) -> datetime:
    """An ISO-8601 date or time as an aware UTC datetime; ``ValueError`` if it is not one.

    ``Z`` means UTC (Python 3.10's parser does not accept it, so it is rewritten); a time with no
    offset is taken to be UTC.
    """
    raw = text.strip()
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError as exc:  # 0001-01-01T00:00-01:00 lies before year 1 in UTC
        raise ValueError(f"{text!r} is out of range") from exc


def parse_duration(text: str, what: str = "duration") -> timedelta:
    """``90d``, ``30m``, ``12h``, ``2w``, ``1y`` or ``45s``: a timedelta under a century."""
    found = _DURATION.match(text)
    if found is None:
        raise UsageError(
            f"{what} {text!r}: give a number and a unit s, m, h, d, w or y (e.g. 30m, 90d)"
        )
    seconds = float(found.group(1)) * _UNITS[found.group(2).lower()]
    if seconds <= 0:
        raise UsageError(f"{what} {text!r} must be longer than zero")
    if seconds > MAX_DURATION.total_seconds():
        raise UsageError(f"{what} {text!r} is longer than 100 years")
    return timedelta(seconds=seconds)


def parse_time(text: str, what: str = "time", now: datetime | None = None) -> datetime:
    """A point in time from the command line: an age (``30d``: that long before ``now``) or an
    ISO-8601 date or time (``2026-03-01``, ``2026-03-01T12:00Z``; UTC unless it says otherwise)."""
    if _DURATION.match(text):
        return (now or datetime.now(timezone.utc)) - parse_duration(text, what)
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise UsageError(
            f"{what} {text!r}: give an ISO-8601 date or time (2026-03-01, 2026-03-01T12:00Z) or "
            "an age such as 30d"
        ) from exc


#: The earliest date a document may give: before any quantum processor was calibrated.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
#: How far past now a document's date may lie (clocks and time zones disagree by hours).
FUTURE_SLACK = timedelta(days=1)
_OUTSIDE = "outside the dates a calibration can have (1990-01-01 to tomorrow)"


def document_time(value: object, where: str) -> datetime:
    """A time field of an input document (a string, or a datetime a client already parsed) as
    an aware UTC datetime; a date before :data:`EARLIEST` or more than :data:`FUTURE_SLACK`
    past now is refused (a calibration dated in the year 5138 would be the newest for ever)."""
    if isinstance(value, datetime):
        try:
            when = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(
                timezone.utc
            )
        except OverflowError as exc:  # year 9999 with a negative offset lies past year 9999
            raise InputError(f"{where}: {value.isoformat()} is {_OUTSIDE}") from exc
        return in_range(when, where)
    if not isinstance(value, str) or len(value) > 64:
        raise InputError(f"{where}: expected an ISO-8601 date, got {type(value).__name__}")
    try:
        when = parse_iso(value)
    except ValueError as exc:
        if isinstance(exc.__cause__, OverflowError):  # beyond year 1..9999 once in UTC
            raise InputError(f"{where}: {value!r} is {_OUTSIDE}") from exc
        raise InputError(f"{where}: {value!r} is not an ISO-8601 date") from exc
    return in_range(when, where)


def in_range(when: datetime, where: str) -> datetime:
    """``when`` if it lies between :data:`EARLIEST` and now + :data:`FUTURE_SLACK`."""
    if EARLIEST <= when <= datetime.now(timezone.utc) + FUTURE_SLACK:
        return when
    shown = when.isoformat().replace("+00:00", "Z")  # iso() writes year 1 as "1"
    raise InputError(f"{where}: {shown} is {_OUTSIDE}")


def iso(when: datetime) -> str:
    """``when`` as ``2026-03-01T12:00:00Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_time(when: datetime | None, missing: str = "—") -> str:
    """``2025-02-26 20:16 UTC``, or ``missing``."""
    return missing if when is None else when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def short(when: datetime | None, missing: str = "—") -> str:
    """``2025-02-26 20:16`` (UTC), or ``missing``."""
    return missing if when is None else when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def format_age(when: datetime | None, now: datetime, missing: str = "—") -> str:
    """How long before ``now`` ``when`` was, in the two largest units: ``1 year 9 months ago``."""
    if when is None:
        return missing
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
