"""A snapshot as a ``snapshots`` row (its values go to :mod:`qpumon.store.codec`'s parts), and
the snapshot JSON of schemas 1 and 2, read when they are migrated."""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from ..errors import InputError
from ..model import DeviceSnapshot
from ..model.serialize import snapshot_from_dict
from .codec import Encoded


def legacy_document(blob: bytes, where: str) -> dict[str, Any]:
    """The snapshot dictionary of a schema 1 or 2 ``data`` column (zlib-compressed JSON)."""
    try:
        data = orjson.loads(zlib.decompress(blob))
    except (zlib.error, orjson.JSONDecodeError) as exc:
        raise InputError(f"{where}: the stored snapshot is damaged ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{where}: the stored snapshot is damaged (not a document)")
    return data


def legacy_decode(blob: bytes, where: str) -> DeviceSnapshot:
    """A snapshot back from a schema 1 or 2 ``data`` column."""
    return snapshot_from_dict(legacy_document(blob, where), where)


def snapshot_row(snapshot: DeviceSnapshot, encoded: Encoded) -> dict[str, Any]:
    """The ``snapshots`` columns that come from the snapshot itself (not its device, shape id,
    ``synthetic`` or ``recorded_at``)."""
    status = snapshot.status
    return {
        "calibrated_at": snapshot.calibrated_at,
        "source": snapshot.source,
        "num_qubits": snapshot.num_qubits,
        "operational": None if status is None else status.operational,
        "pending_jobs": None if status is None else status.pending_jobs,
        "content_hash": encoded.content_hash,
        "data": encoded.meta,
    }
