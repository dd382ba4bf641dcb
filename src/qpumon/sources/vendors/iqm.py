"""IQM's processors as iqm-client's fake backends describe them: ``iqm:adonis``, ``iqm:apollo``,
``iqm:aphrodite``, ``iqm:deneb``, ``iqm:garnet``.

Where the numbers are: each fake backend is a function in
``iqm/qiskit_iqm/fake_backends/fake_<name>.py`` that builds an ``IQMErrorProfile`` (T1/T2,
gate errors and durations, readout errors) and a ``StaticQuantumArchitecture`` (qubits,
couplers). The numbers are in the profile, not in the Qiskit ``Target`` the backend builds.
Importing that code needs ``iqm-client[qiskit]``, which pins ``qiskit<2.2`` and would downgrade
qpumon's Qiskit, so qpumon reads the shipped files instead: located with
``importlib.util.find_spec("iqm.qiskit_iqm")`` (only the namespace package ``iqm`` is imported)
and parsed with :mod:`ast`, taking the literal keyword arguments of the ``IQMErrorProfile(...)``
and ``StaticQuantumArchitecture(...)`` calls. That is also how ``iqm:garnet`` is reached:
``IQMFakeGarnet`` is not exported by ``iqm.qiskit_iqm.fake_backends``; its file builds its own
error profile on ``IQMFakeApollo``'s architecture, which is read from ``fake_apollo.py``.

What the numbers mean (the ``IQMErrorProfile`` docstring):

- ``t1s``, ``t2s``: T1 and T2 in ns (shown in µs).
- ``single_qubit_gate_depolarizing_error_parameters`` (``prx``) and
  ``two_qubit_gate_depolarizing_error_parameters`` (``cz``, ``move``, per ordered pair): the
  parameter of a depolarizing channel that, "concatenated with a thermal relaxation channel,
  leads to average gate fidelities that would be determined by benchmarking". The parameter is
  Qiskit Aer's ``depolarizing_error`` λ, so its definition is ``DEPOLARIZING``: a comparison
  converts it to ``λ · (d − 1)/d``, a lower bound on the modelled average gate error.
- ``*_gate_durations``: gate durations in ns.
- ``readout_errors[q]["0"]`` = P(1|0) and ``["1"]`` = P(0|1); the readout (assignment) error is
  their mean.

The numbers are the vendor's sample data, not dated measurements (profiles named
``sample-chip``; Apollo's file calls its numbers ballpark figures; Deneb's are uniform), so every
snapshot has provenance :data:`~qpumon.model.VENDOR_SAMPLE` and no calibration date.

Deneb's computational resonator ``CR1`` is a component, not a qubit: Deneb is a 6-qubit device
whose qubits couple only through CR1. It is a :class:`~qpumon.model.Resonator` of the snapshot,
holding its T1/T2 and the CZ and MOVE gates between it and each qubit (in which it takes the
index after the qubits); the snapshot's qubits, gates and couplers are the qubits' only.
``configuration["computational_resonators"]`` names it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...model import VENDOR_SAMPLE, DeviceSnapshot, GateCalibration, QubitCalibration, Resonator
from ...model.consistency import check_snapshot
from ...model.definitions import DEPOLARIZING
from .registry import VENDORS, vendor_folder

VENDOR = VENDORS["iqm"]
PROFILE, ARCHITECTURE = "IQMErrorProfile", "StaticQuantumArchitecture"
#: Gates that move a state between a qubit and a computational resonator: listed with the
#: device's gates, but not basis gates (they do not entangle; summaries of the native
#: entangler must not count Deneb's MOVE, whose error parameter is 0).
RESONATOR_GATES = frozenset({"move"})
SAMPLE_NOTE = (
    "vendor sample data: the error profile of iqm-client's fake backend {backend}, numbers for "
    "simulation rather than a dated measurement"
)


def folder(what: str = "iqm devices") -> Path:
    """The folder of iqm-client's fake backends."""
    return Path(vendor_folder("iqm.qiskit_iqm", VENDOR, what)) / "fake_backends"


