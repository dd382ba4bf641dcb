"""Local stand-ins for other vendors' services, serving the documented routes from the files in
``/work/shared/vendor_fixtures`` (see its SOURCE.md) on 127.0.0.1.

:class:`VendorStandIn` holds what every stand-in shares: the HTTP server (the IBM stand-in's,
:mod:`tests.live.ibm_http`), the requests received, and the fault knobs:

- ``latency``: seconds added before every answer;
- ``fail(route, *codes)``: answer ``route`` with these statuses first (one per request);
- ``truncate(route)``: cut the body of ``route``'s answers in half (a 200 that is not JSON);
- ``replace(route, body)``: answer ``route`` with 200 and ``body`` (a document without the
  expected fields, a value out of range);
- ``echo_token``: error answers quote the credential they were sent, raw and base64-encoded
  (redaction tests).

A subclass names its routes (:meth:`VendorStandIn.route`) and answers them
(:meth:`VendorStandIn.serve`): :class:`IQMStandIn` (IQM Server API v1), :class:`IonQStandIn`
(IonQ v0.4).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.live.ibm_http import Handler, Server
from tests.live.ibm_server import Answer, Request

FIXTURES = Path("/work/shared/vendor_fixtures")
IQM_TOKEN = "qpumon-test-IQM-token-0123456789abcdef"
IONQ_KEY = "qpumon-test-IonQ-key-0123456789abcdef"


def read_json(path: Path) -> Any:
    """The JSON document at ``path``."""
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class VendorStandIn:
    """What every vendor stand-in shares (see the module's docstring)."""

    token: str = ""
    latency: float = 0.0
    echo_token: bool = False
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _planned: dict[str, list[int]] = field(default_factory=dict)
    _truncated: set[str] = field(default_factory=set)
    _replaced: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- faults ------------------------------------------------------------------------------

    def fail(self, route: str, *codes: int) -> None:
        """Answer ``route`` with ``codes`` first, then normally."""
        with self._lock:
            self._planned.setdefault(route, []).extend(codes)

    def truncate(self, route: str) -> None:
        """Cut ``route``'s answers in half."""
        self._truncated.add(route)

    def replace(self, route: str, body: Any) -> None:
        """Answer ``route`` with 200 and ``body``."""
        self._replaced[route] = body

    def mend(self) -> None:
        """Stop every fault."""
        with self._lock:
            self._planned.clear()
            self._truncated.clear()
            self._replaced.clear()

    def seen(self, route: str) -> list[Request]:
        """The requests received on ``route``."""
        return [r for r in list(self.requests) if self.route(r.path) == route]

    # -- what a subclass defines -------------------------------------------------------------

    def route(self, path: str) -> str | None:
        """The name of the route ``path`` is on, None for none."""
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        """Whether ``request`` carries a credential the service accepts."""
        raise NotImplementedError

    def serve(self, route: str, request: Request) -> Answer:
        """The answer to an authorized ``request`` on ``route``."""
        raise NotImplementedError

    # -- serving -----------------------------------------------------------------------------

    def wait(self, seconds: float) -> None:
        """Sleep (the trickle of :mod:`tests.live.ibm_http`)."""
        time.sleep(seconds)

    def answer(self, request: Request) -> Answer:
        """The answer to ``request``, faults applied."""
        self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        route = self.route(request.path)
        if route is None:
            return Answer(404, {"detail": f"no route {request.path}"})
        with self._lock:
            planned = self._planned.get(route)
            code = planned.pop(0) if planned else None
        if code is not None:
            return Answer(code, {"detail": self._complaint(request, f"planned {code}")})
        if not self.authorized(request):
            return Answer(401, {"detail": self._complaint(request, "invalid credentials")})
        if route in self._replaced:
            return Answer(200, self._replaced[route])
        answer = self.serve(route, request)
        if route in self._truncated and answer.status == 200:
            data = json.dumps(answer.body).encode()
            return Answer(200, data[: len(data) // 2])
        return answer

    def _complaint(self, request: Request, what: str) -> str:
        if not self.echo_token:
            return what
        sent = request.headers.get("authorization", "")
        secret = sent.split(" ", 1)[-1]
        encoded = base64.b64encode(secret.encode()).decode()
        return f"{what}: you sent {sent!r} ({secret}, base64 {encoded})"

    @contextmanager
    def running(self) -> Iterator[VendorStandIn]:
        """Serve on 127.0.0.1 (``url`` is set) until the block ends."""
        server = Server(("127.0.0.1", 0), Handler)
        server.state = self  # type: ignore[assignment]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def _not_found(what: str) -> Answer:
    return Answer(404, {"detail": f"{what} not found"})


@dataclass
class IQMStandIn(VendorStandIn):
    """IQM Server API v1 for ``garnet``: its calibration sets from the fixtures, a health
    document (``health``), Bearer tokens (``token``)."""

    token: str = IQM_TOKEN
    folder: Path = FIXTURES / "iqm"
    health: dict[str, Any] = field(default_factory=lambda: {"status": "operational"})

    @property
    def environment(self) -> dict[str, str]:
        """The variables that make qpumon (and iqm-client) reach this stand-in."""
        return {"IQM_SERVER_URL": self.url, "IQM_TOKEN": self.token}

    @property
    def index(self) -> dict[str, Any]:
        """``garnet/index.json``: the default set and every set with its time."""
        return dict(read_json(self.folder / "garnet" / "index.json"))

    def route(self, path: str) -> str | None:
        """Route names: computers, health, calibration-set, metrics, dqa."""
        parts = path.strip("/").split("/")
        if parts[:2] != ["api", "v1"]:
            return None
        rest = parts[2:]
        if rest == ["quantum-computers"]:
            return "computers"
        if len(rest) == 3 and rest[0] == "quantum-computers" and rest[2] == "health":
            return "health"
        if len(rest) == 3 and rest[0] == "calibration-sets":
            return "calibration-set"
        if len(rest) == 4 and rest[0] == "calibration-sets":
            return {"metrics": "metrics", "dynamic-quantum-architecture": "dqa"}.get(rest[3])
        return None

    def authorized(self, request: Request) -> bool:
        """A Bearer token equal to ``token``."""
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def serve(self, route: str, request: Request) -> Answer:
        """The fixture of ``route``."""
        parts = request.path.strip("/").split("/")
        if route == "computers":
            return Answer(200, read_json(self.folder / "quantum_computers.json"))
        if parts[3] != "garnet":
            return _not_found(f"quantum computer {parts[3]}")
        if route == "health":
            return Answer(200, self.health)
        set_id = self.index["default"] if parts[4] == "default" else parts[4]
        suffix = {
            "calibration-set": "calibration_set",
            "metrics": "metrics",
            "dqa": "dqa",
        }[route]
        path = self.folder / "garnet" / f"{set_id}.{suffix}.json"
        if "/" in set_id or not path.is_file():
            return _not_found(f"calibration set {set_id}")
        return Answer(200, read_json(path))


@dataclass
class IonQStandIn(VendorStandIn):
    """IonQ API v0.4: backends and characterizations from the fixtures. The routes are public;
    a request with a key other than ``token`` gets 401."""

    token: str = IONQ_KEY
    folder: Path = FIXTURES / "ionq"
    backends: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.backends:
            self.backends = list(read_json(self.folder / "backends.json"))

    @property
    def environment(self) -> dict[str, str]:
        """The variables that make qpumon (and qiskit-ionq) reach this stand-in."""
        return {"IONQ_API_URL": f"{self.url}/v0.4", "IONQ_API_KEY": self.token}

    def characterizations(self, backend: str) -> list[dict[str, Any]]:
        """The fixture's characterizations of ``backend``, newest first."""
        path = self.folder / "characterizations" / f"{backend}.json"
        return list(read_json(path)) if path.is_file() else []

    def route(self, path: str) -> str | None:
        """Route names: backends, backend, characterizations, characterization."""
        parts = path.strip("/").split("/")
        if parts[:1] != ["v0.4"] or len(parts) < 2 or parts[1] != "backends":
            return None
        names = {2: "backends", 3: "backend", 4: "characterizations", 5: "characterization"}
        if len(parts) >= 4 and parts[3] != "characterizations":
            return None
        return names.get(len(parts))

    def authorized(self, request: Request) -> bool:
        """No key, or the right one (``Authorization: apiKey KEY``)."""
        sent = request.headers.get("authorization")
        return sent is None or sent == f"apiKey {self.token}"

    def serve(self, route: str, request: Request) -> Answer:
        """The fixture of ``route``."""
        parts = request.path.strip("/").split("/")
        if route == "backends":
            return Answer(200, self.backends)
        backend = next((b for b in self.backends if b["backend"] == parts[2]), None)
        if backend is None:
            return _not_found(f"backend {parts[2]}")
        if route == "backend":
            return Answer(200, backend)
        items = self.characterizations(parts[2])
        if route == "characterization":
            found = next((c for c in items if c["id"] == parts[4]), None)
            return Answer(200, found) if found else _not_found(f"characterization {parts[4]}")
        return self._page(items, request.query)

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> Answer:
        try:
            limit = int(query.get("limit", ["10"])[0])
            page = int(query.get("page", ["1"])[0])
            start = _when(query.get("start", [None])[0])
            end = _when(query.get("end", [None])[0])
        except ValueError as exc:
            return Answer(400, {"error": {"message": str(exc)}})
        if not 1 <= limit <= 10 or page < 1:
            return Answer(400, {"error": {"message": "limit is 1-10, page from 1"}})
        chosen = [
            c
            for c in items
            if (start is None or _when(c["date"]) >= start)  # type: ignore[operator]
            and (end is None or _when(c["date"]) <= end)  # type: ignore[operator]
        ]
        pages = max(1, -(-len(chosen) // limit))
        return Answer(
            200,
            {"characterizations": chosen[(page - 1) * limit : page * limit], "pages": pages},
        )


def _when(text: str | None) -> datetime | None:
    """An ISO time or milliseconds since 1970 (v0.3's form) as UTC."""
    if text is None:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
