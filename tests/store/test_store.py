"""Recording and reading back, on SQLite and PostgreSQL: lossless, idempotent, versioned."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from qpumon.errors import QpumonError, ServiceError, StoreError
from qpumon.model import DeviceStatus
from qpumon.sources import resolve as load
from qpumon.store import as_url
from qpumon.store.db import Store
from qpumon.store.engine import migrate
from qpumon.store.schema import LATEST, schema_version, snapshot_values, snapshots
from tests.conftest import raw

DEVICES = ["fake_fez", "fake_kyoto", "fake_armonk", "fake_kingston", "fake_brussels"]


@pytest.mark.parametrize("device", DEVICES)
def test_reloaded_snapshot_equals_the_original(store: Store, device: str) -> None:
    original = load(device)
    recorded = store.record(original)
    assert recorded.stored
    assert store.load(recorded.snapshot_id) == original


def test_stored_t1_values_equal_the_source_json(store: Store) -> None:
    props = raw("fez", "props")
    expected = {}
    for index, params in enumerate(props["qubits"]):
        t1 = [p["value"] for p in params if p["name"] == "T1"]
        if t1:
            expected[index] = float(t1[0])  # fez writes T1 in us
    store.record(load("fake_fez"))
    stored = {q: v for _, q, v, _ in store.qubit_series("fake_fez", "t1_us")}
    assert stored == expected


def test_stored_gate_errors_equal_the_source_json(store: Store) -> None:
    props = raw("kyoto", "props")
    expected = {}
    for gate in props["gates"]:
        if gate["gate"] == "ecr":
            error = [p["value"] for p in gate["parameters"] if p["name"] == "gate_error"]
            expected["-".join(map(str, gate["qubits"]))] = float(error[0])
    store.record(load("fake_kyoto"))
    stored = {q: e for _, q, e, _, _ in store.gate_series("fake_kyoto", "ecr")}
    assert stored == expected
    assert set(stored.values()) == {1.0}  # kyoto: every ECR carries IBM's failed flag


def test_recording_twice_stores_once(store: Store) -> None:
    snapshot = load("fake_fez")
    first, second = store.record(snapshot), store.record(snapshot)
    assert first.stored and not second.stored
    assert second.snapshot_id == first.snapshot_id
    # a new queue status or another source is the same calibration
    busy = replace(snapshot, source="file:x.json", status=DeviceStatus(True, "", 12))
    assert not store.record(busy).stored
    assert len(store.snapshots("fake_fez")) == 1
    with store.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(snapshots)).scalar()
        sections = connection.execute(
            select(snapshot_values.c.section).where(
                snapshot_values.c.snapshot_id == first.snapshot_id
            )
        ).scalars()
        names = set(sections)
    assert count == 1
    # one section per present per-qubit field, one per gate name, one for the times
    fields = {f"q:{f}" for q in snapshot.qubits for f in _fields() if q.value(f) is not None}
    assert names == fields | {f"g:{g.gate}" for g in snapshot.gates} | {"t"}


def _fields() -> tuple[str, ...]:
    from qpumon.model import QUBIT_FIELDS

    return QUBIT_FIELDS


def test_changed_values_are_a_new_snapshot(store: Store) -> None:
    snapshot = load("fake_armonk")
    changed = replace(snapshot, qubits=(replace(snapshot.qubits[0], t1_us=1.5),))
    assert store.record(snapshot).stored and store.record(changed).stored
    series = store.qubit_series("fake_armonk", "t1_us")
    assert sorted(v for _, _, v, _ in series) == sorted([1.5, snapshot.qubits[0].t1_us or 0])


def test_missing_values_have_no_rows(store: Store) -> None:
    store.record(load("fake_kingston"))
    qubits = {q for _, q, _, _ in store.qubit_series("fake_kingston", "t1_us")}
    assert 146 not in qubits and len(qubits) == 155
    assert store.qubit_series("fake_kingston", "frequency_ghz") == []


def test_time_window(store: Store) -> None:
    from qpumon.history.demo import demo_history

    for snapshot in demo_history(load("fake_armonk"), 10):
        store.record(snapshot, synthetic=True)
    infos = store.snapshots("fake_armonk")
    assert len(infos) == 10 and all(i.synthetic for i in infos)
    middle = infos[4].calibrated_at
    assert [i.id for i in store.snapshots("fake_armonk", since=middle)] == [i.id for i in infos[4:]]
    assert len(store.qubit_series("fake_armonk", "t1_us", since=middle)) == 6


def test_unknown_device_names_the_stored_ones(store: Store) -> None:
    store.record(load("fake_armonk"))
    with pytest.raises(QpumonError, match=r"no history for device 'fake_x'.*fake_armonk"):
        store.snapshots("fake_x")


def test_schema_version_is_recorded(store: Store) -> None:
    with store.engine.connect() as connection:
        versions = connection.execute(select(schema_version.c.version)).scalars().all()
    assert versions == list(range(1, LATEST + 1))
    assert store.schema_version == LATEST


def test_old_schema_is_migrated_keeping_data(db_url: str) -> None:
    from qpumon.store.engine import make_engine

    engine = make_engine(db_url)
    assert migrate(engine, db_url, up_to=1) == 1
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version == LATEST
        store.record(load("fake_armonk"))
        assert store.active_alerts("fake_armonk") == {}


def test_newer_schema_is_refused(db_url: str) -> None:
    with Store(db_url) as store, store.engine.begin() as connection:
        connection.execute(
            update(schema_version).values(version=99).where(schema_version.c.version == LATEST)
        )
    with pytest.raises(StoreError, match="schema version 99, newer than this qpumon"):
        Store(db_url)


def test_corrupt_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not a database at all\n" * 200)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(as_url(path))


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match=r"not a qpumon history database.*customers"):
        Store(as_url(path))


def test_full_disk_is_one_clear_error(tmp_path: Path) -> None:
    from sqlalchemy import event

    store = Store(as_url(tmp_path / "small.db"))
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def tiny(dbapi_connection: object, record: object) -> None:
        dbapi_connection.execute("PRAGMA max_page_count = 40")  # type: ignore[attr-defined]

    from qpumon.history.demo import demo_history

    with pytest.raises(StoreError, match="the disk is full"):
        for snapshot in demo_history(load("fake_fez"), 40):  # ~20 kB each: 40 pages hold a few
            store.record(snapshot)
    store.engine.dispose()
    with Store(as_url(tmp_path / "small.db")) as reopened, reopened.engine.connect() as c:
        stored = c.execute(select(snapshots.c.id)).scalars().all()
        with_values = c.execute(select(snapshot_values.c.snapshot_id).distinct()).scalars().all()
    assert len(stored) < 40 and sorted(with_values) == sorted(stored)  # whole snapshots only


def test_unreachable_postgres_is_a_service_error() -> None:
    pytest.importorskip("psycopg")
    with socket_closed() as port, pytest.raises(ServiceError, match="cannot reach"):
        Store(f"postgresql+psycopg://qpumon@127.0.0.1:{port}/qpumon?connect_timeout=3")


def socket_closed() -> _ClosedPort:
    return _ClosedPort()


class _ClosedPort:
    """A local port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_missing_driver_names_the_extra() -> None:
    with pytest.raises(QpumonError, match=r"no database driver.*qpumon\[postgres\]"):
        Store("postgresql+nosuchdriver://x@127.0.0.1/qpumon")
