"""The compact store: every bundled snapshot stored and read back bit for bit, its size, the
device-level values with their uncertainties, and batched writes."""

from __future__ import annotations

import json
import math
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qpumon.errors import QpumonError
from qpumon.history.demo import demo_history
from qpumon.model.serialize import snapshot_to_dict
from qpumon.sources import default_bundled, resolve
from qpumon.store import as_url, codec
from qpumon.store.db import Store
from qpumon.store.schema import shapes, snapshot_values, snapshots
from qpumon.store.sqlite_reader import SqliteReader

IONQ = Path(__file__).parents[1] / "vendors" / "data" / "ionq_forte-1_characterization.json"


def test_every_bundled_snapshot_decodes_to_its_own_document() -> None:
    encoder = codec.Encoder()
    for name in default_bundled().names():
        snapshot = resolve(name)
        encoded = encoder.encode(snapshot)
        again = codec.decode(encoded.shape, encoded.sections, encoded.meta, name)
        assert again == snapshot_to_dict(snapshot), name


@pytest.mark.parametrize("device", ["fake_fez", "fake_sherbrooke", "fake_torino", "fake_cairo"])
def test_stored_snapshot_is_small_and_exact(store: Store, device: str) -> None:
    original = resolve(device)
    recorded = store.record(original)
    back = store.load(recorded.snapshot_id)
    assert back == original
    for mine, theirs in zip(back.qubits, original.qubits, strict=True):
        for name in ("t1_us", "t2_us", "readout_error"):
            a, b = mine.value(name), theirs.value(name)
            assert (a is None and b is None) or (a is not None and a.hex() == (b or 0.0).hex())
    with store.engine.connect() as connection:
        values = connection.execute(select(func.sum(func.length(snapshot_values.c.data)))).scalar()
        meta = connection.execute(select(func.sum(func.length(snapshots.c.data)))).scalar()
        shape = connection.execute(select(func.sum(func.length(shapes.c.data)))).scalar()
    # the values of one calibration (the shape is shared by a device's snapshots)
    assert values + meta <= 20_000, (values, meta, shape)


def test_a_synthetic_year_of_a_156_qubit_device_stays_under_20_kb_a_snapshot(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.db"
    with Store(as_url(path)) as store:
        store.record_many(demo_history(resolve("fake_fez"), 60), synthetic=True)
        with store.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(snapshots)).scalar()
    with Store(as_url(path)) as store, store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in tmp_path.glob("h.db*"))
    assert count == 60 and size / 60 <= 20_000, size / 60


def _ionq(tmp_path: Path, day: int, median_2q: float, stderr_2q: float) -> Path:
    data: dict[str, Any] = json.loads(IONQ.read_text())
    data["date"] = f"2025-06-{day:02d}T00:00:00Z"
    data["fidelity"]["2q"]["median"] = median_2q
    data["fidelity"]["2q"]["stderr"] = stderr_2q
    path = tmp_path / f"ionq_{day}.json"
    path.write_text(json.dumps(data))
    return path


def test_device_level_values_and_uncertainties_make_a_history(store: Store, tmp_path: Path) -> None:
    given = {16: (0.9952, 0.0004), 17: (0.9931, 0.0007), 18: (0.9960, 0.0002)}
    for day, (median, stderr) in given.items():
        store.record(resolve(str(_ionq(tmp_path, day, median, stderr))))
    series = store.device_series("qpu.forte-1", "2q_error")
    assert [(v, u) for _, v, u, _ in series] == [(1 - m, s) for m, s in given.values()]
    assert [w.day for *_, w in series if w is not None] == [16, 17, 18]
    spam = store.device_series("qpu.forte-1", "spam_error", measured=False)
    raw = json.loads(IONQ.read_text())["fidelity"]["spam"]
    assert {(v, u, w) for _, v, u, w in spam} == {(1 - raw["median"], raw["stderr"], None)}


