"""Every format: golden files for a few devices, and every bundled device in every format.

Golden files are regenerated only by ``scripts/regen-golden`` (QPUMON_REGEN_GOLDEN=1).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from qpumon.api import overview_report
from qpumon.model.serialize import snapshot_from_dict
from qpumon.reports.formats import FORMATS, RenderOptions, render
from qpumon.reports.monitor import MonitorOptions, build_monitor
from qpumon.sources import BundledSource
from tests.conftest import FROZEN_NOW, bundled_dirs, raw

GOLDEN = Path(__file__).parent.parent / "golden"
GOLDEN_DEVICES = ("fake_burlington", "fake_fez", "fake_kyoto", "fake_armonk")
EXTENSIONS = {
    "table": "table.txt",
    "plain": "plain.txt",
    "json": "json",
    "csv": "csv",
    "markdown": "md",
    "legacy": "legacy.txt",
    "ibm-csv": "ibm.csv",
}


def formats_for_kind(fmt: str) -> frozenset[str]:
    """The report kinds format ``fmt`` draws (every kind: both of these)."""
    return FORMATS[fmt].kinds or frozenset({"monitor", "overview"})


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("QPUMON_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run scripts/regen-golden"
    assert text == path.read_text(encoding="utf-8")


#: Every text format has golden files; the HTML page (with its SVG figures) is checked in
#: tests/pictures/test_report_browser.py, in a real browser.
TEXT_FORMATS = [name for name in FORMATS if name != "html"]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("device", GOLDEN_DEVICES)
def test_monitor_golden(device: str, fmt: str) -> None:
    report = build_monitor(BundledSource().load(device), now=FROZEN_NOW)
    _check_golden(f"monitor.{device}.{EXTENSIONS[fmt]}", render(report, fmt))


@pytest.mark.parametrize("fmt", [f for f in TEXT_FORMATS if "overview" in formats_for_kind(f)])
def test_overview_golden(fmt: str) -> None:
    report = overview_report(
        [*GOLDEN_DEVICES, "fake_cusco", "fake_kingston"], sort="median_2q_error_avg"
    )
    _check_golden(f"overview.{EXTENSIONS[fmt]}", render(report, fmt))


def test_output_is_deterministic() -> None:
    snap = BundledSource().load("fake_fez")
    for fmt in TEXT_FORMATS:
        first = render(build_monitor(snap, now=FROZEN_NOW), fmt)
        again = render(build_monitor(BundledSource().load("fez"), now=FROZEN_NOW), fmt)
        assert first == again


@pytest.mark.parametrize("stem", bundled_dirs())
def test_every_device_in_every_format(stem: str) -> None:
    snap = BundledSource().load(stem)
    report = build_monitor(snap, now=FROZEN_NOW)
    for fmt in TEXT_FORMATS:
        text = render(report, fmt)
        if fmt == "ibm-csv":  # IBM's CSV names no device: one row per qubit under the header
            assert len(text.split("\n")) == snap.num_qubits + 1
        else:
            assert snap.name in text
    rich_text = render(report, "table", RenderOptions(rich=True, width=240))
    assert snap.name in rich_text
    assert snapshot_from_dict(json.loads(render(report, "json"))["snapshot"]) == snap


def test_csv_values_are_the_source_values() -> None:
    report = build_monitor(BundledSource().load("fake_fez"), now=FROZEN_NOW)
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    props = raw("fez", "props")
    t1 = {int(r["qubits"]): float(r["value"]) for r in rows if r["metric"] == "t1_us"}
    assert t1 == {
        i: next(e["value"] for e in q if e["name"] == "T1") for i, q in enumerate(props["qubits"])
    }
    cz = [r for r in rows if r["gate"] == "cz" and r["metric"] == "error"]
    raw_cz = {(tuple(g["qubits"])): g["parameters"] for g in props["gates"] if g["gate"] == "cz"}
    for row in cz:
        pair = tuple(int(q) for q in re.split("->|-", row["qubits"]))  # 0-1 or 0->1
        error = next(p["value"] for p in raw_cz[pair] if p["name"] == "gate_error")
        assert float(row["value"]) == error
        assert row["flag"] == ("failed" if error == 1 else "")


def test_qubit_selection_sort_and_worst() -> None:
    snap = BundledSource().load("fake_fez")
    report = build_monitor(snap, MonitorOptions(qubits="0-9,20", sort="t1", worst=3))
    assert report.qubits is not None
    shown = [row[0].value for row in report.qubits.rows]
    t1 = {q.index: q.t1_us for q in snap.qubits if q.index in (*range(10), 20)}
    assert shown == sorted(t1, key=lambda i: t1[i])[:3]  # lowest T1 first
    assert report.gates is not None and report.gates.rows
    for row in report.gates.rows:
        assert set(row[1].value) & {*range(10), 20}, row[1].text


def test_missing_values_are_shown_as_missing_not_zero() -> None:
    report = build_monitor(BundledSource().load("fake_kingston"), now=FROZEN_NOW)
    assert report.qubits is not None
    row = next(r for r in report.qubits.rows if r[0].value == 146)
    t1 = row[[c.key for c in report.qubits.columns].index("t1_us")]
    assert t1.text == "—" and t1.value is None and t1.flag == "missing"


WIDTHS = (80, 100, 120, 200)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("device", ("fake_burlington", "fake_fez"))
def test_terminal_golden(device: str, width: int) -> None:
    report = build_monitor(BundledSource().load(device), now=FROZEN_NOW)
    text = render(report, "table", RenderOptions(rich=True, width=width))
    _check_golden(f"terminal.{device}.w{width}.txt", text)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_terminal_overview_golden(width: int) -> None:
    text = render(overview_report(sort="device"), "table", RenderOptions(rich=True, width=width))
    _check_golden(f"terminal.overview.w{width}.txt", text)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", (60, *WIDTHS))
def test_every_value_of_the_source_is_shown_whole(width: int) -> None:
    """At any width from 60 columns, each number is there whole or its column is left out,
    and the note names what was left out."""
    props = raw("burlington", "props")
    report = build_monitor(BundledSource().load("fake_burlington"), now=FROZEN_NOW)
    text = render(report, "table", RenderOptions(rich=True, width=width))
    lines = text.splitlines()
    for qubit, entries in enumerate(props["qubits"]):
        row = next(line for line in lines if line.strip().startswith(f"Q{qubit} "))
        t1 = next(e["value"] for e in entries if e["name"] == "T1")
        readout = next(e["value"] for e in entries if e["name"] == "readout_error")
        assert f"{t1:.4g}" in row.split() or f"{t1:#.4g}" in row.split()
        assert f"{readout:#.3g}" in row.split()
    for gate in (g for g in props["gates"] if g["gate"] == "cx"):
        error = next(p["value"] for p in gate["parameters"] if p["name"] == "gate_error")
        pair = "->".join(map(str, gate["qubits"]))
        assert any(pair in line and f"{error:#.3g}" in line.split() for line in lines)
