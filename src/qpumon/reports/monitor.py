"""The monitor report of one device: header, summary, configuration, qubit and gate tables.

:func:`build_monitor` turns a snapshot into a :class:`MonitorReport`; the formats in
:mod:`qpumon.reports.formats` only draw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model import (
    ALL_TO_ALL,
    FAILED,
    MEASURED,
    OUT_OF_SERVICE,
    PLACEHOLDER,
    VENDOR_NAMES,
    DeviceSnapshot,
    GateCalibration,
    QubitCalibration,
)
from ..model.definitions import ASSIGNMENT, AVERAGE, DEFINITIONS
from ..model.metrics import (
    DEVICE_METRICS,
    GATE_ERROR,
    GATE_LENGTH,
    MISSING,
    QUBIT_METRICS,
    qubit_metric,
    value_getter,
)
from ..model.serialize import snapshot_to_dict
from ..model.summary import DeviceSummary, summarize
from ..model.vocabulary import coupler_text
from ..util import display
from ..util.gc_pause import paused_gc
from ..util.times import format_age, format_time
from ..util.words import count
from .configuration import configuration_lines
from .document import Notes, Pairs, Section
from .monitor_tables import (
    MAX_GATE_ROWS,
    QubitColumns,
    couplers,
    device_value_table,
    entry_order,
    gate_flag_word,
    gate_table,
    qubit_columns,
    qubit_table,
)
from .overview import summary_dict
from .resonators import resonator_table
from .summary_text import (
    bounded,
    failed_1q_text,
    failed_couplers_text,
    fractional_label,
    fractional_text,
    out_of_service_text,
    two_qubit_label,
)
from .tables import Table
from .text import parse_qubit_ranges

if TYPE_CHECKING:
    from .health import Health


@dataclass(frozen=True)
class MonitorOptions:
    """What the monitor report shows.

    ``qubits`` (``0-9,12``) limits the qubit table to those qubits; ``sort`` orders qubits worst
    first by a metric (lowest T1, highest error); ``worst`` keeps that many (sorted by ``sort``,
    or by readout error if none is given). With either limit, the gate table shows the couplers
    touching the qubits shown.
    """

    qubits: str | None = None
    sort: str | None = None
    worst: int | None = None
    all_config: bool = False
    include_flagged: bool = False
    all_gates: bool = False


@dataclass(frozen=True)
class MonitorReport:
    """Everything the monitor shows, ready to draw (a :class:`~.document.Report`)."""

    snapshot: DeviceSnapshot
    summary: DeviceSummary
    now: datetime
    header: tuple[tuple[str, str], ...]
    summary_lines: tuple[tuple[str, str], ...]
    configuration: tuple[tuple[str, str], ...]
    qubits: Table | None
    gates: Table | None
    qubit_columns: QubitColumns | None = None
    device_values: Table | None = None
    resonators: Table | None = None
    notes: tuple[str, ...] = field(default=())
    gate_selection: tuple[GateCalibration, ...] = ()
    health: Health | None = None  # the stored history's timeline and episodes (HTML report)

    kind = "monitor"

    @property
    def title(self) -> str:
        """The device's name."""
        return self.snapshot.name

    def _repr_html_(self) -> str:
        """The report in a notebook (Jupyter's rich display)."""
        return display.html(self)

    def sections(self) -> Sequence[Section]:
        """Header, summary, configuration, the qubit and gate tables, notes."""
        parts: list[Section] = [Pairs(None, self.header)]
        if self.summary_lines:
            parts.append(Pairs("Summary", self.summary_lines))
        parts += [self.device_values] if self.device_values is not None else []
        parts.append(Pairs("Configuration", self.configuration, code=True))
        parts += [t for t in (self.qubits, self.gates, self.resonators) if t is not None]
        if self.notes:
            parts.append(Notes(self.notes, "warning"))
        return parts

    def document(self) -> dict[str, Any]:
        """``{"summary": ..., "snapshot": ...}``; the snapshot part loads back with qpumon."""
        return {"summary": summary_dict(self.summary), "snapshot": snapshot_to_dict(self.snapshot)}

    def records(self) -> list[list[Any]]:
        """Every shown value, one per row: ``device,kind,gate,qubits,metric,value,unit,flag``."""
        return monitor_records(self)


def build_monitor(
    snapshot: DeviceSnapshot, options: MonitorOptions | None = None, now: datetime | None = None
) -> MonitorReport:
    """The monitor report of ``snapshot`` (``now`` fixes the clock for calibration ages)."""
    with paused_gc():  # tens of thousands of acyclic cells: no collector passes over them
        return _build_monitor(snapshot, options or MonitorOptions(), now)


