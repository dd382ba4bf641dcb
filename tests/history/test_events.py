"""Episodes (qpumon events): the definitions checked on made-up series whose answer is known,
and on IBM's real daily T1/T2 table of ibm_torino (181 days, 133 qubits) against a plain
re-reading of the definition written here, independent of qpumon's vectorised one."""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qpumon.history.events import episodes, recent_dip_qubits
from qpumon.history.series import History, Selection
from qpumon.model import FAILED_GATE_ERROR
from qpumon.model.metrics import GATE_ERROR, QUBIT_METRICS
from qpumon.store.records import SnapshotInfo
from tests.core.cli_helpers import invoke

SHARED = Path(__file__).parents[3] / "shared" / "data" / "ibm_timeseries"
TORINO = (
    next(SHARED.glob("*/data/ibm_history/ibm_torino_history.csv"), None)
    if SHARED.exists()
    else None
)
DAY0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _history(
    series: dict[str, list[float | None]], metric: str = "t1_us", gate: str | None = None
) -> History:
    days = len(next(iter(series.values())))
    infos = tuple(
        SnapshotInfo(
            i, "dev", DAY0 + timedelta(days=i), DAY0 + timedelta(days=i), "test", False, None, None
        )
        for i in range(days)
    )
    selection = Selection(GATE_ERROR, gate) if gate else Selection(QUBIT_METRICS[metric])
    return History("dev", selection, infos, series, {k: [None] * days for k in series})


def test_a_dip_that_recovers_is_one_dip_with_its_depth_and_snapshots() -> None:
    values: list[float | None] = [100.0 + (i % 3) for i in range(60)]
    values[40], values[41] = 30.0, 45.0  # below half of ~101, back above 80 % on day 42
    found = [e for e in episodes(_history({"7": values})) if e.kind == "dip"]
    assert len(found) == 1
    dip = found[0]
    baseline = statistics.median(values[10:40])  # the 30 days before day 40
    assert dip.subject == "qubit 7"
    assert dip.start == DAY0 + timedelta(days=40) and dip.end == DAY0 + timedelta(days=42)
    assert dip.baseline == pytest.approx(baseline)
    assert dip.depth == pytest.approx(30.0 / baseline)
    assert dip.snapshots == (40, 41)


def test_a_fall_that_does_not_come_back_within_7_days_is_no_dip_but_a_step() -> None:
    values: list[float | None] = [100.0 + (i % 3) for i in range(40)] + [
        40.0 + (i % 3) for i in range(40)
    ]
    found = episodes(_history({"3": values}))
    assert not [e for e in found if e.kind == "dip"]
    steps = [e for e in found if e.kind == "step"]
    assert len(steps) == 1
    assert steps[0].start == DAY0 + timedelta(days=40)
    assert steps[0].depth == pytest.approx(
        statistics.median(values[40:]) / statistics.median(values[:40])
    )


def test_errors_dip_upwards_and_flags_run_from_when_to_when() -> None:
    errors: list[float | None] = [0.004 + 0.0001 * (i % 2) for i in range(50)]
    errors[30] = 0.02  # above twice the median, back below 1.25x the next day
    errors[10:13] = [FAILED_GATE_ERROR] * 3
    errors[11] = None  # a snapshot without the gate does not end the flag
    found = episodes(_history({"3-4": errors}, gate="cz"))
    dips = [e for e in found if e.kind == "dip"]
    flags = [e for e in found if e.kind == "flag"]
    assert [(d.subject, d.start, d.snapshots) for d in dips] == [
        ("cz 3-4", DAY0 + timedelta(days=30), (30,))
    ]
    assert [(f.start, f.end, f.snapshots) for f in flags] == [
        (DAY0 + timedelta(days=10), DAY0 + timedelta(days=13), (10, 12))
    ]


def test_persistently_bad_needs_the_worst_decile_in_80_percent_of_snapshots() -> None:
    series: dict[str, list[float | None]] = {
        str(q): [100.0 + q + (d % 2) for d in range(20)] for q in range(20)
    }
    series["0"] = [10.0 if d % 10 else 500.0 for d in range(20)]  # worst in 18 of 20
    series["1"] = [11.0 if d < 15 else 200.0 for d in range(20)]  # worst in 15 of 20: 75 %
    bad = [e for e in episodes(_history(series)) if e.kind == "bad"]
    assert [(e.subject, e.depth) for e in bad] == [("qubit 0", pytest.approx(18 / 20))]


def test_recent_dips_name_the_qubits_to_avoid() -> None:
    values: list[float | None] = [100.0] * 50
    values[45] = 20.0
    coupler: list[float | None] = [0.005] * 50
    coupler[20] = 0.05
    report_episodes = episodes(_history({"5": values})) + episodes(
        _history({"8-9": coupler}, gate="cz")
    )

    class Report:
        episodes = tuple(report_episodes)

    now = DAY0 + timedelta(days=49)
    assert recent_dip_qubits(Report(), timedelta(days=7), now) == {5}  # type: ignore[arg-type]
    assert recent_dip_qubits(Report(), timedelta(days=40), now) == {5, 8, 9}  # type: ignore[arg-type]


