"""What went wrong talking to IBM's services, said in one line, with every secret redacted.

Each request names its :class:`Route` (the service, what was asked, the device if any); the
transport turns a timeout, a network fault or an error answer into one
:class:`~qpumon.errors.QpumonError` through the functions here. Text that came from a server goes
through :func:`~qpumon.util.printable.printable` and :func:`redact`, which hides the API key (and
the access token) in every encoding a careless server might echo (see :mod:`qpumon.util.redaction`).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import orjson

from ...errors import (
    QpumonError,
    ServiceAnswerError,
    TokenRejectedError,
    UnreachableError,
)
from ...util.printable import printable
from ...util.redaction import REDACTED as REDACTED
from ...util.redaction import redact as redact_secrets

#: How to give qpumon a token, quoted by every error about one.
HOW_TO_SET_TOKEN = (
    "set a valid API key with `qpumon login`, --token or QISKIT_IBM_TOKEN "
    "(and the instance with --instance or QISKIT_IBM_INSTANCE)"
)
_RETRYABLE = frozenset({429}) | frozenset(range(500, 600))
_LONGEST_DETAIL = 300
#: How much of a server's text is searched for secrets (and its first line shown from).
_LONGEST_SEARCHED = 64 * 1024


@dataclass(frozen=True)
class Route:
    """One kind of request, for messages: ``service`` answered (or not) ``what``."""

    what: str
    service: str = "IBM Quantum"
    device: str | None = None
    sign_in: bool = False  # the API-key exchange: a 400 means a bad key
    #: How to give this service a valid credential (another vendor's variables); IBM's if None.
    credentials: str | None = None


def retryable(status: int | None) -> bool:
    """True for the answers worth trying again: 429 (too many requests) and 5xx."""
    return status in _RETRYABLE


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with ``secrets`` and every registered secret hidden in any encoding a server
    might echo (see :mod:`qpumon.util.redaction`)."""
    return redact_secrets(text, *secrets)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), if valid."""
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _short(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= _LONGEST_DETAIL else line[: _LONGEST_DETAIL - 3] + "..."


def clean(text: str, secrets: Iterable[str | None]) -> str:
    """Server text made safe for a message: one short line, no controls, no secrets (hidden
    before the line is cut, so that a cut cannot leave an encoding of one half-recognisable)."""
    return printable(redact(_short(redact(text[:_LONGEST_SEARCHED], *secrets)), *secrets))


def answer_detail(body: bytes, secrets: Iterable[str | None]) -> str:
    """The service's own words in an error answer: its message(s), else the body's first line."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        document = None
    found: list[object] = []
    if isinstance(document, dict):
        errors = document.get("errors")
        if isinstance(errors, list):
            found += [e.get("message") for e in errors if isinstance(e, dict)]
        error = document.get("error")
        found += [error.get("message")] if isinstance(error, dict) else [error]
        found += [document.get("errorMessage"), document.get("message")]  # IAM, Cloud
    messages = [str(m) for m in found if isinstance(m, str) and m]
    text = "; ".join(messages) if messages else body.decode("utf-8", "replace")
    return clean(text, secrets) or "no details"


def answer_error(route: Route, status: int, url: str, detail: str, attempts: int) -> QpumonError:
    """The error for an HTTP error answer ``status`` to ``route``."""
    if status in (401, 403) or (status == 400 and route.sign_in):
        reason = "refused this token access" if status == 403 else "rejected the token"
        return TokenRejectedError(
            f"{route.service} {reason} (HTTP {status} for {route.what}); "
            f"{route.credentials or HOW_TO_SET_TOKEN}"
        )
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return ServiceAnswerError(
        f"{route.service} answered HTTP {status} to {route.what}{tries} ({url}): {detail}", status
    )


def wait_refused(route: Route, url: str, status: int, asked: float, cap: float) -> QpumonError:
    """The error for an answer whose ``Retry-After`` asks for longer than qpumon waits."""
    return ServiceAnswerError(
        f"{route.service} answered HTTP {status} to {route.what} ({url}) and asked to wait "
        f"{asked:g} s before trying again, longer than the {cap:g} s qpumon waits; try again "
        "later",
        status,
    )


def timeout_error(route: Route, url: str, timeout: float) -> UnreachableError:
    """The error for a request that did not complete within its deadline."""
    return UnreachableError(
        f"{route.service} did not answer {route.what} within {timeout:g} s ({url}); "
        "try again later or allow more time with --timeout"
    )


def unreachable_error(route: Route, url: str, exc: BaseException) -> UnreachableError:
    """The error for a request that never got an answer (DNS, refused, TLS, proxy, reset)."""
    reason = _reason(exc)
    if reason is None:
        host = urlsplit(url).hostname or url
        return UnreachableError(
            f"cannot reach {route.service}: the name {host} does not resolve (DNS failure) for "
            f"{url}; check the network connection and the account's URL"
        )
    return UnreachableError(
        f"cannot reach {route.service} at {url}: {reason}; check the network connection and "
        "the account's URL"
    )


def _reason(exc: BaseException) -> str | None:
    """Why no answer came, in a few words; None for a name that does not resolve."""
    import socket

    import httpx

    for linked in _chain(exc):
        if isinstance(linked, socket.gaierror):
            return None
        if isinstance(linked, ssl.SSLCertVerificationError):
            return "its TLS certificate could not be verified (a proxy? see the account's verify)"
        if isinstance(linked, ConnectionRefusedError):
            return "connection refused"
        if isinstance(linked, ConnectionResetError):
            return "the connection was reset"
        if isinstance(linked, httpx.ProxyError):
            return "the proxy refused the connection (see the account's proxies)"
        if isinstance(linked, httpx.RemoteProtocolError):
            return "the server closed the connection without a complete answer"
    return "network unreachable"
