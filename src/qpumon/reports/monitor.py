"""The monitor report of one device: header, summary, configuration, qubit and gate tables.

:func:`build_monitor` turns a snapshot into a :class:`MonitorReport` (plain data); the formats in
:mod:`qpumon.reports.formats` only draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..metrics import (
    GATE_ERROR,
    GATE_LENGTH,
    MISSING,
    Metric,
    all_qubit_metrics,
    qubit_metric,
    qubit_values,
    value_getter,
)
from ..model import DeviceSnapshot, GateCalibration, QubitCalibration
from ..summary import DeviceSummary, entries_on_couplers, summarize
from ..times import format_age, format_time
from .configuration import configuration_lines
from .tables import Cell, Column, Flag, Table
from .text import parse_qubit_ranges


@dataclass(frozen=True)
class MonitorOptions:
    """What the monitor report shows.

    ``qubits`` (``0-9,12``) limits the qubit table to those qubits and the gate table to the
    couplers touching them. ``sort`` orders qubits worst first by a metric (lowest T1, highest
    error); ``worst`` keeps that many (sorted by ``sort``, or by readout error if none is given).
    """

    qubits: str | None = None
    sort: str | None = None
    worst: int | None = None
    all_config: bool = False
    include_flagged: bool = False


@dataclass(frozen=True)
class MonitorReport:
    """Everything the monitor shows, ready to draw."""

    snapshot: DeviceSnapshot
    summary: DeviceSummary
    now: datetime
    header: tuple[tuple[str, str], ...]
    summary_lines: tuple[tuple[str, str], ...]
    configuration: tuple[tuple[str, str], ...]
    qubits: Table | None
    gates: Table | None
    notes: tuple[str, ...] = field(default=())


def build_monitor(
    snapshot: DeviceSnapshot, options: MonitorOptions | None = None, now: datetime | None = None
) -> MonitorReport:
    """The monitor report of ``snapshot`` (``now`` fixes the clock for calibration ages)."""
    options = options or MonitorOptions()
    now = now or datetime.now(timezone.utc)
    summary = summarize(snapshot, include_flagged=options.include_flagged)
    has_qubits = bool(snapshot.qubits)
    multi = [g for g in snapshot.gates if len(g.qubits) >= 2]
    if options.qubits:  # the couplers touching the chosen qubits
        chosen = set(parse_qubit_ranges(options.qubits, len(snapshot.qubits)))
        multi = [g for g in multi if chosen.intersection(g.qubits)]
    return MonitorReport(
        snapshot=snapshot,
        summary=summary,
        now=now,
        header=tuple(_header(snapshot, now)),
        summary_lines=tuple(summary_lines(summary)) if snapshot.has_calibration else (),
        configuration=tuple(configuration_lines(snapshot, everything=options.all_config)),
        qubits=qubit_table(snapshot, options) if has_qubits else None,
        gates=gate_table(snapshot, multi) if multi else None,
        notes=()
        if snapshot.has_calibration
        else (
            f"{snapshot.name} has no calibration data (a simulator, or a backend without "
            "noise information): only its configuration is shown.",
        ),
    )


def _header(snapshot: DeviceSnapshot, now: datetime) -> list[tuple[str, str]]:
    status = snapshot.status
    if status is None:
        state, pending = "unknown (not reported by this source)", MISSING
    else:
        state = "operational" if status.operational else "not operational"
        state += f" ({status.message})" if status.message else ""
        pending = MISSING if status.pending_jobs is None else str(status.pending_jobs)
    calibrated = format_time(snapshot.calibrated_at)
    if snapshot.calibrated_at is not None:
        calibrated += f" ({format_age(snapshot.calibrated_at, now)})"
    lines = [
        ("Device", snapshot.name),
        ("Processor", snapshot.processor or MISSING),
        ("Version", snapshot.backend_version or MISSING),
        ("Qubits", str(snapshot.num_qubits)),
        ("Status", state),
        ("Pending jobs", pending),
        ("Calibrated", calibrated),
    ]
    oldest, newest = _measured_range(snapshot)
    if oldest is not None and newest is not None:
        lines.append(
            (
                "Values measured",
                f"{format_time(oldest)} to {format_time(newest)} "
                f"(oldest {format_age(oldest, now)})",
            )
        )
    lines.append(("Source", snapshot.source))
    return lines


def _measured_range(snapshot: DeviceSnapshot) -> tuple[datetime | None, datetime | None]:
    dates = [d for q in snapshot.qubits for d in q.measured_at.values()]
    dates += [g.measured_at for g in snapshot.gates if g.measured_at is not None]
    return (min(dates), max(dates)) if dates else (None, None)


def summary_lines(summary: DeviceSummary) -> list[tuple[str, str]]:
    """The summary section: medians and counts of flagged values."""
    t1, t2 = qubit_metric("t1_us"), qubit_metric("t2_us")
    flagged_note = " (flagged gates included)" if summary.include_flagged else ""
    two_q = "/".join(g.upper() for g in summary.two_qubit_gates) or "2q"
    lines = [
        ("Median T1", _with_unit(t1, summary.median_t1_us)),
        ("Median T2", _with_unit(t2, summary.median_t2_us)),
        ("Median readout error", GATE_ERROR.format(summary.median_readout_error)),
        (
            f"Median {(summary.one_qubit_gate or '1q').upper()} error" + flagged_note,
            GATE_ERROR.format(summary.median_1q_error),
        ),
        (f"Median {two_q} error" + flagged_note, _two_qubit_median(summary)),
    ]
    if summary.eplg_100 is not None:
        lines.append(("EPLG (100-qubit layer)", GATE_ERROR.format(summary.eplg_100)))
    lines += [
        (
            "Failed gates (error = 1)",
            f"{summary.failed_gates} "
            f"({entries_on_couplers(summary.failed_2q_gates, summary.failed_2q_couplers, two_q)})",
        ),
        ("Readout error >= 0.5", _qubits(summary.unreliable_readouts)),
        ("T2 > 2·T1", _qubits(summary.t2_exceeds_twice_t1)),
    ]
    return lines


def _two_qubit_median(summary: DeviceSummary) -> str:
    text = GATE_ERROR.format(summary.median_2q_error)
    if summary.median_2q_error is None and summary.failed_2q_gates:
        text += " (every one is flagged error = 1: no measured value)"
    return text


def _qubits(count: int) -> str:
    return f"{count} qubit" if count == 1 else f"{count} qubits"


def _with_unit(metric: Metric, value: float | None) -> str:
    return MISSING if value is None else f"{metric.format(value)} {metric.unit}"


def qubit_table(snapshot: DeviceSnapshot, options: MonitorOptions) -> Table:
    """One row per qubit: every per-qubit value and each single-qubit gate's error."""
    shown, omitted = _shown_columns(snapshot)
    failed: dict[int, list[str]] = {}
    for gate in snapshot.failed_gates:
        if len(gate.qubits) == 1:
            failed.setdefault(gate.qubits[0], []).append(gate.gate)
    columns = (
        Column("qubit", "Qubit"),
        *(Column(m.key, m.header) for m, _ in shown),
        Column("flags", "Flags", numeric=False),
    )
    rows = tuple(
        (
            Cell(f"Q{q.index}", q.index),
            *(
                _metric_cell(m, values[position], _qubit_flag(q, m, values[position]))
                for m, values in shown
            ),
            _flags_cell(q, failed.get(q.index, [])),
        )
        for position, q in _selected_qubits(snapshot, options)
    )
    notes = []
    if omitted:
        notes.append("Not in the data for any qubit: " + ", ".join(omitted) + ".")
    notes.append(
        "Flags: FAILED = IBM's error = 1 flag (a failed benchmark, not a measurement; "
        "left out of medians); RO>=0.5 = readout no better than chance; T2>2T1 = "
        "physically odd T2."
    )
    return Table("Qubits", columns, rows, tuple(notes))


