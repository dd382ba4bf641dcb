"""The JSON API and the downloads are the documents the commands write (``monitor -f json``,
``monitor -f csv``, ``overview -f json``, ``history -f json``), byte for byte; plus the OpenAPI
description, errors, caching headers, and read-only routes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from qpumon.cli import cli
from qpumon.serve.app import CONTENT_SECURITY_POLICY
from tests.conftest import raw
from tests.core.cli_helpers import run
from tests.serve.conftest import Running, running

DEVICES = ("fake_fez", "fake_burlington", "fake_kyoto")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The server's SQLite store."""
    return f"sqlite:///{tmp_path_factory.mktemp('api') / 'history.db'}"


@pytest.fixture(scope="module")
def server(db: str) -> Iterator[Running]:
    """A server of :data:`DEVICES`."""
    with running(DEVICES, db) as started:
        started.loaded()
        yield started


def qpumon(*args: str) -> str:
    """What ``qpumon <args>`` writes to standard output (it must succeed)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_device_document_is_monitor_json(server: Running) -> None:
    answer = httpx.get(f"{server.url}/api/devices/fake_fez")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == qpumon("monitor", "fake_fez", "-f", "json")
    qubit = answer.json()["snapshot"]["qubits"][0]
    t1 = next(p["value"] for p in raw("fez", "props")["qubits"][0] if p["name"] == "T1")
    assert qubit["t1_us"] == t1


def test_csv_download_is_monitor_csv(server: Running) -> None:
    answer = httpx.get(f"{server.url}/devices/fake_kyoto/monitor.csv")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="monitor.fake_kyoto.csv"'
    assert answer.text == qpumon("monitor", "fake_kyoto", "-f", "csv")


def test_devices_are_the_overview(server: Running) -> None:
    document = httpx.get(f"{server.url}/api/devices").json()
    overview = json.loads(qpumon("overview", *DEVICES, "-f", "json"))
    assert document["devices"] == overview["devices"]
    assert document["best_2q_error"] == overview["best_2q_error"]
    assert set(document["serving"]) == set(DEVICES)
    fez = document["serving"]["fake_fez"]
    assert fez["source"] == "bundled" and fez["up"] and not fez["stale"]
    assert fez["error"] is None and fez["errors_total"] == 0


def test_history_is_qpumon_history(server: Running, db: str) -> None:
    query = {"metric": "t1", "qubit": "3"}
    answer = httpx.get(f"{server.url}/api/devices/fake_fez/history", params=query)
    assert answer.status_code == 200
    assert answer.text == qpumon(
        "history", "fake_fez", "--metric", "t1", "--qubit", "3", "-f", "json", "--db", db
    )
    (row,) = answer.json()
    t1 = next(p["value"] for p in raw("fez", "props")["qubits"][3] if p["name"] == "T1")
    assert (row["qubits"], row["metric"], row["value"]) == ("3", "t1_us", t1)


def test_history_errors_say_what_is_wrong(server: Running) -> None:
    base = f"{server.url}/api/devices/fake_fez/history"
    unknown = httpx.get(base, params={"metric": "colour"})
    assert unknown.status_code == 400 and "unknown metric 'colour'" in unknown.json()["error"]
    bad = httpx.get(base, params={"qubit": "x"})
    assert bad.status_code == 400 and "qubit" in bad.json()["error"]
    empty = httpx.get(base, params={"since": "2099-01-01"})
    assert empty.status_code == 404 and "no stored t1_us values" in empty.json()["error"]


def test_unknown_devices(server: Running) -> None:
    page = httpx.get(f"{server.url}/devices/fake_fe")
    assert page.status_code == 404
    assert "Did you mean fake_fez?" in page.text
    assert page.text.count('<li><a href="/devices/') == len(DEVICES)
    answer = httpx.get(f"{server.url}/api/devices/nope")
    assert answer.status_code == 404
    assert answer.json() == {"error": "no device named 'nope' on this server"}
    assert httpx.get(f"{server.url}/devices/nope/monitor.csv").status_code == 404
    route = httpx.get(f"{server.url}/nothing/here")
    assert (
        route.status_code == 404
        and "This server has no page &#x27;/nothing/here&#x27;" in route.text
    )
    assert httpx.get(f"{server.url}/api/nothing").json() == {"error": "no route '/api/nothing'"}


def test_openapi_describes_every_route(server: Running) -> None:
    document = httpx.get(f"{server.url}/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for path, item in document["paths"].items():
        answer = httpx.get(server.url + path.replace("{name}", "fake_burlington"))
        assert answer.status_code == 200, path
        declared = next(iter(item["get"]["responses"]["200"].get("content", {"*": 0})))
        assert declared == "*" or answer.headers["content-type"].startswith(declared), path


def test_answers_are_cached_and_compressed(server: Running) -> None:
    with server.client() as client:
        first = client.get("/devices/fake_burlington")
        again = client.get(
            "/devices/fake_burlington", headers={"If-None-Match": first.headers["etag"]}
        )
        packed = client.get("/api/devices/fake_fez", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and again.status_code == 304 and not again.content
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_the_server_is_read_only(server: Running, method: str) -> None:
    for path in ("/", "/api/devices", "/api/devices/fake_fez", "/metrics"):
        assert httpx.request(method, server.url + path).status_code == 405


def test_every_answer_carries_the_security_headers(server: Running) -> None:
    for path in ("/", "/devices/nope", "/api/devices", "/metrics", "/static/serve.js"):
        headers = httpx.get(server.url + path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.replace(
        "style-src-attr 'unsafe-inline'", ""
    )


def test_healthz(server: Running) -> None:
    body: dict[str, Any] = httpx.get(f"{server.url}/healthz").json()
    assert body == {"status": "ok", "devices": 3, "with_snapshot": 3, "loaded": True}


def test_recorded_like_watch(server: Running, db: str, tmp_path: Path) -> None:
    from qpumon.store.db import Store

    with Store(db) as store:
        stored = {d.name: d.snapshots for d in store.devices()}
    assert stored == dict.fromkeys(DEVICES, 1)
    assert any(
        "fake_fez calibrated 2025-02-26 20:16:25+00:00: stored" in line for line in server.lines
    )


def test_a_team_database_works_like_a_file(db_url: str) -> None:
    """Recording and the history API on SQLite and on PostgreSQL."""
    with running(["fake_lagos", "fake_armonk"], db_url) as server:
        server.loaded()
        answer = httpx.get(f"{server.url}/api/devices/fake_lagos/history", params={"metric": "t2"})
    assert answer.status_code == 200
    values = [row["value"] for row in answer.json()]
    assert values == [
        next(p["value"] for p in q if p["name"] == "T2") for q in raw("lagos", "props")["qubits"]
    ]


def test_the_device_page_shows_its_health_over_time(tmp_path: Path) -> None:
    """A device the store holds a history of: its page has the T1 timeline and the episodes
    (qpumon events); one it holds a single snapshot of has none."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    done = run("demo-history", "fake_lagos", "--days", "40", "--db", db)
    assert done.returncode == 0, done.stderr
    with running(["fake_lagos", "fake_armonk"], db) as server:
        server.loaded()
        lagos = httpx.get(f"{server.url}/devices/fake_lagos", timeout=60).text
        armonk = httpx.get(f"{server.url}/devices/fake_armonk", timeout=60).text
    assert "Health over time" in lagos and 'id="timeline"' in lagos and 'id="episodes"' in lagos
    assert "Health over time" not in armonk
