"""What snapshots and reports show in Jupyter (:mod:`qpumon.reports.notebook`): the dashboard's
components, no script, a style sheet that touches nothing outside the output, every value
escaped, and the numbers of the source JSON."""

from __future__ import annotations

import re
from dataclasses import replace

from qpumon.api import list_report, overview_report
from qpumon.model.metrics import format_number
from qpumon.reports.monitor import build_monitor
from qpumon.reports.notebook import ROOT, report_html, scoped_css, snapshot_html
from qpumon.sources import resolve
from tests.conftest import raw


def test_a_snapshot_shows_its_cards_map_and_tables() -> None:
    snapshot = resolve("fake_burlington")
    html = snapshot_html(snapshot)
    report = build_monitor(snapshot)
    assert html.startswith(f'<div class="{ROOT}"><style>') and html.endswith("</div>")
    assert "<script" not in html
    assert html.count("<svg") >= 2  # the map and the distributions
    assert "<style type" not in html  # the figures' own sheets would style the whole notebook
    assert report.qubits is not None and report.gates is not None
    assert html.count("<tr") == 2 + len(report.qubits.rows) + len(report.gates.rows)
    assert f"<summary>Qubits ({snapshot.num_qubits})</summary>" in html
    t1 = next(p["value"] for p in raw("burlington", "props")["qubits"][3] if p["name"] == "T1")
    assert f'<td data-v="{t1!r}"' in html and f">{format_number(t1, 4)}</td>" in html


def test_the_style_sheet_is_scoped_to_the_output() -> None:
    css = scoped_css()
    for rule in re.findall(r"([^{}]+)\{", css):
        for selector in rule.split(","):
            text = selector.strip()
            assert text.startswith(f".{ROOT}") or text.startswith(("from", "to")), text
    assert f".{ROOT} table {{" in css and f".{ROOT} {{" in css and "body" not in css


def test_reports_show_as_their_tables() -> None:
    overview = report_html(overview_report(["fake_fez", "fake_kyoto"]))
    assert overview.count("<tr") == 3 and "fake_kyoto" in overview
    listing = report_html(list_report())
    assert "fake_washington" in listing and "<script" not in listing
    monitor = report_html(build_monitor(resolve("fake_armonk")))
    assert "Median T1" in monitor


def test_values_are_escaped() -> None:
    hostile = replace(resolve("fake_armonk"), name="<b onclick=x>\x1b[2J")
    html = snapshot_html(hostile)
    assert "<b onclick" not in html and "\x1b" not in html
    assert "&lt;b onclick=x&gt;\\x1b[2J" in html