def device_names(what: str = "") -> list[str]:
    """The fake backends iqm-client ships (``garnet`` for ``fake_garnet.py``), sorted."""
    return sorted(
        p.stem.removeprefix("fake_") for p in folder(what or "iqm devices").glob("fake_*.py")
    )


def load(device: str) -> DeviceSnapshot:
    """The snapshot of fake backend ``device`` (``garnet``)."""
    name = f"iqm:{device}"
    where = folder(name)
    module = _parse(where / f"fake_{device}.py")
    profile = _literal_call(module, PROFILE, name)
    architecture, arch_file = _architecture(module, where, f"fake_{device}")
    resonators = [str(r) for r in architecture.get("computational_resonators") or ()]
    names, present = _components(profile, architecture, resonators)
    index = {c: i for i, c in enumerate([*names, *present])}
    gates = _gates(profile, index)
    on_qubits = tuple(g for g in gates if max(g.qubits) < len(names))
    backend = f"IQMFake{device.capitalize()}"
    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=len(names),
        source=name,
        vendor="iqm",
        basis_gates=(*(g for g in _gate_names(profile) if g not in RESONATOR_GATES), "measure"),
        coupling_edges=tuple(
            e for e in _edges(profile, architecture, index) if max(e) < len(names)
        ),
        qubits=tuple(_qubit(index[c], c, profile) for c in names),
        gates=on_qubits,
        qubit_names=tuple(names),
        provenance=VENDOR_SAMPLE,
        resonators=tuple(_resonator(r, index[r], gates, profile) for r in present),
        configuration={
            "fake_backend": backend,
            "error_profile": profile.get("name"),
            "architecture": arch_file,
            "dut_label": architecture.get("dut_label"),
            "computational_resonators": resonators,
            "resonator_gates": [g for g in _gate_names(profile) if g in RESONATOR_GATES],
            "sample_data": SAMPLE_NOTE.format(backend=backend),
            "gate_error": "the depolarizing parameter of IQM's noise model (qpumon.sources."
            "vendors.iqm says more)",
        },
    )
    return check_snapshot(snapshot, name)


def _parse(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError) as exc:
        raise InputError(f"{path}: cannot read IQM's fake backend ({exc})") from exc


def _calls(module: ast.Module, function: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == function
    ]


def _literal_call(module: ast.Module, function: str, where: str) -> dict[str, Any]:
    """The keyword arguments of the call to ``function`` that are literals (others are left
    out: the qubit list of some architectures is a comprehension)."""
    calls = _calls(module, function)
    if not calls:
        raise InputError(f"{where}: no {function}(...) in IQM's fake backend")
    found: dict[str, Any] = {}
    for keyword in calls[0].keywords:
        if keyword.arg is None:
            continue
        try:
            found[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            continue
    return found


def _architecture(module: ast.Module, where: Path, stem: str) -> tuple[dict[str, Any], str]:
    """The architecture's literal arguments, from this file or the fake backend it builds on."""
    if _calls(module, ARCHITECTURE):
        return _literal_call(module, ARCHITECTURE, stem), stem
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(module)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    for call in ast.walk(module):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id.startswith("IQMFake")
            and call.func.id in imported
        ):
            base = str(imported[call.func.id]).rsplit(".", 1)[-1]
            base_module = _parse(where / f"{base}.py")
            if _calls(base_module, ARCHITECTURE):
                return _literal_call(base_module, ARCHITECTURE, base), base
    return {}, stem


def component_order(name: str) -> tuple[str, int]:
    """The sort key of an IQM component name: QB1, QB2 ... QB10 in natural order (the live
    source orders qubits the same way)."""
    return _natural(name)


def _natural(name: str) -> tuple[str, int]:
    found = re.match(r"^(\D*)(\d+)$", name)
    return (found.group(1), int(found.group(2))) if found else (name, 0)


