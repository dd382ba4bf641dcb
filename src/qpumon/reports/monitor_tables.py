"""The monitor's two tables: one row per qubit, one row per coupler and gate.

The qubit table has a column per per-qubit value and per single-qubit gate error that the data
has; a column with no value on any qubit is left out and named in a note, and so is a virtual
gate (error 0 everywhere). A gate-error column equal to another on every qubit (Heron's ID, RX
and X errors repeat SX's) is kept but marked as a duplicate, so it is the first to give way on a
narrow terminal. The gate table merges a coupler's two directions when they carry the same values.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..model import (
    FAILED,
    OUT_OF_SERVICE,
    DeviceSnapshot,
    DeviceValue,
    GateCalibration,
    QubitCalibration,
)
from ..model.definitions import AVERAGE, DEFINITIONS
from ..model.metrics import (
    DEVICE_METRICS,
    GATE_ERROR,
    GATE_LENGTH,
    MISSING,
    QUBIT_METRICS,
    Metric,
    all_qubit_metrics,
    format_number,
    qubit_values,
)
from ..model.vocabulary import coupler_text
from ..util.words import count
from .tables import DETAIL, DUPLICATE, ESSENTIAL, MINOR, USEFUL, Cell, Column, Flag, Table

#: Qubit metrics that stay on a narrow terminal (with the device's reference 1q gate error).
_ESSENTIAL_QUBIT_METRICS = frozenset({"t1_us", "t2_us", "readout_error"})
_LESS_USEFUL = {"readout_length_ns": MINOR, "anharmonicity_ghz": DETAIL}
FLAGS_NOTE = (
    "Flags: OFF = taken out of service by the vendor (IBM's operational = 0; left out of medians "
    "and layouts, with every gate on the qubit); FAILED = IBM's error = 1 flag (a failed "
    "benchmark, not a measurement; left out of medians); RO>=0.5 = readout no better than "
    "chance; T2>2T1 = physically odd T2."
)
DIRECTIONS_NOTE = (
    "Qubits a-b: both directions listed with the same values; a->b: that direction only, or the "
    "two directions differ."
)


@dataclass(frozen=True)
class QubitColumns:
    """The per-qubit metrics shown (in column order, with their values in qubit order) and the
    labels of those left out."""

    shown: tuple[tuple[Metric, tuple[float | None, ...]], ...]
    omitted: tuple[str, ...]


def qubit_columns(snapshot: DeviceSnapshot) -> QubitColumns:
    """Each metric with at least one value; virtual gates (error 0 on every qubit) left out."""
    shown, omitted = [], []
    for metric in all_qubit_metrics(snapshot):
        values = tuple(qubit_values(snapshot, metric))
        present = [v for v in values if v is not None]
        if not present:
            omitted.append(metric.label)
        elif metric.gate is not None and not any(present):
            omitted.append(f"{metric.label} (0 everywhere: a virtual gate)")
        else:
            shown.append((metric, values))
    return QubitColumns(tuple(shown), tuple(omitted))


def qubit_table(
    snapshot: DeviceSnapshot,
    columns: QubitColumns,
    selected: Sequence[tuple[int, QubitCalibration]],
    reference_gate: str | None,
) -> Table:
    """One row per selected ``(position, qubit)``: every shown value, then the qubit's flags."""
    failed: dict[int, list[str]] = {}
    for gate in snapshot.failed_gates:
        if len(gate.qubits) == 1:
            failed.setdefault(gate.qubits[0], []).append(gate.gate)
    header = (
        Column("qubit", "Qubit", priority=ESSENTIAL),
        *_metric_columns(columns, reference_gate),
        Column("flags", "Flags", numeric=False, priority=ESSENTIAL, wrap=True),
    )
    # Built column by column: a large device has 100,000 cells, and a column knows its flag rule.
    names = [Cell(snapshot.qubit_name(q.index), q.index) for _, q in selected]
    values = [_column_cells(m, found, selected) for m, found in columns.shown]
    flags = [_flags_cell(q, failed.get(q.index, [])) for _, q in selected]
    rows = tuple(zip(names, *values, flags, strict=True))
    notes = []
    if columns.omitted:
        notes.append("Not in the data for any qubit: " + ", ".join(columns.omitted) + ".")
    notes += placeholders_note(snapshot)
    notes.append(FLAGS_NOTE)
    one_qubit = [g for g in snapshot.gates if len(g.qubits) == 1]
    notes += definitions_note(one_qubit)
    return Table("Qubits", header, rows, tuple(notes))


def placeholders_note(snapshot: DeviceSnapshot) -> list[str]:
    """A note naming the values that were the source's placeholder for "not measured" (IBM's
    anharmonicity of 0), shown missing and left out of medians."""
    parts = [
        f"{QUBIT_METRICS[name].label} of {count(len(qubits), 'qubit')}"
        for name, qubits in snapshot.placeholders.items()
        if qubits
    ]
    if not parts:
        return []
    return [
        f"Placeholders, not measurements: {', '.join(parts)} "
        "(IBM writes 0 where it has no value); shown as —, left out of medians."
    ]


