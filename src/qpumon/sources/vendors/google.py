"""Google's processors whose median calibrations ship in cirq-google: ``google:rainbow``,
``google:weber`` and ``google:willow_pink``.

Everything is read through cirq-google's public API: ``cirq_google.engine.list_virtual_processors``
names the processors, ``load_median_device_calibration(name)`` gives the calibration (metric name
-> {qubits: [value]}, ``timestamp`` in ms since the epoch), and the processor's device
specification, the text proto ``cirq_google/devices/specifications/<MOST_RECENT_TEMPLATES[name]>``
parsed into ``cirq_google.api.v2.device_pb2.DeviceSpecification``, gives the qubits, couplers,
native gates and gate durations (``gate_duration_picos``).

What the numbers mean (Cirq's calibration metrics, https://quantumai.google/cirq/google/calibration;
``cirq.SuperconductingQubitsNoiseProperties.readout_errors`` reads p00/p11 as
``[P(read 1 | prepared 0), P(read 0 | prepared 1)]``):

- ``single_qubit_idle_t1_micros``: T1 in µs. Google publishes no T2 and no frequency here.
- ``single_qubit_p00_error``, ``single_qubit_p11_error``: P(1|0) and P(0|1) of isolated readout;
  the readout error is their mean (the assignment error). The ``parallel_*`` readout and the
  separation errors are not shown.
- ``single_qubit_rb_average_error_per_gate``: the average error per gate from randomized
  benchmarking (``AVERAGE``); where only ``single_qubit_rb_pauli_error_per_gate`` is given
  (willow_pink), that Pauli error (``PAULI``). Shown on ``phased_xz``, the microwave gate the
  benchmarked Cliffords are made of.
- ``two_qubit_<gate>_gate_xeb_pauli_error_per_cycle``: the cross-entropy benchmarking Pauli error
  per cycle (``XEB_CYCLE``) of ``syc``, ``sqrt_iswap`` or ``cz``, measured on isolated pairs where
  given, else (``two_qubit_parallel_<gate>_...``) with all pairs of a layer at once;
  ``configuration["two_qubit_benchmark"]`` says which. XEB's average-type and incoherent
  variants and the entangler angle errors are not shown.

Gate durations are the specification's, on every gate of that kind; the measurement's
(``meas``) is kept in ``configuration["gate_durations_ns"]`` only, not as a per-qubit readout
length: it is a device-wide specification, and rainbow's and weber's give 4 ms, a thousand times
the 4 µs Cirq's own noise models assume for them (``DEFAULT_GATE_NS``).

Qubits are ordered by (row, column) of their grid names (``5_6``), drawn at (column, row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...model import DeviceSnapshot, GateCalibration, QubitCalibration
from ...model.consistency import check_snapshot
from ...model.definitions import AVERAGE, PAULI, XEB_CYCLE
from .registry import VENDORS, import_vendor, vendor_folder

VENDOR = VENDORS["google"]
#: The per-qubit single-qubit error metrics, by preference, and their definitions.
ONE_QUBIT_METRICS = (
    ("single_qubit_rb_average_error_per_gate", AVERAGE),
    ("single_qubit_rb_pauli_error_per_gate", PAULI),
)
#: The two-qubit gates whose XEB errors Cirq's calibrations carry (metric infix -> gate name).
TWO_QUBIT_GATES = {"sycamore": "syc", "sqrt_iswap": "sqrt_iswap", "cz": "cz"}
#: The native single-qubit gate the 1q error is shown on.
ONE_QUBIT_GATE = "phased_xz"

Metrics = Mapping[str, Mapping[tuple[Any, ...], Sequence[float]]]


def device_names(what: str = "") -> list[str]:
    """The processors cirq-google ships a median calibration for, sorted (``what``: the name
    the message names if cirq-google is missing)."""
    engine = import_vendor("cirq_google.engine", VENDOR, what or "google devices")
    return sorted(str(name) for name in engine.list_virtual_processors())


def load(device: str) -> DeviceSnapshot:
    """The snapshot of processor ``device`` (``weber``) from its median calibration."""
    name = f"google:{device}"
    engine = import_vendor("cirq_google.engine", VENDOR, name)
    calibration = engine.load_median_device_calibration(device)
    spec = _specification(device, name)
    when = datetime.fromtimestamp(calibration.timestamp / 1000, tz=timezone.utc)
    metrics: Metrics = {key: calibration[key] for key in calibration}
    names = _qubit_names(spec, metrics)
    index = {qubit: i for i, qubit in enumerate(names)}
    durations = _durations(spec)
    gates, benchmark = _gates(metrics, index, durations, when)
    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=len(names),
        source=name,
        vendor="google",
        basis_gates=tuple(durations),
        coupling_edges=_edges(spec, index),
        coords=tuple((float(c), float(r)) for r, c in (_grid(q) for q in names)),
        calibrated_at=when,
        qubits=_qubits(names, metrics, when),
        gates=gates,
        qubit_names=tuple(names),
        configuration={
            "processor_id": device,
            "calibration": "median calibration shipped with cirq-google",
            "device_specification": _template(device),
            "gate_durations_ns": {k: v for k, v in durations.items() if v is not None},
            "two_qubit_benchmark": benchmark,
        },
    )
    return check_snapshot(snapshot, name)


def _template(device: str) -> str:
    factory = import_vendor("cirq_google.engine.virtual_engine_factory", VENDOR, f"google:{device}")
    return str(factory.MOST_RECENT_TEMPLATES[device])


def _specification(device: str, name: str) -> Any:
    """The processor's DeviceSpecification proto, parsed from the file cirq-google ships."""
    v2 = import_vendor("cirq_google.api.v2", VENDOR, name)
    text_format = import_vendor("google.protobuf.text_format", VENDOR, name)
    folder = Path(vendor_folder("cirq_google", VENDOR, name)) / "devices" / "specifications"
    text = (folder / _template(device)).read_text(encoding="utf-8")
    return text_format.Parse(text, v2.device_pb2.DeviceSpecification())


