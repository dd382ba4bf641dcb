"""qpumon's own snapshot JSON: a lossless, versioned image of a :class:`DeviceSnapshot`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import validate as v
from .errors import InputError
from .model import (
    QUBIT_FIELDS,
    DeviceSnapshot,
    DeviceStatus,
    GateCalibration,
    LayerFidelity,
    QubitCalibration,
)

FORMAT_VERSION = 1


def snapshot_to_dict(snapshot: DeviceSnapshot) -> dict[str, Any]:
    """A JSON-ready dictionary that :func:`snapshot_from_dict` turns back into ``snapshot``."""
    status = snapshot.status
    return {
        "qpumon_snapshot": FORMAT_VERSION,
        "name": snapshot.name,
        "num_qubits": snapshot.num_qubits,
        "source": snapshot.source,
        "backend_version": snapshot.backend_version,
        "processor_family": snapshot.processor_family,
        "processor_revision": snapshot.processor_revision,
        "basis_gates": list(snapshot.basis_gates),
        "coupling_edges": [list(edge) for edge in snapshot.coupling_edges],
        "dt_ns": snapshot.dt_ns,
        "coords": None if snapshot.coords is None else [list(p) for p in snapshot.coords],
        "simulator": snapshot.simulator,
        "configuration": dict(snapshot.configuration),
        "status": None
        if status is None
        else {
            "operational": status.operational,
            "message": status.message,
            "pending_jobs": status.pending_jobs,
        },
        "calibrated_at": _iso(snapshot.calibrated_at),
        "unit_labels": dict(snapshot.unit_labels),
        "qubits": [_qubit_to_dict(q) for q in snapshot.qubits],
        "gates": [
            {
                "gate": g.gate,
                "qubits": list(g.qubits),
                "error": g.error,
                "length_ns": g.length_ns,
                "measured_at": _iso(g.measured_at),
            }
            for g in snapshot.gates
        ],
        "layer_fidelities": [
            {
                "num_qubits": lf.num_qubits,
                "fidelity": lf.fidelity,
                "qubits": list(lf.qubits),
                "measured_at": _iso(lf.measured_at),
            }
            for lf in snapshot.layer_fidelities
        ],
    }


def dumps(snapshot: DeviceSnapshot) -> str:
    """The snapshot as qpumon snapshot JSON text."""
    return json.dumps(snapshot_to_dict(snapshot), ensure_ascii=False, allow_nan=False) + "\n"


def snapshot_from_dict(data: Mapping[str, Any], where: str = "snapshot") -> DeviceSnapshot:
    """Rebuild a snapshot from :func:`snapshot_to_dict`'s output, checking every field."""
    data = v.mapping(data, where)
    version = data.get("qpumon_snapshot")
    if version != FORMAT_VERSION:
        raise InputError(
            f"{where}: qpumon snapshot format {version!r} is not supported "
            f"(this qpumon reads format {FORMAT_VERSION})"
        )
    try:
        return _snapshot(data, where)
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}: malformed qpumon snapshot ({exc!r})") from exc


