"""backfill: past calibrations fetched several at once, recorded in time order, failures kept."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qpumon.errors import ServiceError
from qpumon.history.demo import demo_history
from qpumon.history.watch import backfill
from qpumon.model import DeviceSnapshot
from qpumon.sources import resolve
from qpumon.store import as_url
from qpumon.store.db import Store

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
#: Bounds a wait that the code under test should end long before (never reached when it works).
PROMPT_S = 5.0


class _Service:
    """A fetch_at over a synthetic fortnight that counts the fetches in flight; the first
    ``workers`` fetches wait until all of them are in flight at once."""

    def __init__(self, workers: int, fail_at: set[int] | None = None) -> None:
        self.days = list(demo_history(resolve("fake_lagos"), 14, end=START + timedelta(days=14)))
        self.workers, self.fail_at = workers, fail_at or set()
        self.lock = threading.Lock()
        self.in_flight = self.most = self.calls = 0
        self.all_in = threading.Event()

    def __call__(self, when: datetime) -> DeviceSnapshot:
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            if self.in_flight >= self.workers:
                self.all_in.set()
        try:
            self.all_in.wait(PROMPT_S)
            i = (when - START) // timedelta(days=1)
            if i in self.fail_at:
                raise ServiceError(f"day {i}: 503 from the stand-in")
            return self.days[i]
        finally:
            with self.lock:
                self.in_flight -= 1


def test_fetches_overlap_and_records_keep_time_order(tmp_path: Path) -> None:
    service = _Service(workers=4)
    logged: list[str] = []
    with Store(as_url(tmp_path / "h.db")) as store:
        done = backfill(
            store, service, START, START + timedelta(days=13), timedelta(days=1), logged.append, 4
        )
        infos = store.snapshots("fake_lagos")
    assert (done.stored, done.already, done.failures) == (14, 0, ())
    assert 2 <= service.most <= 4 and service.calls == 14
    # stored in time order: ids grow with the calibration time
    assert [i.id for i in infos] == sorted(i.id for i in infos)
    assert [i.calibrated_at for i in infos] == [d.calibrated_at for d in service.days]
    assert [line.split(":")[0] for line in logged] == [
        (START + timedelta(days=i)).isoformat().split(":")[0] for i in range(14)
    ]


def test_a_failed_fetch_is_logged_in_its_place_and_the_rest_stored(tmp_path: Path) -> None:
    service = _Service(workers=3, fail_at={2, 7})
    with Store(as_url(tmp_path / "h.db")) as store:
        done = backfill(
            store, service, START, START + timedelta(days=13), timedelta(days=1), None, 3
        )
        assert len(store.snapshots("fake_lagos")) == 12
    assert done.stored == 12
    assert [f.split(": ", 1)[1] for f in done.failures] == [
        "day 2: 503 from the stand-in",
        "day 7: 503 from the stand-in",
    ]
    assert done.failures[0].startswith((START + timedelta(days=2)).isoformat())


def test_an_unexpected_error_stops_the_backfill(tmp_path: Path) -> None:
    def broken(when: datetime) -> DeviceSnapshot:
        raise RuntimeError("bug")

    with Store(as_url(tmp_path / "h.db")) as store, pytest.raises(RuntimeError, match="bug"):
        backfill(store, broken, START, START + timedelta(days=5), timedelta(days=1), None, 2)