Column_values = list[tuple[Metric, list[float | None]]]


def _shown_columns(snapshot: DeviceSnapshot) -> tuple[Column_values, list[str]]:
    """Each metric with at least one value, with its values in qubit order; virtual gates
    (error 0 on every qubit) are left out."""
    shown, omitted = [], []
    for metric in all_qubit_metrics(snapshot):
        values = qubit_values(snapshot, metric)
        present = [v for v in values if v is not None]
        if not present:
            omitted.append(metric.label)
        elif metric.gate is not None and not any(present):
            omitted.append(f"{metric.label} (0 everywhere: a virtual gate)")
        else:
            shown.append((metric, values))
    return shown, omitted


def _selected_qubits(
    snapshot: DeviceSnapshot, options: MonitorOptions
) -> list[tuple[int, QubitCalibration]]:
    """The qubits to show, with their positions in ``snapshot.qubits``, in display order."""
    qubits = list(enumerate(snapshot.qubits))
    if options.qubits:
        wanted = set(parse_qubit_ranges(options.qubits, len(qubits)))
        qubits = [(i, q) for i, q in qubits if q.index in wanted]
    sort = options.sort or ("readout_error" if options.worst else None)
    if sort:
        metric = qubit_metric(sort, snapshot)
        get = value_getter(snapshot, metric)
        sign = -1.0 if metric.lower_is_better else 1.0
        # Worst first; missing values last.
        qubits.sort(key=lambda item: (get(item[1]) is None, sign * (get(item[1]) or 0.0)))
    if options.worst is not None:
        qubits = qubits[: max(options.worst, 0)]
    return qubits