def _snapshot(data: Mapping[str, Any], where: str) -> DeviceSnapshot:
    status = data.get("status")
    coords = data.get("coords")
    return DeviceSnapshot(
        name=v.text(data["name"], f"{where}: $.name"),
        num_qubits=v.integer(data["num_qubits"], f"{where}: $.num_qubits"),
        source=v.text(data["source"], f"{where}: $.source"),
        backend_version=_opt_text(data.get("backend_version"), f"{where}: $.backend_version"),
        processor_family=_opt_text(data.get("processor_family"), f"{where}: $.processor_family"),
        processor_revision=_opt_text(
            data.get("processor_revision"), f"{where}: $.processor_revision"
        ),
        basis_gates=tuple(v.text(g, f"{where}: $.basis_gates") for g in data["basis_gates"]),
        coupling_edges=tuple(
            (v.integer(a, f"{where}: $.coupling_edges"), v.integer(b, f"{where}: $.coupling_edges"))
            for a, b in data["coupling_edges"]
        ),
        dt_ns=_opt_number(data.get("dt_ns"), f"{where}: $.dt_ns"),
        coords=None
        if coords is None
        else tuple(
            (v.number(x, f"{where}: $.coords"), v.number(y, f"{where}: $.coords"))
            for x, y in coords
        ),
        simulator=bool(data.get("simulator", False)),
        configuration=dict(v.mapping(data.get("configuration", {}), f"{where}: $.configuration")),
        status=None
        if status is None
        else DeviceStatus(
            operational=bool(status["operational"]),
            message=str(status.get("message", "")),
            pending_jobs=None
            if status.get("pending_jobs") is None
            else v.integer(status["pending_jobs"], f"{where}: $.status.pending_jobs"),
        ),
        calibrated_at=_opt_time(data.get("calibrated_at"), f"{where}: $.calibrated_at"),
        unit_labels={str(k): str(val) for k, val in data.get("unit_labels", {}).items()},
        qubits=tuple(_qubit(q, f"{where}: $.qubits[{i}]") for i, q in enumerate(data["qubits"])),
        gates=tuple(_gate(g, f"{where}: $.gates[{i}]") for i, g in enumerate(data["gates"])),
        layer_fidelities=tuple(
            LayerFidelity(
                num_qubits=v.integer(lf["num_qubits"], f"{where}: $.layer_fidelities[{i}]"),
                fidelity=v.probability(
                    v.number(lf["fidelity"], f"{where}: $.layer_fidelities[{i}].fidelity"),
                    f"{where}: $.layer_fidelities[{i}].fidelity",
                ),
                qubits=tuple(int(q) for q in lf.get("qubits", ())),
                measured_at=_opt_time(lf.get("measured_at"), f"{where}: $.layer_fidelities[{i}]"),
            )
            for i, lf in enumerate(data.get("layer_fidelities", ()))
        ),
    )


def _qubit_to_dict(qubit: QubitCalibration) -> dict[str, Any]:
    out: dict[str, Any] = {"index": qubit.index}
    for name in QUBIT_FIELDS:
        out[name] = qubit.value(name)
    out["measured_at"] = {name: _iso(when) for name, when in qubit.measured_at.items()}
    return out


def _qubit(data: Mapping[str, Any], where: str) -> QubitCalibration:
    data = v.mapping(data, where)
    values = {name: _opt_number(data.get(name), f"{where}.{name}") for name in QUBIT_FIELDS}
    for name in ("t1_us", "t2_us", "readout_length_ns", "frequency_ghz"):
        if values[name] is not None:
            v.at_least(values[name], 0.0, f"{where}.{name}")  # type: ignore[arg-type]
    for name in ("readout_error", "prob_meas0_prep1", "prob_meas1_prep0"):
        if values[name] is not None:
            v.probability(values[name], f"{where}.{name}")  # type: ignore[arg-type]
    dates = {
        str(k): v.timestamp(val, f"{where}.measured_at.{k}")
        for k, val in v.mapping(data.get("measured_at", {}), f"{where}.measured_at").items()
    }
    return QubitCalibration(
        index=v.integer(data["index"], f"{where}.index"), measured_at=dates, **values
    )


def _gate(data: Mapping[str, Any], where: str) -> GateCalibration:
    data = v.mapping(data, where)
    error = _opt_number(data.get("error"), f"{where}.error")
    length = _opt_number(data.get("length_ns"), f"{where}.length_ns")
    return GateCalibration(
        gate=v.text(data["gate"], f"{where}.gate"),
        qubits=tuple(v.integer(q, f"{where}.qubits") for q in data["qubits"]),
        error=None if error is None else v.probability(error, f"{where}.error"),
        length_ns=None if length is None else v.at_least(length, 0.0, f"{where}.length_ns"),
        measured_at=_opt_time(data.get("measured_at"), f"{where}.measured_at"),
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _opt_number(value: Any, where: str) -> float | None:
    return None if value is None else v.number(value, where)


def _opt_text(value: Any, where: str) -> str | None:
    return None if value is None else v.text(value, where)


def _opt_time(value: Any, where: str) -> datetime | None:
    return None if value is None else v.timestamp(value, where)
