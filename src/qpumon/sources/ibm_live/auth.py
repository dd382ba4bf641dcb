"""The IBM Cloud IAM access token: the API-key exchange, kept in memory, renewed before it expires.

``POST {IAM}/identity/token`` with ``grant_type=urn:ibm:params:oauth:grant-type:apikey`` answers
``{access_token, expires_in, expiration, ...}``. The token is renewed once 80 % of its lifetime has
passed (as the IBM Cloud SDK does). Concurrent requests share one renewal; a renewal that fails
while the old token is still valid keeps the old one, and one that fails after it expired fails
the requests waiting for it, at once, with the reason. The next request tries again: nothing is
held back after a failure. The token is never written anywhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

import orjson

from ...errors import MalformedAnswerError, QpumonError
from ...util.redaction import register_secret
from .faults import Route
from .transport import Transport

GRANT_TYPE = "urn:ibm:params:oauth:grant-type:apikey"
#: The part of a token's lifetime after which it is renewed.
_RENEW_AFTER = 0.8
#: Lifetime assumed when IAM names none (its tokens last an hour).
_DEFAULT_LIFETIME = 3600.0
SIGN_IN = Route("the API key exchange", sign_in=True)
RENEWAL = Route("the renewal of the access token (API key exchange)", sign_in=True)


class IamToken:
    """Access tokens for ``api_key`` from the IAM service at ``iam_url`` (its host)."""

    def __init__(
        self,
        api_key: str,
        iam_url: str,
        transport: Transport,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_key = api_key
        self.url = f"{iam_url.rstrip('/')}/identity/token"
        self._transport, self._clock = transport, clock
        self.token: str | None = None
        self._renew_at = self._expires_at = 0.0
        self._renewal: asyncio.Task[str] | None = None
        self.exchanges = 0

    async def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>``, renewing the token first if it is due."""
        return {"Authorization": f"Bearer {await self.get()}"}

    def refused(self, headers: Mapping[str, str]) -> None:
        """A 401 to a request sent with ``headers``: that token is no longer used."""
        if headers.get("Authorization") == f"Bearer {self.token}":
            self.token = None

    async def get(self) -> str:
        """A valid access token."""
        now = self._clock()
        token = self.token
        if token is not None and now < self._renew_at:
            return token
        try:
            return await asyncio.shield(self._shared_renewal())
        except QpumonError:
            if token is not None and token == self.token and self._clock() < self._expires_at:
                return token  # renewed too early to matter: the old token still serves
            raise

    def _shared_renewal(self) -> asyncio.Task[str]:
        if self._renewal is None or self._renewal.done():
            first = self.exchanges == 0
            self._renewal = asyncio.ensure_future(self._exchange(SIGN_IN if first else RENEWAL))
        return self._renewal

    async def _exchange(self, route: Route) -> str:
        sent = self._clock()
        answer = await self._transport.request(
            route,
            "POST",
            self.url,
            data={"grant_type": GRANT_TYPE, "apikey": self._api_key},
        )
        self.exchanges += 1
        token, lifetime = _parse(answer.body, route, self.url)
        register_secret(token)
        self.token = token
        self._renew_at = sent + _RENEW_AFTER * lifetime
        self._expires_at = sent + lifetime - min(10.0, 0.1 * lifetime)
        return token


def _parse(body: bytes, route: Route, url: str) -> tuple[str, float]:
    """The access token and its lifetime in seconds from IAM's answer."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedAnswerError(
            f"IBM Quantum's answer to {route.what} is not JSON ({url})"
        ) from exc
    token = document.get("access_token") if isinstance(document, dict) else None
    if not isinstance(token, str) or not token:
        raise MalformedAnswerError(
            f"IBM Quantum's answer to {route.what} holds no access_token ({url})"
        )
    lifetime = document.get("expires_in")
    if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool):
        expiration = document.get("expiration")
        lifetime = (
            expiration - time.time() if isinstance(expiration, (int, float)) else _DEFAULT_LIFETIME
        )
    return token, max(0.0, float(lifetime))
