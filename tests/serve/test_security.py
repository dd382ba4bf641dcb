"""Security: the bearer token, escaping of hostile data on every page and in the exposition,
the loopback default and its warning, the token file's rules, and the IBM API key that never
reaches a page, a metric, the API or the log."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from qpumon.errors import UsageError
from qpumon.model.serialize import dumps
from qpumon.serve.options import ServeOptions, is_loopback, read_token_file
from qpumon.sources import SourceOptions, resolve
from tests.live.ibm_server import GOOD_KEY, IBMStandIn
from tests.serve.conftest import Running, live_options, running

TOKEN = "s3cret-bearer-token-0123456789abcdef"
#: A device name that is markup, a path, a terminal escape and quotes at once.
HOSTILE = '<img src=x onerror=alert(1)>/x\x1b[31m"&'
TAILS = ("/monitor.csv", "/figures/map?qubit=t1", "/figures/history")


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    """A qpumon snapshot file of burlington renamed :data:`HOSTILE`, its version a script."""
    snapshot = replace(
        resolve("fake_burlington"),
        name=HOSTILE,
        backend_version="</script><script>alert(2)</script>",
    )
    path = tmp_path / "hostile.json"
    path.write_text(dumps(snapshot), encoding="utf-8")
    return path


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Running]:
    """A server that requires :data:`TOKEN`."""
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}", token=TOKEN) as started:
        started.loaded()
        yield started


def test_every_route_but_healthz_needs_the_token(guarded: Running) -> None:
    paths = ["/", "/fleet/table", "/devices/fake_armonk", "/api/devices", "/metrics"]
    paths += ["/api/openapi.json", "/static/serve.js", "/devices/nope"]
    for path in paths:
        refused = httpx.get(guarded.url + path)
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"] == 'Bearer realm="qpumon"'
        assert "content-security-policy" in refused.headers
        wrong = httpx.get(guarded.url + path, headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status_code == 401
        given = httpx.get(guarded.url + path, headers={"Authorization": f"Bearer {TOKEN}"})
        assert given.status_code == (404 if path == "/devices/nope" else 200), path
    assert httpx.get(f"{guarded.url}/healthz").status_code == 200


def test_hostile_data_is_escaped_everywhere(tmp_path: Path, hostile_file: Path) -> None:
    with running([str(hostile_file)], f"sqlite:///{tmp_path / 'h.db'}") as server:
        server.loaded()
        with server.client() as client:
            fleet = client.get("/").text
            page = client.get(f"/devices/{quote(HOSTILE, safe='')}")
            metrics = client.get("/metrics").text
            api = client.get("/api/devices").json()
            tails = [client.get(f"/devices/{quote(HOSTILE, safe='')}{t}") for t in TAILS]
    assert page.status_code == 200
    for html in (fleet, page.text):
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "\x1b" not in html
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;/x\\x1b[31m&quot;&amp;</h1>" in page.text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in page.text
    assert 'data-filter="fleet-table"' in fleet  # the fleet names it in a data cell, escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in fleet
    assert f"device={quote(HOSTILE)!r}" not in metrics  # exposition escaping, not URL quoting
    assert 'device="<img src=x onerror=alert(1)>/x\x1b[31m\\"&"' in metrics
    assert HOSTILE in api["serving"]
    assert [t.status_code for t in tails] == [200] * len(TAILS)  # a name with a slash too


def test_the_server_listens_on_loopback_and_warns_otherwise(tmp_path: Path) -> None:
    assert ServeOptions().host == "127.0.0.1" and ServeOptions().loopback
    assert [is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost")] == (
        [True] * 5
    )
    assert [is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org")] == [False] * 4
    (warning,) = ServeOptions(host="0.0.0.0").warnings()
    assert "without authentication" in warning and "--auth-token-file" in warning
    assert ServeOptions(host="0.0.0.0", auth_token=TOKEN).warnings() == []


def test_the_token_file_must_be_private_and_strong(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(f"  {TOKEN}  \nsecond line ignored\n", encoding="utf-8")
    path.chmod(0o600)
    assert read_token_file(path) == TOKEN
    path.chmod(0o640)
    with pytest.raises(UsageError, match="other users can read it"):
        read_token_file(path)
    path.chmod(0o600)
    path.write_text("short\n", encoding="utf-8")
    with pytest.raises(UsageError, match="at least 16 printable characters"):
        read_token_file(path)


def test_the_ibm_key_never_reaches_a_page_metric_or_log(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    stand_in.echo_key = True  # a careless service echoes the key in its error answers
    stand_in.fail("iam", "*", *([500] * 20))
    source = SourceOptions(live=live_options(stand_in, home))
    with running(
        ["ibm_fez", "fake_armonk"],
        f"sqlite:///{tmp_path / 'h.db'}",
        source=source,
        every=timedelta(seconds=0.2),
        status_every=timedelta(seconds=0.2),
    ) as server:
        server.collector.wait_for(lambda v: v.devices["ibm_fez"].error is not None, 30)
        with server.client() as client:
            shown = [
                client.get(p).text
                for p in ("/", "/fleet/table", "/api/devices", "/metrics", "/devices/ibm_fez")
            ]
        logged = list(server.lines)
    assert any("ibm_fez" in line and "failed" in line for line in logged)
    assert any("500" in text for text in shown)  # the error is shown...
    forms = (GOOD_KEY, base64.b64encode(f"apikey:{GOOD_KEY}".encode()).decode())
    for text in [*shown, *logged]:
        assert not any(form in text for form in forms)  # ...without the key
