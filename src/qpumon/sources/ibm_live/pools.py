"""The httpx clients behind one :class:`~qpumon.sources.ibm_live.transport.Transport`.

Over TLS the requests to a host share one client and, where the server offers HTTP/2, one
multiplexed connection. A host that answers in HTTP/1.1 (and every plain ``http://`` host) needs
a connection per request in flight, and httpcore's pool rescans all of its connections on every
request event (encode/httpcore#1035: quadratic in the connections), so those requests are spread
round-robin over up to :data:`SHARDS` clients: 60 requests at once then cost a fifth of the CPU.
All clients share one TLS context: the CA certificates are loaded once, and not at all when no
URL of the account uses TLS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .options import LiveOptions

if TYPE_CHECKING:
    import ssl

    import httpx

#: The most clients HTTP/1.1 requests are spread over.
SHARDS = 8
HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": "qpumon"}


class Pools:
    """Pooled httpx clients for ``options`` (``verify``, ``proxies`` as the account says);
    ``tls``: whether any URL of the account is ``https`` (HTTP/2 is offered only then)."""

    def __init__(
        self,
        options: LiveOptions,
        *,
        verify: bool = True,
        proxies: Mapping[str, str] | None = None,
        tls: bool = True,
    ) -> None:
        self.options, self.tls = options, tls
        self._verify, self._proxies = verify, dict(proxies or {})
        self._context: ssl.SSLContext | None = None
        self._clients: list[httpx.AsyncClient] = []
        self._http1: set[str] = set()
        self._turn = 0

    def client(self, url: str) -> httpx.AsyncClient:
        """The client to send a request for ``url`` with."""
        parts = urlsplit(url)
        if parts.scheme == "https" and not self.tls:
            raise RuntimeError(f"internal error: {url} needs TLS, which was not prepared")
        if parts.scheme == "https" and parts.netloc not in self._http1:
            return self._get(0)
        self._turn = (self._turn + 1) % SHARDS
        return self._get(self._turn)

    def answered(self, url: str, http_version: str) -> None:
        """Note the HTTP version a host answered in (HTTP/1.1 hosts get spread requests)."""
        if http_version != "HTTP/2":
            self._http1.add(urlsplit(url).netloc)

    def _get(self, index: int) -> httpx.AsyncClient:
        while len(self._clients) <= index:
            self._clients.append(self._new())
        return self._clients[index]

    def _new(self) -> httpx.AsyncClient:
        import httpx

        workers = self.options.workers
        settings: dict[str, Any] = {
            "verify": self._tls_context(),
            "http2": self.tls,
            "limits": httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
        }
        mounts = {
            (key if "://" in key else f"{key}://"): httpx.AsyncHTTPTransport(proxy=url, **settings)
            for key, url in self._proxies.items()
        }
        return httpx.AsyncClient(
            headers=HEADERS,
            timeout=httpx.Timeout(self.options.timeout),
            mounts=mounts or None,
            **settings,
        )

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is None:
            import httpx

            self._context = httpx.create_ssl_context(verify=self._verify and self.tls)
        return self._context

    async def close(self) -> None:
        """Close every client's connections."""
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()