def definitions_note(gates: Sequence[GateCalibration]) -> list[str]:
    """A note naming the gates whose errors are not average gate infidelities (IQM's
    depolarizing parameters, Google's Pauli errors), and what they are."""
    by_definition: dict[str, dict[str, None]] = {}
    for gate in gates:
        if gate.definition not in (None, AVERAGE):
            by_definition.setdefault(gate.definition, {})[gate.gate.upper()] = None
    parts = [
        f"{', '.join(names)} errors are {_description(definition)}"
        for definition, names in by_definition.items()
    ]
    return [f"Not average gate infidelities: {'; '.join(parts)}."] if parts else []


def _description(definition: str | None) -> str:
    found = DEFINITIONS.get(definition or "")
    return f"{definition!r}, as the source defines it" if found is None else found.description


def device_value_table(snapshot: DeviceSnapshot) -> Table:
    """The values given for the whole device, with what each error means and its stated
    uncertainty."""
    columns = (
        Column("quantity", "Quantity", numeric=False, priority=ESSENTIAL),
        Column("value", "Value", priority=ESSENTIAL),
        Column("uncertainty", "±", priority=USEFUL),
        Column("definition", "Definition", numeric=False, priority=USEFUL, wrap=True),
        Column("measured", "Measured", numeric=False, priority=DETAIL),
    )
    rows = tuple(_device_row(value) for value in snapshot.device_values)
    return Table("Device values", columns, rows, ("± is the uncertainty the source states.",))


def _device_row(value: DeviceValue) -> tuple[Cell, ...]:
    metric = DEVICE_METRICS[value.key]
    if value.key == "quantum_volume" and value.value.is_integer():
        text = f"{int(value.value):,}"
    else:
        text = metric.format(value.value)
    found = DEFINITIONS.get(value.definition or "")
    when = value.measured_at
    return (
        Cell(metric.header, value.key),
        Cell(text, value.value),
        _metric_cell(metric, value.uncertainty, None),
        Cell(MISSING, None, "missing") if found is None else Cell(found.name, value.definition),
        Cell(MISSING, None, "missing") if when is None else Cell(when.strftime("%Y-%m-%d"), when),
    )


def _metric_columns(columns: QubitColumns, reference_gate: str | None) -> list[Column]:
    out: list[Column] = []
    first_of: dict[tuple[float | None, ...], str] = {}
    reference = next((m for m, _ in columns.shown if m.gate == reference_gate), None)
    if reference is not None:  # the reference gate is the one the others are said to equal
        first_of[dict(columns.shown)[reference]] = reference.header
    for metric, values in columns.shown:
        same_as = first_of.get(values) if metric.gate is not None else None
        if metric.gate is not None and same_as is None:
            first_of[values] = metric.header
        if same_as == metric.header:
            same_as = None
        out.append(
            Column(
                metric.key,
                metric.header,
                priority=DUPLICATE if same_as else _priority(metric, reference_gate),
                same_as=same_as,
            )
        )
    return out


def _priority(metric: Metric, reference_gate: str | None) -> int:
    if metric.key in _ESSENTIAL_QUBIT_METRICS or (
        metric.gate is not None and metric.gate == reference_gate
    ):
        return ESSENTIAL
    if metric.key == "frequency_ghz":
        return USEFUL
    return _LESS_USEFUL.get(metric.key, DETAIL)


def _metric_cell(metric: Metric, value: float | None, flag: Flag | None) -> Cell:
    if value is None:
        return Cell(MISSING, None, "missing")
    return Cell(metric.format(value), value, flag)


_MISSING_CELL = Cell(MISSING, None, "missing")


def _column_cells(
    metric: Metric,
    values: Sequence[float | None],
    selected: Sequence[tuple[int, QubitCalibration]],
) -> list[Cell]:
    """The cells of one metric's column, flagged as :func:`_qubit_flag` says."""
    digits, cells = metric.digits, []
    for i, q in selected:
        value = values[i]
        if value is None:
            cells.append(_MISSING_CELL)
        else:
            cells.append(Cell(format_number(value, digits), value, _qubit_flag(q, metric, value)))
    return cells


def _qubit_flag(q: QubitCalibration, metric: Metric, value: float) -> Flag | None:
    if metric.gate is not None:
        return "failed" if value == 1.0 else None
    if metric.key == "readout_error" and q.readout_unreliable:
        return "suspect"
    if metric.key == "t2_us" and q.t2_exceeds_twice_t1:
        return "suspect"
    return None


def _flags_cell(q: QubitCalibration, failed: list[str]) -> Cell:
    if not q.operational:
        return Cell("OFF", "OFF", "off")
    flags = []
    if failed:
        flags.append("FAILED " + ",".join(failed))
    if q.readout_unreliable:
        flags.append("RO>=0.5")
    if q.t2_exceeds_twice_t1:
        flags.append("T2>2T1")
    text = " ".join(flags)
    return Cell(text, text or None, "failed" if failed else ("suspect" if flags else None))