def _torino(metric: str) -> History:
    if TORINO is None:
        pytest.skip(f"the real IBM time series are not here ({SHARED} is absent)")
    with TORINO.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    dates = sorted({r["date"] for r in rows})
    column = {d: i for i, d in enumerate(dates)}
    series: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(dates))
    for row in rows:
        if row[metric]:
            series[row["qubit"]][column[row["date"]]] = float(row[metric])
    infos = tuple(
        SnapshotInfo(
            i,
            "ibm_torino",
            datetime.fromisoformat(d).replace(tzinfo=timezone.utc),
            datetime.fromisoformat(d).replace(tzinfo=timezone.utc),
            "csv",
            False,
            None,
            None,
        )
        for i, d in enumerate(dates)
    )
    keys = sorted(series, key=int)
    key = {"T1_us": "t1_us", "T2_us": "t2_us"}[metric]
    return History(
        "ibm_torino",
        Selection(QUBIT_METRICS[key]),
        infos,
        {k: series[k] for k in keys},
        {k: [None] * len(dates) for k in keys},
    )


def _dips_by_definition(history: History) -> set[tuple[str, datetime]]:
    """The dips' (qubit, start) by a plain reading of the definition (T1, T2: lower is worse)."""
    times = [info.calibrated_at for info in history.snapshots]
    found = set()
    for key, values in history.series.items():
        points = [(t, v) for t, v in zip(times, values, strict=True) if v is not None]
        i = 0
        while i < len(points):
            when, value = points[i]
            window = [v for t, v in points[:i] if when - timedelta(days=30) <= t]
            if len(window) < 3 or value >= 0.5 * statistics.median(window):
                i += 1
                continue
            base = statistics.median(window)
            j = next((k for k in range(i + 1, len(points)) if points[k][1] > 0.8 * base), None)
            back = points[j][0] if j is not None else None
            if (back is not None and back - when <= timedelta(days=7)) or (
                back is None and points[-1][0] - when <= timedelta(days=7)
            ):
                found.add((f"qubit {key}", when))
                i = j if j is not None else len(points)
            else:
                i += 1
    return found


