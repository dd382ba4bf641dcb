"""Stores written by older qpumon (schemas 1 and 2: one row per value) migrate to schema 3 without
loss. The old databases are written here by raw SQL, as schema 2 laid them out, with the rows the
old code wrote: every value is then read back and compared."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from qpumon.history.demo import demo_history
from qpumon.model import NOT_CALIBRATION, QUBIT_FIELDS, DeviceSnapshot
from qpumon.model.serialize import snapshot_to_dict
from qpumon.sources import resolve
from qpumon.store import as_url
from qpumon.store.db import Store
from qpumon.store.schema import LATEST
from tests.conftest import raw
from tests.databases import PostgresServer

#: Schema 2 as SQLAlchemy created it on SQLite (qpumon before schema 3).
SCHEMA_2 = """
CREATE TABLE schema_version (version INTEGER NOT NULL, description TEXT NOT NULL,
    applied_at BIGINT NOT NULL, PRIMARY KEY (version));
CREATE TABLE devices (id INTEGER NOT NULL, name VARCHAR(200) NOT NULL, PRIMARY KEY (id),
    UNIQUE (name));
CREATE TABLE snapshots (id INTEGER NOT NULL, device_id INTEGER NOT NULL, calibrated_at BIGINT,
    recorded_at BIGINT NOT NULL, source TEXT NOT NULL, synthetic BOOLEAN NOT NULL,
    content_hash VARCHAR(64) NOT NULL, num_qubits INTEGER NOT NULL, operational BOOLEAN,
    pending_jobs INTEGER, data BLOB NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_snapshots_device_hash UNIQUE (device_id, content_hash),
    FOREIGN KEY(device_id) REFERENCES devices (id));
CREATE INDEX ix_snapshots_device_time ON snapshots (device_id, calibrated_at);
CREATE TABLE qubit_values (snapshot_id INTEGER NOT NULL, metric VARCHAR(40) NOT NULL,
    qubit INTEGER NOT NULL, value FLOAT NOT NULL, measured_at BIGINT,
    PRIMARY KEY (snapshot_id, metric, qubit),
    FOREIGN KEY(snapshot_id) REFERENCES snapshots (id)) WITHOUT ROWID;
CREATE TABLE gate_values (snapshot_id INTEGER NOT NULL, gate VARCHAR(40) NOT NULL,
    qubits VARCHAR(40) NOT NULL, error FLOAT, length_ns FLOAT, measured_at BIGINT,
    PRIMARY KEY (snapshot_id, gate, qubits),
    FOREIGN KEY(snapshot_id) REFERENCES snapshots (id)) WITHOUT ROWID;
"""
ALERT_STATE = """
CREATE TABLE alert_state (device_id INTEGER NOT NULL, rule VARCHAR(200) NOT NULL,
    subject VARCHAR(100) NOT NULL, since BIGINT NOT NULL, value FLOAT,
    PRIMARY KEY (device_id, rule, subject), FOREIGN KEY(device_id) REFERENCES devices (id));
