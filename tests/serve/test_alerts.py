"""Alerts where an operator looks: a server with a rules file lists the alerts that hold, and
those cleared lately, at ``/api/alerts``, as ``qpumon_alert_active`` on ``/metrics``, on the
fleet page and on each device's page; each device says when it was fetched and will be next.
What should hold is computed here from the bundled JSON (read with json), never from qpumon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from qpumon.history.alerts import Firing, load_rules, rules_from_document
from qpumon.history.check import CheckResult
from qpumon.serve.alerting import CLEARED_KEPT, updated
from qpumon.sources import SourceOptions
from tests.conftest import raw
from tests.live.ibm_server import IBMStandIn
from tests.serve.conftest import (
    ACCOUNT_VARIABLES,
    ARTIFACTS,
    CHROMIUM,
    Running,
    live_options,
    running,
)

#: A rule name that is markup: it must stay text on every page.
HOSTILE = "short T1 <img src=x onerror=alert(1)><script>alert(2)</script>"
SHORT_T1_US = 50
MANY_FAILED = 100
BUSY = 10
RULES = f"""
[[alert]]
name = "{HOSTILE}"
when = "t1_us < {SHORT_T1_US}"
devices = ["fake_fez", "fake_armonk"]

[[alert]]
name = "failed gates"
when = "failed_gates > {MANY_FAILED}"

