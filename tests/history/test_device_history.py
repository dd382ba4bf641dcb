"""History of device-level values (IonQ, Quantinuum, AQT give one value for the whole device)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import UsageError
from qpumon.history.series import DEVICE_SUBJECT, read_history, select_metric
from qpumon.sources import resolve
from qpumon.store import as_url
from qpumon.store.db import Store

IONQ = Path(__file__).parents[1] / "vendors" / "data" / "ionq_forte-1_characterization.json"
MEDIANS = {16: 0.9952, 17: 0.9931, 18: 0.9960}


@pytest.fixture
def ionq_store(tmp_path: Path) -> Store:
    store = Store(as_url(tmp_path / "h.db"))
    for day, median in MEDIANS.items():
        data: dict[str, Any] = json.loads(IONQ.read_text())
        data["date"] = f"2025-06-{day}T00:00:00Z"
        data["fidelity"]["2q"]["median"] = median
        path = tmp_path / f"ionq_{day}.json"
        path.write_text(json.dumps(data))
        store.record(resolve(str(path)))
    store.record(resolve("fake_lagos"))
    return store


def test_a_device_level_metric_is_one_series(ionq_store: Store) -> None:
    selection = select_metric(ionq_store, "qpu.forte-1", "2q_error", None, None)
    found = read_history(ionq_store, "qpu.forte-1", selection)
    assert list(found.series) == [DEVICE_SUBJECT]
    assert found.series[DEVICE_SUBJECT] == [1 - m for m in MEDIANS.values()]
    assert [w.day for w in found.measured_at[DEVICE_SUBJECT] if w is not None] == [16, 17, 18]
    t1 = read_history(
        ionq_store, "qpu.forte-1", select_metric(ionq_store, "qpu.forte-1", "t1", None, None)
    )
    raw = json.loads(IONQ.read_text())["timing"]["t1"]
    assert t1.series[DEVICE_SUBJECT] == [raw * 1e6] * 3  # seconds in the document, µs stored
    ionq_store.close()


def test_a_device_level_metric_has_no_qubits(ionq_store: Store) -> None:
    with pytest.raises(UsageError, match="for the whole device"):
        select_metric(ionq_store, "qpu.forte-1", "2q_error", 3, None)
    ionq_store.close()


def test_a_device_with_gates_keeps_its_per_coupler_2q_error(ionq_store: Store) -> None:
    selection = select_metric(ionq_store, "fake_lagos", "2q_error", None, None)
    assert selection.gate == "cx" and selection.metric.scope == "gate"
    ionq_store.close()
