"""What went wrong talking to IBM's services, said in one line, with every secret redacted.

Each request names its :class:`Route` (the service, what was asked, the device if any); the
transport turns a timeout, a network fault or an error answer into one
:class:`~qpumon.errors.QpumonError` through the functions here. Text that came from a server goes
through :func:`~qpumon.util.printable.printable` and :func:`redact`, which hides the API key (and
the access token) in every encoding a careless server might echo: raw, percent-encoded, JSON-escaped
and base64 (of the key and of the ``apikey:KEY`` Basic credential).
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote, quote_plus, urlsplit

import orjson

from ...errors import (
    QpumonError,
    ServiceAnswerError,
    TokenRejectedError,
    UnreachableError,
)
from ...util.printable import printable

#: How to give qpumon a token, quoted by every error about one.
HOW_TO_SET_TOKEN = (
    "set a valid API key with `qpumon login`, --token or QISKIT_IBM_TOKEN "
    "(and the instance with --instance or QISKIT_IBM_INSTANCE)"
)
REDACTED = "***"
_RETRYABLE = frozenset({429}) | frozenset(range(500, 600))
_LONGEST_DETAIL = 300
#: The longest start of a secret that may show: a longer one is redacted wherever it appears.
_SHOWN_PREFIX = 8


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


@lru_cache(maxsize=8)
def _forms(secret: str) -> tuple[str, ...]:
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    for data in (raw, b"apikey:" + raw):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(data).decode("ascii")
            forms |= {text, text.rstrip("=")}
    return tuple(sorted((f for f in forms if len(f) >= 4), key=len, reverse=True))


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every encoding of every secret replaced by ``***``, and any part of one
    that starts like it (a server or a parser that shortens what it quotes: ``'qpumon-te...'``)."""
    forms = [form for secret in secrets if secret for form in _forms(secret)]
    for form in forms:
        text = text.replace(form, REDACTED)
    for form in forms:
        text = _hide_start(text, form)
    return text


def _hide_start(text: str, form: str) -> str:
    """``text`` with every stretch that begins like ``form`` redacted."""
    if len(form) < _SHOWN_PREFIX:
        return text
    head, parts, start = form[:_SHOWN_PREFIX], [], 0
    while (found := text.find(head, start)) >= 0:
        end = found + _SHOWN_PREFIX
        while end < len(text) and end - found < len(form) and text[end] == form[end - found]:
            end += 1
        parts += [text[start:found], REDACTED]
        start = end
    return "".join([*parts, text[start:]])


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
    """Server text made safe for a message: one short line, no controls, no secrets."""
    return printable(redact(_short(text), *secrets))


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