def _components(
    profile: Mapping[str, Any], architecture: Mapping[str, Any], resonators: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Qubit names in natural order (QB1, QB2 ... QB10), and the computational resonators the
    profile or architecture uses."""
    names: set[str] = set(profile.get("t1s", {})) | set(profile.get("readout_errors", {}))
    for per_gate in profile.get("two_qubit_gate_depolarizing_error_parameters", {}).values():
        for pair in per_gate:
            names.update(pair)
    for pair in architecture.get("connectivity") or ():
        names.update(pair)
    names.update(architecture.get("qubits") or ())
    qubits = sorted((n for n in names if n not in resonators), key=_natural)
    return qubits, [r for r in resonators if r in names]


def _gate_names(profile: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            [
                *profile.get("single_qubit_gate_depolarizing_error_parameters", {}),
                *profile.get("two_qubit_gate_depolarizing_error_parameters", {}),
            ]
        )
    )


def _edges(
    profile: Mapping[str, Any], architecture: Mapping[str, Any], index: Mapping[str, int]
) -> tuple[tuple[int, int], ...]:
    pairs = list(architecture.get("connectivity") or ())
    if not pairs:
        for per_gate in profile.get("two_qubit_gate_depolarizing_error_parameters", {}).values():
            pairs.extend(per_gate)
    edges = {(index[a], index[b]) for a, b in pairs}
    return tuple(sorted(edges))


def _qubit(i: int, component: str, profile: Mapping[str, Any]) -> QubitCalibration:
    t1 = profile.get("t1s", {}).get(component)
    t2 = profile.get("t2s", {}).get(component)
    readout = profile.get("readout_errors", {}).get(component) or {}
    p10, p01 = readout.get("0"), readout.get("1")  # P(1|0), P(0|1)
    return QubitCalibration(
        index=i,
        t1_us=None if t1 is None else float(t1) / 1000,
        t2_us=None if t2 is None else float(t2) / 1000,
        readout_error=None if p10 is None or p01 is None else (float(p10) + float(p01)) / 2,
        prob_meas0_prep1=None if p01 is None else float(p01),
        prob_meas1_prep0=None if p10 is None else float(p10),
    )


def _resonator(
    name: str, at: int, gates: Sequence[GateCalibration], profile: Mapping[str, Any]
) -> Resonator:
    """Resonator ``name`` (component index ``at``): its gates and relaxation times."""
    t1, t2 = profile.get("t1s", {}).get(name), profile.get("t2s", {}).get(name)
    return Resonator(
        name,
        tuple(g for g in gates if at in g.qubits),
        None if t1 is None else float(t1) / 1000,
        None if t2 is None else float(t2) / 1000,
    )


def _gates(profile: Mapping[str, Any], index: Mapping[str, int]) -> tuple[GateCalibration, ...]:
    gates: list[GateCalibration] = []
    durations = profile.get("single_qubit_gate_durations", {})
    for gate, errors in profile.get("single_qubit_gate_depolarizing_error_parameters", {}).items():
        for qubit, error in sorted(errors.items(), key=lambda kv: index[kv[0]]):
            gates.append(_gate(gate, (index[qubit],), error, durations.get(gate)))
    durations = profile.get("two_qubit_gate_durations", {})
    for gate, errors in profile.get("two_qubit_gate_depolarizing_error_parameters", {}).items():
        for (a, b), error in sorted(
            errors.items(), key=lambda kv: (index[kv[0][0]], index[kv[0][1]])
        ):
            gates.append(_gate(gate, (index[a], index[b]), error, durations.get(gate)))
    return tuple(gates)


def _gate(gate: str, qubits: tuple[int, ...], error: Any, length: Any) -> GateCalibration:
    return GateCalibration(
        gate,
        qubits,
        float(error),
        None if length is None else float(length),
        None,
        DEPOLARIZING,
    )
