"""History, drift, diff and the demo generator, checked against the snapshots that were stored."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import timedelta

import pytest

from qpumon.errors import QpumonError
from qpumon.history.demo import DemoSettings, demo_history
from qpumon.history.diff import diff_snapshots, pick_pair
from qpumon.history.drift import MAD_SIGMA, drift
from qpumon.history.series import read_history, select_metric
from qpumon.model import DeviceSnapshot
from qpumon.reports.history import history_rows, history_table
from qpumon.sources import resolve as load
from qpumon.store.db import Store


@pytest.fixture(scope="module")
def fez_days() -> list[DeviceSnapshot]:
    """Twelve synthetic days of fake_fez."""
    return list(demo_history(load("fake_fez"), 12, DemoSettings(seed=3)))


def _fill(store: Store, snapshots: list[DeviceSnapshot]) -> None:
    for snapshot in snapshots:
        store.record(snapshot, synthetic=True)


def test_history_of_one_qubit_equals_the_stored_snapshots(
    store: Store, fez_days: list[DeviceSnapshot]
) -> None:
    _fill(store, fez_days)
    found = read_history(store, "fake_fez", select_metric(store, "fake_fez", "t1", 12, None))
    assert list(found.series) == ["12"]
    assert found.series["12"] == [s.qubits[12].t1_us for s in fez_days]
    assert [i.calibrated_at for i in found.snapshots] == [s.calibrated_at for s in fez_days]
    assert found.synthetic


def test_history_of_every_qubit_and_its_table(store: Store, fez_days: list[DeviceSnapshot]) -> None:
    _fill(store, fez_days)
    found = read_history(store, "fake_fez", select_metric(store, "fake_fez", "readout", None, None))
    assert len(found.series) == 156
    table = history_table(found)
    for row, snapshot in zip(table.rows, fez_days, strict=True):
        values = [q.readout_error for q in snapshot.qubits if q.readout_error is not None]
        assert row[2].value == statistics.median(values)
        assert row[3].value == min(values) and row[4].value == max(values)
    assert any("synthetic" in note for note in table.notes)


def test_gate_history_and_flags(store: Store, fez_days: list[DeviceSnapshot]) -> None:
    _fill(store, fez_days)
    selection = select_metric(store, "fake_fez", None, None, "cz:3->4")
    found = read_history(store, "fake_fez", selection)
    assert list(found.series) == ["3->4"]
    assert found.series["3->4"] == [s.gate("cz", (3, 4)).error for s in fez_days]  # type: ignore[union-attr]
    both = read_history(store, "fake_fez", select_metric(store, "fake_fez", None, None, "cz:4-3"))
    assert list(both.series) == ["3->4", "4->3"]  # a-b: both directions, each its own entry
    assert both.series["4->3"] == [s.gate("cz", (4, 3)).error for s in fez_days]  # type: ignore[union-attr]
    rows = history_rows(found)
    assert all((r["flag"] == "failed") == (r["value"] == 1.0) for r in rows)
    every_cz = select_metric(store, "fake_fez", "2q_error", None, None)
    every = read_history(store, "fake_fez", every_cz)
    assert len(every.series) == sum(1 for g in fez_days[0].gates if g.gate == "cz")


def test_reversed_gate_is_suggested(store: Store) -> None:
    store.record(load("fake_kyoto"))  # Eagle r3: one direction per coupler
    gate = next(g for g in load("fake_kyoto").gates if g.gate == "ecr")
    a, b = gate.qubits
    with pytest.raises(QpumonError, match=f"use --gate 'ecr:{a}->{b}' \\(or ecr:{min(a, b)}-"):
        wrong_way = select_metric(store, "fake_kyoto", None, None, f"ecr:{b}->{a}")
        read_history(store, "fake_kyoto", wrong_way)
    either = select_metric(store, "fake_kyoto", None, None, f"ecr:{b}-{a}")
    assert list(read_history(store, "fake_kyoto", either).series) == [f"{a}->{b}"]


@pytest.mark.parametrize("spelling", ["3_4", "3,4", "3 4", "3=>4"])
def test_other_coupler_spellings_are_refused_with_the_right_one(
    store: Store, spelling: str
) -> None:
    with pytest.raises(QpumonError, match=r"is not a coupler; did you mean 3-4 .* or 3->4"):
        select_metric(store, "fake_fez", None, None, f"cz:{spelling}")


def test_one_qubit_gate_metric(store: Store, fez_days: list[DeviceSnapshot]) -> None:
    _fill(store, fez_days[:3])
    found = read_history(store, "fake_fez", select_metric(store, "fake_fez", "sx_error", 5, None))
    assert found.series["5"] == [s.gate("sx", (5,)).error for s in fez_days[:3]]  # type: ignore[union-attr]


def _wobbly_days(base: DeviceSnapshot, count: int) -> list[DeviceSnapshot]:
    """``count`` daily copies of ``base`` whose T1s move by up to ±2 % (bounded, known noise)."""
    assert base.calibrated_at is not None
    return [
        replace(
            base,
            calibrated_at=base.calibrated_at + timedelta(days=i),
            qubits=tuple(
                replace(q, t1_us=q.t1_us * (1 + 0.01 * ((i * 7 + q.index) % 5 - 2)))
                if q.t1_us is not None
                else q
                for q in base.qubits
            ),
        )
        for i in range(count)
    ]


def test_drift_finds_a_planted_jump(store: Store) -> None:
    days = _wobbly_days(load("fake_fez"), 15)
    last = days[-1]
    qubits = list(last.qubits)
    old = qubits[40].t1_us
    assert old is not None
    qubits[40] = replace(qubits[40], t1_us=old / 20)
    gates = tuple(
        replace(g, error=1.0) if (g.gate, g.qubits) == ("cz", (3, 4)) else g for g in last.gates
    )
    days[-1] = replace(last, qubits=tuple(qubits), gates=gates)
    _fill(store, days)
    report = drift(store, "fake_fez")
    top = report.items[0]
    assert (top.subject, top.metric.key, top.worse) == ("qubit 40", "t1_us", True)
    baseline = [s.qubits[40].t1_us or 0.0 for s in days[:-1]]
    middle = statistics.median(baseline)
    mad = statistics.median(abs(v - middle) for v in baseline)
    assert top.median == middle and top.mad == mad and top.baseline == 14
    assert top.score == pytest.approx((old / 20 - middle) / max(MAD_SIGMA * mad, 0.01 * middle))
    assert report.newly_flagged == ("cz 3->4",)


def test_drift_needs_two_snapshots(store: Store) -> None:
    store.record(load("fake_armonk"))
    with pytest.raises(QpumonError, match="at least two snapshots"):
        drift(store, "fake_armonk")


def test_diff_lists_exact_changes() -> None:
    old = load("fake_fez")
    qubits = list(old.qubits)
    qubits[7] = replace(qubits[7], t2_us=(qubits[7].t2_us or 0) * 3)
    gates = tuple(
        replace(g, error=1.0) if (g.gate, g.qubits) == ("cz", (3, 4)) else g for g in old.gates
    )
    new = replace(
        old,
        qubits=tuple(qubits),
        gates=gates,
        calibrated_at=old.calibrated_at and old.calibrated_at + timedelta(days=1),
        basis_gates=(*old.basis_gates, "rx"),
    )
    found = diff_snapshots(old, new)
    assert [(c.subject, c.metric.key) for c in found.changes] == [("qubit 7", "t2_us")]
    assert found.changes[0].relative == pytest.approx(2.0)
    assert found.newly_flagged == ("cz 3->4",)
    assert [w for w, _, _ in found.settings] == ["basis gates"]
    back = diff_snapshots(new, old)
    assert "cz 3->4" in back.recovered


def test_pick_pair_defaults_to_the_last_two(store: Store, fez_days: list[DeviceSnapshot]) -> None:
    _fill(store, fez_days[:4])
    old, new = pick_pair(store, "fake_fez", None, None)
    assert (old.calibrated_at, new.calibrated_at) == (
        fez_days[2].calibrated_at,
        fez_days[3].calibrated_at,
    )
    old, new = pick_pair(store, "fake_fez", fez_days[0].calibrated_at, fez_days[1].calibrated_at)
    assert (old.calibrated_at, new.calibrated_at) == (
        fez_days[0].calibrated_at,
        fez_days[1].calibrated_at,
    )


def test_demo_is_seeded_synthetic_and_keeps_missing_values() -> None:
    base = load("fake_kingston")
    first = list(demo_history(base, 30, DemoSettings(seed=7)))
    again = list(demo_history(base, 30, DemoSettings(seed=7)))
    other = list(demo_history(base, 30, DemoSettings(seed=8)))
    assert first == again and first != other
    assert all(s.source == "synthetic:fake_kingston" for s in first)
    assert all(s.qubits[146].t1_us is None for s in first)  # missing in the source stays missing
    assert first[-1].calibrated_at == base.calibrated_at - timedelta(days=1)  # type: ignore[operator]
    assert [s.calibrated_at for s in first] == sorted(s.calibrated_at for s in first)  # type: ignore[type-var]
    failed = [sum(g.failed for g in s.gates) for s in first]
    assert max(failed) > 0  # failures happen...
    assert len(set(failed)) > 1  # ...and recover


def test_demo_values_walk_but_stay_plausible() -> None:
    base = load("fake_fez")
    days = list(demo_history(base, 120))
    t1 = [s.qubits[0].t1_us for s in days]
    assert len(set(t1)) == 120
    ratios = [v / base.qubits[0].t1_us for v in t1]  # type: ignore[operator]
    assert min(ratios) > 0.05 and max(ratios) < 10
    assert all(
        q.readout_error is None or 0 <= q.readout_error <= 0.5 for s in days for q in s.qubits
    )