"""
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _us(when: datetime | None) -> int | None:
    return None if when is None else (when - EPOCH) // timedelta(microseconds=1)


def _old_hash(data: dict[str, Any]) -> str:
    kept = {k: v for k, v in data.items() if k not in NOT_CALIBRATION}
    return hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _write_old(
    connection: sqlite3.Connection, snapshot: DeviceSnapshot, device_id: int, synthetic: bool
) -> int:
    """One snapshot as schema 2 stored it: its row, its JSON and one row per value."""
    data = snapshot_to_dict(snapshot)
    cursor = connection.execute(
        "INSERT INTO snapshots (device_id, calibrated_at, recorded_at, source, synthetic, "
        "content_hash, num_qubits, operational, pending_jobs, data) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            device_id,
            _us(snapshot.calibrated_at),
            _us(datetime(2026, 1, 2, tzinfo=timezone.utc)),
            snapshot.source,
            synthetic,
            _old_hash(data),
            snapshot.num_qubits,
            None,
            None,
            zlib.compress(orjson.dumps(data), 1),
        ),
    )
    snapshot_id = int(cursor.lastrowid or 0)
    connection.executemany(
        "INSERT INTO qubit_values VALUES (?,?,?,?,?)",
        [
            (snapshot_id, name, q.index, q.value(name), _us(q.measured_at.get(name)))
            for q in snapshot.qubits
            for name in QUBIT_FIELDS
            if q.value(name) is not None
        ],
    )
    connection.executemany(
        "INSERT INTO gate_values VALUES (?,?,?,?,?,?)",
        [
            (
                snapshot_id,
                g.gate,
                "-".join(map(str, g.qubits)),
                g.error,
                g.length_ns,
                _us(g.measured_at),
            )
            for g in snapshot.gates
            if g.error is not None or g.length_ns is not None
        ],
    )
    return snapshot_id


def _old_store(path: Path, version: int) -> dict[int, DeviceSnapshot]:
    """A schema ``version`` (1 or 2) SQLite store of real and synthetic snapshots."""
    kept: dict[int, DeviceSnapshot] = {}
    groups = {
        "fake_fez": [resolve("fake_fez")],
        "fake_kyoto": [resolve("fake_kyoto")],  # every ECR carries IBM's failed flag
        "fake_kingston": [resolve("fake_kingston")],  # missing values
        "fake_armonk": list(demo_history(resolve("fake_armonk"), 6)),
    }
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(SCHEMA_2 + (ALERT_STATE if version == 2 else ""))
        for step in range(1, version + 1):
            connection.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)", (step, f"schema {step}", 0)
            )
        for device_id, (name, snapshots) in enumerate(groups.items(), start=1):
            connection.execute("INSERT INTO devices VALUES (?, ?)", (device_id, name))
            for snapshot in snapshots:
                synthetic = snapshot.source.startswith("synthetic")
                kept[_write_old(connection, snapshot, device_id, synthetic)] = snapshot
        if version == 2:
            connection.execute(
                "INSERT INTO alert_state VALUES (1, 't1_drop', 'Q3', ?, 12.5)",
                (_us(datetime(2026, 1, 1, tzinfo=timezone.utc)),),
            )
    return kept


def _old_rows(path: Path) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as connection:
        qubits = set(connection.execute("SELECT * FROM qubit_values"))
        gates = set(connection.execute("SELECT * FROM gate_values"))
    return qubits, gates


@pytest.mark.parametrize("version", [1, 2])
def test_an_old_store_migrates_with_every_value(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    kept = _old_store(path, version)
    old_qubits, old_gates = _old_rows(path)
    with Store(as_url(path)) as store:
        assert store.schema_version == LATEST
        for snapshot_id, snapshot in kept.items():
            assert store.load(snapshot_id) == snapshot  # every field, floats bit for bit
        qubits, gates = set(), set()
        for info in store.devices():
            for metric in QUBIT_FIELDS:
                for i, q, value, when in store.qubit_series(info.name, metric):
                    qubits.add((i, metric, q, value, _us(when)))
            for gate in {g.gate for s in kept.values() if s.name == info.name for g in s.gates}:
                for i, pair, error, length, when in store.gate_series(info.name, gate):
                    gates.add((i, gate, pair, error, length, _us(when)))
        assert qubits == old_qubits and gates == old_gates
        if version == 2:
            assert store.active_alerts("fake_fez") == {
                ("t1_drop", "Q3"): datetime(2026, 1, 1, tzinfo=timezone.utc)
            }
        # the same calibration recorded again is found, not stored twice
        assert not store.record(resolve("fake_fez")).stored
        assert [(d.name, d.snapshots) for d in store.devices()] == [
            ("fake_armonk", 6),
            ("fake_fez", 1),
            ("fake_kingston", 1),
            ("fake_kyoto", 1),
        ]
    with closing(sqlite3.connect(path)) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        versions = [r[0] for r in connection.execute("SELECT version FROM schema_version")]
    assert not tables & {"qubit_values", "gate_values"}
    assert versions == list(range(1, LATEST + 1))


def test_migrated_values_equal_the_source_json(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_store(path, 2)
    props = raw("fez", "props")
    expected = {}
    for index, params in enumerate(props["qubits"]):
        t1 = [p["value"] for p in params if p["name"] == "T1"]
        if t1:
            expected[index] = float(t1[0])  # fez writes T1 in us
    with Store(as_url(path)) as store:
        stored = {q: v for _, q, v, _ in store.qubit_series("fake_fez", "t1_us")}
    assert stored == expected


def test_a_damaged_old_snapshot_stops_the_migration_and_keeps_the_store(tmp_path: Path) -> None:
    from qpumon.errors import QpumonError

    path = tmp_path / "old.db"
    _old_store(path, 2)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE snapshots SET data = ? WHERE id = 3", (b"not zlib",))
    with pytest.raises(QpumonError, match=r"snapshot #3.*damaged"):
        Store(as_url(path))
    with closing(sqlite3.connect(path)) as connection:
        versions = [r[0] for r in connection.execute("SELECT version FROM schema_version")]
        count = connection.execute("SELECT count(*) FROM qubit_values").fetchone()[0]
    assert versions == [1, 2] and count > 0  # nothing half-migrated


#: Schema 2 as SQLAlchemy created it on PostgreSQL.
SCHEMA_2_PG = """
CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE NOT NULL);
CREATE TABLE devices (id SERIAL PRIMARY KEY, name VARCHAR(200) NOT NULL UNIQUE);
CREATE TABLE snapshots (id SERIAL PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices (id),
    calibrated_at TIMESTAMP WITH TIME ZONE, recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    source TEXT NOT NULL, synthetic BOOLEAN NOT NULL, content_hash VARCHAR(64) NOT NULL,
    num_qubits INTEGER NOT NULL, operational BOOLEAN, pending_jobs INTEGER, data BYTEA NOT NULL,
    CONSTRAINT uq_snapshots_device_hash UNIQUE (device_id, content_hash));
