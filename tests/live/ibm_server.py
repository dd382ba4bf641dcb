"""A local stand-in for IBM Quantum: the subset of its REST API that qiskit-ibm-runtime 0.51 uses.

It listens on 127.0.0.1 only (standard library ``http.server``, one thread per connection) and
serves the real device snapshots bundled with qiskit-ibm-runtime under ``ibm_<name>`` names:

- ``POST /identity/token``: IBM Cloud IAM's API-key exchange (the client reads ``IAM_URL``);
  a known key gets a JWT access token, any other key IAM's ``400 BXNIM0415E``.
- ``GET /api/v1/backends``: ``{"devices": [...]}`` with status and queue length.
- ``GET /api/v1/backends/<name>/configuration``, ``/properties`` (``updated_before``: the newest
  calibration at or before that time) and ``/status`` (``state``, ``status``, ``length_queue``).

The API checks the bearer token and the ``Service-CRN`` header. Faults are set on the object:
``latency`` (seconds added to every response), ``fail(route, device, *codes)`` (answer these
HTTP codes first, then normally), ``break_route`` (always 500), ``stall`` (answer only after
that many seconds, for client timeouts), ``deny_api`` (401/403 on every API call),
``echo_key`` (failed token exchanges quote the API key back, to test redaction), and the
mutable ``queue`` / ``operational`` maps that ``/status`` and ``/backends`` report.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: The instance (CRN) the stand-in serves; a request naming another one gets 403.
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0123456789abcdef:0fedcba9-8765-4321::"
#: An API key IAM accepts.
GOOD_KEY = "qpumon-test-Secret-API-key-0123456789abcdef"
API_PREFIX = "/api/v1"
ROUTES = ("iam", "backends", "configuration", "properties", "status")


def bundled_root() -> Path:
    """The folder of the snapshots bundled with qiskit-ibm-runtime (found without importing it)."""
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


def read_raw(stem: str, kind: str) -> dict[str, Any]:
    """The raw ``conf`` or ``props`` JSON of bundled device ``stem`` (a fresh copy)."""
    data: dict[str, Any] = json.loads(_file_text(stem, kind))
    return data


@functools.cache
def _file_text(stem: str, kind: str) -> str:
    return (bundled_root() / stem / f"{kind}_{stem}.json").read_text(encoding="utf-8")


@functools.cache
def _facts(stem: str) -> dict[str, Any]:
    conf = read_raw(stem, "conf")
    return {k: conf.get(k) for k in ("n_qubits", "backend_version", "processor_type")}


@functools.cache
def _renamed(stem: str, kind: str, name: str) -> tuple[datetime | None, bytes]:
    """Bundled JSON under device ``name``, encoded once: (its calibration date, the bytes)."""
    doc = read_raw(stem, kind)
    doc["backend_name"] = name
    return (_when(doc) if kind == "props" else None), json.dumps(doc).encode("utf-8")


def _when(props: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(props["last_update_date"]).astimezone(timezone.utc)


def _jwt(lifetime: int = 3600) -> str:
    """An unsigned JWT with ``iat``/``exp``: the client decodes it without checking a signature."""

    def part(data: dict[str, Any] | bytes) -> str:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    now = int(time.time())
    return ".".join(
        [
            part({"alg": "RS256", "typ": "JWT"}),
            part({"iat": now, "exp": now + lifetime}),
            part(b"stand-in"),
        ]
    )


@dataclass
class Device:
    """A device the stand-in serves: its configuration's snapshot and its calibrations."""

    name: str
    stem: str
    calibrations: list[str]  # bundled stems whose properties are this device's calibrations

    def configuration(self) -> bytes:
        """The bundled configuration under this device's name (JSON bytes)."""
        return _renamed(self.stem, "conf", self.name)[1]

    def properties(self, before: datetime | None) -> bytes | None:
        """The newest calibration at or before ``before`` (the latest when None), JSON bytes."""
        dated = sorted(_renamed(stem, "props", self.name) for stem in self.calibrations)
        if before is not None:
            dated = [(when, data) for when, data in dated if when is not None and when <= before]
        return dated[-1][1] if dated else None

    def facts(self) -> dict[str, Any]:
        """The configuration keys the status and listing routes report."""
        return _facts(self.stem)


