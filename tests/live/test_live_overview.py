"""Many devices at once against the stand-in: the overview, concurrency, failures, ``--watch``."""

from __future__ import annotations

import io
import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from qpumon import api
from qpumon.cli.board import CHANGED_STYLE, Board
from qpumon.errors import ServiceError
from qpumon.sources import SourceOptions, resolve_many
from qpumon.sources.ibm_live import LiveOptions, connect, parse_at
from tests.conftest import raw
from tests.live.conftest import STEMS, cli_env, live_options, run_cli
from tests.live.ibm_server import IBMStandIn


def _median_t1(stem: str) -> float:
    props = raw(stem, "props")
    return statistics.median(
        float(e["value"]) for q in props["qubits"] for e in q if e["name"] == "T1"
    )


def _lf(stem: str, n: int) -> float:
    props = raw(stem, "props")
    return float(next(g["value"] for g in props["general"] if g["name"] == f"lf_{n}"))


def _overview(options: LiveOptions, devices: list[str] | None = None, **kw: Any) -> Any:
    return api.overview_report(devices, source=SourceOptions(live=options, **kw), live=True)


def test_every_device_of_the_account_with_live_status(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.queue.update({"ibm_fez": 9, "ibm_kingston": 3, "ibm_kyiv": 4})
    stand_in.operational["ibm_kingston"] = False
    report = _overview(live_options(stand_in, home))
    assert [s.name for s in report.summaries] == [f"ibm_{stem}" for stem in STEMS]
    assert report.failures == ()
    by_name = {s.name: s for s in report.summaries}
    for stem in STEMS:
        summary = by_name[f"ibm_{stem}"]
        assert summary.num_qubits == raw(stem, "conf")["n_qubits"]
        assert summary.median_t1_us == pytest.approx(_median_t1(stem))
    assert by_name["ibm_fez"].eplg_100 == pytest.approx(0.8 * (1 - _lf("fez", 100) ** (1 / 99)))
    kingston = by_name["ibm_kingston"].status
    assert kingston is not None and kingston.operational is False
    assert report.least_busy == "ibm_kyiv"  # kingston has fewer jobs but is down
    assert [s.status.pending_jobs for s in report.summaries if s.status] == [9, 3, 4]
    assert len(stand_in.seen("iam")) == 1  # the device list and the devices: one sign-in


def test_requests_run_concurrently(stand_in: IBMStandIn, home: Path) -> None:
    source = connect(live_options(stand_in, home))
    stand_in.stall("properties", "*", 0.5)
    results = source.fetch(["ibm_fez", "ibm_kingston", "ibm_kyiv"])
    assert all(r.snapshot is not None for r in results)
    api_requests = [r for r in stand_in.requests if r.path.startswith("/api/v1")]
    assert len(api_requests) == 9  # status, calibration and configuration of each
    calibrations = stand_in.seen("properties")
    assert max(r.received for r in calibrations) < min(r.answered for r in calibrations)


def test_a_device_whose_calibration_fails_is_a_row_with_its_error(
    stand_in: IBMStandIn, home: Path
) -> None:
    stand_in.break_route("properties", "ibm_kingston")
    report = _overview(live_options(stand_in, home, retries=1))
    assert [s.name for s in report.summaries] == ["ibm_fez", "ibm_kyiv"]
    ((name, error),) = report.failures
    assert name == "ibm_kingston"
    assert error.startswith(
        "IBM Quantum answered HTTP 500 to the calibration of ibm_kingston after 2 attempts"
    )
    assert error.count("ibm_kingston") == 2  # the request's words and its URL: no prefix
    table = report.table
    row = next(r for r in table.rows if r[0].text == "ibm_kingston")
    status = [c.key for c in table.columns].index("status")
    assert (row[status].text, row[status].flag) == ("error", "failed")


def test_every_device_failing_exits_3_and_some_failing_exits_0(
    stand_in: IBMStandIn, home: Path
) -> None:
    stand_in.break_route("status", "ibm_kyiv")
    env = cli_env(stand_in)
    some = run_cli("overview", "--live", "-f", "json", env=env)
    assert some.returncode == 0, some.stderr
    data = json.loads(some.stdout)
    assert [d["name"] for d in data["devices"]] == ["ibm_fez", "ibm_kingston"]
    assert data["failed"] == [
        {
            "device": "ibm_kyiv",
            "error": "IBM Quantum answered HTTP 500 to the status of ibm_kyiv after 4 attempts "
            f"({stand_in.api_url}/backends/ibm_kyiv/status): Planned failure of the stand-in.",
        }
    ]
    stand_in.break_route("status", "*")
    every = run_cli("overview", "--live", "--timeout", "5", env=env)
    assert every.returncode == 3 and every.stdout == ""
    with pytest.raises(ServiceError):
        _overview(live_options(stand_in, home, retries=0))


def test_an_overview_back_in_time(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = IBMStandIn()
    server.add_device("fez", history=["marrakesh"])
    server.add_device("kyiv")
    with server.running():
        monkeypatch.setenv("IAM_URL", server.url)
        at = parse_at("2025-02-26T20:00Z")
        report = _overview(live_options(server, home), at=at)
    summaries = {s.name: s for s in report.summaries}
    assert summaries["ibm_fez"].median_t1_us == pytest.approx(_median_t1("marrakesh"))
    assert summaries["ibm_kyiv"].median_t1_us == pytest.approx(_median_t1("kyiv"))
    assert all(s.status is None for s in summaries.values())
    assert report.least_busy is None


def test_the_legacy_device_list_is_read_too(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = IBMStandIn.with_devices(STEMS, objects_since="2099-01-01")  # our version is "old"
    with server.running():
        monkeypatch.setenv("IAM_URL", server.url)
        names = connect(live_options(server, home)).names()
        (listing,) = server.seen("backends")
    assert names == [f"ibm_{stem}" for stem in STEMS]
    assert listing.status == 200 and listing.headers["ibm-api-version"] < "2099-01-01"


def test_resolve_many_keeps_order_and_repeats(stand_in: IBMStandIn, home: Path) -> None:
    found = resolve_many(
        ["ibm_kyiv", "fake_fez", "ibm_nope", "ibm_kyiv"], live=live_options(stand_in, home)
    )
    assert [r.spec for r in found] == ["ibm_kyiv", "fake_fez", "ibm_nope", "ibm_kyiv"]
    assert [r.snapshot.source if r.snapshot else None for r in found] == [
        "ibm:ibm_kyiv", "bundled:fake_fez", None, "ibm:ibm_kyiv",
    ]  # fmt: skip
    assert str(found[2].error).startswith("ibm_nope: not a device of this IBM Quantum account")
    assert len(stand_in.seen("status", "ibm_kyiv")) == 1  # a repeat is fetched once


def test_watch_sees_a_queue_change(stand_in: IBMStandIn, home: Path) -> None:
    options = live_options(stand_in, home)
    board = Board(lambda: _overview(options), interval=5)
    assert board.refresh() == set()  # the first refresh has nothing to compare with
    stand_in.queue["ibm_kingston"] = 12
    assert board.refresh() == {("ibm_kingston", "pending_jobs")}
    assert board.refresh() == set()
    stand_in.queue["ibm_fez"] = 30  # fez is no longer the least busy device: kyiv (2) is
    changed = board.refresh()
    assert ("ibm_fez", "pending_jobs") in changed
    assert ("ibm_fez", "marks") in changed and ("ibm_kyiv", "marks") in changed
    assert len(stand_in.seen("iam")) == 1  # every refresh reuses the signed-in source


def test_the_board_highlights_changes_and_survives_a_failed_refresh(
    stand_in: IBMStandIn, home: Path
) -> None:
    options = live_options(stand_in, home, retries=0)
    board = Board(lambda: _overview(options), interval=2)
    board.refresh()
    stand_in.queue["ibm_kyiv"] = 8
    board.refresh()
    stand_in.deny_api = 503  # the device list fails: the board keeps the last table
    assert board.refresh() == set()
    assert board.changed == {("ibm_kyiv", "pending_jobs")}
    assert board.error is not None and "HTTP 503" in board.error
    console = Console(file=io.StringIO(), width=220, force_terminal=True, color_system="truecolor")
    console.print(board.renderable(220))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "1 cell changed since the last refresh" in text
    assert "refresh failed at" in text and "showing the previous data" in text
    plain = Console(file=io.StringIO(), width=220)
    segments = list(plain.render(board.renderable(220)))
    highlighted = [s.text.strip() for s in segments if s.style and str(s.style) == CHANGED_STYLE]
    assert highlighted == ["8"]


def test_a_named_device_the_account_lacks_is_a_row_listing_those_it_has(
    stand_in: IBMStandIn, home: Path
) -> None:
    report = _overview(live_options(stand_in, home), ["ibm_fez", "ibm_nope"])
    assert [s.name for s in report.summaries] == ["ibm_fez"]
    assert report.failures == (
        (
            "ibm_nope",
            "ibm_nope: not a device of this IBM Quantum account (it has: ibm_fez, "
            "ibm_kingston, ibm_kyiv); use --offline for the bundled snapshots",
        ),
    )
