"""The monitor's table of computational resonators: one row per gate between a qubit and a
resonator (IQM Deneb's ``CZ`` and ``MOVE`` between each qubit and ``CR1``).

A resonator is a component, not a qubit (:class:`~qpumon.model.Resonator`): it has no row in the
qubit table and no coupler in the gate table, so its gates, and its own T1 and T2, are shown
here. Each error is shown as the source defines it, beside its average gate infidelity
(:func:`~qpumon.model.definitions.gate_to_average`: for IQM, the depolarizing parameter after
thermal relaxation of both components over the gate's duration).
"""

from __future__ import annotations

from ..model import DeviceSnapshot, GateCalibration
from ..model.definitions import DEFINITIONS, gate_to_average
from ..model.metrics import GATE_ERROR, GATE_LENGTH, MISSING, format_number
from .summary_text import bounded
from .tables import DETAIL, ESSENTIAL, USEFUL, Cell, Column, Table


def resonator_table(snapshot: DeviceSnapshot) -> Table | None:
    """One row per gate of each of ``snapshot``'s resonators (in the source's order): the two
    components it joins (``QB1–CR1``), the gate, its error as the source defines it, that error
    as an average gate infidelity, and its length; notes give each resonator's T1 and T2 and say
    what the errors mean. None for a device without resonators."""
    if not snapshot.resonators:
        return None
    columns = (
        Column("components", "Components", numeric=False, priority=ESSENTIAL),
        Column("gate", "Gate", numeric=False, priority=ESSENTIAL),
        Column("error", GATE_ERROR.header, priority=ESSENTIAL),
        Column("definition", "Definition", numeric=False, priority=DETAIL),
        Column("error_avg", "Avg error", priority=USEFUL),
        Column("length_ns", GATE_LENGTH.header, priority=USEFUL),
    )
    rows = []
    definitions: dict[str, None] = {}
    notes = []
    for resonator in snapshot.resonators:
        for gate in resonator.gates:
            definitions[gate.definition] = None
            rows.append(
                (
                    Cell(_components(snapshot, gate), gate.qubits),
                    Cell(gate.gate.upper(), gate.gate),
                    _cell(GATE_ERROR.format(gate.error), gate.error),
                    Cell(DEFINITIONS[gate.definition].label, gate.definition)
                    if gate.definition in DEFINITIONS
                    else Cell(gate.definition, gate.definition),
                    _average_cell(snapshot, gate),
                    _cell(GATE_LENGTH.format(gate.length_ns), gate.length_ns),
                )
            )
        times = ", ".join(
            f"{label} {MISSING if value is None else format_number(value, 4) + ' µs'}"
            for label, value in (("T1", resonator.t1_us), ("T2", resonator.t2_us))
        )
        notes.append(
            f"{resonator.name} is a computational resonator, not a qubit ({times}); qubits "
            "reach it only through these gates."
        )
    meanings = [
        f"{DEFINITIONS[d].label} = {DEFINITIONS[d].description}"
        if d in DEFINITIONS
        else f"{d!r} as the source says"
        for d in definitions
    ]
    notes.append(
        "Error: as the source defines it ("
        + "; ".join(meanings)
        + "). Avg error: the average gate infidelity it converts to, with relaxation over the "
        "gate's duration where T1, T2 and the length are known; ≥ marks a lower bound, ≤ an "
        "upper estimate."
    )
    return Table("Computational resonators", columns, tuple(rows), tuple(notes))


def _components(snapshot: DeviceSnapshot, gate: GateCalibration) -> str:
    n, names = snapshot.num_qubits, snapshot.qubit_names
    shown = []
    for q in gate.qubits:
        if q >= n:
            shown.append(snapshot.resonators[q - n].name)
        else:
            shown.append(names[q] if q < len(names) else f"Q{q}")
    return "–".join(shown)


def _cell(text: str, value: float | None) -> Cell:
    return Cell(text, value, "missing" if value is None else None)


def _average_cell(snapshot: DeviceSnapshot, gate: GateCalibration) -> Cell:
    converted = gate_to_average(snapshot, gate)
    if converted is None:
        return Cell(MISSING, None, "missing")
    return Cell(
        bounded(converted.value, converted.bound),
        converted.value,
        "mark" if converted.bound else None,
    )