def _metric_cell(metric: Metric, value: float | None, flag: Flag | None) -> Cell:
    if value is None:
        return Cell(MISSING, None, "missing")
    return Cell(metric.format(value), value, flag)


def _qubit_flag(q: QubitCalibration, metric: Metric, value: float | None) -> Flag | None:
    if metric.key == "readout_error" and q.readout_unreliable:
        return "suspect"
    if metric.key == "t2_us" and q.t2_exceeds_twice_t1:
        return "suspect"
    if metric.gate is not None and value == 1.0:
        return "failed"
    return None


def _flags_cell(q: QubitCalibration, failed: list[str]) -> Cell:
    flags = []
    if failed:
        flags.append("FAILED " + ",".join(failed))
    if q.readout_unreliable:
        flags.append("RO>=0.5")
    if q.t2_exceeds_twice_t1:
        flags.append("T2>2T1")
    text = " ".join(flags)
    return Cell(text, text or None, "failed" if failed else ("suspect" if flags else None))


def gate_table(snapshot: DeviceSnapshot, gates: list[GateCalibration]) -> Table:
    """One row per coupler and gate; both directions only where their values differ."""
    columns = (
        Column("gate", "Gate", numeric=False),
        Column("qubits", "Qubits", numeric=False),
        Column("error", GATE_ERROR.header),
        Column("length_ns", GATE_LENGTH.header),
        Column("measured", "Measured", numeric=False),
        Column("flags", "Flags", numeric=False),
    )
    rows = []
    dates: dict[datetime | None, Cell] = {None: Cell(MISSING, None)}  # few distinct dates
    for gate, qubits_text in _couplers(snapshot, gates):
        failed = gate.failed
        error_flag: Flag | None = "failed" if failed else None
        when = gate.measured_at
        if when not in dates:
            dates[when] = Cell(when.strftime("%Y-%m-%d"), when.isoformat())  # type: ignore[union-attr]
        rows.append(
            (
                Cell(gate.gate, gate.gate),
                Cell(qubits_text, list(gate.qubits)),
                _metric_cell(GATE_ERROR, gate.error, error_flag),
                _metric_cell(GATE_LENGTH, gate.length_ns, None),
                dates[when],
                Cell("FAILED" if failed else "", "failed" if failed else None, error_flag),
            )
        )
    notes = (
        "Qubits a-b: both directions listed with the same values; a->b: that direction "
        "only, or the two directions differ.",
    )
    return Table("Multi-qubit gates", columns, tuple(rows), notes)


def _couplers(
    snapshot: DeviceSnapshot, gates: list[GateCalibration]
) -> list[tuple[GateCalibration, str]]:
    """Each gate with its qubits' text, merging a pair's two directions when they agree."""
    out, merged = [], set()
    for gate in gates:
        key = (gate.gate, gate.qubits)
        if key in merged:
            continue
        reverse = snapshot.gate(gate.gate, gate.qubits[::-1]) if gate.arity == 2 else None
        if reverse is not None and (reverse.error, reverse.length_ns) == (
            gate.error,
            gate.length_ns,
        ):
            merged.add((gate.gate, reverse.qubits))
            out.append((gate, "-".join(map(str, gate.qubits))))
        else:
            out.append((gate, "->".join(map(str, gate.qubits))))
    return out