def _grid(name: str) -> tuple[int, int]:
    row, col = name.split("_")
    return int(row), int(col)


def _qubit_key(qubit: Any) -> str:
    return f"{qubit.row}_{qubit.col}"


def _qubit_names(spec: Any, metrics: Metrics) -> list[str]:
    """The device's qubits (the specification's and any the calibration adds), by (row, col)."""
    names = set(spec.valid_qubits)
    for values in metrics.values():
        for qubits in values:
            names.update(_qubit_key(q) for q in qubits)
    return sorted(names, key=_grid)


def _durations(spec: Any) -> dict[str, float | None]:
    """Native gate name -> its duration in ns (None where the specification gives none)."""
    out: dict[str, float | None] = {}
    for gate in spec.valid_gates:
        picos = gate.gate_duration_picos
        out[gate.WhichOneof("gate")] = picos / 1000 if picos else None
    return out


def _edges(spec: Any, index: Mapping[str, int]) -> tuple[tuple[int, int], ...]:
    edges: list[tuple[int, int]] = []
    for targets in spec.valid_targets:
        for target in targets.targets:
            if len(target.ids) == 2:
                edges.append((index[target.ids[0]], index[target.ids[1]]))
    return tuple(sorted(set(edges)))


def _per_qubit(metrics: Metrics, metric: str) -> dict[str, float]:
    return {_qubit_key(k[0]): float(v[0]) for k, v in metrics.get(metric, {}).items() if v}


def _qubits(names: Sequence[str], metrics: Metrics, when: datetime) -> tuple[QubitCalibration, ...]:
    t1 = _per_qubit(metrics, "single_qubit_idle_t1_micros")
    p10 = _per_qubit(metrics, "single_qubit_p00_error")  # P(1|0)
    p01 = _per_qubit(metrics, "single_qubit_p11_error")  # P(0|1)
    return tuple(_qubit(i, t1.get(q), p10.get(q), p01.get(q), when) for i, q in enumerate(names))


def _qubit(
    index: int,
    t1: float | None,
    p10: float | None,
    p01: float | None,
    when: datetime,
) -> QubitCalibration:
    readout = (p10 + p01) / 2 if p10 is not None and p01 is not None else None
    values = {
        "t1_us": t1,
        "readout_error": readout,
        "prob_meas0_prep1": p01,
        "prob_meas1_prep0": p10,
    }
    present = {k: v for k, v in values.items() if v is not None}
    return QubitCalibration(
        index=index,
        t1_us=t1,
        readout_error=readout,
        prob_meas0_prep1=p01,
        prob_meas1_prep0=p10,
        measured_at=dict.fromkeys(present, when),
    )


def _gates(
    metrics: Metrics,
    index: Mapping[str, int],
    durations: Mapping[str, float | None],
    when: datetime,
) -> tuple[tuple[GateCalibration, ...], dict[str, str]]:
    gates: list[GateCalibration] = []
    metric, definition = next(
        ((m, d) for m, d in ONE_QUBIT_METRICS if m in metrics), ONE_QUBIT_METRICS[0]
    )
    for name, error in sorted(_per_qubit(metrics, metric).items(), key=lambda kv: index[kv[0]]):
        gates.append(
            GateCalibration(
                ONE_QUBIT_GATE,
                (index[name],),
                error,
                durations.get(ONE_QUBIT_GATE),
                when,
                definition,
            )
        )
    benchmark: dict[str, str] = {}
    for infix, gate in TWO_QUBIT_GATES.items():
        found = _two_qubit_metric(metrics, infix)
        if found is None:
            continue
        metric, benchmark[gate] = found
        for key, values in sorted(
            metrics[metric].items(), key=lambda kv: tuple(index[_qubit_key(q)] for q in kv[0])
        ):
            qubits = tuple(index[_qubit_key(q)] for q in key)
            gates.append(
                GateCalibration(
                    gate, qubits, float(values[0]), durations.get(gate), when, XEB_CYCLE
                )
            )
    return tuple(gates), benchmark


def _two_qubit_metric(metrics: Metrics, infix: str) -> tuple[str, str] | None:
    """The XEB Pauli-error metric of gate ``infix``: isolated pairs first, else parallel."""
    for kind, metric in (
        ("isolated", f"two_qubit_{infix}_gate_xeb_pauli_error_per_cycle"),
        ("parallel", f"two_qubit_parallel_{infix}_gate_xeb_pauli_error_per_cycle"),
    ):
        if metrics.get(metric):
            return metric, kind
    return None
