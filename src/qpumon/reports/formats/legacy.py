"""``legacy``: the text layout of Qiskit's removed ``backend_monitor`` / ``backend_overview``.

Byte for byte what those functions printed (see shared/LEGACY.md), except that the configuration
lists the fixed eight keys and then the rest sorted with long values abbreviated (the original's
order changed from run to run), a status the source does not know is printed as ``Unknown``, and a
device without calibration says so instead of crashing.
"""

from __future__ import annotations

from typing import Any

from ...model import DeviceSnapshot, QubitCalibration
from ...model.units import CANONICAL_LABEL, Dimension, same_unit
from ...util.printable import printable
from ..configuration import MAX_VALUE_LENGTH, configuration_items, value_text
from ..document import Report
from ..monitor import MonitorReport
from ..overview import OverviewReport
from . import RenderOptions

SEP = " / "
OFFSET = "    "
UNKNOWN = "Unknown"
_FIXED = (
    "n_qubits",
    "operational",
    "status_msg",
    "pending_jobs",
    "backend_version",
    "basis_gates",
    "local",
    "simulator",
)
_STATUS_KEYS = ("operational", "status_msg", "pending_jobs")


def render(report: Report, options: RenderOptions) -> str:
    """The old text of ``backend_monitor`` (a monitor report) or ``backend_overview``."""
    if isinstance(report, MonitorReport):
        return printable_lines(monitor(report))
    assert isinstance(report, OverviewReport)
    return printable_lines(overview(report))


def printable_lines(text: str) -> str:
    """``text`` with control characters escaped in every line (the line breaks kept)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def monitor(report: MonitorReport) -> str:
    """The old ``backend_monitor`` text."""
    s = report.snapshot
    lines = [s.name, "=" * len(s.name), "Configuration", "-" * 13]
    lines += [f"{OFFSET}{key}: {value}" for key, value in _configuration(s)]
    if s.simulator:
        return "\n".join(lines) + "\n"
    if not s.has_calibration:
        return "\n".join([*lines, "", f"{s.name} has no calibration data."]) + "\n"
    lines += [""] + _qubit_section(s) + [""] + _multi_qubit_section(s)
    return "\n".join(lines) + "\n"


def _configuration(s: DeviceSnapshot) -> list[tuple[str, Any]]:
    items = configuration_items(s, MAX_VALUE_LENGTH)
    status = s.status
    known: dict[str, Any] = {
        "operational": status.operational if status else UNKNOWN,
        "status_msg": status.message if status else UNKNOWN,
        "pending_jobs": (
            status.pending_jobs if status and status.pending_jobs is not None else UNKNOWN
        ),
    }
    fixed = [(k, known[k] if k in known else items.get(k, UNKNOWN)) for k in _FIXED]
    rest = sorted(k for k in items if k not in _FIXED and k != "gates")
    return fixed + [(k, value_text(items[k])) for k in rest]


def _label(s: DeviceSnapshot, field: str, dimension: Dimension) -> str:
    written = s.unit_labels.get(field)
    return (
        written
        if written is not None and same_unit(written, dimension)
        else (CANONICAL_LABEL[dimension])
    )


def _with_unit(value: float | None, label: str) -> str:
    return UNKNOWN if value is None else f"{value:.5f} {label}"


def _qubit_section(s: DeviceSnapshot) -> list[str]:
    gates = list(
        dict.fromkeys(
            g.gate for g in s.gates if g.qubits == (0,) and g.gate != "id" and g.error is not None
        )
    )
    header = (
        "Qubits [Name / Freq / T1 / T2"
        + SEP.join(["", *(f"{g.upper()} err" for g in gates)])
        + " / Readout err]"
    )
    labels = (
        _label(s, "frequency_ghz", "frequency_ghz"),
        _label(s, "t1_us", "time_us"),
        _label(s, "t2_us", "time_us"),
    )
    return [header, "-" * len(header)] + [
        OFFSET + _qubit_row(s, q, gates, labels) for q in s.qubits
    ]


def _qubit_row(
    s: DeviceSnapshot, q: QubitCalibration, gates: list[str], labels: tuple[str, str, str]
) -> str:
    errors = []
    for name in gates:
        gate = s.gate(name, (q.index,))
        errors.append(UNKNOWN if gate is None or gate.error is None else f"{gate.error:.5f}")
    return SEP.join(
        [
            f"Q{q.index}",
            _with_unit(q.frequency_ghz, labels[0]),
            _with_unit(q.t1_us, labels[1]),
            _with_unit(q.t2_us, labels[2]),
            *errors,
            _with_unit(q.readout_error, ""),
        ]
    )


def _multi_qubit_section(s: DeviceSnapshot) -> list[str]:
    header = "Multi-Qubit Gates [Name / Type / Gate Error]"
    lines = [header, "-" * len(header)]
    for gate in s.gates:
        if gate.arity < 2:
            continue
        name = f"{gate.gate}{gate.qubits[0]}_{gate.qubits[1]}"
        error = UNKNOWN if gate.error is None else f"{gate.error:.5f}"
        lines.append(OFFSET + SEP.join([name, gate.gate, error]))
    return lines


def overview(report: OverviewReport) -> str:
    """The old ``backend_overview`` cards, three per row."""
    out: list[str] = []
    summaries = report.summaries
    for start in range(0, len(summaries), 3):
        rows = [""] * 8
        width = 0
        for idx, s in enumerate(summaries[start : start + 3]):
            offset = " " * 10 if idx else ""
            for k, text in enumerate(_card(s, report.least_busy)):
                rows[k] += " " * (width - len(rows[k])) + offset + text
            width = max(len(r) for r in rows)
        out += rows + ["", "", ""]
    return "\n".join(out) + "\n"


def _card(s: Any, least_busy: str | None) -> list[str]:
    status = s.status
    pending = UNKNOWN if status is None or status.pending_jobs is None else status.pending_jobs
    return [
        s.name,
        "-" * len(s.name),
        f"Num. Qubits:  {s.num_qubits}",
        f"Pending Jobs: {pending}",
        f"Least busy:   {s.name == least_busy}",
        f"Operational:  {status.operational if status else UNKNOWN}",
        f"Avg. T1:      {UNKNOWN if s.mean_t1_us is None else round(s.mean_t1_us, 1)}",
        f"Avg. T2:      {UNKNOWN if s.mean_t2_us is None else round(s.mean_t2_us, 1)}",
    ]
