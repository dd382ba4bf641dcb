"""Migration 3: from one row per value (schemas 1 and 2) to the compact store.

Every stored snapshot is read back from its schema 2 JSON exactly as ``Store.load`` read it,
encoded (:mod:`qpumon.store.codec`), checked to decode to the same snapshot, and written to
``shapes`` and ``snapshot_values``; its ``data`` becomes the meta and its ``content_hash`` the new
hash (the old one is kept where two old rows of a device would now share one). Then
``qubit_values`` and ``gate_values`` are dropped. It all runs in the migration's one transaction:
an interrupted migration leaves the old store as it was.
"""

from __future__ import annotations

from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..model.serialize import snapshot_from_dict, snapshot_to_dict
from . import codec, rows
from .schema import metadata, shapes, snapshot_values, snapshots

#: Snapshots read per query while migrating (bounds the memory a large store needs).
CHUNK = 200


def to_compact(connection: Connection) -> None:
    """Apply migration 3 on ``connection`` (inside the migration's transaction)."""
    metadata.create_all(connection, tables=[shapes, snapshot_values], checkfirst=True)
    if connection.dialect.name == "postgresql":  # the values are compressed already: no pglz
        for table in ("snapshot_values", "shapes", "snapshots"):
            connection.execute(text(f"ALTER TABLE {table} ALTER COLUMN data SET STORAGE EXTERNAL"))
    columns = {c["name"] for c in inspect(connection).get_columns("snapshots")}
    if "shape_id" not in columns:
        connection.execute(
            text("ALTER TABLE snapshots ADD COLUMN shape_id INTEGER REFERENCES shapes(id)")
        )
    _convert(connection)
    for table in ("qubit_values", "gate_values"):
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))


def _convert(connection: Connection) -> None:
    from .db import _bulk, _shape_id

    encoder, known, new_shapes = codec.Encoder(), {}, {}  # type: ignore[var-annotated]
    hashes = {
        (device, digest)
        for device, digest in connection.execute(
            select(snapshots.c.device_id, snapshots.c.content_hash)
        )
    }
    last = 0
    while True:
        chunk = connection.execute(
            select(snapshots.c.id, snapshots.c.device_id, snapshots.c.data)
            .where(snapshots.c.id > last, snapshots.c.shape_id.is_(None))
            .order_by(snapshots.c.id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            return
        for snapshot_id, device_id, blob in chunk:
            where = f"migrating snapshot #{snapshot_id}"
            snapshot = rows.legacy_decode(bytes(blob), where)
            encoded = encoder.encode(snapshot)
            again = codec.decode(encoded.shape, encoded.sections, encoded.meta, where)
            if snapshot_from_dict(again, where) != snapshot or again != snapshot_to_dict(snapshot):
                raise StoreError(f"{where}: it does not read back equal; nothing was migrated")
            digest = encoded.content_hash
            changes = {
                "data": encoded.meta,
                "shape_id": _shape_id(connection, encoded, known, new_shapes),
            }
            if (device_id, digest) not in hashes:
                changes["content_hash"] = digest
                hashes.add((device_id, digest))
            connection.execute(
                update(snapshots).where(snapshots.c.id == snapshot_id).values(**changes)
            )
            values = [(snapshot_id, name, data) for name, data in encoded.sections.items()]
            _bulk(connection, snapshot_values, ("snapshot_id", "section", "data"), values)
            last = snapshot_id
