"""``ibm-csv``: a monitor's snapshot as the CSV IBM Quantum's platform gives under "Download
calibrations" today (the 2026 Heron and Nighthawk columns, :data:`~qpumon.sources.ibm_csv.
CURRENT_COLUMNS`), which ``qpumon import`` and ``qpumon monitor FILE.csv`` read back to the same
values.

As IBM writes it: one row per qubit, every field quoted, LF line ends, no final newline; two-qubit
cells list the row's qubit's couplers by their other qubit (``1:0.0015;10:0.0013``). A column
appears when the device has its values (RX on Heron, RZZ where listed, frequency and
anharmonicity where measured, as in IBM's 2024-25 files of Eagle devices). Numbers are written
with every digit (integers without a decimal point, as IBM does). Errors are average gate
infidelities, as IBM's are: another vendor's are converted where a formula does so exactly
(Pauli), else left empty. A failed value is written ``1`` (IBM's flag until 2025; it has since
left such cells out, which would lose the flag); an anharmonicity placeholder is written ``0``,
as in IBM's JSON. Not carried: gate lengths other than the pulses' and the native entangler's
(``Gate length (ns)``), per-value dates, device-level values and the configuration.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from ...model import DeviceSnapshot, GateCalibration, QubitCalibration
from ...model.definitions import AVERAGE, gate_to_average
from ...sources.ibm_csv import CURRENT_GATE_HEADERS, PULSE_GATES, native_gate
from ..document import Report
from ..monitor import MonitorReport
from . import RenderOptions

#: A column: its header and how a qubit's cell is written.
Column = tuple[str, Callable[[int], str]]

_QUBIT_FIELDS = (
    ("T1 (us)", "t1_us"),
    ("T2 (us)", "t2_us"),
    ("Frequency (GHz)", "frequency_ghz"),
    ("Anharmonicity (GHz)", "anharmonicity_ghz"),
    ("Readout assignment error", "readout_error"),
    ("Prob meas0 prep1", "prob_meas0_prep1"),
    ("Prob meas1 prep0", "prob_meas1_prep0"),
    ("Readout length (ns)", "readout_length_ns"),
)
#: Fields IBM's current files always have a column for (empty where missing).
_ALWAYS = frozenset({"t1_us", "t2_us", "readout_error", "prob_meas0_prep1", "prob_meas1_prep0"})
_ONE_QUBIT_ORDER = ("id", "length", "rx", "rz", "sx", "x")
_LAST = ("measure", "measure_2")


def render(report: Report, options: RenderOptions) -> str:
    """The monitor's snapshot as IBM's calibration CSV."""
    assert isinstance(report, MonitorReport)
    return write_csv(report.snapshot)


def write_csv(snapshot: DeviceSnapshot) -> str:
    """``snapshot`` as IBM's calibration CSV text (see the module's description)."""
    columns = _columns(snapshot)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([header for header, _ in columns])
    writer.writerows([cell(q) for _, cell in columns] for q in range(snapshot.num_qubits))
    return out.getvalue().removesuffix("\n")


def number(value: float | None) -> str:
    """A value as IBM writes it: every digit, an integer without ``.0``, empty when missing."""
    if value is None:
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _columns(snapshot: DeviceSnapshot) -> list[Column]:
    qubits = {q.index: q for q in snapshot.qubits}
    columns: list[Column] = [("Qubit", str)]
    columns += _qubit_columns(snapshot, qubits)
    one = _one_qubit_gates(snapshot)
    two = _two_qubit_gates(snapshot)
    for gate in _ONE_QUBIT_ORDER:
        if gate == "length":
            columns += _pulse_length(one)
        elif gate in one:
            columns.append(_gate_column(snapshot, gate, one[gate]))
    columns += [_gate_column(snapshot, g, cells) for g, cells in one.items() if g not in _KNOWN_ONE]
    native = native_gate(list(two))
    for gate, pairs in two.items():
        columns.append(_coupler_column(_header(gate), pairs, lambda g: _average(snapshot, g)))
        if gate == native:
            columns.append(_coupler_column("Gate length (ns)", pairs, lambda g: g.length_ns))
    columns += [_gate_column(snapshot, g, one[g]) for g in _LAST if g in one]
    columns.append(("Operational", lambda q: "No" if _off(qubits.get(q)) else "Yes"))
    return columns


_KNOWN_ONE = frozenset(_ONE_QUBIT_ORDER) | frozenset(_LAST)


def _off(qubit: QubitCalibration | None) -> bool:
    return qubit is not None and not qubit.operational


def _qubit_columns(snapshot: DeviceSnapshot, qubits: dict[int, QubitCalibration]) -> list[Column]:
    columns: list[Column] = []
    for header, name in _QUBIT_FIELDS:
        placeholder = frozenset(snapshot.placeholders.get(name, ()))
        if (
            name not in _ALWAYS
            and not placeholder
            and all(q.value(name) is None for q in snapshot.qubits)
        ):
            continue
        columns.append((header, _field_cell(qubits, name, placeholder)))
    return columns


def _field_cell(
    qubits: dict[int, QubitCalibration], name: str, placeholder: frozenset[int]
) -> Callable[[int], str]:
    def cell(index: int) -> str:
        if index in placeholder:
            return "0"
        qubit = qubits.get(index)
        return "" if qubit is None else number(qubit.value(name))

    return cell


def _one_qubit_gates(snapshot: DeviceSnapshot) -> dict[str, dict[int, GateCalibration]]:
    found: dict[str, dict[int, GateCalibration]] = {}
    for gate in snapshot.gates:
        if gate.arity == 1:
            found.setdefault(gate.gate, {})[gate.qubits[0]] = gate
    return {
        name: gates
        for name, gates in found.items()
        if any(g.error is not None for g in gates.values())
    }


def _two_qubit_gates(
    snapshot: DeviceSnapshot,
) -> dict[str, dict[int, list[GateCalibration]]]:
    """Two-qubit gate -> the row's qubit -> its gates from that qubit; native entanglers
    first, then the others (RZZ) in the snapshot's order."""
    found: dict[str, dict[int, list[GateCalibration]]] = {}
    for gate in snapshot.gates:
        if gate.arity == 2:
            found.setdefault(gate.gate, {}).setdefault(gate.qubits[0], []).append(gate)
    first = [g for g in snapshot.native_entanglers if g in found]
    return {g: found[g] for g in [*first, *(g for g in found if g not in first)]}


