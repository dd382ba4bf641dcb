"""IonQ characterizations (the fixture follows IonQ's v0.4 API reference; see data/README.md)
against the fixture read here with the standard library."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import InputError
from qpumon.model import ALL_TO_ALL, GRAPH
from qpumon.model.definitions import AVERAGE, SPAM
from qpumon.sources import resolve
from tests.vendors.conftest import IONQ_FIXTURE, read_json


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "characterization.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_one_characterization() -> None:
    raw = read_json(IONQ_FIXTURE)
    snap = resolve(IONQ_FIXTURE)
    assert (snap.name, snap.vendor, snap.num_qubits) == (raw["backend"], "ionq", raw["qubits"])
    assert snap.calibrated_at == datetime(2025, 6, 16, tzinfo=timezone.utc)
    assert len(raw["connectivity"]) == 36 * 35 // 2  # every pair: all-to-all
    assert (snap.connectivity, snap.coupling_edges) == (ALL_TO_ALL, ())
    for name, key, definition in (
        ("1q", "1q_error", AVERAGE),
        ("2q", "2q_error", AVERAGE),
        ("spam", "spam_error", SPAM),
    ):
        found = snap.device_value(key)
        assert found is not None
        assert found.value == 1 - raw["fidelity"][name]["median"]
        assert (found.uncertainty, found.definition) == (
            raw["fidelity"][name]["stderr"],
            definition,
        )
        assert found.measured_at == snap.calibrated_at
    t1, t2 = snap.device_value("t1_us"), snap.device_value("t2_us")
    assert t1 is not None and t1.value == raw["timing"]["t1"] * 1e6
    assert t2 is not None and t2.value == raw["timing"]["t2"] * 1e6
    assert snap.configuration["2q_time_ns"] == pytest.approx(raw["timing"]["2q"] * 1e9)
    assert snap.configuration["fidelity_statistic"] == "median"
    assert snap.qubits == () and snap.gates == ()


def test_a_page_shows_its_most_recent_characterization(tmp_path: Path) -> None:
    raw = read_json(IONQ_FIXTURE)
    older = {**raw, "id": "older", "date": "2025-05-01T00:00:00Z"}
    older["fidelity"] = {**raw["fidelity"], "2q": {"mean": 0.99, "median": 0.991, "stderr": None}}
    snap = resolve(write(tmp_path, {"characterizations": [older, raw], "pages": 3}))
    assert snap.configuration["characterization_id"] == raw["id"]
    found = snap.device_value("2q_error")
    assert found is not None and found.value == 1 - raw["fidelity"]["2q"]["median"]


def test_the_v03_shape_with_epoch_seconds_and_means(tmp_path: Path) -> None:
    raw = read_json(IONQ_FIXTURE)
    old = {
        **raw,
        "date": 1700000000,
        "connectivity": [[0, 1], [1, 2]],
        "fidelity": {k: {"mean": v["mean"]} for k, v in raw["fidelity"].items()},
    }
    snap = resolve(write(tmp_path, old))
    assert snap.calibrated_at == datetime.fromtimestamp(1700000000, tz=timezone.utc)
    assert (snap.connectivity, snap.coupling_edges) == (GRAPH, ((0, 1), (1, 2)))
    found = snap.device_value("spam_error")
    assert found is not None and found.value == 1 - raw["fidelity"]["spam"]["mean"]
    assert found.uncertainty is None
    assert snap.configuration["fidelity_statistic"] == "mean"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"qubits": "36"}, r"\$\.qubits: expected an integer, got '36'"),
        (
            {"fidelity": {"2q": {"median": 1.3}}},
            r"\$\.fidelity\.2q\.median: 1\.3 is not a probability",
        ),
        (
            {"connectivity": [[0, 36]]},
            r"\$\.connectivity\[0\]: \[0, 36\] is not a pair of the device",
        ),
        ({"connectivity": [[0, 1, 2]]}, r"\$\.connectivity\[0\]: a pair of qubits has two entries"),
        ({"timing": {"t1": -1}}, r"\$\.timing\.t1: -1\.0 is below 0"),
        ({"date": "yesterday"}, r"\$\.date: 'yesterday' is not an ISO-8601 date"),
    ],
)
def test_a_bad_characterization_names_the_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    data = {**read_json(IONQ_FIXTURE), **change}
    with pytest.raises(InputError, match=message):
        resolve(write(tmp_path, data))


def test_an_empty_page(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\$\.characterizations is empty"):
        resolve(write(tmp_path, {"characterizations": [], "pages": 0}))