def _build_monitor(
    snapshot: DeviceSnapshot, options: MonitorOptions, now: datetime | None
) -> MonitorReport:
    now = now or datetime.now(timezone.utc)
    summary = summarize(snapshot, include_flagged=options.include_flagged)
    selected = selected_qubits(snapshot, options)
    columns = qubit_columns(snapshot) if snapshot.qubits else None
    chosen = _gate_selection(snapshot, options, selected)
    limit = None if options.all_gates else MAX_GATE_ROWS
    return MonitorReport(
        snapshot=snapshot,
        summary=summary,
        now=now,
        header=tuple(_header(snapshot, now)),
        summary_lines=tuple(summary_lines(summary, _resonator_names(snapshot)))
        if snapshot.has_calibration
        else (),
        configuration=tuple(configuration_lines(snapshot, everything=options.all_config)),
        qubits=None
        if columns is None
        else qubit_table(snapshot, columns, selected, summary.one_qubit_gate),
        gates=gate_table(snapshot, chosen, limit) if chosen else None,
        qubit_columns=columns,
        device_values=device_value_table(snapshot) if snapshot.device_values else None,
        resonators=resonator_table(snapshot),
        gate_selection=tuple(chosen),
        notes=()
        if snapshot.has_calibration
        else (
            f"{snapshot.name} has no calibration data (a simulator, or a backend without "
            "noise information): only its configuration is shown.",
        ),
    )


def _gate_selection(
    snapshot: DeviceSnapshot, options: MonitorOptions, selected: list[tuple[int, QubitCalibration]]
) -> list[GateCalibration]:
    multi = [g for g in snapshot.gates if len(g.qubits) >= 2]
    if options.qubits or options.worst is not None:  # the couplers touching the qubits shown
        shown = {q.index for _, q in selected}
        multi = [g for g in multi if shown.intersection(g.qubits)]
    return multi


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
        ("Vendor", VENDOR_NAMES.get(snapshot.vendor, snapshot.vendor)),
        ("Processor", snapshot.processor or MISSING),
        ("Version", snapshot.backend_version or MISSING),
        ("Qubits", str(snapshot.num_qubits)),
        ("Status", state),
        ("Pending jobs", pending),
        ("Calibrated", calibrated),
    ]
    if snapshot.connectivity == ALL_TO_ALL:
        lines.append(("Connectivity", "all-to-all (any two qubits interact)"))
    if snapshot.provenance != MEASURED:
        lines.append(("Data", f"{snapshot.provenance}, not measurements"))
    oldest, newest = _measured_range(snapshot)
    if oldest is not None and newest is not None and oldest != newest:
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


def _resonator_names(snapshot: DeviceSnapshot) -> str:
    return ", ".join(r.name for r in snapshot.resonators)


def summary_lines(summary: DeviceSummary, resonators: str = "") -> list[tuple[str, str]]:
    """The summary section: medians (or the device's one value, where the source gives only
    that), the native entangler's failures in couplers, fractional gates apart, what is out of
    service, and counts of flagged qubits (``—`` where the data has nothing to count).
    ``resonators`` names the device's computational resonators, through which alone its qubits
    may couple."""
    t1, t2 = QUBIT_METRICS["t1_us"], QUBIT_METRICS["t2_us"]
    flagged_note = " (flagged gates included)" if summary.include_flagged else ""
    native = two_qubit_label(summary)
    two_q = native + " error" + _kind(summary.two_qubit_definition, AVERAGE)
    readout = "readout error" + _kind(summary.readout_definition, ASSIGNMENT)
    one_q = f"{summary.one_qubit_gate.upper()} error" if summary.one_qubit_gate else "1q error"
    one_q += _kind(summary.one_qubit_definition, AVERAGE)

    def headline(field: str, what: str) -> str:
        return f"{'Device' if field in summary.device_level else 'Median'} {what}"

    lines = [
        (headline("median_t1_us", "T1"), t1.format_with_unit(summary.median_t1_us)),
        (headline("median_t2_us", "T2"), t2.format_with_unit(summary.median_t2_us)),
        (
            headline("median_readout_error", readout),
            GATE_ERROR.format(summary.median_readout_error),
        ),
        (
            headline("median_1q_error", one_q) + flagged_note,
            _error_median(
                summary.median_1q_error,
                summary.one_qubit_definition,
                summary.median_1q_error_avg,
                summary.one_qubit_avg_bound,
            ),
        ),
        (headline("median_2q_error", two_q) + flagged_note, _two_qubit_median(summary)),
    ]
    if resonators and not summary.native_couplers:
        text = f"{MISSING} (qubits couple only through {resonators}: see its table)"
        lines[-1] = (lines[-1][0], text)
    if summary.eplg_100 is not None:
        lines.append(("EPLG (100-qubit layer)", GATE_ERROR.format(summary.eplg_100)))
    lines.append((f"Failed {native} (error = 1)", failed_couplers_text(summary)))
    if summary.failed_1q_qubits:
        lines.append(("Failed 1q gates (error = 1)", failed_1q_text(summary)))
    if summary.fractional_gates:
        lines.append((f"{fractional_label(summary)} (fractional)", fractional_text(summary)))
    if summary.out_of_service_qubits or summary.out_of_service_gates:
        lines.append(("Out of service (OFF)", out_of_service_text(summary)))
    lines += [
        ("Readout error >= 0.5", _qubits_counted(summary.unreliable_readouts)),
        ("T2 > 2·T1", _qubits_counted(summary.t2_exceeds_twice_t1)),
    ]
    return lines


