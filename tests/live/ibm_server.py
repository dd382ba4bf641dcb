"""A local stand-in for IBM Quantum Platform and the IBM Cloud services its clients use.

It listens on 127.0.0.1 only (standard library ``http.server``, one thread per connection) and
serves the real device snapshots bundled with qiskit-ibm-runtime under ``ibm_<name>`` names. It
speaks what the official client speaks (``test_contract.py`` drives the real client against it):

- ``POST /identity/token``: IBM Cloud IAM's API-key exchange; a known key gets an unsigned JWT
  that expires after :attr:`IBMStandIn.token_ttl` seconds, any other key IAM's ``400 BXNIM0415E``.
- ``POST /v3/resources/search``: IBM Cloud Global Search, the account's instances, paged with a
  search cursor; ``GET /catalog/<plan id>``: the Global Catalog entry of a plan.
- ``GET /api/v1/backends``: with ``IBM-API-Version`` 2025-01-01 (:attr:`IBMStandIn.objects_since`)
  or later ``{"devices": [{...}]}``, with an older or no version the legacy
  ``{"devices": ["ibm_fez", ...]}``.
- ``GET /api/v1/backends/<name>/configuration``, ``/properties`` (``updated_before``: the newest
  calibration at or before that time) and ``/status``.

API calls need a valid, unexpired bearer token and the ``Service-CRN`` of an instance that has the
device; each instance (:meth:`IBMStandIn.add_instance`) has its plan, tags and devices. Answers are
gzip-encoded when the request accepts it; ``running(tls=True)`` serves HTTPS with a self-signed
certificate. A request sent through a proxy (absolute target) is answered the same way.

Faults are set on the object (see the methods under "faults"): ``latency``, ``fail`` (with a
``Retry-After``), ``break_route``, ``stall``, ``trickle``, ``corrupt``, ``deny_api``,
``echo_key``, ``echo``, ``token_ttl``, ``extra_listed``, and the mutable ``queue`` /
``operational`` maps; ``mend`` clears the failures.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.live.ibm_data import Device, bundled_root, jwt, read_raw, utc
from tests.live.ibm_http import Handler, Server, tls_context

__all__ = [
    "CRN",
    "GOOD_KEY",
    "PLANS",
    "IBMStandIn",
    "Instance",
    "Request",
    "bundled_root",
    "read_raw",
]

#: The default instance (CRN); a request naming an instance the stand-in lacks gets 403.
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0123456789abcdef:0fedcba9-8765-4321::"
#: An API key IAM accepts.
GOOD_KEY = "qpumon-test-Secret-API-key-0123456789abcdef"
API_PREFIX = "/api/v1"
CATALOG_PREFIX = "/catalog"
#: The first IBM-API-Version whose /backends lists device objects.
OBJECTS_SINCE = "2025-01-01"
#: Plan id -> (display name, pricing type), as the Global Catalog describes plans.
PLANS = {
    "plan-open": ("Open", "free"),
    "plan-premium": ("Premium", "subscription"),
    "plan-paygo": ("Pay-as-you-go", "paygo"),
}


@dataclass
class Instance:
    """An instance of the account: ``devices`` None means every device the stand-in has."""

    crn: str
    name: str
    plan_id: str = "plan-open"
    tags: list[str] = field(default_factory=list)
    devices: list[str] | None = None
    allocated: bool = True  # Global Search shows doc.extensions (a device allocation)


@dataclass
class Request:
    """One request the stand-in received and how it answered (for tests to inspect)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str
    target: str = ""  # the request line's target: absolute (http://host/...) through a proxy
    status: int = 0
    sent: int = 0  # bytes of the answer's body on the wire (after gzip)
    received: float = field(default_factory=time.monotonic)
    answered: float = 0.0  # when the answer was complete


