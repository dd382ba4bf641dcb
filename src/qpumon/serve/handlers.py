"""The route handlers: each finds what it draws in the collector's latest view and answers
from the cache, keyed by what the answer depends on (a device's version or calibration, the
calibration ages shown), so that an answer is drawn once per change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import InputError, MissingExtraError, QpumonError, StoreError, UsageError
from ..reports.formats.json_format import dumps
from ..reports.monitor import MonitorReport, build_monitor
from ..reports.overview import OverviewReport
from ..reports.tables import Table
from ..store.db import Store
from ..util.times import format_age
from . import json_api, pages
from .alerting import alerts_document
from .cache import RenderCache, Rendered, rendered
from .collector import Collector
from .exporter import CONTENT_TYPE
from .fleet import ages, devices_document, fleet_report, fleet_table
from .responses import accepts_gzip, respond
from .state import DeviceState, FleetView
from .workers import DRAWING

HTML = "text/html; charset=utf-8"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"
#: Stored histories can grow under a running server (another ``qpumon record``): a drawn
#: history is kept this long at most.
HISTORY_KEPT_S = 300
_IMMUTABLE = "public, max-age=31536000, immutable"


class NoSuchDevice(Exception):
    """The request names a device the server does not hold."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no device named {name!r} on this server")
        self.name = name


class DeviceUnavailable(Exception):
    """The device is known but has no snapshot yet (loading, or every fetch failed)."""

    def __init__(self, state: DeviceState) -> None:
        super().__init__(state.error or f"{state.name} is still loading")
        self.state = state


def wants_json(request: Request) -> bool:
    """True for the JSON API's routes (their errors are JSON too)."""
    return request.url.path.startswith("/api/")


