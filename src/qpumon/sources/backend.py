"""Any Qiskit ``BackendV2`` object: IBM's ``IBMBackend``, ``FakeBackendV2``, ``GenericBackendV2``,
Aer's simulators, other providers.

IBM backends (and their fakes) also offer ``properties()`` and ``configuration()``, which carry what
the ``Target`` drops (anharmonicity, P(0|1), P(1|0), readout length, every value's date, layer
fidelities); when they exist they are used, through the same parser as IBM's JSON, and the target
(which costs as much again to build) is not touched. Other backends are read from ``backend.target``
and its ``qubit_properties``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import DeviceSnapshot, DeviceStatus, GateCalibration, QubitCalibration
from ..model import validate as v
from .files import read_ibm_files
from .ibm_json import snapshot_from_ibm

# Target operations that are not gates with a calibration of their own.
_NOT_GATES = frozenset(
    {
        "measure",
        "delay",
        "reset",
        "barrier",
        "if_else",
        "for_loop",
        "switch_case",
        "while_loop",
        "box",
        "store",
    }
)


def snapshot_from_backend(backend: Any) -> DeviceSnapshot:
    """The snapshot of a Qiskit ``BackendV2`` (or anything with its ``target`` interface)."""
    name = str(getattr(backend, "name", None) or type(backend).__name__)
    source = f"backend:{type(backend).__name__}"
    status = backend_status(backend)
    files = fake_backend_files(backend)
    if files is not None:
        conf_path, props_path = files
        return read_ibm_files(conf_path, props_path, source=source, name=name, status=status)
    props = _call(backend, "properties")
    conf = _call(backend, "configuration")
    conf_dict = _to_dict(conf)
    if props is not None and hasattr(props, "gates") and conf_dict is not None:
        return snapshot_from_ibm(
            conf_dict,
            _properties_dict(props),
            source=source,
            name=name,
            status=status,
            conf_where=f"{name}.configuration()",
            props_where=f"{name}.properties()",
        )
    if conf_dict is not None and not hasattr(backend, "target"):
        return snapshot_from_ibm(
            conf_dict,
            None,
            source=source,
            name=name,
            status=status,
            conf_where=f"{name}.configuration()",
        )
    return _from_target(backend, name, source, status)


def backend_status(backend: Any) -> DeviceStatus | None:
    """What ``backend.status()`` says, if the backend has that method."""
    status = _call(backend, "status")
    if status is None:
        return None
    pending = getattr(status, "pending_jobs", None)
    return DeviceStatus(
        operational=bool(getattr(status, "operational", False)),
        message=str(getattr(status, "status_msg", "") or ""),
        pending_jobs=None if pending is None else int(pending),
    )


def fake_backend_files(backend: Any) -> tuple[Path, Path | None] | None:
    """The data files of a qiskit-ibm-runtime ``FakeBackendV2``, from its documented attributes
    ``dirname``, ``conf_filename`` and ``props_filename``; None for any other backend.

    Reading them is what the fake does itself, and ten times faster than ``properties()``, which
    re-parses every date with dateutil (as long as building the whole target). A fake refreshed
    with ``refresh(persist=False)`` keeps its new data out of ``dirname``; such a fake is read
    from ``dirname`` too, which shows the installed snapshot.
    """
    folder = getattr(backend, "dirname", None)
    names = [getattr(backend, key, None) for key in ("conf_filename", "props_filename")]
    if not isinstance(folder, str) or not isinstance(names[0], str) or not names[0]:
        return None
    conf = Path(folder) / names[0]
    props = Path(folder) / names[1] if isinstance(names[1], str) and names[1] else None
    if not conf.is_file():
        return None
    return conf, props if props is not None and props.is_file() else None


def _call(backend: Any, method: str) -> Any:
    function = getattr(backend, method, None)
    if not callable(function):
        return None
    try:
        return function()
    except NotImplementedError:
        return None


def _to_dict(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return dict(obj)
    to_dict = getattr(obj, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else None


def _nduv(item: Any) -> dict[str, Any]:
    return {"date": item.date, "name": item.name, "unit": item.unit, "value": item.value}


def _properties_dict(props: Any) -> dict[str, Any]:
    """IBM's properties layout from a ``BackendProperties`` object, without its slow deep copy."""
    return {
        "backend_name": props.backend_name,
        "backend_version": props.backend_version,
        "last_update_date": props.last_update_date,
        "qubits": [[_nduv(item) for item in qubit] for qubit in props.qubits],
        "gates": [
            {
                "gate": g.gate,
                "qubits": list(g.qubits),
                "parameters": [_nduv(p) for p in g.parameters],
            }
            for g in props.gates
        ],
        "general": [_nduv(item) for item in (props.general or [])],
        "general_qlists": getattr(props, "general_qlists", None),
    }


