"""The PostgreSQL reader without SQLAlchemy answers exactly what the store answers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from qpumon.errors import ServiceError, StoreError
from qpumon.history.demo import DemoSettings, record_demo
from qpumon.sources import resolve
from qpumon.store import open_reader
from qpumon.store.db import Store
from qpumon.store.pg_reader import PgReader, display
from tests.databases import PostgresServer
from tests.store.test_reader import plain_columns

IONQ = Path(__file__).parents[1] / "vendors" / "data" / "ionq_forte-1_characterization.json"


@pytest.fixture(scope="module")
def pg_history(postgres: PostgresServer) -> str:
    url = postgres.create_database()
    with Store(url) as store:
        record_demo(store, resolve("fake_lagos"), 12, DemoSettings(seed=3))
        store.record(resolve("fake_lagos"))
        store.record(resolve(str(IONQ)))
        store.set_alerts(
            "fake_lagos",
            [("short T1", "Q3", 12.5)],
            [],
            store.snapshots("fake_lagos")[-1].recorded_at,
        )
    return url


def test_a_current_database_is_read_with_psycopg_alone(pg_history: str) -> None:
    reader = open_reader(pg_history)
    assert isinstance(reader, PgReader)
    reader.close()
    probe = (
        "import sys\nfrom qpumon.store import open_reader\n"
        f"r = open_reader({pg_history!r}); r.qubit_series('fake_lagos', 't1_us')\n"
        "print('sqlalchemy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_the_pg_reader_and_the_store_agree(pg_history: str) -> None:
    reader = open_reader(pg_history)
    store = Store(pg_history)
    try:
        assert isinstance(reader, PgReader)
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
            assert reader.qubit_series("fake_lagos", "t1_us", since, None, qubit) == (
                store.qubit_series("fake_lagos", "t1_us", since, None, qubit)
            )
        assert reader.gate_series("fake_lagos", "cx", qubits="0-1") == store.gate_series(
            "fake_lagos", "cx", qubits="0-1"
        )
        assert reader.load(infos[-1].id) == store.load(infos[-1].id) == resolve("fake_lagos")
        for section, column in (("q:t1_us", 0), ("g:cx", 0), ("g:cx", 1)):
            columns = plain_columns(reader.value_columns("fake_lagos", section, column, since))
            assert columns == plain_columns(
                store.value_columns("fake_lagos", section, column, since)
            )
            assert [i for i, _ in columns] == [i.id for i in infos[3:]]
        assert reader.active_alerts("fake_lagos") == store.active_alerts("fake_lagos")
        series = reader.device_series("qpu.forte-1", "2q_error")
        assert series == store.device_series("qpu.forte-1", "2q_error")
        raw = json.loads(IONQ.read_text())["fidelity"]["2q"]
        assert [(v, u) for _, v, u, _ in series] == [(1 - raw["median"], raw["stderr"])]
        with pytest.raises(StoreError, match="no history for device 'fake_fez'"):
            reader.device_id("fake_fez")
    finally:
        reader.close()
        store.close()


def test_an_unreachable_server_is_a_service_error() -> None:
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServiceError, match="cannot reach the database server"):
        open_reader(f"postgresql+psycopg://qpumon:secret@127.0.0.1:{port}/q?connect_timeout=3")


def test_the_password_is_never_shown() -> None:
    assert display("postgresql+psycopg://lab:hunter2@db:5432/q") == (
        "postgresql+psycopg://lab:***@db:5432/q"
    )


def test_an_empty_database_goes_through_the_store(postgres: PostgresServer) -> None:
    reader = open_reader(postgres.create_database())
    try:
        assert isinstance(reader, Store)  # created and migrated there
    finally:
        reader.close()
