"""The SQLite reader without SQLAlchemy answers exactly what the store answers."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import StoreError
from qpumon.history.demo import DemoSettings, record_demo
from qpumon.sources import resolve
from qpumon.store import as_url, open_reader
from qpumon.store.db import Store
from qpumon.store.records import SCHEMA_VERSION
from qpumon.store.schema import LATEST
from qpumon.store.sqlite_reader import SqliteReader
from tests.conftest import raw


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reader") / "h.db"
    with Store(as_url(path)) as store:
        record_demo(store, resolve("fake_lagos"), 12, DemoSettings(seed=3))
        store.record(resolve("fake_lagos"))
    return path


def test_the_schema_version_is_one_number() -> None:
    assert SCHEMA_VERSION == LATEST


def test_a_current_file_is_read_without_sqlalchemy(history_file: Path) -> None:
    reader = open_reader(history_file)
    assert isinstance(reader, SqliteReader)
    reader.close()
    probe = (
        "import sys\nfrom qpumon.store import open_reader\n"
        f"r = open_reader({str(history_file)!r}); r.snapshots('fake_lagos')\n"
        "print('sqlalchemy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_the_reader_and_the_store_agree(history_file: Path) -> None:
    reader, store = SqliteReader(history_file), Store(as_url(history_file))
    try:
        assert reader.devices() == store.devices()
        infos = store.snapshots("fake_lagos")
        assert reader.snapshots("fake_lagos") == infos and len(infos) == 13
        assert reader.latest("fake_lagos") == store.latest("fake_lagos") == infos[-1]
        since = infos[3].calibrated_at
        assert since is not None
        until = since + timedelta(days=4)
        assert reader.snapshots("fake_lagos", since, until) == store.snapshots(
            "fake_lagos", since, until
        )
        for qubit in (None, 3):
            assert sorted(reader.qubit_series("fake_lagos", "t1_us", since, None, qubit)) == sorted(
                store.qubit_series("fake_lagos", "t1_us", since, None, qubit)
            )
        assert sorted(reader.gate_series("fake_lagos", "cx", qubits="0-1")) == sorted(
            store.gate_series("fake_lagos", "cx", qubits="0-1")
        )
        assert reader.load(infos[-1].id) == store.load(infos[-1].id) == resolve("fake_lagos")
        for section, column in (("q:t1_us", 0), ("g:cx", 0), ("g:cx", 1)):
            columns = plain_columns(reader.value_columns("fake_lagos", section, column, since))
            assert columns == plain_columns(
                store.value_columns("fake_lagos", section, column, since)
            )
            assert [i for i, _ in columns] == [i.id for i in infos[3:]]
        assert reader.active_alerts("fake_lagos") == store.active_alerts("fake_lagos")
        with pytest.raises(StoreError, match="no history for device 'fake_fez'"):
            reader.device_id("fake_fez")
    finally:
        reader.close()
        store.close()


def test_a_file_to_migrate_goes_through_the_store(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    reader = open_reader(path)
    try:
        assert isinstance(reader, Store)
    finally:
        reader.close()


def test_stored_columns_are_the_source_files_values(history_file: Path) -> None:
    """The newest snapshot is the bundled fake_lagos: its columns, read back, are the values of
    its properties file parsed here with the standard library."""
    props = raw("lagos", "props")
    t1 = {}
    for q, params in enumerate(props["qubits"]):
        (found,) = [p for p in params if p["name"] == "T1"]
        assert found["unit"] == "us"  # what the q:t1_us column holds, unconverted
        t1[q] = found["value"]
    assert {p["unit"] for g in props["gates"] for p in g["parameters"]} == {"", "ns"}
    cx = {
        "-".join(map(str, g["qubits"])): {p["name"]: p["value"] for p in g["parameters"]}
        for g in props["gates"]
        if g["gate"] == "cx"
    }
    with SqliteReader(history_file) as reader:
        newest = reader.snapshots("fake_lagos")[-1].id
        ((_, subjects, values),) = [
            c for c in reader.value_columns("fake_lagos", "q:t1_us", 0) if c[0] == newest
        ]
        assert dict(zip(map(int, subjects), values, strict=True)) == t1
        for column, name in ((0, "gate_error"), (1, "gate_length")):
            ((_, subjects, values),) = [
                c for c in reader.value_columns("fake_lagos", "g:cx", column) if c[0] == newest
            ]
            assert dict(zip(subjects, values, strict=True)) == {k: v[name] for k, v in cx.items()}


def plain_columns(
    columns: list[tuple[int, Any, Any]],
) -> list[tuple[int, list[tuple[str, float | None]]]]:
    """Columns as comparable lists (NaN, which equals nothing, as None)."""
    return [
        (i, [(k, None if v != v else v) for k, v in zip(subjects, values, strict=True)])
        for i, subjects, values in columns
    ]
