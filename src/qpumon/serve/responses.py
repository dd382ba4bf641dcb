"""Answers from drawn bodies: ETags and 304s, gzip when the client takes it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .cache import Rendered


def respond(request: Request, item: Rendered, cache_control: str = "no-cache") -> Response:
    """``item`` as a response: 304 when the client holds it, gzip when the client takes it."""
    headers = {"ETag": item.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if item.status == 200 and item.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = item.body
    if item.gzip is not None and accepts_gzip(request.headers.get("accept-encoding", "")):
        body, headers["Content-Encoding"] = item.gzip, "gzip"
    return Response(body, status_code=item.status, media_type=item.media_type, headers=headers)


def accepts_gzip(header: str) -> bool:
    """True if an ``Accept-Encoding`` header takes gzip (``gzip``, ``gzip;q=0.5``, ``*``)."""
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