def test_the_sqlite_reader_reads_device_values_too(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store(as_url(path)) as store:
        store.record(resolve(str(_ionq(tmp_path, 20, 0.995, 0.001))))
        expected = store.device_series("qpu.forte-1", "1q_error")
    with SqliteReader(path) as reader:
        assert reader.device_series("qpu.forte-1", "1q_error") == expected
    assert expected and expected[0][2] == json.loads(IONQ.read_text())["fidelity"]["1q"]["stderr"]


def test_gate_uncertainties_are_kept(store: Store) -> None:
    original = resolve("fake_lagos")
    gates = tuple(replace(g, uncertainty=1e-5 * (i + 1)) for i, g in enumerate(original.gates))
    changed = replace(original, gates=gates)
    back = store.load(store.record(changed).snapshot_id)
    assert [g.uncertainty for g in back.gates] == [1e-5 * (i + 1) for i in range(len(gates))]


def test_a_non_finite_value_is_refused_and_nothing_is_written(store: Store) -> None:
    original = resolve("fake_lagos")
    qubits = (replace(original.qubits[0], t1_us=math.inf), *original.qubits[1:])
    with pytest.raises(QpumonError, match=r"\binf\b"):
        store.record(replace(original, qubits=qubits))
    assert store.devices() == []


def test_record_many_stores_each_calibration_once_in_order(store: Store) -> None:
    year = list(demo_history(resolve("fake_lagos"), 7))
    done = store.record_many([*year, year[2], year[5]], synthetic=True, batch=3)
    assert [r.stored for r in done] == [True] * 7 + [False, False]
    assert done[7].snapshot_id == done[2].snapshot_id
    infos = store.snapshots("fake_lagos")
    assert [i.calibrated_at for i in infos] == [s.calibrated_at for s in year]
    assert all(i.synthetic for i in infos)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(shapes)).scalar() == 1


def test_damaged_values_are_one_clear_error(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "h.db"
    with Store(as_url(path)) as store:
        recorded = store.record(resolve("fake_lagos"))
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "UPDATE snapshot_values SET data = ? WHERE section = 'q:t1_us'", (b"\x78\x9cgarbage",)
        )
    with SqliteReader(path) as reader:
        with pytest.raises(QpumonError, match=r"q:t1_us.*damaged"):
            reader.qubit_series("fake_lagos", "t1_us")
        with pytest.raises(QpumonError, match=r"snapshot #\d+.*damaged"):
            reader.load(recorded.snapshot_id)


def test_values_that_do_not_fit_their_shape_are_one_clear_error(tmp_path: Path) -> None:
    import sqlite3

    from tests.core.cli_helpers import invoke

    path = tmp_path / "h.db"
    with Store(as_url(path)) as store:
        lagos = store.record(resolve("fake_lagos"))
        fez = store.record(resolve("fake_fez"))
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(  # lagos's 7 qubits given fez's 156 T1 values
            "UPDATE snapshot_values SET data = (SELECT data FROM snapshot_values WHERE "
            "snapshot_id = ? AND section = 'q:t1_us') "
            "WHERE snapshot_id = ? AND section = 'q:t1_us'",
            (fez.snapshot_id, lagos.snapshot_id),
        )
    message = r"fake_lagos q:t1_us #\d+: the stored values are damaged \(156 values for 7 entries"
    with SqliteReader(path) as reader, pytest.raises(QpumonError, match=message):
        reader.value_columns("fake_lagos", "q:t1_us", 0)
    with Store(as_url(path)) as store, pytest.raises(QpumonError, match=message):
        store.value_columns("fake_lagos", "q:t1_us", 0)
    shown = invoke("events", "fake_lagos", "--db", str(path))
    assert shown.exit_code == 2
    assert shown.stderr.count("\n") == 1 and "damaged (156 values for 7 entries" in shown.stderr


def test_a_time_past_its_table_is_one_clear_error(tmp_path: Path) -> None:
    import sqlite3
    import zlib

    path = tmp_path / "h.db"
    with Store(as_url(path)) as store:
        recorded = store.record(resolve("fake_fez"))
    with closing(sqlite3.connect(path)) as connection, connection:
        found = connection.execute(
            "UPDATE snapshot_values SET data = ? WHERE section = 't'", (zlib.compress(b"[]"),)
        ).rowcount
    assert found == 1  # fez's values carry many times: they are numbered in the table
    with SqliteReader(path) as reader:
        with pytest.raises(QpumonError, match=r"damaged \(a time past its table\)"):
            reader.load(recorded.snapshot_id)
        with pytest.raises(QpumonError, match=r"damaged \(a time past its table\)"):
            reader.qubit_series("fake_fez", "t1_us")