@dataclass
class Request:
    """One request the stand-in received (for tests to inspect)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


@dataclass
class IBMStandIn:
    """The stand-in server's state; :meth:`running` serves it on 127.0.0.1."""

    devices: dict[str, Device] = field(default_factory=dict)
    api_keys: set[str] = field(default_factory=lambda: {GOOD_KEY})
    crn: str = CRN
    latency: float = 0.0
    queue: dict[str, int] = field(default_factory=dict)
    operational: dict[str, bool] = field(default_factory=dict)
    deny_api: int | None = None
    echo_key: bool = False
    requests: list[Request] = field(default_factory=list)
    _planned: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _broken: set[tuple[str, str]] = field(default_factory=set)
    _stalls: dict[tuple[str, str], float] = field(default_factory=dict)
    _tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    @classmethod
    def with_devices(cls, stems: Iterable[str], **kwargs: Any) -> IBMStandIn:
        """Serve bundled devices ``stems`` as ``ibm_<stem>``, queues 0, 1, 2, ... in order."""
        server = cls(**kwargs)
        for i, stem in enumerate(stems):
            server.add_device(stem, queue=i)
        return server

    def add_device(self, stem: str, queue: int = 0, history: Iterable[str] = ()) -> str:
        """Serve bundled ``stem`` as ``ibm_<stem>``; ``history``: older calibrations' stems."""
        name = f"ibm_{stem}"
        self.devices[name] = Device(name, stem, [*history, stem])
        self.queue[name] = queue
        self.operational[name] = True
        return name

    # -- faults ------------------------------------------------------------------------------

    def fail(self, route: str, device: str, *codes: int) -> None:
        """Answer ``route`` for ``device`` (``*``: any) with ``codes`` first, then normally."""
        with self._lock:
            self._planned.setdefault((route, device), []).extend(codes)

    def break_route(self, route: str, device: str) -> None:
        """Answer ``route`` for ``device`` with 500 every time."""
        self._broken.add((route, device))

    def stall(self, route: str, device: str, seconds: float) -> None:
        """Wait ``seconds`` before answering ``route`` for ``device`` (``*``: any)."""
        self._stalls[(route, device)] = seconds

    def seen(self, route: str, device: str = "*") -> list[Request]:
        """The requests received on ``route`` (for ``device``, or all)."""
        return [
            r
            for r in self.requests
            if _route_of(r.path) == (route, device)
            or (device == "*" and _route_of(r.path)[0] == route)
        ]

    # -- serving -----------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[IBMStandIn]:
        """Serve on an ephemeral port of 127.0.0.1 until the block exits; sets :attr:`url`."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.state = self
        thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="ibm-stand-in", daemon=True
        )
        thread.start()
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            yield self
        finally:
            self._release.set()
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)

    @property
    def api_url(self) -> str:
        """The API base URL to give the client as the account's ``url``."""
        return self.url + API_PREFIX

    def answer(self, request: Request) -> tuple[int, Any]:
        """The status code and JSON body for ``request``."""
        with self._lock:
            self.requests.append(request)
        route, device = _route_of(request.path)
        stall = self._stalls.get((route, device), self._stalls.get((route, "*"), 0.0))
        if stall:
            self._release.wait(stall)
        if self.latency:
            time.sleep(self.latency)
        planned = self._next_planned(route, device)
        if planned is None and (route, device) in self._broken:
            planned = 500
        if planned is not None:
            return planned, _error(
                planned, f"Planned failure of the stand-in{self._echo(request)}."
            )
        if route == "iam":
            return self._iam(request)
        refused = self._refuse(request)
        if refused is not None:
            return refused
        return self._api(route, device, request)

    def _echo(self, request: Request) -> str:
        """What a careless server would echo back: the API key it was sent (``echo_key``)."""
        if not self.echo_key:
            return ""
        return f" for apikey {parse_qs(request.body).get('apikey', ['?'])[0]}"

    def _next_planned(self, route: str, device: str) -> int | None:
        with self._lock:
            for key in ((route, device), (route, "*")):
                codes = self._planned.get(key)
                if codes:
                    return codes.pop(0)
        return None

    def _iam(self, request: Request) -> tuple[int, Any]:
        form = parse_qs(request.body)
        if form.get("grant_type") != ["urn:ibm:params:oauth:grant-type:apikey"]:
            return 400, {"errorCode": "BXNIM0109E", "errorMessage": "Property missing or empty."}
        if form.get("apikey", [""])[0] not in self.api_keys:
            return 400, {
                "errorCode": "BXNIM0415E",
                "errorMessage": "Provided API key could not be found.",
            }
        token = _jwt()
        with self._lock:
            self._tokens.add(token)
        return 200, {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": 3600,
            "expiration": int(time.time()) + 3600,
            "scope": "ibm openid",
        }

    def _refuse(self, request: Request) -> tuple[int, Any] | None:
        if self.deny_api is not None:
            return self.deny_api, _error(self.deny_api, "Access denied.")
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        known = credential in self._tokens if scheme == "Bearer" else credential in self.api_keys
        if not known:
            return 401, _error(401, "Unauthorized: the access token is not valid.")
        if request.headers.get("service-crn") != self.crn:
            return 403, _error(403, "Forbidden: no access to this instance.")
        return None

    def _api(self, route: str, device: str, request: Request) -> tuple[int, Any]:
        if route == "backends":
            return 200, {"devices": [self._listing(d) for d in self.devices.values()]}
        found = self.devices.get(device)
        if found is None or route not in ROUTES:
            return 404, _error(404, f"Backend {device} not found.")
        if route == "configuration":
            return 200, found.configuration()
        if route == "status":
            return 200, self._status(found)
        before = request.query.get("updated_before")
        when = datetime.fromisoformat(before[0]) if before else None
        props = found.properties(when.astimezone(timezone.utc) if when else None)
        if props is None:
            return 404, _error(404, f"No properties for {device} before {before}.")
        return 200, props

    def _status(self, device: Device) -> dict[str, Any]:
        up = self.operational.get(device.name, True)
        return {
            "state": up,
            "status": "active" if up else "maintenance",
            "message": "available" if up else "under maintenance",
            "length_queue": self.queue.get(device.name, 0),
            "backend_version": device.facts()["backend_version"],
        }

    def _listing(self, device: Device) -> dict[str, Any]:
        conf = device.facts()
        up = self.operational.get(device.name, True)
        return {
            "name": device.name,
            "qubits": conf["n_qubits"],
            "class": "backend",
            "status": {"name": "online" if up else "paused", "reason": ""},
            "queue_length": self.queue.get(device.name, 0),
            "processor_type": conf.get("processor_type"),
            "is_simulator": False,
        }


def _route_of(path: str) -> tuple[str, str]:
    if path.rstrip("/").endswith("/identity/token"):
        return "iam", "*"
    parts = path[len(API_PREFIX) :].strip("/").split("/") if path.startswith(API_PREFIX) else []
    if parts == ["backends"]:
        return "backends", "*"
    if len(parts) == 3 and parts[0] == "backends":
        return parts[2], parts[1]
    return "unknown", "*"


def _error(code: int, message: str) -> dict[str, Any]:
    return {
        "errors": [{"code": str(code), "message": message}],
        "trace": "stand-in",
        "status_code": code,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: IBMStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) closes its socket: not an error of the stand-in."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests inspect :attr:`IBMStandIn.requests` instead."""

    def do_GET(self) -> None:
        self._serve("")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length).decode("utf-8"))

    def _serve(self, body: str) -> None:
        split = urlsplit(self.path)
        request = Request(
            self.command,
            split.path,
            parse_qs(split.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        code, payload = self.server.state.answer(request)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