@dataclass
class Answer:
    """What the stand-in sends: a status, a body, extra headers and how to send the body."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between 1 KiB pieces of the body


@dataclass
class IBMStandIn:
    """The stand-in server's state; :meth:`running` serves it on 127.0.0.1."""

    devices: dict[str, Device] = field(default_factory=dict)
    instances: list[Instance] = field(default_factory=list)
    api_keys: set[str] = field(default_factory=lambda: {GOOD_KEY})
    token_ttl: float = 3600.0
    objects_since: str = OBJECTS_SINCE
    latency: float = 0.0
    page_size: int = 100
    queue: dict[str, int] = field(default_factory=dict)
    operational: dict[str, bool] = field(default_factory=dict)
    deny_api: int | None = None
    echo_key: bool = False
    #: A careless service's echo in error answers: text made of (API key, bearer token).
    echo: Callable[[str, str], str] | None = None
    #: What ``/backends`` lists besides the devices: names (or whole entries) it does not serve.
    extra_listed: list[Any] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    _planned: dict[tuple[str, str], list[tuple[int, str | None]]] = field(default_factory=dict)
    _broken: set[tuple[str, str]] = field(default_factory=set)
    _stalls: dict[tuple[str, str], float] = field(default_factory=dict)
    _trickles: dict[tuple[str, str], float] = field(default_factory=dict)
    _corrupt: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _tokens: dict[str, float] = field(default_factory=dict)
    _issued: dict[str, str] = field(default_factory=dict)  # token -> the key it was issued for
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def __post_init__(self) -> None:
        if not self.instances:
            self.instances = [Instance(CRN, "qpumon-open")]

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

    def add_instance(self, crn: str, name: str, devices: Iterable[str], **kwargs: Any) -> None:
        """Another instance of the account, with only ``devices``."""
        self.instances.append(Instance(crn, name, devices=list(devices), **kwargs))

    @property
    def crn(self) -> str:
        """The first instance's CRN."""
        return self.instances[0].crn

    # -- faults ------------------------------------------------------------------------------

    def fail(self, route: str, device: str, *codes: int, retry_after: str | None = None) -> None:
        """Answer ``route`` for ``device`` (``*``: any) with ``codes`` first, then normally;
        each with ``Retry-After: retry_after`` if given."""
        with self._lock:
            self._planned.setdefault((route, device), []).extend((c, retry_after) for c in codes)

    def break_route(self, route: str, device: str) -> None:
        """Answer ``route`` for ``device`` with 500 every time."""
        self._broken.add((route, device))

    def mend(self) -> None:
        """Stop every planned failure, broken route, stall, trickle and corrupt answer."""
        with self._lock:
            self._planned.clear()
            self._broken.clear()
            self._stalls.clear()
            self._trickles.clear()
            self._corrupt.clear()

    def stall(self, route: str, device: str, seconds: float) -> None:
        """Wait ``seconds`` before answering ``route`` for ``device`` (``*``: any)."""
        self._stalls[(route, device)] = seconds

    def trickle(self, route: str, device: str, seconds: float) -> None:
        """Send the body of ``route`` in 1 KiB pieces ``seconds`` apart."""
        self._trickles[(route, device)] = seconds

    def corrupt(self, route: str, device: str, body: bytes) -> None:
        """Answer ``route`` for ``device`` with 200 and ``body`` (a document that is not one)."""
        self._corrupt[(route, device)] = body

    def seen(self, route: str, device: str = "*") -> list[Request]:
        """The requests received on ``route`` (for ``device``, or all)."""
        return [
            r
            for r in list(self.requests)
            if _route_of(r.path) == (route, device)
            or (device == "*" and _route_of(r.path)[0] == route)
        ]

    # -- serving -----------------------------------------------------------------------------

    @contextmanager
    def running(self, tls: bool = False) -> Iterator[IBMStandIn]:
        """Serve on an ephemeral port of 127.0.0.1 until the block exits; sets :attr:`url`.
        With ``tls``, over HTTPS with a self-signed certificate (no client trusts it)."""
        httpd = Server(("127.0.0.1", 0), Handler)
        httpd.state = self
        if tls:
            httpd.socket = tls_context().wrap_socket(httpd.socket, server_side=True)
        thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="ibm-stand-in", daemon=True
        )
        thread.start()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
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

    @property
    def environment(self) -> dict[str, str]:
        """The variables that send IAM, Global Search and the Catalog to the stand-in."""
        return {
            "IAM_URL": self.url,
            "GLOBAL_SEARCH_URL": self.url,
            "GLOBAL_CATALOG_URL": self.url + CATALOG_PREFIX,
        }

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if the server is shutting down."""
        self._release.wait(seconds)

    def answer(self, request: Request) -> Answer:
        """What to send for ``request``."""
        with self._lock:
            self.requests.append(request)
        route, device = _route_of(request.path)
        stall = self._stalls.get((route, device), self._stalls.get((route, "*"), 0.0))
        if stall:
            self.wait(stall)
        if self.latency:
            time.sleep(self.latency)
        answer = self._fault(route, device, request) or self._route(route, device, request)
        answer.trickle = self._trickles.get((route, device), self._trickles.get((route, "*"), 0))
        return answer

    def _fault(self, route: str, device: str, request: Request) -> Answer | None:
        planned = self._next_planned(route, device)
        if planned is None and {(route, device), (route, "*")} & self._broken:
            planned = (500, None)
        if planned is not None:
            code, wait = planned
            body = _error(code, f"Planned failure of the stand-in{self._echo(request)}.")
            return Answer(code, body, {"Retry-After": wait} if wait is not None else {})
        corrupt = self._corrupt.get((route, device), self._corrupt.get((route, "*")))
        return Answer(200, corrupt) if corrupt is not None else None

    def _echo(self, request: Request) -> str:
        """What a careless server would echo back: the API key it was sent (``echo_key``), or
        what :attr:`echo` makes of the key and the bearer token."""
        key = parse_qs(request.body).get("apikey", [""])[0]
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token if scheme == "Bearer" else ""
        if self.echo is not None:
            return " " + self.echo(key or self._issued.get(token, "?"), token)
        if not self.echo_key:
            return ""
        key = key or "?"
        return f" for apikey {key} (Basic {base64.b64encode(f'apikey:{key}'.encode()).decode()})"

    def _next_planned(self, route: str, device: str) -> tuple[int, str | None] | None:
        with self._lock:
            for key in ((route, device), (route, "*")):
                codes = self._planned.get(key)
                if codes:
                    return codes.pop(0)
        return None

    def _route(self, route: str, device: str, request: Request) -> Answer:
        if route == "iam":
            return self._iam(request)
        refused = self._refuse(request, cloud=route in ("search", "catalog"))
        if refused is not None:
            return refused
        if route == "search":
            return self._search(request)
        if route == "catalog":
            return self._catalog(device)
        return self._api(route, device, request)

    def _iam(self, request: Request) -> Answer:
        form = parse_qs(request.body)
        if form.get("grant_type") != ["urn:ibm:params:oauth:grant-type:apikey"]:
            return Answer(400, {"errorCode": "BXNIM0109E", "errorMessage": "Property missing."})
        if form.get("apikey", [""])[0] not in self.api_keys:
            return Answer(
                400,
                {"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."},
            )
        token = jwt(self.token_ttl)
        with self._lock:
            self._tokens[token] = time.time() + self.token_ttl
            self._issued[token] = form["apikey"][0]
        return Answer(
            200,
            {
                "access_token": token,
                "refresh_token": "not_supported",
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
                "expiration": int(time.time() + self.token_ttl),
                "scope": "ibm openid",
            },
        )

    def _refuse(self, request: Request, cloud: bool) -> Answer | None:
        if self.deny_api is not None and not cloud:
            return Answer(self.deny_api, _error(self.deny_api, "Access denied."))
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        expiry = self._tokens.get(credential) if scheme == "Bearer" else None
        if expiry is None:
            return Answer(401, _error(401, "Unauthorized: the access token is not valid."))
        if time.time() >= expiry:
            return Answer(401, _error(401, "Unauthorized: the access token has expired."))
        if not cloud and self._instance(request) is None:
            return Answer(403, _error(403, "Forbidden: no access to this instance."))
        return None

    def _instance(self, request: Request) -> Instance | None:
        crn = request.headers.get("service-crn")
        return next((i for i in self.instances if i.crn == crn), None)

    def _search(self, request: Request) -> Answer:
        body = json.loads(request.body or "{}")
        if body.get("query") != "service_name:quantum-computing":
            return Answer(400, {"error": {"message": f"unexpected query {body.get('query')!r}"}})
        start = int(body.get("search_cursor", "0") or 0)
        limit = min(int(request.query.get("limit", ["100"])[0]), self.page_size)
        page = self.instances[start : start + limit]
        items = [_search_item(i) for i in page]
        result: dict[str, Any] = {"items": items, "limit": limit}
        if items:  # as IBM's service: a cursor with every non-empty page
            result["search_cursor"] = str(start + len(items))
        return Answer(200, result)

    def _catalog(self, plan_id: str) -> Answer:
        plan = PLANS.get(plan_id)
        if plan is None:
            return Answer(403, {"message": f"no access to catalog entry {plan_id}"})
        name, pricing = plan
        return Answer(
            200,
            {
                "id": plan_id,
                "name": name.lower(),
                "overview_ui": {"en": {"display_name": name, "description": f"{name} plan"}},
                "metadata": {"pricing": {"type": pricing, "origin": "global_catalog"}},
            },
        )

    def _api(self, route: str, device: str, request: Request) -> Answer:
        instance = self._instance(request)
        assert instance is not None
        names = [n for n in self.devices if instance.devices is None or n in instance.devices]
        if route == "backends":
            version = request.headers.get("ibm-api-version", "")
            if version < self.objects_since:
                return Answer(200, {"devices": [*names, *self.extra_listed]})
            listed = [self._listing(self.devices[n]) for n in names]
            extra = [n if isinstance(n, dict) else {"name": n} for n in self.extra_listed]
            return Answer(200, {"devices": [*listed, *extra]})
        found = self.devices.get(device) if device in names else None
        if found is None or route not in ("configuration", "properties", "status"):
            return Answer(404, _error(404, f"Backend {device} not found."))
        if route == "configuration":
            return Answer(200, found.configuration())
        if route == "status":
            return Answer(200, self._status(found))
        before = request.query.get("updated_before")
        props = found.properties(utc(before[0]) if before else None)
        if props is None:
            return Answer(404, _error(404, f"No properties for {device} before {before}."))
        return Answer(200, props)

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
            "physical_qubits": conf["n_qubits"],
            "class": "backend",
            "status": {"name": "online" if up else "paused", "reason": ""},
            "queue_length": self.queue.get(device.name, 0),
            "processor_type": conf.get("processor_type"),
            "is_simulator": False,
        }


def _search_item(instance: Instance) -> dict[str, Any]:
    extensions = {"quantum": {"allocations": ["default"]}} if instance.allocated else {}
    return {
        "crn": instance.crn,
        "name": instance.name,
        "service_plan_unique_id": instance.plan_id,
        "tags": instance.tags,
        "doc": {"extensions": extensions},
    }


def _route_of(path: str) -> tuple[str, str]:
    if path.rstrip("/").endswith("/identity/token"):
        return "iam", "*"
    if path.rstrip("/") == "/v3/resources/search":
        return "search", "*"
    if path.startswith(CATALOG_PREFIX + "/"):
        return "catalog", path[len(CATALOG_PREFIX) + 1 :]
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