#: The most rows the gate table shows (the worst ones) before ``--all-gates``: an IBM device has
#: a few hundred; an all-to-all simulator of 1,000 qubits half a million.
MAX_GATE_ROWS = 1000


def gate_table(
    snapshot: DeviceSnapshot,
    gates: Sequence[GateCalibration],
    limit: int | None = MAX_GATE_ROWS,
) -> Table:
    """One row per entry of :func:`couplers` of ``gates`` (in :func:`entry_order`); past
    ``limit`` gates, only the ``limit`` worst (failed first, then by error), with a note."""
    chosen = list(gates)
    stated = any(g.uncertainty is not None for g in chosen)  # Braket's standard errors
    columns = (
        Column("gate", "Gate", numeric=False, priority=ESSENTIAL),
        Column("qubits", "Qubits", numeric=False, priority=ESSENTIAL),
        Column("error", GATE_ERROR.header, priority=ESSENTIAL),
        *((Column("uncertainty", "±", priority=DETAIL),) if stated else ()),
        Column("length_ns", GATE_LENGTH.header, priority=USEFUL),
        Column("measured", "Measured", numeric=False, priority=DETAIL),
        Column("flags", "Flags", numeric=False, priority=ESSENTIAL, wrap=True),
    )
    notes = [DIRECTIONS_NOTE]
    if limit is not None and len(chosen) > limit:
        chosen = heapq.nlargest(limit, chosen, key=_badness)
        notes.insert(
            0,
            f"{len(gates):,} gate entries; the {limit:,} worst are shown (failed first, then "
            "by error). --all-gates shows every one; -f csv and -f json hold every value.",
        )
    shown = sorted(couplers(snapshot, chosen), key=entry_order(snapshot))
    rows = []
    dates: dict[datetime | None, Cell] = {None: Cell(MISSING, None, "missing")}
    for gate, merged in shown:
        flag = _gate_flag(snapshot, gate)
        when = gate.measured_at
        if when not in dates:
            dates[when] = Cell(when.strftime("%Y-%m-%d"), when)  # type: ignore[union-attr]
        rows.append(
            (
                Cell(gate.gate, gate.gate),
                Cell(coupler_text(gate.qubits, directed=not merged), gate.qubits),
                _metric_cell(GATE_ERROR, gate.error, flag),
                *((_metric_cell(GATE_ERROR, gate.uncertainty, None),) if stated else ()),
                _metric_cell(GATE_LENGTH, gate.length_ns, None),
                dates[when],
                Cell(_FLAG_WORDS.get(flag, ""), _FLAG_WORDS.get(flag), flag),
            )
        )
    notes += definitions_note(chosen)
    return Table("Multi-qubit gates", columns, tuple(rows), tuple(notes))


#: How a flagged gate's Flags cell reads.
_FLAG_WORDS: dict[Flag | None, str] = {"off": "OFF", "failed": "FAILED"}


def _gate_flag(snapshot: DeviceSnapshot, gate: GateCalibration) -> Flag | None:
    """``off`` for a gate out of service (or on a qubit that is), ``failed`` for IBM's flag."""
    if snapshot.out_of_service(gate):
        return "off"
    return "failed" if gate.failed else None


def gate_flag_word(snapshot: DeviceSnapshot, gate: GateCalibration) -> str:
    """The flag a gate's values carry in CSV and JSON records: ``out_of_service``, ``failed``
    or empty."""
    if snapshot.out_of_service(gate):
        return OUT_OF_SERVICE
    return FAILED if gate.failed else ""


def couplers(
    snapshot: DeviceSnapshot, gates: Sequence[GateCalibration]
) -> list[tuple[GateCalibration, bool]]:
    """Each gate, and whether it stands for both directions of its coupler: a pair's two
    directions are merged (into the one from the lower qubit) when their values agree."""
    index = snapshot.gate_index
    out, merged = [], set()
    for gate in gates:
        key = (gate.gate, gate.qubits)
        if key in merged:
            continue
        reverse = index.get((gate.gate, gate.qubits[::-1])) if gate.arity == 2 else None
        if reverse is None or (reverse.error, reverse.length_ns) != (gate.error, gate.length_ns):
            out.append((gate, False))
            continue
        merged.add((gate.gate, reverse.qubits))
        out.append((gate if gate.qubits[0] < gate.qubits[1] else reverse, True))
    return out


def entry_order(
    snapshot: DeviceSnapshot,
) -> Callable[[tuple[GateCalibration, bool]], tuple[int, str, int, int, tuple[int, ...]]]:
    """The sort key of gate entries: native entanglers first (in basis order), then by gate
    name, then by the coupler's qubits."""
    rank = {name: i for i, name in enumerate(snapshot.two_qubit_basis_gates)}
    last = len(rank)

    def key(entry: tuple[GateCalibration, bool]) -> tuple[int, str, int, int, tuple[int, ...]]:
        gate = entry[0]
        qubits = gate.qubits
        return rank.get(gate.gate, last), gate.gate, min(qubits), max(qubits), qubits

    return key


def _badness(gate: GateCalibration) -> tuple[bool, float]:
    return gate.failed or not gate.operational, -1.0 if gate.error is None else gate.error
