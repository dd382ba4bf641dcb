"""The live overview and ``--watch`` against the stand-in: concurrency, failures, changes."""

from __future__ import annotations

import io
import json
import statistics
import time
from pathlib import Path

import pytest
from rich.console import Console

from qpumon.live import connect, parse_at
from qpumon.live.board import CHANGED_STYLE, Board
from qpumon.live.overview import LiveOverview, live_overview
from qpumon.live.source import LiveSource
from tests.conftest import raw
from tests.live.conftest import STEMS, live_options
from tests.live.ibm_server import IBMStandIn


def _source(server: IBMStandIn, home: Path, **changes: object) -> LiveSource:
    source = connect(live_options(server, home, **changes))
    assert source is not None
    return source


def _median_t1(stem: str) -> float:
    props = raw(stem, "props")
    return statistics.median(
        float(e["value"]) for q in props["qubits"] for e in q if e["name"] == "T1"
    )


def _lf(stem: str, n: int) -> float:
    props = raw(stem, "props")
    return float(next(g["value"] for g in props["general"] if g["name"] == f"lf_{n}"))


def test_every_device_of_the_account_with_live_status(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.queue.update({"ibm_fez": 9, "ibm_kingston": 3, "ibm_kyiv": 4})
    stand_in.operational["ibm_kingston"] = False
    overview = live_overview(_source(stand_in, home))
    report = overview.report
    assert [s.name for s in report.summaries] == [f"ibm_{stem}" for stem in STEMS]
    assert overview.failures == {}
    by_name = {s.name: s for s in report.summaries}
    for stem in STEMS:
        summary = by_name[f"ibm_{stem}"]
        assert summary.num_qubits == raw(stem, "conf")["n_qubits"]
        assert summary.median_t1_us == pytest.approx(_median_t1(stem))
    assert by_name["ibm_fez"].eplg_100 == pytest.approx(0.8 * (1 - _lf("fez", 100) ** (1 / 99)))
    assert by_name["ibm_kingston"].status is not None
    assert by_name["ibm_kingston"].status.operational is False
    assert report.least_busy == "ibm_kyiv"  # kingston has fewer jobs but is down
    assert [s.status.pending_jobs for s in report.summaries if s.status] == [9, 3, 4]


def test_requests_run_concurrently(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.latency = 0.2
    source = _source(stand_in, home)
    start = time.perf_counter()
    live_overview(source, ["ibm_fez", "ibm_kingston", "ibm_kyiv"])
    elapsed = time.perf_counter() - start
    # 9 requests of 0.2 s: status + properties together, then configurations: two rounds.
    assert elapsed < 0.2 * 9 / 2
    assert len(stand_in.requests) == 1 + 9


def test_a_device_whose_properties_fail_is_a_row_with_its_error(
    stand_in: IBMStandIn, home: Path
) -> None:
    stand_in.break_route("properties", "ibm_kingston")
    overview = live_overview(_source(stand_in, home, retries=1))
    assert [s.name for s in overview.report.summaries] == ["ibm_fez", "ibm_kyiv"]
    error = overview.failures["ibm_kingston"]
    assert error.startswith(
        "IBM Quantum answered HTTP 500 to the calibration of ibm_kingston after 2 attempts"
    )
    table = overview.report.table
    row = next(r for r in table.rows if r[0].text == "ibm_kingston")
    status = [c.key for c in table.columns].index("status")
    assert (row[status].text, row[status].flag) == ("error", "failed")
    assert f"ibm_kingston: {error}" in table.notes


def test_the_json_and_text_formats_carry_the_failed_device(
    stand_in: IBMStandIn, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qpumon.cli.live import run_live_overview

    stand_in.break_route("status", "ibm_kyiv")
    options = live_options(stand_in, home, retries=0)
    run_live_overview((), options, fmt="json")
    data = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in data["devices"]] == ["ibm_fez", "ibm_kingston"]
    assert data["least_busy"] == "ibm_fez"
    assert data["failed"] == [
        {
            "device": "ibm_kyiv",
            "error": "IBM Quantum answered HTTP 500 to "
            f"the status of ibm_kyiv ({stand_in.api_url}/backends/ibm_kyiv/"
            "status): Planned failure of the stand-in.",
        }
    ]
    run_live_overview((), options, fmt="table")
    text = capsys.readouterr().out
    assert any(line.startswith("ibm_kyiv") and " error " in line for line in text.splitlines())


def test_an_overview_back_in_time(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = IBMStandIn()
    server.add_device("fez", history=["marrakesh"])
    server.add_device("kyiv")
    with server.running():
        monkeypatch.setenv("IAM_URL", server.url)
        at = parse_at("2025-02-26T20:00Z")
        overview = live_overview(_source(server, home, at=at))
    summaries = {s.name: s for s in overview.report.summaries}
    assert summaries["ibm_fez"].median_t1_us == pytest.approx(_median_t1("marrakesh"))
    assert summaries["ibm_kyiv"].median_t1_us == pytest.approx(_median_t1("kyiv"))
    assert all(s.status is None for s in summaries.values())
    assert overview.report.least_busy is None
    assert overview.report.table.notes[-1].startswith("Calibrations in force at 2025-02-26T20:00")


def test_watch_sees_a_queue_change(stand_in: IBMStandIn, home: Path) -> None:
    source = _source(stand_in, home)
    board = Board(lambda: live_overview(source), interval=5)
    assert board.refresh() == set()  # the first refresh has nothing to compare with
    stand_in.queue["ibm_kingston"] = 12
    assert board.refresh() == {("ibm_kingston", "pending_jobs")}
    assert board.refresh() == set()
    stand_in.queue["ibm_fez"] = 30  # fez is no longer the least busy device: kyiv (2) is
    changed = board.refresh()
    assert ("ibm_fez", "pending_jobs") in changed
    assert ("ibm_fez", "marks") in changed and ("ibm_kyiv", "marks") in changed


def test_the_board_highlights_changes_and_survives_a_failed_refresh(
    stand_in: IBMStandIn, home: Path
) -> None:
    source = _source(stand_in, home, retries=0)
    board = Board(lambda: live_overview(source), interval=2)
    board.refresh()
    stand_in.queue["ibm_kyiv"] = 8
    board.refresh()
    stand_in.deny_api = 503  # the device list fails: the board keeps the last table
    assert board.refresh() == set()
    assert board.changed == {("ibm_kyiv", "pending_jobs")}
    assert board.error is not None and "HTTP 503" in board.error
    console = Console(file=io.StringIO(), width=220, force_terminal=True, color_system="truecolor")
    console.print(board.renderable())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "1 cell changed since the last refresh" in text
    assert "refresh failed at" in text and "showing the previous data" in text
    plain = Console(file=io.StringIO(), width=220)
    segments = list(plain.render(board.renderable()))
    highlighted = [s.text.strip() for s in segments if s.style and str(s.style) == CHANGED_STYLE]
    assert highlighted == ["8"]


def test_watch_overview_redraws_and_ctrl_c_ends_it(stand_in: IBMStandIn, home: Path) -> None:
    from qpumon.cli.live import watch_overview

    source = _source(stand_in, home)
    calls = []

    def fetch() -> LiveOverview:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        stand_in.queue["ibm_fez"] = len(calls)
        return live_overview(source)

    output = io.StringIO()
    watch_overview(fetch, 0.01, console=Console(file=output, width=220, force_terminal=True))
    assert len(calls) == 3
    assert "Devices (live)" in output.getvalue()


def test_a_named_device_the_account_lacks_is_a_row_listing_those_it_has(
    stand_in: IBMStandIn, home: Path
) -> None:
    overview = live_overview(_source(stand_in, home), ["ibm_fez", "ibm_nope"])
    assert [s.name for s in overview.report.summaries] == ["ibm_fez"]
    assert overview.failures == {
        "ibm_nope": "ibm_nope: not a device of this IBM Quantum account (it has: ibm_fez, "
        "ibm_kingston, ibm_kyiv); use --offline for the bundled snapshots"
    }