def _from_target(
    backend: Any, name: str, source: str, status: DeviceStatus | None
) -> DeviceSnapshot:
    target = getattr(backend, "target", None)
    if target is None:
        raise InputError(f"{name}: the backend has neither a target nor properties()")
    num_qubits = int(target.num_qubits or 0)
    dt = getattr(target, "dt", None)
    gates = _target_gates(target, name)
    qubits = _target_qubits(target, num_qubits, name)
    basis = tuple(op for op in target.operation_names if op not in _NOT_GATES)
    edges = tuple(
        dict.fromkeys(
            tuple(qargs)
            for op in basis
            for qargs in (target.qargs_for_operation_name(op) or ())
            if qargs is not None and len(qargs) == 2
        )
    )
    return DeviceSnapshot(
        name=name,
        num_qubits=num_qubits,
        source=source,
        backend_version=str(getattr(backend, "backend_version", "") or "") or None,
        basis_gates=basis,
        coupling_edges=edges,
        dt_ns=None if dt is None else float(dt) * 1e9,
        status=status,
        qubits=qubits if any(_has_values(q) for q in qubits) or gates else (),
        gates=gates,
        unit_labels={"t1_us": "s", "t2_us": "s", "frequency_ghz": "Hz"},
    )


def _target_gates(target: Any, name: str) -> tuple[GateCalibration, ...]:
    """Every calibrated gate of ``target``; values are checked inline (a large target has a
    million entries) and an entry that fails is checked again to name what is wrong."""
    gates = []
    for op in target.operation_names:
        if op in _NOT_GATES:
            continue
        for qargs, props in target[op].items():
            if qargs is None or props is None:
                continue
            error, duration = props.error, props.duration
            if error is None and duration is None:
                continue
            if not (_plain_probability(error) and _plain_duration(duration)):
                error, duration = _checked(error, duration, f"{name}.target[{op!r}][{qargs}]")
            gates.append(
                GateCalibration(
                    op,
                    tuple(qargs),
                    None if error is None else float(error),
                    None if duration is None else float(duration) * 1e9,
                )
            )
    return tuple(gates)


def _plain_probability(value: Any) -> bool:
    return value is None or (value.__class__ is float and 0.0 <= value <= 1.0)


def _plain_duration(value: Any) -> bool:
    return value is None or (value.__class__ is float and 0.0 <= value < 1e6)


def _checked(error: Any, duration: Any, where: str) -> tuple[float | None, float | None]:
    """``(error, duration)`` checked one by one, naming ``where`` on failure."""
    if error is not None:
        error = v.probability(v.number(error, f"{where}.error"), f"{where}.error")
    if duration is not None:
        duration = v.at_least(v.number(duration, f"{where}.duration"), 0.0, f"{where}.duration")
    return error, duration


def _target_qubits(target: Any, num_qubits: int, name: str) -> tuple[QubitCalibration, ...]:
    properties = target.qubit_properties or [None] * num_qubits
    measure = target["measure"] if "measure" in target.operation_names else {}
    qubits = []
    for index in range(num_qubits):
        qp = properties[index] if index < len(properties) else None
        where = f"{name}.target.qubit_properties[{index}]"
        readout = measure.get((index,)) if measure else None
        qubits.append(
            QubitCalibration(
                index=index,
                t1_us=_scaled(getattr(qp, "t1", None), 1e6, f"{where}.t1"),
                t2_us=_scaled(getattr(qp, "t2", None), 1e6, f"{where}.t2"),
                frequency_ghz=_scaled(getattr(qp, "frequency", None), 1e-9, f"{where}.frequency"),
                readout_error=None
                if readout is None or readout.error is None
                else v.probability(
                    v.number(readout.error, f"{name}.target['measure'][({index},)].error"),
                    f"{name}.target['measure'][({index},)].error",
                ),
                readout_length_ns=None
                if readout is None or readout.duration is None
                else float(readout.duration) * 1e9,
            )
        )
    return tuple(qubits)


def _scaled(value: Any, factor: float, where: str) -> float | None:
    if value is None:
        return None
    return v.at_least(v.number(value, where), 0.0, where) * factor


def _has_values(qubit: QubitCalibration) -> bool:
    return any(qubit.value(f) is not None for f in ("t1_us", "t2_us", "readout_error"))