CREATE INDEX ix_snapshots_device_time ON snapshots (device_id, calibrated_at);
CREATE TABLE qubit_values (snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    metric VARCHAR(40) NOT NULL, qubit INTEGER NOT NULL, value FLOAT NOT NULL,
    measured_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (snapshot_id, metric, qubit));
CREATE TABLE gate_values (snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    gate VARCHAR(40) NOT NULL, qubits VARCHAR(40) NOT NULL, error FLOAT, length_ns FLOAT,
    measured_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (snapshot_id, gate, qubits));
CREATE TABLE alert_state (device_id INTEGER NOT NULL REFERENCES devices (id),
    rule VARCHAR(200) NOT NULL, subject VARCHAR(100) NOT NULL,
    since TIMESTAMP WITH TIME ZONE NOT NULL, value FLOAT, PRIMARY KEY (device_id, rule, subject));
"""


def test_an_old_postgresql_store_migrates_with_every_value(postgres: PostgresServer) -> None:
    import psycopg

    url = postgres.create_database()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    snapshots = [resolve("fake_kyoto"), *demo_history(resolve("fake_armonk"), 4)]
    kept: dict[int, DeviceSnapshot] = {}
    with psycopg.connect(dsn) as connection:
        connection.execute(SCHEMA_2_PG)
        for step in (1, 2):
            connection.execute(
                "INSERT INTO schema_version VALUES (%s, %s, now())", (step, f"schema {step}")
            )
        for snapshot in snapshots:
            device_id = connection.execute(
                "INSERT INTO devices (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET "
                "name = EXCLUDED.name RETURNING id",
                (snapshot.name,),
            ).fetchone()[0]  # type: ignore[index]
            data = snapshot_to_dict(snapshot)
            snapshot_id = connection.execute(
                "INSERT INTO snapshots (device_id, calibrated_at, recorded_at, source, synthetic, "
                "content_hash, num_qubits, data) VALUES (%s, %s, now(), %s, %s, %s, %s, %s) "
                "RETURNING id",
                (
                    device_id,
                    snapshot.calibrated_at,
                    snapshot.source,
                    False,
                    _old_hash(data),
                    snapshot.num_qubits,
                    zlib.compress(orjson.dumps(data), 1),
                ),
            ).fetchone()[0]  # type: ignore[index]
            for q in snapshot.qubits:
                for name in QUBIT_FIELDS:
                    if q.value(name) is not None:
                        connection.execute(
                            "INSERT INTO qubit_values VALUES (%s, %s, %s, %s, %s)",
                            (snapshot_id, name, q.index, q.value(name), q.measured_at.get(name)),
                        )
            kept[snapshot_id] = snapshot
        old = set(connection.execute("SELECT snapshot_id, metric, qubit, value FROM qubit_values"))
    with Store(url) as store:
        assert store.schema_version == LATEST
        for snapshot_id, snapshot in kept.items():
            assert store.load(snapshot_id) == snapshot
        qubits = {
            (i, metric, q, value)
            for info in store.devices()
            for metric in QUBIT_FIELDS
            for i, q, value, _ in store.qubit_series(info.name, metric)
        }
        assert qubits == old
        assert not store.record(resolve("fake_kyoto")).stored
