"""The pages in a real headless Chromium (Debian's): the fleet lists every device and updates in
place; the metric chooser recolours the map; tables sort and filter; the CSV download is
``monitor -f csv``; no console error, no request to anywhere but the server, no script of a
hostile device name runs; the pages fit a laptop and a phone. Screenshots go to artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qpumon.cli import cli
from qpumon.history.demo import DemoSettings, record_demo
from qpumon.model.serialize import dumps
from qpumon.sources import SourceOptions, default_bundled, resolve
from qpumon.store.db import Store
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

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")
HOSTILE = "<img src=x onerror=alert(1)>"
LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@dataclass
class Site:
    """The server under test and the stand-in behind its live device."""

    server: Running
    stand_in: IBMStandIn
    names: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Every bundled device, a hostile file and ibm_lagos (live), with a stored history of
    fake_fez for its trends."""
    folder = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as patch:
        home = folder / "home"
        patch.setenv("HOME", str(home))
        for variable in ACCOUNT_VARIABLES:
            patch.delenv(variable, raising=False)
        stand_in = IBMStandIn.with_devices(("lagos",))
        with stand_in.running():
            for variable, value in stand_in.environment.items():
                patch.setenv(variable, value)
            db = f"sqlite:///{folder / 'history.db'}"
            with Store(db) as store:
                record_demo(store, resolve("fake_fez"), 12, DemoSettings(seed=3))
            hostile = folder / "hostile.json"
            hostile.write_text(dumps(replace(resolve("fake_lagos"), name=HOSTILE)), "utf-8")
            bundled = default_bundled().names()
            with running(
                [*bundled, str(hostile), "ibm_lagos"],
                db,
                source=SourceOptions(live=live_options(stand_in, home)),
                status_every=timedelta(seconds=0.5),
                poll_seconds=0.5,
            ) as server:
                server.loaded()
                server.collector.wait_for(lambda v: v.devices["ibm_lagos"].up, 30)
                yield Site(server, stand_in, [*bundled, HOSTILE, "ibm_lagos"])


