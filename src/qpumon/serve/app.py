"""The Starlette application: routes, the bearer-token check and the security headers.

Every route is read-only (GET and HEAD). A request reads the collector's latest view and
answers from the cache (:mod:`.cache`), drawing what is missing in a worker thread, so that
the event loop stays free for ``/metrics`` and ``/healthz`` while a page is drawn.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import QpumonError, StoreError, UsageError
from ..reports.formats.json_format import dumps
from .cache import rendered
from .handlers import Dashboard, DeviceUnavailable, NoSuchDevice, wants_json
from .responses import respond

#: What the pages may load: their own server's scripts, style sheets, images and data, nothing
#: else; inline style attributes only (the SVG figures colour their shapes with them).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-elem 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
#: The routes that never need a token.
OPEN_PATHS = frozenset({"/healthz"})


def create_app(dashboard: Dashboard, auth_token: str | None) -> Starlette:
    """The application serving ``dashboard``; with ``auth_token``, every route but
    ``/healthz`` needs ``Authorization: Bearer <token>``. The dashboard's collector is started
    and stopped by whoever runs the application (:func:`~.server.serve`)."""
    return Starlette(
        routes=_routes(dashboard),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BearerAuth, token=auth_token),
        ],
        exception_handlers={
            NoSuchDevice: dashboard.not_found,
            404: dashboard.not_found,
            DeviceUnavailable: dashboard.unavailable,
            UsageError: _error_answer(400),
            StoreError: _error_answer(404),
            QpumonError: _error_answer(500),
        },
    )


def _routes(d: Dashboard) -> list[Route]:
    # Device names may hold a slash (a file's backend_name): the routes with a tail come first.
    table: list[tuple[str, Callable[[Request], Any]]] = [
        ("/", d.fleet),
        ("/fleet/table", d.fleet_table),
        ("/devices/{name:path}/monitor.csv", d.device_csv),
        ("/devices/{name:path}/figures/map", d.map_figure),
        ("/devices/{name:path}/figures/history", d.history_figure),
        ("/devices/{name:path}", d.device),
        ("/api/devices", d.api_devices),
        ("/api/alerts", d.api_alerts),
        ("/api/devices/{name:path}/history", d.api_history),
        ("/api/devices/{name:path}", d.api_device),
        ("/api/openapi.json", d.openapi),
        ("/metrics", d.metrics),
        ("/healthz", d.healthz),
        ("/static/{file}", d.static),
    ]
    return [Route(path, endpoint, methods=["GET"]) for path, endpoint in table]


def _error_answer(status: int) -> Callable[[Request, Exception], Any]:
    async def answer(request: Request, exc: Exception) -> Response:
        message = str(exc)
        if wants_json(request):
            item = rendered(dumps({"error": message}), "application/json", status)
        else:
            item = rendered(message + "\n", "text/plain; charset=utf-8", status)
        return respond(request, item)

    return answer


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class BearerAuth:
    """Refuses (401) a request without ``Authorization: Bearer <token>``, but on
    :data:`OPEN_PATHS`; lets everything through when there is no token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.expected = None if token is None else f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.expected is None or scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", []) if k == b"authorization"), b"")
        if hmac.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        refusal = PlainTextResponse(
            "this server needs a bearer token: Authorization: Bearer <token>\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="qpumon"'},
        )
        await refusal(scope, receive, send)
