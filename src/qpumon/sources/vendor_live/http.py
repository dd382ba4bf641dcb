"""JSON over HTTP for a live vendor, on the IBM live layer's transport.

:class:`VendorHTTP` sends ``GET`` requests through the IBM live layer's
:class:`~qpumon.sources.ibm_live.transport.Transport` (one total deadline per request, 429 and
5xx retried with backoff and ``Retry-After``, network faults and timeouts as one line) with the
vendor's name as the service, and decodes the answer. A 401 or 403 is a
:class:`~qpumon.errors.TokenRejectedError` (exit 2) that says what to set; a body that is not
JSON (a truncated one) or has the wrong shape is a :class:`~qpumon.errors.MalformedAnswerError`
(exit 3) naming the vendor, the route and the field. Every message is redacted against the
vendor's credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import orjson

from ...errors import InputError, MalformedAnswerError, QpumonError
from ..ibm_live.faults import Route, redact
from ..ibm_live.options import LiveOptions
from ..ibm_live.transport import Transport
from . import LiveVendor, registered_secrets


def segment(text: str) -> str:
    """``text`` made safe as one path segment of a URL."""
    return quote(text, safe="")


class VendorHTTP:
    """``GET`` JSON from ``base_url`` with ``headers`` (the credentials) for ``vendor``;
    ``headers`` may be a function, called for each request (a tokens file read again, so a
    long ``watch`` follows the token its owner's tool renews)."""

    def __init__(
        self,
        vendor: LiveVendor,
        base_url: str,
        headers: Mapping[str, str] | Callable[[], Mapping[str, str]],
        options: LiveOptions,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.vendor, self.base_url = vendor, base_url.rstrip("/")
        self._headers, self._secrets = headers, secrets
        self.transport = Transport(
            options, tls=self.base_url.startswith("https:"), secrets=self.secrets
        )

    def secrets(self) -> tuple[str, ...]:
        """The secrets every message is redacted against."""
        return (*self._secrets, *registered_secrets())

    def _sent_headers(self) -> Mapping[str, str]:
        return self._headers() if callable(self._headers) else self._headers

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (``/api/v1/...``)."""
        return f"{self.base_url}{path}"

    async def get(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON answer to ``GET path`` (``what`` names it in messages)."""
        url = self.url(path)
        route = Route(what, service=self.vendor.service, credentials=self.vendor.how_to_configure)
        try:
            answer = await self.transport.request(
                route, "GET", url, headers=self._sent_headers(), params=params
            )
        except QpumonError as exc:
            exc.args = _redacted_args(exc, self.secrets())
            raise
        try:
            return orjson.loads(answer.body)
        except orjson.JSONDecodeError as exc:
            raise MalformedAnswerError(
                f"{self.vendor.service} sent {what} that is not complete JSON ({url}): "
                f"{len(answer.body)} bytes, {exc.msg} at byte {exc.pos}"
            ) from None

    @contextmanager
    def reading(self, what: str, path: str) -> Iterator[str]:
        """Parse an answer: yields where it came from (``the backend list from IonQ (<url>)``)
        for messages, and turns a reader's :class:`~qpumon.errors.InputError` into a
        :class:`~qpumon.errors.MalformedAnswerError` (the service's fault, exit 3)."""
        context = f"{what} from {self.vendor.service} ({self.url(path)})"
        try:
            yield context
        except InputError as exc:
            raise answer_fault(exc, self.secrets(), context) from None

    async def close(self) -> None:
        """Close the connections."""
        await self.transport.close()


def answer_fault(
    exc: InputError, secrets: tuple[str, ...], context: str = ""
) -> MalformedAnswerError:
    """A reader's complaint about a live answer, as the service's fault (exit 3), said with
    ``context`` (the vendor, what was asked and its URL) unless the message already starts so."""
    message = str(exc)
    if context and not message.startswith(context):
        message = f"{context}: {message}"
    return MalformedAnswerError(redact(message, *secrets))


def _redacted_args(exc: QpumonError, secrets: tuple[str, ...]) -> tuple[Any, ...]:
    args = list(exc.args)
    if args and isinstance(args[0], str):
        args[0] = redact(args[0], *secrets)
    return tuple(args)