class Dashboard:
    """The handlers over ``collector``'s view; ``schedule`` says how live devices refresh,
    ``poll_seconds`` how often the fleet page asks for changes."""

    def __init__(
        self,
        collector: Collector,
        schedule: str,
        cache: RenderCache | None = None,
        poll_seconds: float = pages.POLL_SECONDS,
    ) -> None:
        self.collector, self.schedule, self.poll_seconds = collector, schedule, poll_seconds
        self.cache = cache or RenderCache()
        self._fleet_lock = threading.Lock()
        self._fleet: tuple[Hashable, tuple[OverviewReport, Table]] | None = None

    # -- helpers -----------------------------------------------------------------------------

    async def answer(
        self, request: Request, key: Hashable, draw: Callable[[], Rendered], cache: str = ""
    ) -> Response:
        """The cached answer under ``key``, drawn in a worker thread when missing
        (:mod:`.workers`)."""
        found = self.cache.peek(key)
        if found is None:
            found = await DRAWING.run(lambda: self.cache.get(key, draw))
        return respond(request, found, cache or "no-cache")

    def state(self, request: Request, need_snapshot: bool = True) -> DeviceState:
        """The state of the device the path names (errors for unknown and not yet read)."""
        name = request.path_params["name"]
        state = self.collector.view.device(name)
        if state is None:
            raise NoSuchDevice(name)
        if need_snapshot and state.snapshot is None:
            raise DeviceUnavailable(state)
        return state

    def fleet_parts(self, view: FleetView, now: datetime) -> tuple[OverviewReport, Table]:
        """The fleet's overview report and table (drawn once per view and calibration ages)."""
        key = (view.version, ages(view, now))
        with self._fleet_lock:
            if self._fleet is not None and self._fleet[0] == key:
                return self._fleet[1]
            report = fleet_report(view)
            parts = (report, fleet_table(report, view, now))
            self._fleet = (key, parts)
            return parts

    # -- pages -------------------------------------------------------------------------------

    async def fleet(self, request: Request) -> Response:
        """``/``: the fleet page."""
        view, now = self.collector.view, _now()

        def draw() -> Rendered:
            report, table = self.fleet_parts(view, now)
            page = pages.fleet_page(view, report, table, self.schedule, self.poll_seconds)
            return rendered(page, HTML)

        return await self.answer(request, ("fleet", view.version, ages(view, now)), draw)

    async def fleet_table(self, request: Request) -> Response:
        """``/fleet/table``: what the fleet page polls for."""
        view, now = self.collector.view, _now()

        def draw() -> Rendered:
            report, table = self.fleet_parts(view, now)
            return rendered(pages.fleet_fragment(view, report, table, self.schedule), HTML)

        return await self.answer(request, ("fleet-table", view.version, ages(view, now)), draw)

    async def device(self, request: Request) -> Response:
        """``/devices/<name>``: the device page."""
        view = self.collector.view
        state = self.state(request)
        assert state.snapshot is not None
        age = format_age(state.snapshot.calibrated_at, _now())
        planned = (view.next_status_at, view.next_calibration_at)
        key = ("device", state.name, state.version, age, planned)
        return await self.answer(request, key, lambda: self._device_page(view, state))

    def _device_page(self, view: FleetView, state: DeviceState) -> Rendered:
        assert state.snapshot is not None
        report = build_monitor(state.snapshot)
        figures = self.cache.get(
            ("figures", state.name, state.calibration), lambda: self._figures(report, state.name)
        )
        drift = self.cache.get(("drift", state.name, state.calibration), lambda: self._drift(state))
        health = self.cache.get(
            ("health", state.name, state.calibration), lambda: self._health(state)
        )
        page = pages.device_page(
            view,
            state,
            report,
            [figures.body.decode()],
            drift.body.decode(),
            self.schedule,
            health.body.decode(),
        )
        return rendered(page, HTML)

    def _figures(self, report: MonitorReport, name: str) -> Rendered:
        from .figures import NO_MATPLOTLIB, device_figures

        try:
            parts = pages.with_chooser(device_figures(report.snapshot), report, name)
        except MissingExtraError:
            parts = pages.no_figures(NO_MATPLOTLIB)
        return Rendered("\n".join(parts).encode(), None, HTML, "")

    def _drift(self, state: DeviceState) -> Rendered:
        from ..api import drift_of

        table, problem = None, None
        if not self.collector.view.store_url or self.collector.store is None:
            problem = "no history store"
        else:
            try:
                tables = drift_of(self.collector.store, state.name).tables()
                table = tables[0] if tables else None
            except QpumonError as exc:
                problem = str(exc)
        return Rendered(pages.drift_section(table, problem).encode(), None, HTML, "")

    def _health(self, state: DeviceState) -> Rendered:
        """The device's stored T1 timeline and episodes (``qpumon events``), or nothing when
        the store holds too little of it."""
        from ..reports.formats.html import escape, health_section
        from ..reports.health import stored_health

        store = self.collector.store
        if not self.collector.view.store_url or store is None:
            return Rendered(b"", None, HTML, "")
        try:
            found = stored_health(store, state.name)
        except (QpumonError, MissingExtraError) as exc:
            note = f'<h2>Health over time</h2><p class="note">{escape(str(exc))}</p>'
            return Rendered(note.encode(), None, HTML, "")
        body = "" if found is None else "\n".join(health_section(found))
        return Rendered(body.encode(), None, HTML, "")

    async def map_figure(self, request: Request) -> Response:
        """``/devices/<name>/figures/map?qubit=&edge=``: the error map for other metrics."""
        from .figures import map_svg

        state = self.state(request)
        qubit = request.query_params.get("qubit") or pages.DEFAULT_QUBIT_METRIC
        edge = request.query_params.get("edge") or "2q_error"
        if len(qubit) > json_api.MAX_QUERY_VALUE or len(edge) > json_api.MAX_QUERY_VALUE:
            raise UsageError("metric names are short")
        snapshot = state.snapshot
        assert snapshot is not None
        key = ("map", state.name, state.calibration, qubit.lower(), edge.lower())
        return await self.answer(
            request, key, lambda: rendered(map_svg(snapshot, qubit, edge), HTML)
        )

    async def history_figure(self, request: Request) -> Response:
        """``/devices/<name>/figures/history?metric=&qubit=&since=``: a stored history drawn;
        a note when the store holds none."""
        state = self.state(request, need_snapshot=False)
        query = json_api.history_query(request.query_params)

        def draw() -> Rendered:
            from .figures import history_svg

            try:
                found = json_api.read_history(self._db(), state.name, query, every_value=False)
                return rendered(history_svg(found), HTML)
            except (StoreError, MissingExtraError) as exc:
                return rendered(pages.no_figures(str(exc))[0], HTML)

        key = ("history", state.name, state.calibration, query.key, _bucket())
        return await self.answer(request, key, draw)

    async def device_csv(self, request: Request) -> Response:
        """``/devices/<name>/monitor.csv``: ``qpumon monitor <name> -f csv``."""
        state = self.state(request)
        snapshot = state.snapshot
        assert snapshot is not None

        def draw() -> Rendered:
            return rendered(json_api.monitor_csv(snapshot), CSV)

        response = await self.answer(request, ("csv", state.name, state.version), draw)
        filename = "".join(c if c.isalnum() or c in "._-" else "_" for c in state.name)
        response.headers["Content-Disposition"] = f'attachment; filename="monitor.{filename}.csv"'
        return response

    # -- the API -----------------------------------------------------------------------------

    async def api_devices(self, request: Request) -> Response:
        """``/api/devices``: the overview document with how each device is served."""
        view, now = self.collector.view, _now()

        def draw() -> Rendered:
            report, _ = self.fleet_parts(view, now)
            return rendered(dumps(devices_document(report, view)), JSON)

        return await self.answer(request, ("api-devices", view.version), draw)

    async def api_device(self, request: Request) -> Response:
        """``/api/devices/<name>``: ``qpumon monitor <name> -f json``."""
        state = self.state(request)
        snapshot = state.snapshot
        assert snapshot is not None
        key = ("api-device", state.name, state.version)

        def draw() -> Rendered:
            try:
                return rendered(json_api.monitor_json(snapshot), JSON)
            except InputError as exc:  # a value JSON cannot hold: the device's fault (503)
                problem = f"{state.name}: its snapshot cannot be written as JSON: {exc}"
                raise DeviceUnavailable(replace(state, error=problem)) from exc

        return await self.answer(request, key, draw)

    async def api_history(self, request: Request) -> Response:
        """``/api/devices/<name>/history``: ``qpumon history <name> ... -f json``."""
        state = self.state(request, need_snapshot=False)
        query = json_api.history_query(request.query_params)

        def draw() -> Rendered:
            return rendered(json_api.history_json(self._db(), state.name, query), JSON)

        key = ("api-history", state.name, state.calibration, query.key, _bucket())
        return await self.answer(request, key, draw)

    async def api_alerts(self, request: Request) -> Response:
        """``/api/alerts``: the alerts that hold and those cleared lately (``--rules``)."""
        view = self.collector.view

        def draw() -> Rendered:
            return rendered(dumps(alerts_document(view)), JSON)

        return await self.answer(request, ("api-alerts", view.version), draw)

    async def openapi(self, request: Request) -> Response:
        """``/api/openapi.json``."""
        return await self.answer(
            request, ("openapi",), lambda: rendered(dumps(json_api.openapi()), JSON)
        )

    async def metrics(self, request: Request) -> Response:
        """``/metrics``: the exposition of the latest view, as drawn when it was published."""
        view = self.collector.view
        headers = {"Cache-Control": "no-store", "Vary": "Accept-Encoding"}
        body = view.metrics
        if accepts_gzip(request.headers.get("accept-encoding", "")):
            body, headers["Content-Encoding"] = view.metrics_gzip, "gzip"
        return Response(body, media_type=CONTENT_TYPE, headers=headers)

    async def healthz(self, request: Request) -> Response:
        """``/healthz``: the server runs (and how far the collector got)."""
        view = self.collector.view
        loaded = sum(1 for s in view.devices.values() if s.snapshot is not None)
        body: dict[str, Any] = {
            "status": "ok",
            "devices": len(view.devices),
            "with_snapshot": loaded,
            "loaded": view.loaded,
        }
        return Response(dumps(body), media_type=JSON, headers={"Cache-Control": "no-store"})

    async def static(self, request: Request) -> Response:
        """``/static/<file>``: the vendored style sheets, scripts and icon."""
        name = request.path_params["file"]
        if name not in pages.STATIC:
            return Response("no such file\n", status_code=404, media_type="text/plain")
        text, media = pages.STATIC[name]
        versioned = request.query_params.get("v") == pages.static_url(name).rpartition("=")[2]
        return await self.answer(
            request,
            ("static", name),
            lambda: rendered(text, media),
            _IMMUTABLE if versioned else "",
        )

    # -- errors ------------------------------------------------------------------------------

    async def not_found(self, request: Request, exc: Exception) -> Response:
        """404 (no such device, no such route): a JSON error for the API, the 404 page
        otherwise."""
        name = exc.name if isinstance(exc, NoSuchDevice) else None
        if wants_json(request):
            message = str(exc) if name is not None else f"no route {request.url.path!r}"
            return respond(request, rendered(dumps({"error": message}), JSON, 404))
        page = pages.not_found_page(name, self.collector.view, request.url.path)
        return respond(request, rendered(page, HTML, 404))

    async def unavailable(self, request: Request, exc: Exception) -> Response:
        """503: the device has no snapshot yet."""
        assert isinstance(exc, DeviceUnavailable)
        if wants_json(request):
            return respond(request, rendered(dumps({"error": str(exc)}), JSON, 503))
        return respond(request, rendered(pages.unavailable_page(exc.state), HTML, 503))

    def _db(self) -> Store:
        store = self.collector.store
        if store is None:
            raise StoreError("this server keeps no history store")
        return store  # open once for the server: no engine per request


def schedule_text(every: timedelta, status_every: timedelta) -> str:
    """``calibration every 30m, status every 1m``."""
    return f"calibration every {duration_text(every)}, status every {duration_text(status_every)}"


def duration_text(span: timedelta) -> str:
    """``30m``, ``1h``, ``90s``, ``1.5h``: a duration as ``--every`` takes it."""
    seconds = span.total_seconds()
    for unit, size in (("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _bucket() -> int:
    return int(time.time() // HISTORY_KEPT_S)