def _qubits_counted(number: int | None) -> str:
    return MISSING if number is None else count(number, "qubit")


def _kind(definition: str | None, usual: str) -> str:
    """`` (XEB per cycle)`` after a median whose definition is not the usual one."""
    if definition is None or definition == usual:
        return ""
    found = DEFINITIONS.get(definition)
    return f" ({found.name if found else definition})"


def _error_median(
    value: float | None, definition: str | None, average: float | None, bound: str | None
) -> str:
    """A median error in the source's definition, then as an average gate infidelity where the
    source's definition is another (``0.00344 (as an average gate error: ≤ 0.00275)``)."""
    text = GATE_ERROR.format(value)
    if value is None or definition in (None, AVERAGE):
        return text
    if average is None:
        return text + " (no formula converts it to an average gate error)"
    return f"{text} (as an average gate error: {bounded(average, bound)})"


def _two_qubit_median(summary: DeviceSummary) -> str:
    if summary.all_native_flagged:
        return (
            f"{MISSING} (every {two_qubit_label(summary)} gate carries IBM's error = 1 flag: the "
            "numbers show the flag, not the gates"
            + ("; the EPLG is measured)" if summary.eplg_100 is not None else ")")
        )
    return _error_median(
        summary.median_2q_error,
        summary.two_qubit_definition,
        summary.median_2q_error_avg,
        summary.two_qubit_avg_bound,
    )


def selected_qubits(
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


MONITOR_COLUMNS = ("device", "kind", "gate", "qubits", "metric", "value", "unit", "flag")


def monitor_records(report: MonitorReport) -> list[list[Any]]:
    """The monitor as tidy CSV rows (see :meth:`MonitorReport.records`); a missing value has an
    empty ``value``. A gate's ``qubits`` are written as in the gate table: ``3-4`` for both
    directions with the same values, ``3->4`` for one (:mod:`qpumon.model.vocabulary`)."""
    name = report.snapshot.name
    rows: list[list[Any]] = [list(MONITOR_COLUMNS)]
    if report.qubits is not None and report.qubit_columns is not None:
        metrics = [m for m, _ in report.qubit_columns.shown]
        off = report.snapshot.out_of_service_qubits
        placeholders = report.snapshot.placeholders
        for row in report.qubits.rows:
            out_of_service = row[0].value in off
            for metric, cell in zip(metrics, row[1:-1], strict=True):
                flag: str = "" if cell.flag == "missing" else (cell.flag or "")
                flag = OUT_OF_SERVICE if out_of_service and cell.value is not None else flag
                if row[0].value in placeholders.get(metric.key, ()):
                    flag = PLACEHOLDER
                unit = metric.unit
                rows.append(
                    [
                        name,
                        "qubit",
                        metric.gate or "",
                        row[0].value,
                        metric.key,
                        cell.value,
                        unit,
                        flag,
                    ]
                )
    snapshot = report.snapshot
    for device in snapshot.device_values:
        unit = DEVICE_METRICS[device.key].unit
        rows.append([name, "device", "", "", device.key, device.value, unit, ""])
    entries = sorted(couplers(snapshot, report.gate_selection), key=entry_order(snapshot))
    for gate, merged in entries:  # every entry, even where the table shows only the worst
        qubits = coupler_text(gate.qubits, directed=not merged)
        word = gate_flag_word(snapshot, gate)  # a failed benchmark flags the error, not the length
        for metric, value in ((GATE_ERROR, gate.error), (GATE_LENGTH, gate.length_ns)):
            shown = value is not None and (metric is GATE_ERROR or word != FAILED)
            rows.append(
                [
                    name,
                    "gate",
                    gate.gate,
                    qubits,
                    metric.key,
                    value,
                    metric.unit,
                    word if shown else "",
                ]
            )
    return rows
