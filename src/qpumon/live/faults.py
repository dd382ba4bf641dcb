"""What went wrong talking to IBM Quantum, said in one line, with the token redacted.

The client raises its own exceptions (``RequestsApiError``, ``IBMNotAuthorizedError``, the IAM
SDK's ``ApiException``) wrapping ``requests`` ones; :func:`describe` turns any of them into a
:class:`~qpumon.errors.QpumonError` that names the URL and says how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..errors import (
    QpumonError,
    ServiceAnswerError,
    ServiceError,
    TokenRejectedError,
    UnreachableError,
)

#: How to give qpumon a token, quoted by every error about one.
HOW_TO_SET_TOKEN = (
    "set a valid API key with `qpumon login`, --token or QISKIT_IBM_TOKEN "
    "(and the instance CRN with --instance or QISKIT_IBM_INSTANCE)"
)
REDACTED = "***"
_RETRYABLE = frozenset({429}) | frozenset(range(500, 600))
_DNS_HINTS = (
    "NameResolutionError",
    "Failed to resolve",
    "Name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "No address associated",
)


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``***``."""
    if not secret:
        return text
    return text.replace(secret, REDACTED)


def retryable(status: int | None) -> bool:
    """True for the answers worth trying again: 429 (too many requests) and 5xx."""
    return status in _RETRYABLE


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def http_status(exc: BaseException) -> int | None:
    """The HTTP status code behind ``exc``, or None when no answer came (network fault)."""
    for linked in _chain(exc):
        for attribute in ("status_code", "code"):  # RequestsApiError, the IAM ApiException
            code = getattr(linked, attribute, None)
            if isinstance(code, int) and code > 0:
                return code
        response = getattr(linked, "response", None)
        code = getattr(response, "status_code", None)
        if isinstance(code, int) and code > 0:
            return code
    return None


def retry_after(exc: BaseException) -> float | None:
    """The seconds a 429/503 answer asked to wait (``Retry-After``), if it said."""
    for linked in _chain(exc):
        for holder in (getattr(linked, "response", None), getattr(linked, "http_response", None)):
            headers = getattr(holder, "headers", None)
            value = headers.get("Retry-After") if headers is not None else None
            if value is not None:
                try:
                    return max(0.0, float(value))
                except ValueError:
                    return None
    return None


def describe(
    exc: BaseException,
    *,
    what: str,
    url: str,
    timeout: float,
    token: str | None,
    attempts: int = 1,
) -> QpumonError:
    """One clear, redacted error for ``exc``, raised while asking IBM Quantum for ``what``."""
    import requests

    transport = next(
        (
            e
            for e in _chain(exc)
            if isinstance(e, requests.RequestException) and getattr(e, "response", None) is None
        ),
        None,
    )
    target = _url_of(transport) or url
    if isinstance(transport, requests.Timeout):
        return UnreachableError(
            f"IBM Quantum did not answer {what} within {timeout:g} s ({target}); "
            "try again later or allow more time with --timeout"
        )
    if isinstance(transport, requests.ConnectionError):
        return UnreachableError(redact(_unreachable(transport, target), token))
    status = http_status(exc)
    detail = redact(_detail(exc), token)
    if status in (401, 403) or (status == 400 and what == "the API key exchange"):
        reason = "rejected the token" if status != 403 else "refused this token access"
        return TokenRejectedError(
            f"IBM Quantum {reason} (HTTP {status} for {what}); {HOW_TO_SET_TOKEN}"
        )
    if status is not None:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return ServiceAnswerError(
            f"IBM Quantum answered HTTP {status} to {what}{tries} ({target}): {detail}", status
        )
    return ServiceError(f"IBM Quantum: {what} failed ({target}): {type(exc).__name__}: {detail}")


def _unreachable(transport: BaseException, target: str) -> str:
    text = str(transport)
    if any(hint in text for hint in _DNS_HINTS):
        host = urlsplit(target).hostname or target
        return (
            f"cannot reach IBM Quantum: the name {host} does not resolve (DNS failure) for "
            f"{target}; check the network connection and the account's URL"
        )
    reason = "connection refused" if "refused" in text.lower() else "network unreachable"
    return (
        f"cannot reach IBM Quantum at {target}: {reason}; check the network connection and "
        "the account's URL"
    )


def _url_of(exc: BaseException | None) -> str | None:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    return url.split("?", 1)[0] if isinstance(url, str) else None


def _detail(exc: BaseException) -> str:
    """The service's own words: the error message(s) of the JSON answer, else the exception's."""
    for linked in _chain(exc):
        for holder in (getattr(linked, "response", None), getattr(linked, "http_response", None)):
            messages = _messages(holder)
            if messages:
                return _short("; ".join(messages))
    return _short(str(exc).strip().strip("'\"") or type(exc).__name__)


def _messages(response: Any) -> list[str]:
    try:
        body = response.json()
    except Exception:  # no answer, not JSON: the caller falls back to the exception's text
        return []
    if not isinstance(body, dict):
        return []
    found = [e.get("message") for e in body.get("errors", []) if isinstance(e, dict)]
    error = body.get("error")
    found += [error.get("message")] if isinstance(error, dict) else []
    found += [body.get("errorMessage")]  # IBM Cloud IAM
    return [str(m) for m in found if m]


def _short(text: str) -> str:
    line = text.splitlines()[0] if text else text
    return line if len(line) <= 300 else line[:297] + "..."