@contextmanager
def tab(browser: Any, site: Site, viewport: dict[str, int] = LAPTOP) -> Iterator[Any]:
    """A page that must log no console error, open no dialog and ask nothing of anyone but
    the server."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    page.on("request", lambda r: requests.append(r.url))
    try:
        yield page
    finally:
        context.close()
    assert errors == []
    assert requests and all(r.startswith(site.server.url + "/") for r in requests), requests


def _shot(page: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"serve_{name}.png"), full_page=full)


def _column(page: Any, table: str, header: str) -> int:
    headers = page.eval_on_selector_all(f"#{table} thead th", "hs => hs.map(h => h.textContent)")
    return int(headers.index(header))


def _cells(page: Any, table: str, column: int, visible: bool = True) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        f"#{table} tbody tr",
        f"rows => rows.filter(r => !{str(visible).lower()} || r.style.display !== 'none')"
        f".map(r => r.cells[{column}].textContent)",
    )
    return found


def test_the_fleet_lists_every_device_and_updates_in_place(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/")
        names = _cells(page, "fleet-table", 0)
        assert sorted(names) == sorted(site.names)
        assert page.locator(f'#fleet-table a[href="/devices/{"fake_fez"}"]').count() == 1
        fez = page.locator("#fleet-table tr", has_text="fake_fez")
        assert fez.locator("svg.spark").count() >= 4  # T1, T2, readout, 1q, 2q trends
        assert "&lt;img" not in page.content() or "<img src=x" not in page.content()
        _shot(page, "fleet_laptop")
        page.evaluate("window.qpumonMarker = 'same page'")
        pending = _column(page, "fleet-table", "Pending")
        site.stand_in.queue["ibm_lagos"] = 42
        cell = page.locator("#fleet-table tr", has_text="ibm_lagos").locator("td").nth(pending)
        cell.filter(has_text="42").wait_for(timeout=15_000)
        assert "changed" in (cell.get_attribute("class") or "")
        assert page.evaluate("window.qpumonMarker") == "same page"  # no reload
        assert page.locator("#clock").text_content().startswith("updated ")


def test_the_fleet_sorts_and_filters(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/")
        t1 = _column(page, "fleet-table", "T1 (µs)")
        page.click(f"#fleet-table th:nth-child({t1 + 1})")
        values = page.eval_on_selector_all(
            "#fleet-table tbody tr",
            f"rows => rows.map(r => r.cells[{t1}].getAttribute('data-v'))",
        )
        numbers = [float(v) for v in values if v]
        assert numbers == sorted(numbers) and len(numbers) >= 60
        page.fill("[data-filter=fleet-table]", "fake_k")
        shown = _cells(page, "fleet-table", 0)
        assert sorted(shown) == sorted(n for n in site.names if "fake_k" in n)
        kept = [float(v) for v in _cells(page, "fleet-table", t1) if v != "—"]
        assert kept == sorted(kept)  # still in T1 order


def test_the_metric_chooser_recolours_the_map(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/devices/fake_fez", timeout=60_000)
        _shot(page, "device_laptop")
        fills = (
            "els => els.filter(e => /^qubit-\\d+$/.test(e.parentNode.id)).map(e => e.style.fill)"
        )
        before = page.eval_on_selector_all("#map g[id^=qubit-] > path", fills)
        assert len(before) == 156
        page.select_option("#qubit-metric", "t1_us")
        page.locator("#map svg").filter(has_text="T1 (µs)").wait_for()
        after = page.eval_on_selector_all("#map g[id^=qubit-] > path", fills)
        assert len(after) == 156 and sum(a != b for a, b in zip(before, after, strict=True)) > 100
        edges = "els => els.map(e => e.style.stroke)"
        couplers = page.eval_on_selector_all("#map g[id^=coupler-] > path", edges)
        page.select_option("#edge-metric", "length")
        page.locator("#map svg").filter(has_text="CZ length").wait_for()
        assert page.eval_on_selector_all("#map g[id^=coupler-] > path", edges) != couplers
        page.locator("#map").scroll_into_view_if_needed()
        _shot(page, "device_map_t1_laptop")
        page.hover("#qubit-7 path")  # the report's tooltips still work on the new map
        t1 = next(p["value"] for p in raw("fez", "props")["qubits"][7] if p["name"] == "T1")
        assert page.locator("#tooltip").text_content().startswith("Qubit 7\nT1: ")
        assert f"{t1:.4g}"[:4] in page.locator("#tooltip").text_content()


def test_device_tables_history_and_csv(browser: Any, site: Site) -> None:
    gates = raw("fez", "props")["gates"]
    failed = {
        frozenset(g["qubits"])
        for g in gates
        if g["gate"] == "cz"
        and any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    }
    with tab(browser, site) as page:
        page.goto(site.server.url + "/devices/fake_fez", timeout=60_000)
        page.click("#qubit-table th:nth-child(2)")
        values = [float(v) for v in _cells(page, "qubit-table", 1)]
        assert values == sorted(values)
        page.fill("[data-filter=gate-table]", "cz")
        page.check("[data-flagged=gate-table]")
        assert len(_cells(page, "gate-table", 0)) == len(failed) > 0
        page.locator("#history svg").wait_for(timeout=30_000)
        assert "synthetic data" in page.locator("#history").text_content()
        assert page.locator("#drift-table tbody tr").count() > 0
        page.locator("#history").scroll_into_view_if_needed()
        _shot(page, "device_history_laptop")
        with page.expect_download() as download:
            page.click("#csv-download")
        text = Path(download.value.path()).read_text(encoding="utf-8")
    expected = CliRunner().invoke(cli, ["monitor", "fake_fez", "-f", "csv"]).stdout
    assert text == expected
    assert download.value.suggested_filename == "monitor.fake_fez.csv"


def test_the_pages_fit_a_phone(browser: Any, site: Site) -> None:
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    with tab(browser, site, PHONE) as page:
        page.goto(site.server.url + "/")
        assert page.evaluate(overflow) <= 0  # wide tables scroll inside their box
        _shot(page, "fleet_phone")
        page.goto(site.server.url + "/devices/fake_fez", timeout=60_000)
        assert page.evaluate(overflow) <= 0
        box = page.locator("#map").bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        scrolls = "m => m.scrollWidth > m.clientWidth"  # the map keeps a readable size
        assert page.eval_on_selector("#map", scrolls)
        _shot(page, "device_phone")
        page.locator("#map").scroll_into_view_if_needed()
        _shot(page, "device_map_phone")


def test_an_unknown_device_gets_the_404_page(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        answer = page.goto(site.server.url + "/devices/fake_fe")
        assert answer is not None and answer.status == 404
        assert "Did you mean fake_fez" in page.locator(".banner").text_content()
        links = page.eval_on_selector_all(".devices-list a", "as => as.map(a => a.textContent)")
        assert sorted(links) == sorted(site.names)
        _shot(page, "not_found_laptop")
    finally:
        context.close()


def test_a_hostile_name_stays_text(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/")
        row = page.locator("#fleet-table tbody tr").filter(has_text=HOSTILE)
        assert row.count() == 1
        row.locator("a").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").text_content() == HOSTILE
        assert re.search(r"/devices/%3Cimg%20src%3Dx", page.url)


def test_a_failing_device_is_marked_stale_in_place(browser: Any, site: Site) -> None:
    with tab(browser, site) as page:
        page.goto(site.server.url + "/")
        source = _column(page, "fleet-table", "Source")
        row = page.locator("#fleet-table tr", has_text="ibm_lagos")
        assert row.locator("td").nth(source).text_content() == "live"
        site.stand_in.break_route("status", "ibm_lagos")
        try:
            row.locator("td").nth(source).filter(has_text="live, stale").wait_for(timeout=15_000)
            note = page.locator("[data-part=notices] .banner.stale")
            assert "ibm_lagos: stale: the fetch at" in (note.text_content() or "")
            _shot(page, "fleet_stale_laptop")
            page.goto(site.server.url + "/devices/ibm_lagos")
            assert "Stale." in (page.locator(".banner").text_content() or "")
            _shot(page, "device_stale_laptop")
        finally:
            site.stand_in.mend()
