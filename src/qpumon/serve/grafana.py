"""The Grafana dashboard shipped with qpumon (``qpumon grafana-dashboard -o qpumon.json``).

Built here from the metric registry, so that every query names a series the exporter serves:
a device and a qubit variable from label values, the medians as stat panels (PromQL quantiles
over the device's qubits or couplers: IBM's error = 1 flags have no error sample, so they stay
out), per-qubit time series, the ten worst qubits and couplers, failed-gate counts, and the
collector's own health; above them all, the alerts that hold (``qpumon serve --rules``).
Import it in Grafana (Dashboards > New > Import); it asks for the Prometheus data source that
scrapes ``qpumon serve``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..model.metrics import GATE_ERROR, GATE_LENGTH, QUBIT_METRICS

UID = "qpumon-fleet"
_DS = {"type": "prometheus", "uid": "${datasource}"}
_T1 = QUBIT_METRICS["t1_us"].prometheus_name
_T2 = QUBIT_METRICS["t2_us"].prometheus_name
_READOUT = QUBIT_METRICS["readout_error"].prometheus_name
_ERROR = GATE_ERROR.prometheus_name
_LENGTH = GATE_LENGTH.prometheus_name
#: The device's selection; a two-qubit gate's ``qubits`` label is its direction (``3->4``, as
#: :func:`qpumon.model.vocabulary.coupler_text` writes it).
_DEVICE = 'device="$device"'
_QUBIT = f'{_DEVICE}, qubit=~"$qubit"'
_ENTANGLER = f'{_DEVICE}, gate="$entangler", qubits=~"[0-9]+->[0-9]+"'


def dashboard() -> dict[str, Any]:
    """The dashboard as Grafana's JSON model (schema 39: Grafana 10 and later)."""
    panels = [*_alert_panels(), *_below(_panels(), ALERTS_HEIGHT)]
    for number, panel in enumerate(panels, start=1):
        panel["id"] = number
    return {
        "__inputs": [
            {
                "name": "DS_PROMETHEUS",
                "label": "Prometheus",
                "description": "The Prometheus that scrapes qpumon serve's /metrics",
                "type": "datasource",
                "pluginId": "prometheus",
                "pluginName": "Prometheus",
            }
        ],
        "title": "qpumon: quantum processors",
        "uid": UID,
        "tags": ["qpumon", "quantum"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "1m",
        "time": {"from": "now-7d", "to": "now"},
        "templating": {"list": _variables()},
        "annotations": {"list": []},
        "panels": panels,
    }


def dashboard_json() -> str:
    """:func:`dashboard` as indented JSON text."""
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


def queries(model: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard's panels (rows' panels included)."""
    found = []
    for panel in model.get("panels", []):
        for inner in [panel, *panel.get("panels", [])]:
            found += [t["expr"] for t in inner.get("targets", []) if "expr" in t]
    return found


def variable_queries(model: dict[str, Any]) -> list[str]:
    """The ``label_values(...)`` queries of a dashboard's query variables."""
    out = []
    for variable in model["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            out.append(query["query"] if isinstance(query, dict) else query)
    return out


def _variables() -> list[dict[str, Any]]:
    def query(name: str, label: str, text: str, multi: bool = False) -> dict[str, Any]:
        return {
            "name": name,
            "label": label,
            "type": "query",
            "datasource": _DS,
            "query": {"query": text, "refId": f"{name}-values"},
            "definition": text,
            "refresh": 2,
            "sort": 3 if name == "qubit" else 1,
            "multi": multi,
            "includeAll": multi,
            **({"allValue": ".*"} if multi else {}),
        }

    return [
        {
            "name": "datasource",
            "label": "Prometheus",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
        },
        query("device", "Device", "label_values(qpumon_device_info, device)"),
        query("qubit", "Qubit", f"label_values({_T1}{{{_DEVICE}}}, qubit)", multi=True),
        query(
            "entangler",
            "2q gate",
            f'label_values({_ERROR}{{{_DEVICE}, qubits=~"[0-9]+->[0-9]+"}}, gate)',
        ),
    ]


def _panels() -> Iterator[dict[str, Any]]:
    y = 0
    yield _row("Device $device", y)
    medians = (
        ("Median T1", f"quantile(0.5, {_T1}{{{_DEVICE}}})", "s"),
        ("Median T2", f"quantile(0.5, {_T2}{{{_DEVICE}}})", "s"),
        ("Median readout error", f"quantile(0.5, {_READOUT}{{{_DEVICE}}})", "percentunit"),
        ("Median $entangler error", f"quantile(0.5, {_ERROR}{{{_ENTANGLER}}})", "percentunit"),
        ("EPLG (100 qubits)", f"qpumon_device_eplg_ratio{{{_DEVICE}}}", "percentunit"),
        (
            "Failed $entangler couplers (error = 1)",
            f'qpumon_device_failed_couplers{{{_DEVICE}, gate="$entangler"}}',
            "none",
        ),
    )
    for i, (title, expr, unit) in enumerate(medians):
        yield _stat(title, expr, unit, {"x": i * 4, "y": y + 1, "w": 4, "h": 4})
    y += 5
    series = (
        ("T1 per qubit", f"{_T1}{{{_QUBIT}}}", "s"),
        ("T2 per qubit", f"{_T2}{{{_QUBIT}}}", "s"),
        ("Readout error per qubit", f"{_READOUT}{{{_QUBIT}}}", "percentunit"),
        ("$entangler error per coupler", f"{_ERROR}{{{_ENTANGLER}}}", "percentunit"),
    )
    for i, (title, expr, unit) in enumerate(series):
        legend = "{{qubits}}" if "coupler" in title else "Q{{qubit}}"
        place = {"x": (i % 2) * 12, "y": y + (i // 2) * 8, "w": 12, "h": 8}
        yield _timeseries(title, expr, unit, legend, place)
    y += 16
    worst = (
        ("10 worst readout errors", f"topk(10, {_READOUT}{{{_DEVICE}}})", "percentunit"),
        ("10 shortest T1", f"bottomk(10, {_T1}{{{_DEVICE}}})", "s"),
        ("10 worst $entangler couplers", f"topk(10, {_ERROR}{{{_ENTANGLER}}})", "percentunit"),
        ("Longest gates", f"topk(10, {_LENGTH}{{{_DEVICE}}})", "s"),
    )
    for i, (title, expr, unit) in enumerate(worst):
        yield _table(title, expr, unit, {"x": i * 6, "y": y, "w": 6, "h": 9})
    y += 9
    yield from _fleet_panels(y)


def _fleet_panels(y: int) -> Iterator[dict[str, Any]]:
    yield _row("Fleet", y)
    fleet = (
        (
            "Failed native couplers per device",
            'qpumon_device_failed_couplers{gate=~"cz|ecr|cx"}',
            "none",
        ),
        ("Pending jobs", "qpumon_device_pending_jobs", "none"),
        ("Operational", "qpumon_device_operational", "bool_yes_no"),
        ("Calibration age", "time() - qpumon_device_calibration_timestamp_seconds", "s"),
    )
    for i, (title, expr, unit) in enumerate(fleet):
        place = {"x": (i % 2) * 12, "y": y + 1 + (i // 2) * 8, "w": 12, "h": 8}
        yield _timeseries(title, expr, unit, "{{device}}", place)
    y += 17
    yield _row("Collector", y)
    health = (
        ("Source up", "qpumon_source_up", "bool_yes_no"),
        ("Fetch duration", "qpumon_collect_duration_seconds", "s"),
        ("Failed fetches", "qpumon_collect_errors_total", "none"),
    )
    for i, (title, expr, unit) in enumerate(health):
        yield _timeseries(title, expr, unit, "{{device}}", {"x": i * 8, "y": y + 1, "w": 8, "h": 7})


def _target(expr: str, legend: str = "", instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": _DS, "expr": expr, "refId": "A", "legendFormat": legend}
    if instant:
        target.update(instant=True, range=False, format="table")
    return target


def _stat(title: str, expr: str, unit: str, place: dict[str, int]) -> dict[str, Any]:
    return {
        "type": "stat",
        "title": title,
        "datasource": _DS,
        "gridPos": place,
        "targets": [_target(expr)],
        "fieldConfig": {"defaults": {"unit": unit, "decimals": 3}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    }


def _timeseries(
    title: str, expr: str, unit: str, legend: str, place: dict[str, int]
) -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "datasource": _DS,
        "gridPos": place,
        "targets": [_target(expr, legend)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
    }


def _table(title: str, expr: str, unit: str, place: dict[str, int]) -> dict[str, Any]:
    return {
        "type": "table",
        "title": title,
        "datasource": _DS,
        "gridPos": place,
        "targets": [_target(expr, instant=True)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "transformations": [
            {
                "id": "organize",
                "options": {"excludeByName": {"Time": True, "__name__": True, "job": True}},
            }
        ],
    }


def _row(title: str, y: int) -> dict[str, Any]:
    return {
        "type": "row",
        "title": title,
        "collapsed": False,
        "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
        "panels": [],
    }


#: The height of the alert table at the top of the dashboard (grid units).
ALERTS_HEIGHT = 6


def _alert_panels() -> Iterator[dict[str, Any]]:
    """The alerts that hold on every device, one row each: what an operator looks at first."""
    panel = _table(
        "Active alerts (qpumon serve --rules)",
        "qpumon_alert_active == 1",
        "none",
        {"x": 0, "y": 0, "w": 24, "h": ALERTS_HEIGHT},
    )
    hidden = {"Time": True, "__name__": True, "job": True, "instance": True, "Value": True}
    order = {"device": 0, "alert": 1, "subject": 2, "condition": 3}
    panel["transformations"] = [
        {"id": "organize", "options": {"excludeByName": hidden, "indexByName": order}}
    ]
    panel["fieldConfig"]["defaults"]["noValue"] = "no alert holds"
    yield panel


def _below(panels: Iterator[dict[str, Any]], height: int) -> Iterator[dict[str, Any]]:
    """``panels`` moved ``height`` grid units down."""
    for panel in panels:
        place = panel["gridPos"]
        yield {**panel, "gridPos": {**place, "y": place["y"] + height}}
