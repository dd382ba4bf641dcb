"""One meaning of "the same calibration": the store's content hash and the dashboard's counter
of calibrations agree, device-level values included."""

from __future__ import annotations

from dataclasses import replace

from qpumon.model import DeviceStatus, DeviceValue, same_calibration
from qpumon.serve.collector import Collector
from qpumon.serve.upstream import Plan
from qpumon.sources import SourceOptions
from qpumon.sources import resolve as load
from qpumon.store.db import Store


def test_a_changed_device_value_alone_is_a_new_calibration_for_store_and_dashboard(
    store: Store,
) -> None:
    base = load("fake_fez")
    before = replace(base, device_values=(DeviceValue("2q_error", 0.0031),))
    after = replace(base, device_values=(DeviceValue("2q_error", 0.0047),))
    assert before.qubits == after.qubits and before.gates == after.gates
    busy = replace(before, source="file:x.json", status=DeviceStatus(True, "", 12))

    assert not same_calibration(before, after) and same_calibration(before, busy)
    assert store.record(before).stored and store.record(after).stored
    assert not store.record(busy).stored

    # the dashboard's counter, as a live round hands it each snapshot in turn
    collector = Collector(Plan((), (), False, SourceOptions(offline=True)), None, lambda _: None)
    counts = []
    for snapshot in (before, busy, after):
        collector._arrived("fake_fez", snapshot, 0.1, True)
        counts.append(collector._states["fake_fez"].calibration)
    assert counts == [1, 1, 2]
