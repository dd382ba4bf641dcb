"""The ``html`` format: the monitor report as one page, checked against the source data and in a
real headless Chromium (offline, sortable, filterable, with tooltips)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qpumon.model.metrics import format_number
from qpumon.reports.formats import render
from qpumon.reports.monitor import build_monitor
from qpumon.sources import resolve as load
from tests.conftest import FROZEN_NOW
from tests.conftest import raw as raw_json

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def raw() -> Callable[[str], tuple[Any, Any]]:
    """``raw(stem)``: a bundled device's configuration and properties, read with json."""
    return lambda stem: (raw_json(stem, "conf"), raw_json(stem, "props"))


def render_report(snapshot: Any) -> str:
    """The html format of the monitor report of ``snapshot``."""
    return render(build_monitor(snapshot, now=FROZEN_NOW), "html")


def _headers(html: str, table_id: str) -> list[str]:
    head = re.search(rf'id="{table_id}"><thead><tr>(.*?)</tr>', html, re.S)
    assert head is not None
    return re.findall(r"<th>(.*?)</th>", head.group(1))


def test_the_page_shows_what_monitor_shows(raw: Any) -> None:
    """Same columns (no U1 column of zeros), merged directions and flag wording as monitor."""
    report = build_monitor(load("fake_burlington"), now=FROZEN_NOW)
    html = render(report, "html")
    assert report.qubits is not None and report.gates is not None
    assert _headers(html, "qubit-table") == [c.header for c in report.qubits.columns]
    assert "U1 err" not in _headers(html, "qubit-table")
    assert html.count("<tr") - 2 == len(report.qubits.rows) + len(report.gates.rows)
    fez = render_report(load("fake_fez"))
    _, props = raw("fez")
    failed_cz = [
        g
        for g in props["gates"]
        if g["gate"] == "cz"
        and any(p["value"] == 1 for p in g["parameters"] if p["name"] == "gate_error")
    ]
    couplers = {frozenset(g["qubits"]) for g in failed_cz}
    native = {frozenset(g["qubits"]) for g in props["gates"] if g["gate"] == "cz"}
    expected = f"{len(couplers)} of {len(native)} couplers ({len(failed_cz)} entries)"
    assert expected in fez
    assert "cz</td><td>0-1</td>" in fez  # the two directions merged, as in monitor


def test_report_is_self_contained(raw: Any) -> None:
    html = render_report(load("fake_fez"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<svg" in html and "@import" not in html
    data = json.loads(re.search(r'id="qpumon-data">(.*?)</script>', html, re.S).group(1))
    conf, props = raw("fez")
    t1 = next(p["value"] for p in props["qubits"][7] if p["name"] == "T1")
    assert f"T1: {format_number(t1, 4)} µs" in data["qubits"]["7"]
    assert len(data["couplers"]) == len({tuple(sorted(e)) for e in conf["coupling_map"]})


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium")
def test_report_in_headless_chromium(tmp_path: Path, raw: Any) -> None:
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(render_report(load("fake_fez")), encoding="utf-8")
    url = page_file.as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.wait_for_load_state("load")
            _check_sorting(page)
            _check_filter(page, raw)
            _check_tooltip(page, raw)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report_fake_fez.png"), full_page=False)
        finally:
            context.close()
    assert errors == []
    assert requests == [url]


def _first_cells(page: Any, column: int) -> list[str]:
    return page.eval_on_selector_all(
        "#qubit-table tbody tr",
        f"rows => rows.slice(0, 5).map(r => r.cells[{column}].textContent)",
    )


def _check_sorting(page: Any) -> None:
    before = _first_cells(page, 0)
    assert before == ["Q0", "Q1", "Q2", "Q3", "Q4"]
    page.click("#qubit-table th:nth-child(2)")  # T1, ascending
    ascending = _first_cells(page, 1)
    values = [float(v) for v in ascending]
    assert values == sorted(values)
    assert _first_cells(page, 0) != before
    page.click("#qubit-table th:nth-child(2)")  # descending
    values = [float(v) for v in _first_cells(page, 1)]
    assert values == sorted(values, reverse=True)


def _check_filter(page: Any, raw: Any) -> None:
    _, props = raw("fez")
    failed_cz = [
        g
        for g in props["gates"]
        if g["gate"] == "cz"
        and any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    ]
    page.fill("[data-filter=gate-table]", "cz")
    page.check("[data-flagged=gate-table]")
    visible = page.eval_on_selector_all(
        "#gate-table tbody tr", "rows => rows.filter(r => r.style.display !== 'none').length"
    )
    assert visible == len({frozenset(g["qubits"]) for g in failed_cz}) > 0  # directions merged
    page.uncheck("[data-flagged=gate-table]")
    page.fill("[data-filter=gate-table]", "")


def _check_tooltip(page: Any, raw: Any) -> None:
    _, props = raw("fez")
    readout = next(p["value"] for p in props["qubits"][7] if p["name"] == "readout_error")
    page.locator("#map").scroll_into_view_if_needed()
    page.hover("#qubit-7 path")
    tip = page.locator("#tooltip")
    assert tip.is_visible()
    text = tip.text_content() or ""
    assert text.startswith("Qubit 7\n")
    assert f"Readout err: {readout:.3g}" in text
    a = page.locator("#qubit-0 path").bounding_box()
    b = page.locator("#qubit-1 path").bounding_box()
    assert a is not None and b is not None  # the coupler is drawn between the two circles
    page.mouse.move((a["x"] + a["width"] + b["x"]) / 2, b["y"] + b["height"] / 2)
    assert (tip.text_content() or "").startswith("Coupler 0-1 (CZ)\ncz 0->1: ")
