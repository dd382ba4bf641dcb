"""User errors and bad data inside the server: query values (property-based) are answered 4xx
with a JSON error, never 500; one device that cannot be summarized or holds NaN is an error row
on the fleet page, ``/api/devices`` and ``/metrics`` while the others are served; two devices
with one name are told apart (the second renamed, said once) and never mixed in the store."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qpumon.serve.exporter
import qpumon.serve.fleet
import qpumon.serve.json_api
from qpumon.errors import (
    DeviceNotFoundError,
    InputError,
    InputTooLargeError,
    QpumonError,
    ServiceError,
    UsageError,
)
from qpumon.model.serialize import dumps as snapshot_json
from qpumon.model.summary import DeviceSummary, summarize
from qpumon.serve.app import status_of
from qpumon.sources import SourceOptions, resolve
from qpumon.store.db import Store
from tests.serve.conftest import Running, running

ROUTES = (
    "/api/devices/fake_armonk/history",
    "/api/devices/fake_armonk",
    "/api/devices",
    "/api/alerts",
    "/api/devices/fake_armonk/history?metric=t1",
)
KEYS = ("metric", "qubit", "gate", "since", "until", "edge", "v", "x")
HOSTILE_VALUES = (
    "²",
    "٣",
    "99999999999999999999",
    "-1",
    "1e400",
    "cz:",
    "cz:1-",
    ":::",
    "cz:0-99999999999999999999",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "nan",
    "\x00",
    "../../etc/passwd",
)
values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.integers().map(str),
)
queries = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=4)


@pytest.fixture(scope="module")
def armonk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server of fake_armonk with its calibration recorded."""
    folder = tmp_path_factory.mktemp("robust")
    with running(["fake_armonk"], f"sqlite:///{folder / 'h.db'}") as server:
        server.loaded()
        yield server


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), query=queries)
def test_query_values_never_give_500(armonk: Running, route: str, query: list[Any]) -> None:
    text = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    joiner = "&" if "?" in route else "?"
    answer = httpx.get(f"{armonk.url}{route}{joiner}{text}", timeout=30)
    assert answer.status_code in (200, 400, 404, 413), (route, text, answer.text)
    document = answer.json()  # the API answers JSON, errors included
    if answer.status_code != 200:
        assert set(document) == {"error"} and "Traceback" not in document["error"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES), raw=st.text("%&=+;?#/qubitgaemrcz:0123456789x-²", max_size=40)
)
def test_malformed_query_strings_never_give_500(armonk: Running, route: str, raw: str) -> None:
    base = route.partition("?")[0]
    target = f"{base}?{quote(raw, safe='%&=+;?/:-')}"
    answer = httpx.get(f"{armonk.url}{target}", timeout=30)
    assert answer.status_code in (200, 400, 404, 413), (target, answer.text)
    assert answer.status_code == 200 or set(answer.json()) == {"error"}


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "1" * 5000])
def test_a_qubit_that_is_no_index_is_a_400(armonk: Running, value: str) -> None:
    answer = httpx.get(f"{armonk.url}/api/devices/fake_armonk/history", params={"qubit": value})
    assert answer.status_code == 400
    assert "qubit" in answer.json()["error"]


def test_no_user_error_is_logged_as_a_bug(armonk: Running) -> None:
    for query in ("qubit=%C2%B2", "gate=cz%3A%3A", "since=zz"):
        httpx.get(f"{armonk.url}/api/devices/fake_armonk/history?{query}")
    assert not [line for line in armonk.lines if "internal error" in line]


def _bad_summaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """fake_lagos cannot be summarized; fake_quito's summary holds NaN."""

    def faulty(snapshot: Any) -> DeviceSummary:
        if snapshot.name == "fake_lagos":
            raise ValueError("a value the summary cannot take")
        found = summarize(snapshot)
        return replace(found, median_t1_us=math.nan) if snapshot.name == "fake_quito" else found

    monkeypatch.setattr(qpumon.serve.fleet, "summarize", faulty)
    monkeypatch.setattr(qpumon.serve.exporter, "summarize", faulty)


