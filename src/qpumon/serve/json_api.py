"""The JSON API's documents, each the same document a command writes: ``/api/devices/<name>``
is ``qpumon monitor <name> -f json``, its CSV ``monitor -f csv``, its history ``qpumon history
-f json``; and the OpenAPI description of the routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import UsageError
from ..history.series import History
from ..model import DeviceSnapshot
from ..model.validate import index_text
from ..reports.formats import render
from ..reports.monitor import build_monitor
from ..store.db import Store
from ..util.times import parse_time

#: The longest query value read (a metric, a gate, a time).
MAX_QUERY_VALUE = 64


def monitor_json(snapshot: DeviceSnapshot) -> str:
    """``qpumon monitor <device> -f json`` of ``snapshot``."""
    return render(build_monitor(snapshot), "json")


def monitor_csv(snapshot: DeviceSnapshot) -> str:
    """``qpumon monitor <device> -f csv`` of ``snapshot``."""
    return render(build_monitor(snapshot), "csv")


@dataclass(frozen=True)
class HistoryQuery:
    """``?metric=&qubit=&gate=&since=&until=``, as ``qpumon history`` takes them."""

    metric: str | None = None
    qubit: int | None = None
    gate: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        """A cache key (times to the minute: ``since=30d`` moves with the clock)."""
        return (
            self.metric,
            self.qubit,
            self.gate,
            None if self.since is None else int(self.since.timestamp() // 60),
            None if self.until is None else int(self.until.timestamp() // 60),
        )


def history_query(params: Mapping[str, str]) -> HistoryQuery:
    """The query of a history request; a :class:`UsageError` for a value that cannot be used."""
    for name, value in params.items():
        if len(value) > MAX_QUERY_VALUE:
            raise UsageError(f"{name}: longer than {MAX_QUERY_VALUE} characters")
    qubit_text = params.get("qubit") or None
    qubit = None if qubit_text is None else index_text(qubit_text, "qubit")
    since, until = params.get("since") or None, params.get("until") or None
    return HistoryQuery(
        metric=params.get("metric") or None,
        qubit=qubit,
        gate=params.get("gate") or None,
        since=None if since is None else parse_time(since, "since"),
        until=None if until is None else parse_time(until, "until"),
    )


def history_json(db: Store, device: str, query: HistoryQuery) -> str:
    """``qpumon history <device> ... -f json``: every stored value of the selection."""
    from ..reports.history import history_report

    return render(history_report(read_history(db, device, query, every_value=True)), "json")


def read_history(db: Store, device: str, query: HistoryQuery, every_value: bool) -> History:
    """The stored history the query selects (a :class:`~qpumon.errors.StoreError` if none)."""
    from ..api import metric_history

    return metric_history(
        db, device, query.metric, query.qubit, query.gate, query.since, query.until, every_value
    )


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the JSON API and the exporter."""
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    text = {"type": "string"}
    history_parameters: list[dict[str, Any]] = [
        name,
        *(
            {"name": n, "in": "query", "required": False, "schema": s, "description": d}
            for n, s, d in (
                ("metric", text, "t1, t2, readout, sx_error, 2q_error, ... (with gate: error)"),
                ("qubit", {"type": "integer", "minimum": 0}, "only this qubit"),
                ("gate", text, "a gate and its qubits, e.g. cz:3-4 (cz: every one)"),
                ("since", text, "an age such as 30d or an ISO-8601 time"),
                ("until", text, "an age or an ISO-8601 time"),
            )
        ),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qpumon",
            "version": "1",
            "description": "Calibration of a lab's quantum processors, read-only.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": _object({"error": text}), "Alert": _alert_schema()},
        },
        "paths": {
            "/api/devices": _get(
                "Every device: the overview document (qpumon overview -f json), with how "
                "each is served (source, stale, last error)."
            ),
            "/api/alerts": _alerts_path(),
            "/api/devices/{name}": _get(
                "One device: the document of qpumon monitor NAME -f json (summary and the "
                "lossless snapshot).",
                [name],
            ),
            "/api/devices/{name}/history": _get(
                "One metric of the device over time from the store: the document of qpumon "
                "history NAME -f json.",
                history_parameters,
            ),
            "/devices/{name}/monitor.csv": _get(
                "One device as tidy CSV: the text of qpumon monitor NAME -f csv.",
                [name],
                "text/csv",
            ),
            "/metrics": _get(
                "The fleet in Prometheus's text exposition format.", media="text/plain"
            ),
            "/healthz": {
                "get": {
                    "summary": "Liveness (never needs a token).",
                    "security": [],
                    "responses": {"200": {"description": "the server runs"}},
                }
            },
        },
        "security": [{"bearer": []}],
    }


def _get(
    summary: str, parameters: list[dict[str, Any]] | None = None, media: str = "application/json"
) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {media: {"schema": {}}}},
        "401": {"description": "a bearer token is required (--auth-token-file)"},
    }
    if parameters:
        responses["400"] = {"description": "a query value that cannot be used", **error}
        responses["404"] = {"description": "no such device, or no stored values", **error}
        responses["503"] = {"description": "the device has not been read yet", **error}
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def _alerts_path() -> dict[str, Any]:
    """``/api/alerts``, its answer's schema included."""
    path = _get(
        "The alerts of qpumon serve --rules: those that hold (active) and those cleared in the "
        "last cleared_kept_hours, the latest first; alerting is false (and both lists empty) "
        "when the server checks no rules."
    )
    alerts = {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}
    document = _object(
        {
            "alerting": {"type": "boolean"},
            "active": alerts,
            "cleared": alerts,
            "cleared_kept_hours": {"type": "number"},
        }
    )
    path["get"]["responses"]["200"]["content"]["application/json"]["schema"] = document
    return path


def _alert_schema() -> dict[str, Any]:
    """One alert: the rule (its name and condition), what it holds for, since when."""
    text, time = {"type": "string"}, {"type": "string", "format": "date-time"}
    number = {"type": ["number", "boolean", "null"]}
    return _object(
        {
            "device": text,
            "alert": {**text, "description": "the rule's name"},
            "condition": {**text, "description": "the rule's when, e.g. t1_us < 50"},
            "metric": text,
            "subject": {**text, "description": "qubit 12, a gate and its qubits, or device"},
            "value": number,
            "threshold": number,
            "active": {"type": "boolean"},
            "since": time,
            "cleared_at": {**time, "type": ["string", "null"]},
            "delivered": {
                "type": "boolean",
                "description": "false while the rule's webhook has not taken it",
            },
            "message": text,
        }
    )


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}
