"""qpumon's own snapshot JSON: a lossless, versioned image of a :class:`DeviceSnapshot`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import InputError
from . import (
    GRAPH,
    MEASURED,
    QUBIT_FIELDS,
    DeviceSnapshot,
    DeviceStatus,
    DeviceValue,
    GateCalibration,
    LayerFidelity,
    QubitCalibration,
    Resonator,
)
from . import validate as v
from .consistency import check_snapshot
from .definitions import AVERAGE

#: The format this qpumon writes; it reads every format up to it (1 had no vendor fields).
FORMAT_VERSION = 2
_READABLE = (1, 2)


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
        "gates": [_gate_to_dict(g) for g in snapshot.gates],
        "layer_fidelities": [
            {
                "num_qubits": lf.num_qubits,
                "fidelity": lf.fidelity,
                "qubits": list(lf.qubits),
                "measured_at": _iso(lf.measured_at),
            }
            for lf in snapshot.layer_fidelities
        ],
        "vendor": snapshot.vendor,
        "connectivity": snapshot.connectivity,
        "provenance": snapshot.provenance,
        "qubit_names": list(snapshot.qubit_names),
        "device_values": [
            {
                "key": dv.key,
                "value": dv.value,
                "definition": dv.definition,
                "uncertainty": dv.uncertainty,
                "measured_at": _iso(dv.measured_at),
            }
            for dv in snapshot.device_values
        ],
        # written only where the source had placeholders: other documents stay as they were
        **(
            {"placeholders": {k: list(v) for k, v in snapshot.placeholders.items()}}
            if snapshot.placeholders
            else {}
        ),
        # written only for a device with resonators (IQM's Deneb): other documents stay as they were
        **(
            {"resonators": [_resonator_to_dict(r) for r in snapshot.resonators]}
            if snapshot.resonators
            else {}
        ),
    }


def _gate_to_dict(g: GateCalibration) -> dict[str, Any]:
    return {
        "gate": g.gate,
        "qubits": list(g.qubits),
        "error": g.error,
        "length_ns": g.length_ns,
        "measured_at": _iso(g.measured_at),
        "definition": g.definition,
        "uncertainty": g.uncertainty,
        **({} if g.operational else {"operational": False}),
    }


def _resonator_to_dict(r: Resonator) -> dict[str, Any]:
    return {
        "name": r.name,
        "t1_us": r.t1_us,
        "t2_us": r.t2_us,
        "gates": [_gate_to_dict(g) for g in r.gates],
    }


def dumps(snapshot: DeviceSnapshot) -> str:
    """The snapshot as qpumon snapshot JSON text."""
    return json.dumps(snapshot_to_dict(snapshot), ensure_ascii=False, allow_nan=False) + "\n"


def snapshot_from_dict(data: Mapping[str, Any], where: str = "snapshot") -> DeviceSnapshot:
    """Rebuild a snapshot from :func:`snapshot_to_dict`'s output, checking every field's type,
    range and consistency; errors name ``where`` and the JSON path."""
    data = v.mapping(data, where)
    version = data.get("qpumon_snapshot")
    if isinstance(version, bool) or version not in _READABLE:
        raise InputError(
            f"{where}: qpumon snapshot format {version!r} is not supported "
            f"(this qpumon reads formats {', '.join(map(str, _READABLE))})"
        )
    return check_snapshot(_snapshot(data, f"{where}: $"), where)


def _snapshot(data: Mapping[str, Any], at: str) -> DeviceSnapshot:
    qubits = v.sequence(_required(data, "qubits", at), f"{at}.qubits")
    gates = v.sequence(_required(data, "gates", at), f"{at}.gates")
    return DeviceSnapshot(
        name=v.text(_required(data, "name", at), f"{at}.name"),
        num_qubits=int(
            v.at_least(v.integer(_required(data, "num_qubits", at), f"{at}.num_qubits"), 0, at)
        ),
        source=v.text(_required(data, "source", at), f"{at}.source"),
        backend_version=_opt_text(data.get("backend_version"), f"{at}.backend_version"),
        processor_family=_opt_text(data.get("processor_family"), f"{at}.processor_family"),
        processor_revision=_opt_text(data.get("processor_revision"), f"{at}.processor_revision"),
        basis_gates=_texts(data.get("basis_gates", []), f"{at}.basis_gates"),
        coupling_edges=_pairs(data.get("coupling_edges", []), f"{at}.coupling_edges"),
        dt_ns=_opt_number(data.get("dt_ns"), f"{at}.dt_ns"),
        coords=_coords(data.get("coords"), f"{at}.coords"),
        simulator=_flag(data.get("simulator", False), f"{at}.simulator"),
        configuration=dict(v.mapping(data.get("configuration", {}), f"{at}.configuration")),
        status=_status(data.get("status"), f"{at}.status"),
        calibrated_at=_opt_time(data.get("calibrated_at"), f"{at}.calibrated_at"),
        unit_labels={
            str(k): v.text(val, f"{at}.unit_labels.{k}")
            for k, val in v.mapping(data.get("unit_labels", {}), f"{at}.unit_labels").items()
        },
        qubits=tuple(_qubit(q, f"{at}.qubits[{i}]") for i, q in enumerate(qubits)),
        gates=tuple(_gate(g, f"{at}.gates[{i}]") for i, g in enumerate(gates)),
        layer_fidelities=tuple(
            _layer_fidelity(lf, f"{at}.layer_fidelities[{i}]")
            for i, lf in enumerate(v.sequence(data.get("layer_fidelities", []), at))
        ),
        vendor=v.text(data.get("vendor", "ibm"), f"{at}.vendor"),
        connectivity=v.text(data.get("connectivity", GRAPH), f"{at}.connectivity"),
        provenance=v.text(data.get("provenance", MEASURED), f"{at}.provenance"),
        qubit_names=_texts(data.get("qubit_names", []), f"{at}.qubit_names"),
        device_values=tuple(
            _device_value(d, f"{at}.device_values[{i}]")
            for i, d in enumerate(v.sequence(data.get("device_values", []), at))
        ),
        placeholders=_placeholders(data.get("placeholders", {}), f"{at}.placeholders"),
        resonators=tuple(
            _resonator(r, f"{at}.resonators[{i}]")
            for i, r in enumerate(v.sequence(data.get("resonators", []), f"{at}.resonators"))
        ),
    )


def _resonator(value: Any, at: str) -> Resonator:
    value = v.mapping(value, at)
    times = {name: _opt_number(value.get(name), f"{at}.{name}") for name in ("t1_us", "t2_us")}
    for name, time in times.items():
        if time is not None:
            v.at_least(time, 0.0, f"{at}.{name}")
    gates = v.sequence(value.get("gates", []), f"{at}.gates")
    return Resonator(
        name=v.text(_required(value, "name", at), f"{at}.name"),
        gates=tuple(_gate(g, f"{at}.gates[{i}]") for i, g in enumerate(gates)),
        **times,
    )


def _placeholders(value: Any, at: str) -> dict[str, tuple[int, ...]]:
    return {
        str(field): tuple(
            v.integer(q, f"{at}.{field}[{i}]")
            for i, q in enumerate(v.sequence(qubits, f"{at}.{field}"))
        )
        for field, qubits in v.mapping(value, at).items()
    }


def _required(data: Mapping[str, Any], key: str, at: str) -> Any:
    if key not in data:
        raise InputError(f"{at}.{key} is missing; is this a qpumon snapshot?")
    return data[key]


def _texts(value: Any, at: str) -> tuple[str, ...]:
    return tuple(v.text(item, f"{at}[{i}]") for i, item in enumerate(v.sequence(value, at)))


def _pairs(value: Any, at: str) -> tuple[tuple[int, int], ...]:
    return tuple(_pair(e, f"{at}[{i}]") for i, e in enumerate(v.sequence(value, at)))


def _pair(value: Any, at: str) -> tuple[int, int]:
    items = v.sequence(value, at)
    if len(items) != 2:
        raise InputError(f"{at}: a coupler joins two qubits, got {len(items)} values")
    return v.integer(items[0], f"{at}[0]"), v.integer(items[1], f"{at}[1]")


def _coords(value: Any, at: str) -> tuple[tuple[float, float], ...] | None:
    if value is None:
        return None
    points = []
    for i, point in enumerate(v.sequence(value, at)):
        items = v.sequence(point, f"{at}[{i}]")
        if len(items) != 2:
            raise InputError(f"{at}[{i}]: a point has two coordinates, got {len(items)}")
        points.append((v.number(items[0], f"{at}[{i}][0]"), v.number(items[1], f"{at}[{i}][1]")))
    return tuple(points)


def _flag(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{at}: expected true or false, got {type(value).__name__}")
    return value


def _status(value: Any, at: str) -> DeviceStatus | None:
    if value is None:
        return None
    value = v.mapping(value, at)
    pending = value.get("pending_jobs")
    return DeviceStatus(
        operational=_flag(_required(value, "operational", at), f"{at}.operational"),
        message=v.text(value.get("message", ""), f"{at}.message"),
        pending_jobs=None
        if pending is None
        else int(v.at_least(v.integer(pending, f"{at}.pending_jobs"), 0, f"{at}.pending_jobs")),
    )


def _layer_fidelity(value: Any, at: str) -> LayerFidelity:
    value = v.mapping(value, at)
    fidelity = v.number(_required(value, "fidelity", at), f"{at}.fidelity")
    return LayerFidelity(
        num_qubits=v.integer(_required(value, "num_qubits", at), f"{at}.num_qubits"),
        fidelity=v.probability(fidelity, f"{at}.fidelity"),
        qubits=tuple(
            v.integer(q, f"{at}.qubits[{i}]")
            for i, q in enumerate(v.sequence(value.get("qubits", []), f"{at}.qubits"))
        ),
        measured_at=_opt_time(value.get("measured_at"), f"{at}.measured_at"),
    )


def _device_value(value: Any, at: str) -> DeviceValue:
    value = v.mapping(value, at)
    uncertainty = _opt_number(value.get("uncertainty"), f"{at}.uncertainty")
    return DeviceValue(
        key=v.text(_required(value, "key", at), f"{at}.key"),
        value=v.number(_required(value, "value", at), f"{at}.value"),
        definition=_opt_text(value.get("definition"), f"{at}.definition"),
        uncertainty=None
        if uncertainty is None
        else v.at_least(uncertainty, 0, f"{at}.uncertainty"),
        measured_at=_opt_time(value.get("measured_at"), f"{at}.measured_at"),
    )


def _qubit_to_dict(qubit: QubitCalibration) -> dict[str, Any]:
    out: dict[str, Any] = {"index": qubit.index}
    for name in QUBIT_FIELDS:
        out[name] = qubit.value(name)
    out["measured_at"] = {name: _iso(when) for name, when in qubit.measured_at.items()}
    if not qubit.operational:  # written only when out of service: older documents stay valid
        out["operational"] = False
    return out


def _qubit(data: Any, where: str) -> QubitCalibration:
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
        index=v.integer(_required(data, "index", where), f"{where}.index"),
        measured_at=dates,
        operational=_flag(data.get("operational", True), f"{where}.operational"),
        **values,
    )


def _gate(data: Any, where: str) -> GateCalibration:
    data = v.mapping(data, where)
    error = _opt_number(data.get("error"), f"{where}.error")
    length = _opt_number(data.get("length_ns"), f"{where}.length_ns")
    uncertainty = _opt_number(data.get("uncertainty"), f"{where}.uncertainty")
    qubits = v.sequence(_required(data, "qubits", where), f"{where}.qubits")
    return GateCalibration(
        gate=v.text(_required(data, "gate", where), f"{where}.gate"),
        qubits=tuple(v.integer(q, f"{where}.qubits[{i}]") for i, q in enumerate(qubits)),
        error=None if error is None else v.probability(error, f"{where}.error"),
        length_ns=None if length is None else v.at_least(length, 0.0, f"{where}.length_ns"),
        measured_at=_opt_time(data.get("measured_at"), f"{where}.measured_at"),
        definition=v.text(data.get("definition", AVERAGE), f"{where}.definition"),
        uncertainty=None
        if uncertainty is None
        else v.at_least(uncertainty, 0.0, f"{where}.uncertainty"),
        operational=_flag(data.get("operational", True), f"{where}.operational"),
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _opt_number(value: Any, where: str) -> float | None:
    return None if value is None else v.number(value, where)


def _opt_text(value: Any, where: str) -> str | None:
    return None if value is None else v.text(value, where)


def _opt_time(value: Any, where: str) -> datetime | None:
    return None if value is None else v.timestamp(value, where)