def _header(gate: str) -> str:
    return CURRENT_GATE_HEADERS.get(gate, f"{gate.upper()} error")


def _gate_column(snapshot: DeviceSnapshot, gate: str, gates: dict[int, GateCalibration]) -> Column:
    def cell(index: int) -> str:
        found = gates.get(index)
        return "" if found is None else number(_average(snapshot, found))

    return (_header(gate), cell)


def _average(snapshot: DeviceSnapshot, gate: GateCalibration) -> float | None:
    """The gate's error as IBM's columns mean it, an average gate infidelity: another vendor's
    definition converted where a formula does so exactly (Pauli), else missing (a bound or no
    formula: the column would claim what the value is not)."""
    if gate.definition == AVERAGE or gate.error is None:
        return gate.error
    converted = gate_to_average(snapshot, gate)
    return converted.value if converted is not None and converted.bound is None else None


def _pulse_length(one: dict[str, dict[int, GateCalibration]]) -> list[Column]:
    """``Single-qubit gate length (ns)``: the length of the row's first pulse gate that has
    one (IBM's pulses share one length)."""
    pulses = [one[g] for g in PULSE_GATES if g in one]
    if not any(g.length_ns is not None for gates in pulses for g in gates.values()):
        return []

    def cell(index: int) -> str:
        lengths = [gates[index].length_ns for gates in pulses if index in gates]
        return number(next((x for x in lengths if x is not None), None))

    return [("Single-qubit gate length (ns)", cell)]


def _coupler_column(
    header: str,
    pairs: dict[int, list[GateCalibration]],
    value: Callable[[GateCalibration], float | None],
) -> Column:
    def cell(index: int) -> str:
        entries: Sequence[GateCalibration] = pairs.get(index, ())
        return ";".join(
            f"{g.qubits[1]}:{number(value(g))}" for g in entries if value(g) is not None
        )

    return (header, cell)