[[alert]]
name = "busy"
when = "pending_jobs > {BUSY}"
devices = ["ibm_lagos"]
"""
BUNDLED = {"fake_fez": "fez", "fake_armonk": "armonk"}
SCREENSHOT = Path("/tmp/fleet-alert.png")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@dataclass
class Site:
    """The server under test and the stand-in behind ibm_lagos."""

    server: Running
    stand_in: IBMStandIn


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """fake_fez, fake_armonk and ibm_lagos (live, queue 0, status every 0.5 s) under
    :data:`RULES`."""
    folder = tmp_path_factory.mktemp("alerts")
    rules = folder / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        home = folder / "home"
        patch.setenv("HOME", str(home))
        for variable in ACCOUNT_VARIABLES:
            patch.delenv(variable, raising=False)
        stand_in = IBMStandIn.with_devices(("lagos",))
        stand_in.queue["ibm_lagos"] = 0
        with stand_in.running():
            for variable, value in stand_in.environment.items():
                patch.setenv(variable, value)
            with running(
                [*BUNDLED, "ibm_lagos"],
                f"sqlite:///{folder / 'history.db'}",
                source=SourceOptions(live=live_options(stand_in, home)),
                status_every=timedelta(seconds=0.5),
                rules=load_rules(rules),
                poll_seconds=0.5,
            ) as server:
                server.loaded()
                server.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 30)
                yield Site(server, stand_in)


def _param(entries: list[dict[str, Any]], name: str) -> Any:
    return next((e["value"] for e in entries if e["name"] == name), None)


def expected() -> dict[tuple[str, str, str], float]:
    """``(device, alert, subject) -> value`` of every bundled alert that must hold, from the
    raw properties: qubits with T1 under the threshold, devices with many failed gates."""
    out = {}
    for device, stem in BUNDLED.items():
        props = raw(stem, "props")
        for index, qubit in enumerate(props["qubits"]):
            t1 = _param(qubit, "T1")
            if t1 is not None and t1 < SHORT_T1_US:
                out[(device, HOSTILE, f"qubit {index}")] = t1
        failed = sum(_param(g["parameters"], "gate_error") == 1 for g in props["gates"])
        if failed > MANY_FAILED:
            out[(device, "failed gates", "device")] = float(failed)
    assert {d for d, _, _ in out} == {"fake_fez"}  # armonk's one qubit is long-lived
    assert {a for _, a, _ in out} == {HOSTILE, "failed gates"}  # both rules hold on fez
    return out


def _bundled(alerts: list[dict[str, Any]]) -> dict[tuple[str, str, str], float]:
    return {
        (a["device"], a["alert"], a["subject"]): a["value"]
        for a in alerts
        if a["device"] in BUNDLED
    }


def _api(site: Site) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{site.server.url}/api/alerts", timeout=30).json()
    return document


def _active_samples(site: Site) -> list[Any]:
    text = httpx.get(f"{site.server.url}/metrics", timeout=30).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return list(families["qpumon_alert_active"].samples)


@contextmanager
def busy(site: Site) -> Iterator[None]:
    """ibm_lagos's queue above the ``busy`` threshold until the block ends (and the alert is
    cleared again)."""
    site.stand_in.queue["ibm_lagos"] = 3 * BUSY
    try:
        holds = site.server.collector.wait_for(lambda v: _busy(v) == "active", 30)
        assert _busy(holds) == "active"
        yield
    finally:
        site.stand_in.queue["ibm_lagos"] = 1
        site.server.collector.wait_for(lambda v: _busy(v) == "cleared", 30)


def _busy(view: Any) -> str:
    for alert in view.devices["ibm_lagos"].alerts:
        if alert.alert == "busy":
            return "active" if alert.active else "cleared"
    return "none"


def test_the_api_lists_the_alerts_the_source_data_makes_true(site: Site) -> None:
    document = _api(site)
    assert document["alerting"] is True
    schemas = httpx.get(f"{site.server.url}/api/openapi.json").json()["components"]["schemas"]
    assert all(set(a) == set(schemas["Alert"]["properties"]) for a in document["active"])
    assert _bundled(document["active"]) == pytest.approx(expected(), rel=1e-12)
    for alert in document["active"]:
        assert alert["active"] and alert["delivered"] and alert["cleared_at"] is None
        assert datetime.fromisoformat(alert["since"]).tzinfo is not None
    conditions = {a["alert"]: (a["condition"], a["threshold"]) for a in document["active"]}
    assert conditions[HOSTILE] == (f"t1_us < {SHORT_T1_US}", SHORT_T1_US)
    assert conditions["failed gates"] == (f"failed_gates > {MANY_FAILED}", MANY_FAILED)


def test_metrics_have_one_active_sample_per_alert(site: Site) -> None:
    samples = _active_samples(site)
    assert all(s.value == 1 for s in samples)
    found = {(s.labels["device"], s.labels["alert"], s.labels["subject"]) for s in samples}
    assert {k for k in found if k[0] in BUNDLED} == set(expected())
    conditions = {s.labels["alert"]: s.labels["condition"] for s in samples}
    assert conditions[HOSTILE] == f"t1_us < {SHORT_T1_US}"  # the exposition escapes, not us
    assert all(set(s.labels) == {"device", "alert", "condition", "subject"} for s in samples)


def test_an_alert_that_stops_holding_is_listed_as_recently_cleared(site: Site) -> None:
    with busy(site):
        during = _api(site)
        active = [a for a in during["active"] if a["alert"] == "busy"]
        assert [(a["device"], a["subject"], a["value"]) for a in active] == [
            ("ibm_lagos", "device", 3 * BUSY)
        ]
        assert ("ibm_lagos", "busy") in {
            (s.labels["device"], s.labels["alert"]) for s in _active_samples(site)
        }
    after = _api(site)
    assert "busy" not in {a["alert"] for a in after["active"]}
    (cleared,) = [a for a in after["cleared"] if a["alert"] == "busy"]
    assert cleared["active"] is False and cleared["since"] == active[0]["since"]
    assert datetime.fromisoformat(cleared["cleared_at"]) > datetime.fromisoformat(cleared["since"])
    assert "busy" not in {s.labels["alert"] for s in _active_samples(site)}
    assert _bundled(after["active"]) == pytest.approx(expected(), rel=1e-12)  # untouched
    fleet = httpx.get(f"{site.server.url}/").text
    cleared_table = fleet.split('id="cleared-table"', 1)[1].split("</table>", 1)[0]
    assert "<td>busy</td>" in cleared_table
    page = httpx.get(f"{site.server.url}/devices/ibm_lagos").text
    assert "<td>busy</td>" in page.split('id="cleared-table"', 1)[1]


def test_the_pages_show_the_alerts_as_text(site: Site) -> None:
    with site.server.client() as client:
        pages = [client.get(p).text for p in ("/", "/fleet/table", "/devices/fake_fez")]
    shown = "short T1 &lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
    for html in pages:
        assert "<img src=x" not in html and "<script>alert" not in html
        rows = html.split('id="alert-table"', 1)[1].split("</table>", 1)[0]
        subjects = set(re.findall(r"<td>((?:qubit \d+)|device)</td>", rows))
        assert subjects == {s for d, _, s in expected() if d == "fake_fez"}
        assert rows.count(f"<td>{shown}</td>") == sum(a == HOSTILE for _, a, _ in expected())
    armonk = httpx.get(f"{site.server.url}/devices/fake_armonk").text
    assert "No alert holds." in armonk and 'id="alert-table"' not in armonk


def test_each_device_says_when_it_was_fetched_and_will_be_next(site: Site) -> None:
    serving = httpx.get(f"{site.server.url}/api/devices", timeout=30).json()["serving"]
    fez, lagos = serving["fake_fez"], serving["ibm_lagos"]
    assert fez["fetched_at"] is not None and fez["next_fetch_at"] is None
    assert fez["active_alerts"] == len([k for k in expected() if k[0] == "fake_fez"])
    assert lagos["fetched_at"] is not None and lagos["next_fetch_at"] is not None
    fetched = datetime.fromisoformat(fez["fetched_at"])
    fleet = httpx.get(f"{site.server.url}/").text
    row = next(r for r in fleet.split("<tr") if "<td>fake_fez</td>" in r)
    assert f">{fetched:%H:%M:%S}</td>" in row and ">read once</td>" in row
    page = httpx.get(f"{site.server.url}/devices/fake_fez").text
    assert f"Read at {fetched:%Y-%m-%d %H:%M:%S} UTC; read once" in page
    live = httpx.get(f"{site.server.url}/devices/ibm_lagos").text
    line = re.search(r'<p class="sub fetched" id="fetched">([^<]+)</p>', live)
    assert line is not None
    assert re.fullmatch(
        r"Last fetched \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; next fetch \d{4}-\d\d-\d\d "
        r"\d\d:\d\d:\d\d UTC \(status\), calibration \d{4}-.+ UTC\.",
        line.group(1),
    )


def test_without_rules_there_are_no_alerts_to_show(tmp_path: Path) -> None:
    with running(["fake_armonk"], f"sqlite:///{tmp_path / 'h.db'}") as server:
        server.loaded()
        with server.client() as client:
            document = client.get("/api/alerts").json()
            metrics = client.get("/metrics").text
            fleet = client.get("/").text
    assert document == {"alerting": False, "active": [], "cleared": [], "cleared_kept_hours": 24}
    assert "qpumon_alert_active" not in metrics
    assert 'id="alerts"' not in fleet and "active alert" not in fleet


# -- what the collector keeps between checks -------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _firing(subject: str, value: float) -> Firing:
    (rule,) = rules_from_document({"alert": [{"name": "low", "when": "t1_us < 50"}]}, "r").rules
    return Firing("dev", rule, subject, value, 50.0, T0)


def _result(*holding: tuple[Firing, datetime], awaiting: tuple[Firing, ...] = ()) -> CheckResult:
    return CheckResult("dev", (), 0, (), awaiting, holding=holding)


def test_an_alert_keeps_when_it_began_and_clears_once() -> None:
    one, two = _firing("qubit 1", 40.0), _firing("qubit 2", 30.0)
    first = updated((), _result((one, T0), (two, T0)), T0)
    assert [(a.subject, a.since, a.active) for a in first] == [
        ("qubit 1", T0, True),
        ("qubit 2", T0, True),
    ]
    later = T0 + timedelta(hours=1)
    second = updated(first, _result((one, T0)), later)
    assert [(a.subject, a.active, a.cleared_at) for a in second] == [
        ("qubit 1", True, None),
        ("qubit 2", False, later),
    ]
    assert updated(second, _result((one, T0)), later + timedelta(minutes=1))[1:] == second[1:]
    gone = later + CLEARED_KEPT + timedelta(seconds=1)
    assert [a.subject for a in updated(second, _result((one, T0)), gone)] == ["qubit 1"]


def test_an_undelivered_alert_is_shown_with_its_first_time() -> None:
    one = _firing("qubit 1", 40.0)
    later = T0 + timedelta(minutes=5)
    first = updated((), _result((one, T0), awaiting=(one,)), T0)
    again = updated(first, _result((one, later), awaiting=(one,)), later)
    assert [(a.delivered, a.since) for a in again] == [(False, T0)]  # fired again, same alert
    taken = updated(again, _result((one, later)), later)
    assert [(a.delivered, a.since) for a in taken] == [(True, T0)]


# -- in a browser ------------------------------------------------------------------------------


@contextmanager
def tab(browser: Any, site: Site) -> Iterator[Any]:
    """A page that must log no console error and open no dialog (a script in a rule's name
    would)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def _rows(page: Any, table: str) -> list[list[str]]:
    found: list[list[str]] = page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )
    return found


