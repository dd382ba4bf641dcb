"""HTTP for the live client: httpx with a total deadline per request and qpumon's retry policy.

One pooled ``httpx.AsyncClient`` per connection to IBM (HTTP/2 where the server offers it over
TLS, ``Accept-Encoding: gzip``, the account's ``proxies`` and ``verify``). Every attempt has a total
deadline of ``timeout`` seconds, from sending the request to the last byte of the answer, enforced
around the whole streamed read (httpx's own timeouts are per phase and would let a trickling body
run on); a timeout or a network fault is not retried. Answers 429 and 5xx are retried with
exponential backoff capped at ``backoff_cap``, or after the ``Retry-After`` the answer asks for
when that is no more than ``retry_after_cap``; other answers, 4xx included, are final. A 401 on a
request with a token renews the token once and sends the request again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ...errors import MalformedAnswerError
from .faults import (
    Route,
    answer_detail,
    answer_error,
    retry_after,
    retryable,
    timeout_error,
    unreachable_error,
    wait_refused,
)
from .options import LiveOptions
from .pools import Pools

if TYPE_CHECKING:
    import httpx

#: The most an answer may hold once decompressed; fez's calibration is 0.6 MB.
MAX_ANSWER_BYTES = 256 * 1024 * 1024

Sleep = Callable[[float], Awaitable[None]]


class Authorizer(Protocol):
    """What signs a request: its headers, and forgetting a token the server refused."""

    async def headers(self) -> dict[str, str]:
        """The authorization headers of the next request."""

    def refused(self, headers: Mapping[str, str]) -> None:
        """The server answered 401 to a request sent with ``headers``."""


@dataclass(frozen=True)
class Answer:
    """A complete answer: status, headers, the decoded body and the bytes that crossed the wire."""

    status: int
    headers: httpx.Headers
    body: bytes
    wire_bytes: int


class _TooLarge(Exception):
    pass


async def _within(seconds: float, awaitable: Awaitable[Answer]) -> Answer:
    """``await awaitable``, or ``TimeoutError`` after ``seconds``; a cancellation from outside
    always propagates (``asyncio.wait_for`` before 3.12 can swallow it when the inner request
    completes at the same moment)."""
    async with asyncio.timeout(seconds):
        return await awaitable


class Transport:
    """Requests to IBM's services with the deadline, pooling and retry policy of ``options``;
    ``tls``: whether any URL of the account is ``https`` (see :class:`~.pools.Pools`)."""

    def __init__(
        self,
        options: LiveOptions,
        *,
        verify: bool = True,
        proxies: Mapping[str, str] | None = None,
        tls: bool = True,
        secrets: Callable[[], tuple[str | None, ...]] = tuple,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.options = options
        self.pools = Pools(options, verify=verify, proxies=proxies, tls=tls)
        self._secrets, self._sleep = secrets, sleep
        self._slots: asyncio.Semaphore | None = None

    async def close(self) -> None:
        """Close the pooled connections."""
        await self.pools.close()

    async def request(
        self,
        route: Route,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        auth: Authorizer | None = None,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> Answer:
        """The answer to ``method url``, an error (:class:`~qpumon.errors.QpumonError`) for any
        answer that is not 2xx after the retries the policy allows, or longer than
        ``max_bytes`` once decompressed."""
        options = self.options
        attempt, renewed = 1, False
        while True:
            sent = dict(headers or {}) | (await auth.headers() if auth else {})
            answer = await self._attempt(route, method, url, sent, (params, data, json), max_bytes)
            status = answer.status
            if status < 400:
                return answer
            if status == 401 and auth is not None and not renewed:
                auth.refused(sent)
                renewed = True
                continue
            if attempt > options.retries or not retryable(status):
                detail = answer_detail(answer.body, self._secrets())
                raise answer_error(route, status, url, detail, attempt)
            wait = min(options.backoff_cap, options.backoff * 2 ** (attempt - 1))
            asked = retry_after(answer.headers.get("retry-after"))
            if asked is not None:
                if asked > options.retry_after_cap:
                    raise wait_refused(route, url, status, asked, options.retry_after_cap)
                wait = max(wait, asked)
            await self._sleep(wait)
            attempt += 1

    async def _attempt(
        self,
        route: Route,
        method: str,
        url: str,
        headers: dict[str, str],
        content: tuple[Mapping[str, str] | None, Mapping[str, str] | None, Any],
        max_bytes: int,
    ) -> Answer:
        import httpx

        params, data, json = content
        client = self.pools.client(url)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.options.workers)
        request = client.build_request(
            method, url, headers=headers, params=params, data=data, json=json
        )
        async with self._slots:  # the deadline starts once the request may go out
            try:
                exchange = self._exchange(client, request, max_bytes)
                return await _within(self.options.timeout, exchange)
            except (TimeoutError, httpx.TimeoutException) as exc:
                raise timeout_error(route, url, self.options.timeout) from exc
            except _TooLarge as exc:
                raise MalformedAnswerError(
                    f"{route.service} sent more than {max_bytes // 2**20} MiB for "
                    f"{route.what} ({url}); qpumon stopped reading"
                ) from exc
            except httpx.DecodingError as exc:
                raise MalformedAnswerError(
                    f"{route.service} sent {route.what} in an encoding that does not decode "
                    f"({url}): {type(exc).__name__}"
                ) from exc
            except (httpx.TransportError, OSError) as exc:
                raise unreachable_error(route, url, exc) from exc

    async def _exchange(
        self, client: httpx.AsyncClient, request: httpx.Request, max_bytes: int
    ) -> Answer:
        response = await client.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        self.pools.answered(str(request.url), response.http_version)
        return Answer(
            response.status_code, response.headers, b"".join(chunks), response.num_bytes_downloaded
        )
