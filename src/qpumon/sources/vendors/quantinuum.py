"""Quantinuum's H-series machines as pytket-quantinuum describes them offline:
``quantinuum:h1-1``, ``quantinuum:h2-1``, ``quantinuum:h2-2``.

Read through pytket-quantinuum's public API: ``QuantinuumAPIOffline().get_machine_list()``
returns the machine list the package ships (its ``OFFLINE_MACHINE_LIST``). Each machine gives
device-level values only, with their standard uncertainties (``*_unc``), and all-to-all
connectivity (``"connectivity": "all-to-all"``); there are no per-qubit or per-gate values.

What the numbers mean (Quantinuum's "Performance Validation" and "Error Measurements" pages of
the H-series user guide, https://docs.quantinuum.com/systems/user_guide/hardware_user_guide/):

- ``1q_gate_error.p1`` and ``2q_gate_error.p2``: the randomized-benchmarking error per gate,
  "translating the RB decay curve to a per-Clifford average infidelity" (the 2q one scaled to
  the native entangler), leakage included: average gate infidelities (``AVERAGE``).
- ``spam_error.p_meas_0`` and ``p_meas_1``: the state preparation and measurement error of
  |0⟩ and of |1⟩. The device's SPAM error is their mean (``SPAM``), its uncertainty
  √(u0² + u1²)/2; both are kept in ``configuration["spam_error"]``.
- ``memory_error.memory_error``: the idling error of a qubit per depth-1 circuit time
  (``OTHER``: neither a gate infidelity nor a readout error).
- ``crosstalk_error.p_crosstalk_meas``: the error a measurement or reset causes on unmeasured
  qubits in the trap (``OTHER``).
- ``benchmarks.qv``: the quantum volume, with its own date.

``noise_specs.date`` is the date the error values were measured (``calibrated_at``, UTC midnight:
the list gives a day, not a time).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...errors import InputError
from ...model import ALL_TO_ALL, DeviceSnapshot, DeviceValue
from ...model.consistency import check_snapshot
from ...model.definitions import AVERAGE, OTHER, SPAM
from ...util.times import document_time
from .registry import VENDORS, import_vendor

VENDOR = VENDORS["quantinuum"]
#: Device value key -> (noise_specs section, value field, uncertainty field, definition).
ERRORS = {
    "1q_error": ("1q_gate_error", "p1", "p1_unc", AVERAGE),
    "2q_error": ("2q_gate_error", "p2", "p2_unc", AVERAGE),
    "memory_error": ("memory_error", "memory_error", "memory_error_unc", OTHER),
    "crosstalk_error": ("crosstalk_error", "p_crosstalk_meas", "p_crosstalk_meas_unc", OTHER),
}


def machines(what: str = "") -> list[Mapping[str, Any]]:
    """The machine list pytket-quantinuum ships (hardware only, not emulators or checkers)."""
    quantinuum = import_vendor("pytket.extensions.quantinuum", VENDOR, what or "quantinuum devices")
    listed = quantinuum.QuantinuumAPIOffline().get_machine_list()
    return [m for m in listed if m.get("system_type", "hardware") == "hardware" and m.get("name")]


def device_names(what: str = "") -> list[str]:
    """The machines' names in lower case (``h2-1``), sorted."""
    return sorted(str(m["name"]).lower() for m in machines(what))


def load(device: str) -> DeviceSnapshot:
    """The snapshot of machine ``device`` (``h2-1``, any case)."""
    name = f"quantinuum:{device.lower()}"
    machine = next(m for m in machines(name) if str(m["name"]).lower() == device.lower())
    specs: Mapping[str, Any] = machine.get("noise_specs") or {}
    when = _date(specs.get("date"), f"{name}: noise_specs.date")
    values = [v for v in (_error(specs, key, when) for key in ERRORS) if v is not None]
    spam = _spam(specs.get("spam_error") or {}, when)
    if spam is not None:
        values.append(spam)
    qv = _quantum_volume(machine, name)
    if qv is not None:
        values.append(qv)
    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=int(machine["n_qubits"]),
        source=name,
        vendor="quantinuum",
        processor_family=_family(str(machine["name"])),
        basis_gates=tuple(str(g) for g in machine.get("gateset", ())),
        connectivity=ALL_TO_ALL,
        calibrated_at=when,
        device_values=tuple(values),
        configuration=_configuration(machine, qv),
    )
    return check_snapshot(snapshot, name)


def _family(machine: str) -> str | None:
    """``System Model H2`` for ``H2-1`` (the machine's generation)."""
    generation = machine.split("-")[0]
    return f"System Model {generation}" if generation[:1] == "H" else None


def _date(value: Any, where: str) -> datetime | None:
    return None if value is None else document_time(value, where)


def _error(specs: Mapping[str, Any], key: str, when: datetime | None) -> DeviceValue | None:
    section, field, unc, definition = ERRORS[key]
    found = specs.get(section) or {}
    if found.get(field) is None:
        return None
    uncertainty = found.get(unc)
    return DeviceValue(
        key,
        float(found[field]),
        definition,
        None if uncertainty is None else float(uncertainty),
        when,
    )


def _spam(spam: Mapping[str, Any], when: datetime | None) -> DeviceValue | None:
    """The SPAM error: the mean of the |0⟩ and |1⟩ errors, uncertainties combined."""
    p0, p1 = spam.get("p_meas_0"), spam.get("p_meas_1")
    if p0 is None or p1 is None:
        return None
    u0, u1 = spam.get("p_meas_0_unc"), spam.get("p_meas_1_unc")
    uncertainty = None if u0 is None or u1 is None else math.hypot(u0, u1) / 2
    return DeviceValue("spam_error", (float(p0) + float(p1)) / 2, SPAM, uncertainty, when)


def _quantum_volume(machine: Mapping[str, Any], name: str) -> DeviceValue | None:
    qv = (machine.get("benchmarks") or {}).get("qv") or {}
    if qv.get("value") is None:
        return None
    if not isinstance(qv["value"], int | float) or qv["value"] <= 0:
        raise InputError(f"{name}: benchmarks.qv.value {qv['value']!r} is not a quantum volume")
    measured = _date(qv.get("date"), f"{name}: benchmarks.qv.date")
    return DeviceValue("quantum_volume", float(qv["value"]), None, None, measured)


def _configuration(machine: Mapping[str, Any], qv: DeviceValue | None) -> dict[str, Any]:
    specs = machine.get("noise_specs") or {}
    configuration: dict[str, Any] = {
        "machine": machine["name"],
        "emulator": machine.get("emulator"),
        "syntax_checker": machine.get("syntax_checker"),
        "n_gate_zones": machine.get("n_gate_zones"),
        "spam_error": dict(specs.get("spam_error") or {}),
        "noise_specs_source": "pytket-quantinuum offline machine list",
    }
    if qv is not None:
        configuration["quantum_volume"] = int(qv.value)
        configuration["quantum_volume_log2"] = round(math.log2(qv.value), 3)
    return {k: v for k, v in configuration.items() if v is not None}