@needs_chromium
def test_the_fleet_page_shows_active_then_cleared_alerts_in_place(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/")
        rows = _rows(page, "alert-table")
        assert {(r[0], r[1], r[2]) for r in rows} >= set(expected())  # the name is text
        assert page.locator('#alert-table a[href="/devices/fake_fez"]').count() == len(expected())
        cleared = page.locator("#cleared-table tbody tr", has_text="busy")
        before = cleared.count()  # another test may have cleared it already
        with busy(site):
            page.locator("#alert-table tr", has_text="busy").wait_for(timeout=15_000)
            assert "active alert" in (page.locator(".banner.alert").text_content() or "")
            page.screenshot(path=str(SCREENSHOT))
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "serve_fleet_alert_laptop.png"))
        page.locator("#alert-table tr", has_text="busy").wait_for(state="detached")
        assert cleared.count() == before + 1
        page.screenshot(path=str(ARTIFACTS / "serve_fleet_cleared_laptop.png"))


@needs_chromium
def test_the_device_page_shows_its_alerts(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/devices/fake_fez", timeout=60_000)
        rows = _rows(page, "alert-table")
        values = {(r[0], r[1]): float(r[3]) for r in rows}
        wanted = {(a, s): v for (_, a, s), v in expected().items()}
        assert values == pytest.approx(wanted, rel=1e-5)  # shown to 6 significant digits
        assert page.locator("#fetched").text_content().startswith("Read at ")
        page.screenshot(path=str(ARTIFACTS / "serve_device_alerts_laptop.png"))
