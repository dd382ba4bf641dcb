"""The Starlette application: routes, the bearer-token check and the security headers.

Every route is read-only (GET and HEAD). A request reads the collector's latest view and
answers from the cache (:mod:`.cache`), drawing what is missing in a worker thread, so that
the event loop stays free for ``/metrics`` and ``/healthz`` while a page is drawn.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import (
    DeviceNotFoundError,
    InputTooLargeError,
    LimitExceededError,
    NoCalibrationError,
    QpumonError,
    ServiceError,
    StoreBusyError,
    StoreError,
)
from ..reports.formats.json_format import dumps
from ..util.printable import printable
from .cache import rendered
from .drain import Drain, Draining
from .handlers import Dashboard, DeviceUnavailable, NoSuchDevice, wants_json
from .responses import respond
from .upstream import redact

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


def create_app(
    dashboard: Dashboard,
    auth_token: str | None,
    drain: Drain | None = None,
    log: Callable[[str], None] | None = None,
) -> Contained:
    """The application serving ``dashboard``; with ``auth_token``, every route but
    ``/healthz`` needs ``Authorization: Bearer <token>``; with ``drain``, requests are drained
    when the server stops (:mod:`.drain`). Errors are answered as :func:`status_of` says, a bug
    500 with one line to ``log``. The dashboard's collector is started and stopped by whoever
    runs the application (:func:`~.server.serve`)."""
    secrets = dashboard.collector.secrets
    draining = [Middleware(Draining, drain=drain)] if drain is not None else []
    app = Starlette(
        routes=_routes(dashboard),
        middleware=[
            Middleware(SecurityHeaders),
            *draining,
            Middleware(BearerAuth, token=auth_token),
        ],
        exception_handlers={
            NoSuchDevice: dashboard.not_found,
            404: dashboard.not_found,
            DeviceUnavailable: dashboard.unavailable,
            QpumonError: _error_answer(secrets),
            Exception: _bug_answer,
        },
    )
    return Contained(app, log, secrets)


def status_of(error: QpumonError) -> int:
    """The HTTP status of an error raised while answering: 503 for a service or a store that
    cannot answer now, 413 for a request asking for too much, 404 for what is not there, 400
    for every other user error."""
    if isinstance(error, ServiceError | StoreBusyError):
        return 503
    if isinstance(error, InputTooLargeError | LimitExceededError):
        return 413
    if isinstance(error, DeviceNotFoundError | StoreError | NoCalibrationError):
        return 404
    return 400


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


def _error_answer(secrets: Sequence[str]) -> Callable[[Request, Exception], Any]:
    async def answer(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QpumonError)
        return _error_response(request, status_of(exc), redact(str(exc), secrets))

    return answer


async def _bug_answer(request: Request, exc: Exception) -> Response:
    """A bug: 500, JSON or text, the request's path named (the log gets the error)."""
    return _error_response(request, 500, f"internal error answering {request.url.path}")


def _error_response(request: Request, status: int, message: str) -> Response:
    message = printable(message)
    if wants_json(request):
        item = rendered(dumps({"error": message}), "application/json", status)
    else:
        item = rendered(message + "\n", "text/plain; charset=utf-8", status)
    response = respond(request, item, "no-store")
    if status == 500:
        response.headers["Connection"] = "close"
    return response


class Contained:
    """The application, a bug in it said in one line to ``log`` (Starlette's error middleware
    answers 500 and raises the error again, for the server to log it with its traceback)."""

    def __init__(self, app: Starlette, log: Callable[[str], None] | None, secrets: Sequence[str]):
        self.app, self.log, self.secrets = app, log, secrets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The application's answer."""
        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # answered 500 already
            if self.log is not None:
                where = f"{scope.get('method', '')} {scope.get('path', '')}"
                line = f"internal error answering {where}: {type(exc).__name__}: {exc}"
                self.log(printable(redact(line, self.secrets)))


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