@pytest.mark.parametrize("metric", ["T1_us", "T2_us"])
def test_the_dips_of_ibm_torino_are_those_of_the_definition(metric: str) -> None:
    history = _torino(metric)
    found = {(e.subject, e.start) for e in episodes(history, ("dip",))}
    assert found == _dips_by_definition(history)
    assert len(found) > 50  # a real T1 history of 133 qubits over 181 days has many


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with 40 synthetic days of fake_fez (dips included by demo-history's seeds)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('events') / 'h.db'}"
    done = invoke("demo-history", "fake_fez", "--days", "40", "--db", url)
    assert done.exit_code == 0, done.stderr
    return url


def test_events_command_lists_episodes_and_draws_the_timeline(demo_db: str, tmp_path: Path) -> None:
    picture = tmp_path / "timeline.png"
    done = invoke("events", "fake_fez", "--db", demo_db, "-f", "json", "--timeline", picture)
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["device"] == "fake_fez" and data["synthetic"] is True and data["snapshots"] == 40
    kinds = {e["kind"] for e in data["episodes"]}
    assert "dip" in kinds
    for episode in data["episodes"]:
        assert episode["snapshots"], episode
        if episode["kind"] == "dip" and episode["metric"] == "t1_us":
            assert episode["depth"] < 0.5
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_best_avoids_every_qubit_with_a_recent_dip(demo_db: str) -> None:
    listed = json.loads(
        invoke("events", "fake_fez", "--db", demo_db, "--since", "37d", "-f", "json").stdout
    )
    recent = datetime.now(timezone.utc) - timedelta(days=7)
    dipped = {
        int(n)
        for e in listed["episodes"]
        if e["kind"] == "dip" and (e["end"] is None or datetime.fromisoformat(e["end"]) >= recent)
        for n in e["subject"].split(" ")[1].replace("->", "-").split("-")
    }
    assert dipped, "the demo history has recent dips"
    done = invoke(
        "best",
        "fake_fez",
        "-n",
        "5",
        "--top",
        "20",
        "--avoid-recent-dips",
        "7d",
        "--db",
        demo_db,
        "-f",
        "json",
    )
    assert done.exit_code == 0, done.stderr
    chains = [set(row["qubits"]) for row in json.loads(done.stdout)["top"]]
    assert chains and all(not chain & dipped for chain in chains)
    plain = json.loads(invoke("best", "fake_fez", "-n", "5", "--top", "20", "-f", "json").stdout)
    assert any(set(row["qubits"]) & dipped for row in plain["top"])  # it did change the answer


def test_events_of_a_device_the_store_does_not_have_is_one_line(demo_db: str) -> None:
    done = invoke("events", "fake_nowhere", "--db", demo_db)
    assert done.exit_code == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_html_report_shows_the_health_the_history_holds(demo_db: str, tmp_path: Path) -> None:
    page = tmp_path / "fez.html"
    assert invoke("report", "fake_fez", "--db", demo_db, "-o", page).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert "Health over time" in text and 'id="timeline"' in text and 'id="episodes"' in text
    bare = tmp_path / "bare.html"
    assert invoke("report", "fake_fez", "--db", demo_db, "--no-history", "-o", bare).exit_code == 0
    assert "Health over time" not in bare.read_text(encoding="utf-8")


def test_the_worst_decile_cut_is_numpys_nanquantile_column_by_column() -> None:
    import numpy as np

    from qpumon.history.events import nan_quantiles

    rng = np.random.default_rng(22)
    for _ in range(100):
        matrix = rng.lognormal(size=(int(rng.integers(1, 60)), int(rng.integers(1, 40))))
        matrix[rng.random(matrix.shape) < 0.3] = np.nan
        matrix[:, 0] = np.nan  # a snapshot without any value
        for q in (0.1, 0.5, 0.9):
            with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
                expected = np.nanquantile(matrix, q, axis=0)
            found = nan_quantiles(matrix, q)
            assert np.allclose(found, expected, rtol=1e-15, atol=0, equal_nan=True)


def test_the_timeline_marks_a_gap_of_more_than_a_week_between_snapshots(tmp_path: Path) -> None:
    from dataclasses import replace as replaced

    from qpumon.pictures.timeline import GAP, gap_columns, save_timeline

    history = _history({"0": [100.0] * 10, "1": [90.0] * 10})
    moved = tuple(
        replaced(info, calibrated_at=info.calibrated_at + timedelta(days=30))
        if i >= 6 and info.calibrated_at is not None
        else info
        for i, info in enumerate(history.snapshots)
    )
    history = replaced(history, snapshots=moved)
    assert timedelta(days=7) == GAP
    assert gap_columns(history) == [6]  # days 5 and 36: the only gap over a week
    picture = tmp_path / "gap.png"
    save_timeline(history, [], picture)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_trailing_medians_and_window_extremes_are_those_of_each_window_read_plainly() -> None:
    import numpy as np

    from qpumon.history.events import (
        MIN_BASELINE,
        dip_candidates,
        trailing_medians,
        window_extremes,
        window_starts,
    )

    rng = np.random.default_rng(7)
    for _ in range(30):
        count = int(rng.integers(1, 120))
        gaps = rng.choice([3600.0, 43200.0, 86400.0, 86400.0 * 9], size=count)
        seconds = np.cumsum(gaps)
        matrix = rng.lognormal(4, 1, size=(int(rng.integers(1, 6)), count))
        matrix[rng.random(matrix.shape) < 0.2] = np.nan
        medians = trailing_medians(matrix, seconds)
        largest = window_extremes(matrix, window_starts(seconds), np.fmax)
        smallest = window_extremes(matrix, window_starts(seconds), np.fmin)
        for row in range(matrix.shape[0]):
            for c in range(count):
                inside = (seconds >= seconds[c] - 30 * 86400) & (np.arange(count) < c)
                values = [float(v) for v in matrix[row, inside] if not np.isnan(v)]
                expected = statistics.median(values) if len(values) >= MIN_BASELINE else None
                found = None if np.isnan(medians[row, c]) else float(medians[row, c])
                assert found == (pytest.approx(expected) if expected is not None else None)
                assert (np.isnan(largest[row, c]) and not values) or largest[row, c] == max(values)
                assert (np.isnan(smallest[row, c]) and not values) or smallest[row, c] == min(
                    values
                )
        for worse_high in (False, True):
            wanted = dip_candidates(matrix, seconds, worse_high)
            with np.errstate(invalid="ignore"):
                starting = matrix > 2 * medians if worse_high else matrix < 0.5 * medians
            assert not (starting & ~wanted).any()  # every dip start is a candidate
            only = trailing_medians(matrix, seconds, wanted)
            assert np.array_equal(only[wanted], medians[wanted], equal_nan=True)


def test_the_timeline_labels_each_persistently_bad_qubit_by_its_own_row() -> None:
    from qpumon.pictures.timeline import timeline_figure

    series: dict[str, list[float | None]] = {
        str(q): [100.0 + (q * 7 + i * 37) % 130 for i in range(40)] for q in range(130)
    }
    series["41"] = [5.0 + (i % 2) for i in range(40)]  # the worst decile in every snapshot
    history = _history(series)
    found = episodes(history)
    assert [e.subject for e in found if e.kind == "bad"] == ["qubit 41"]
    figure = timeline_figure(history, found)
    ax = figure.axes[0]
    ticks = list(zip(ax.get_yticklabels(), ax.get_yticks(), strict=True))
    labels = {t.get_text(): round(y) for t, y in ticks}
    assert labels["41"] == list(history.series).index("41")
    assert {t.get_text() for t, _ in ticks if t.get_fontweight() == "bold"} == {"41"}
    assert "40" not in labels and "42" not in labels  # the neighbours' ticks give way to it
