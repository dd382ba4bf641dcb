"""A snapshot as database rows (and back): value rows, the stored JSON and the content hash."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import orjson

from ..errors import InputError
from ..model import NOT_CALIBRATION, QUBIT_FIELDS, DeviceSnapshot
from ..model.serialize import snapshot_from_dict
from ..model.vocabulary import qubits_text


def encode(data: dict[str, Any]) -> bytes:
    """The snapshot dictionary as compressed JSON (zlib level 1: fast, about 8x smaller)."""
    return zlib.compress(orjson.dumps(data), 1)


def decode(blob: bytes, where: str) -> DeviceSnapshot:
    """A snapshot back from :func:`encode`'s bytes."""
    try:
        data = orjson.loads(zlib.decompress(blob))
    except (zlib.error, orjson.JSONDecodeError) as exc:
        raise InputError(f"{where}: the stored snapshot is damaged ({exc})") from exc
    return snapshot_from_dict(data, where)


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the calibration content: equal for the same device, time and values, as
    :func:`~qpumon.model.same_calibration` says (every field but :data:`NOT_CALIBRATION`)."""
    kept = {k: v for k, v in data.items() if k not in NOT_CALIBRATION}
    return hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()


#: Columns of :func:`qubit_rows` tuples.
QUBIT_COLUMNS = ("snapshot_id", "metric", "qubit", "value", "measured_at")
#: Columns of :func:`gate_rows` tuples.
GATE_COLUMNS = ("snapshot_id", "gate", "qubits", "error", "length_ns", "measured_at")


def qubit_rows(snapshot: DeviceSnapshot, snapshot_id: int) -> list[tuple[Any, ...]]:
    """One :data:`QUBIT_COLUMNS` tuple per present per-qubit value (a missing one has no row)."""
    rows = []
    for qubit in snapshot.qubits:
        dates = qubit.measured_at
        for name in QUBIT_FIELDS:
            value = getattr(qubit, name)
            if value is not None:
                rows.append((snapshot_id, name, qubit.index, value, dates.get(name)))
    return rows


def gate_rows(snapshot: DeviceSnapshot, snapshot_id: int) -> list[tuple[Any, ...]]:
    """One :data:`GATE_COLUMNS` tuple per gate that has an error or a length."""
    return [
        (
            snapshot_id,
            gate.gate,
            qubits_text(gate.qubits),
            gate.error,
            gate.length_ns,
            gate.measured_at,
        )
        for gate in snapshot.gate_index.values()
        if gate.error is not None or gate.length_ns is not None
    ]


def snapshot_row(snapshot: DeviceSnapshot, data: dict[str, Any]) -> dict[str, Any]:
    """The ``snapshots`` columns that come from the snapshot itself."""
    status = snapshot.status
    return {
        "calibrated_at": snapshot.calibrated_at,
        "source": snapshot.source,
        "num_qubits": snapshot.num_qubits,
        "operational": None if status is None else status.operational,
        "pending_jobs": None if status is None else status.pending_jobs,
        "content_hash": content_hash(data),
        "data": encode(data),
    }