def test_one_bad_device_is_an_error_row_and_the_others_are_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bad_summaries(monkeypatch)
    devices = ["fake_armonk", "fake_lagos", "fake_quito"]
    with running(devices, f"sqlite:///{tmp_path / 'h.db'}") as server:
        server.loaded()
        with server.client() as client:
            api = client.get("/api/devices")
            fleet = client.get("/")
            metrics = client.get("/metrics").text
    assert api.status_code == 200 and fleet.status_code == 200
    document = json.loads(api.text)  # strict JSON: no NaN
    assert [d["name"] for d in document["devices"]] == ["fake_armonk"]
    assert document["devices"][0]["num_qubits"] == len(resolve("fake_armonk").qubits)
    failed = {f["device"]: f["error"] for f in document["failed"]}
    assert failed["fake_lagos"] == "ValueError: a value the summary cannot take"
    assert "nan" in failed["fake_quito"].lower() and "\n" not in failed["fake_quito"]
    assert "fake_lagos" in fleet.text and "a value the summary cannot take" in fleet.text
    assert 'qpumon_source_up{device="fake_armonk"} 1.0' in metrics
    assert 'qpumon_source_up{device="fake_lagos"} 0.0' in metrics
    assert 'qpumon_qubit_t1_seconds{device="fake_armonk",qubit="0"}' in metrics


def test_a_snapshot_holding_nan_never_gives_invalid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SourceOptions.resolve

    def with_nan(self: SourceOptions, spec: Any, **kwargs: Any) -> Any:
        snapshot = original(self, spec, **kwargs)
        if snapshot.name != "fake_lagos":
            return snapshot
        qubits = (replace(snapshot.qubits[0], t1_us=math.nan), *snapshot.qubits[1:])
        return replace(snapshot, qubits=qubits)

    monkeypatch.setattr(SourceOptions, "resolve", with_nan)
    with running(["fake_armonk", "fake_lagos"], f"sqlite:///{tmp_path / 'h.db'}") as server:
        server.loaded()
        with server.client() as client:
            answers = [client.get(p) for p in ("/api/devices", "/api/devices/fake_lagos")]
    for answer in answers:
        assert answer.status_code != 500
        json.loads(answer.text, parse_constant=_refuse)  # strict JSON
    assert answers[0].status_code == 200
    assert answers[1].status_code == 503
    assert "fake_lagos: its snapshot cannot be written as JSON" in answers[1].json()["error"]


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in JSON")


def test_two_devices_of_one_name_are_told_apart_and_never_mixed(tmp_path: Path) -> None:
    text = snapshot_json(resolve("fake_armonk"))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with running([str(first), str(second)], db) as server:
        server.loaded()
        names = [d["name"] for d in httpx.get(f"{server.url}/api/devices").json()["devices"]]
        lines = list(server.lines)
    assert sorted(names) == ["b.json", "fake_armonk"]
    warnings = [line for line in lines if "names its device 'fake_armonk'" in line]
    assert len(warnings) == 1 and "recorded as 'b.json'" in warnings[0]
    store = Store(db)
    try:
        stored = sorted(d.name for d in store.devices())
    finally:
        store.close()
    assert stored == ["b.json", "fake_armonk"]


def _subclasses(kind: type[QpumonError]) -> Iterator[type[QpumonError]]:
    yield kind
    for sub in kind.__subclasses__():
        yield from _subclasses(sub)


def test_every_qpumon_error_is_answered_4xx_or_503_never_500() -> None:
    found = {kind: status_of(kind.__new__(kind)) for kind in _subclasses(QpumonError)}
    assert len(found) > 15
    assert set(found.values()) <= {400, 404, 413, 503}
    assert found[UsageError] == 400 and found[InputError] == 400
    assert found[InputTooLargeError] == 413 and found[DeviceNotFoundError] == 404
    assert found[ServiceError] == 503


def test_a_bug_is_a_json_500_and_one_log_line(
    armonk: Running, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(qpumon.serve.json_api, "openapi", broken)
    before = len(armonk.lines)
    with caplog.at_level(logging.DEBUG):
        answer = httpx.get(f"{armonk.url}/api/openapi.json")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error answering /api/openapi.json"}
    said = armonk.lines[before:]
    assert said == [
        "internal error answering GET /api/openapi.json: RuntimeError: a bug\\x0aover two lines"
    ]
    assert not [r for r in caplog.records if r.exc_info]
