"""The overview report: one row per device, side by side, and a row per device that could not
be read (a live device that failed), with its error."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model import MEASURED, SYNTHETIC, VENDOR_SAMPLE
from ..model.definitions import ASSIGNMENT, AVERAGE, DEFINITIONS, label
from ..model.metrics import GATE_ERROR, MISSING, QUBIT_METRICS
from ..model.summary import DeviceSummary
from ..model.vocabulary import status_word, unknown
from ..util import display
from .document import Notes, Section, tables_records
from .summary_text import bounded, out_of_service_text
from .tables import DETAIL, ESSENTIAL, MINOR, USEFUL, Cell, Column, Flag, Table


@dataclass(frozen=True)
class OverviewReport:
    """Device summaries in display order, the least busy and best devices marked, and the
    devices that failed (name -> error) (a :class:`~.document.Report`)."""

    summaries: tuple[DeviceSummary, ...]
    least_busy: str | None
    best_2q: str | None
    table: Table
    failures: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    kind = "overview"
    title = ""

    def _repr_html_(self) -> str:
        """The report in a notebook (Jupyter's rich display)."""
        return display.html(self)

    def sections(self) -> Sequence[Section]:
        """The devices table, then the notes."""
        return [self.table, Notes(self.notes)] if self.notes else [self.table]

    def document(self) -> dict[str, Any]:
        """Every device's summary in display order, the marks, and the failures."""
        return {
            "least_busy": self.least_busy,
            "best_2q_error": self.best_2q,
            "devices": [summary_dict(s) for s in self.summaries],
            "failed": [{"device": name, "error": error} for name, error in self.failures],
        }

    def records(self) -> list[list[Any]]:
        """One row per device, columns named by their keys, values at full precision."""
        return tables_records([self.table])


#: ``--sort`` keys, the keys of the columns they order by (as the CSV and JSON name them): how
#: to order summaries, best first.
SORT_KEYS: dict[str, Callable[[DeviceSummary], tuple[bool, float | str]]] = {
    "device": lambda s: (False, s.name),
    "qubits": lambda s: (False, -s.num_qubits),
    "median_t1_us": lambda s: (s.median_t1_us is None, -(s.median_t1_us or 0.0)),
    "median_t2_us": lambda s: (s.median_t2_us is None, -(s.median_t2_us or 0.0)),
    "median_readout_error": lambda s: _missing_last(s.median_readout_error),
    "median_1q_error_avg": lambda s: _missing_last(s.median_1q_error_avg),
    "median_2q_error_avg": lambda s: _missing_last(s.median_2q_error_avg),
    "eplg_100": lambda s: _missing_last(s.eplg_100),
    "pending_jobs": lambda s: (_pending(s) is None, _pending(s) or 0),
    "calibrated": lambda s: (
        s.calibrated_at is None,
        -(s.calibrated_at.timestamp() if s.calibrated_at else 0.0),
    ),
}
#: The order of the rows by default: by device name.
DEFAULT_SORT = "device"


def summary_dict(summary: DeviceSummary) -> dict[str, Any]:
    """A summary as JSON-ready data (datetimes as ISO-8601, the status as an object)."""
    data = dataclasses.asdict(summary)
    data["flagged"] = summary.flagged
    data["device_level"] = sorted(summary.device_level)
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def _missing_last(value: float | None) -> tuple[bool, float]:
    return value is None, value or 0.0


def _pending(summary: DeviceSummary) -> int | None:
    return None if summary.status is None else summary.status.pending_jobs


def least_busy(summaries: Iterable[DeviceSummary]) -> str | None:
    """The operational device with the fewest pending jobs (None if no status is known)."""
    candidates = [
        s
        for s in summaries
        if s.status is not None and s.status.operational and _pending(s) is not None
    ]
    return min(candidates, key=lambda s: (_pending(s), s.name)).name if candidates else None


def best_by_2q_error(summaries: Iterable[DeviceSummary]) -> str | None:
    """The device with the lowest median two-qubit error as an average gate infidelity (flagged
    gates excluded; other definitions converted). Only full measured values are ranked: a
    conversion that gives a bound (``≥``, ``≤``) and a vendor's sample data are never called best
    against them."""
    candidates = [
        (s.median_2q_error_avg, s.name)
        for s in summaries
        if s.median_2q_error_avg is not None
        and s.two_qubit_avg_bound is None
        and s.provenance == MEASURED
    ]
    return min(candidates)[1] if candidates else None


def build_overview(
    summaries: Iterable[DeviceSummary],
    sort: str = DEFAULT_SORT,
    failures: Sequence[tuple[str, str]] = (),
    notes: Sequence[str] = (),
) -> OverviewReport:
    """The overview of ``summaries`` ordered by ``sort`` (a key of :data:`SORT_KEYS`; ``name``
    too, as ``device``), with a row for each ``(device, error)`` of ``failures``."""
    sort = DEFAULT_SORT if sort == "name" else sort  # the fleet page's name for it
    if sort not in SORT_KEYS:
        raise unknown("sort key", sort, SORT_KEYS, where="--sort")
    ordered = tuple(sorted(summaries, key=lambda s: (SORT_KEYS[sort](s), s.name)))
    busy, best = least_busy(ordered), best_by_2q_error(ordered)
    table = _table(ordered, busy, best, failures)
    all_notes = (
        *notes,
        *(error if name in error else f"{name}: {error}" for name, error in failures),
    )
    return OverviewReport(ordered, busy, best, table, tuple(failures), all_notes)


_COLUMNS = (
    Column("device", "Device", numeric=False, priority=ESSENTIAL),
    Column("qubits", "Qubits", priority=ESSENTIAL),
    Column("processor", "Processor", numeric=False, priority=DETAIL),
    Column("status", "Status", numeric=False, priority=USEFUL),
    Column("pending_jobs", "Pending", priority=USEFUL),
    Column("median_t1_us", "T1 (µs)", priority=USEFUL),
    Column("median_t2_us", "T2 (µs)", priority=DETAIL),
    Column("median_readout_error", "Readout err", priority=USEFUL),
    Column("median_1q_error_avg", "1q err", priority=USEFUL),
    Column("median_2q_error_avg", "2q err", priority=ESSENTIAL),
    Column("eplg_100", "EPLG", priority=DETAIL),
    Column("failed_2q_couplers", "Failed", priority=USEFUL),
    Column("failed_fractional_couplers", "RZZ flagged", priority=DETAIL),
    Column("out_of_service", "Off", priority=USEFUL),
    Column("flagged", "Flagged", priority=MINOR),
    Column("calibrated", "Calibrated", numeric=False, priority=DETAIL),
    Column("marks", "Marks", numeric=False, priority=USEFUL, wrap=True),
    Column("converted", "Converted", numeric=False, priority=USEFUL, wrap=True),
)
_STATUS_COLUMNS = ("status", "pending_jobs")
#: Columns left out when no device has a value in them, with the note saying why.
_OPTIONAL = {
    _STATUS_COLUMNS: "Status, Pending and Least busy: no device reported them (bundled snapshots "
    "and files carry no status).",
    ("converted",): "",
    ("failed_fractional_couplers",): "",
    ("out_of_service",): "",
}


def _table(
    summaries: tuple[DeviceSummary, ...],
    busy: str | None,
    best: str | None,
    failures: Sequence[tuple[str, str]],
) -> Table:
    compared = [compare(s) for s in summaries]
    rows = [_row(s, c, busy, best) for s, c in zip(summaries, compared, strict=True)]
    rows += [_error_row(name) for name, _ in failures]
    notes = [
        "Medians over the qubits and gates in service: 1q err is the reference one-qubit gate's "
        "error (SX; U2 on old IBM devices) and 2q err the native entangler's (CZ, ECR, CX; never "
        "the fractional RZZ), both average gate infidelities 1 − F_avg (≥: a lower bound, ≤: an "
        "upper estimate, neither ranked as best); Readout err is the assignment error. IBM's "
        "error = 1 flags are left out: Failed counts the native entangler's flagged couplers, RZZ "
        "flagged the fractional gate's (flagged couplers/couplers), Off the qubits and gates "
        "taken out of service; Flagged = failed couplers + qubits with a failed 1q gate + "
        "out of service + readout errors >= 0.5 + qubits with T2 > 2·T1; — where a count does "
        "not apply."
    ]
    notes += [note for c in compared for note in c.notes]
    unmeasured = [s.name for s in summaries if s.provenance != MEASURED]
    if unmeasured:
        notes.append(
            f"{', '.join(unmeasured)}: not measurements (Marks: sample data = the vendor's "
            "sample numbers, synthetic = generated); compare them with measured devices with care."
        )
    columns: tuple[Column, ...] = _COLUMNS
    for keys, why in _OPTIONAL.items():
        index = [i for i, c in enumerate(columns) if c.key in keys]
        if rows and all(all(row[i].value is None for i in index) for row in rows):
            columns = tuple(c for i, c in enumerate(columns) if i not in index)
            rows = [tuple(c for i, c in enumerate(r) if i not in index) for r in rows]
            notes += [why] if why else []
    return Table("Devices", columns, tuple(rows), tuple(notes))


@dataclass(frozen=True)
class Compared:
    """How the overview compares a summary's error medians: as average gate infidelities
    (converted where the source gave another definition, see
    :attr:`~qpumon.model.summary.DeviceSummary.median_2q_error_avg`), the conversions as short
    labels and as notes."""

    labels: tuple[str, ...]
    notes: tuple[str, ...]


def compare(summary: DeviceSummary) -> Compared:
    """The labels and notes of ``summary``'s conversions (see :class:`Compared`)."""
    labels, notes = [], []
    for arity, value, definition, average, bound, formula in (
        (
            1,
            summary.median_1q_error,
            summary.one_qubit_definition,
            summary.median_1q_error_avg,
            summary.one_qubit_avg_bound,
            summary.one_qubit_avg_formula,
        ),
        (
            2,
            summary.median_2q_error,
            summary.two_qubit_definition,
            summary.median_2q_error_avg,
            summary.two_qubit_avg_bound,
            summary.two_qubit_avg_formula,
        ),
    ):
        what = f"{arity}q err"
        if value is None or definition in (None, AVERAGE):
            continue
        description = DEFINITIONS[definition].description
        if average is None:
            labels.append(f"{what}: {label(definition)}, not shown")
            notes.append(
                f"{summary.name}: {what} is {description}; no formula converts it to an average "
                "gate infidelity, so it is left out here"
            )
            continue
        labels.append(f"{what} from {label(definition)}" + _BOUND_WORDS.get(bound or "", ""))
        notes.append(f"{summary.name}: {what} converted from {description} ({formula})")
    readout = summary.readout_definition
    if readout not in (None, ASSIGNMENT):
        labels.append(f"Readout err is {label(readout)}")
        notes.append(
            f"{summary.name}: Readout err is {DEFINITIONS[readout].description}; no formula "
            "converts it to an assignment error"
        )
    return Compared(tuple(labels), tuple(notes))


#: How a converted value's bound reads in the Converted column.
_BOUND_WORDS = {"lower": ", a lower bound", "upper": ", an upper estimate"}


def _error_cell(value: float | None, bound: str | None) -> Cell:
    """A converted error: ``≥ 0.00050`` for a lower bound, ``≤ 0.00275`` for an upper estimate."""
    if value is None:
        return Cell(MISSING, None, "missing")
    return Cell(bounded(value, bound), value, "suspect" if bound else None)


def _count_cell(value: int | None, flag: Flag) -> Cell:
    """A count, ``—`` where it does not apply."""
    if value is None:
        return Cell(MISSING, None, "missing")
    return Cell(str(value), value, flag if value else None)


def _fractional_cell(s: DeviceSummary) -> Cell:
    """``150/150``: the fractional gate's flagged couplers of its couplers; empty without one."""
    if not s.fractional_couplers:
        return Cell("", None)
    return Cell(
        f"{s.failed_fractional_couplers}/{s.fractional_couplers}",
        s.failed_fractional_couplers,
        "failed" if s.failed_fractional_couplers else None,
    )


def _off_cell(s: DeviceSummary) -> Cell:
    """``1 qubit, 3 gates`` out of service; empty when nothing is."""
    if not (s.out_of_service_qubits or s.out_of_service_gates):
        return Cell("", None)
    return Cell(out_of_service_text(s), s.out_of_service_qubits + s.out_of_service_gates, "off")


#: The Marks of a device whose numbers are not measurements (the note says more).
_UNMEASURED_MARKS = {VENDOR_SAMPLE: "sample data", SYNTHETIC: "synthetic"}


def _row(s: DeviceSummary, c: Compared, busy: str | None, best: str | None) -> tuple[Cell, ...]:
    t1, t2 = QUBIT_METRICS["t1_us"], QUBIT_METRICS["t2_us"]
    marks = [m for m, hit in (("least busy", s.name == busy), ("best 2q", s.name == best)) if hit]
    marks += (
        [] if s.provenance == MEASURED else [_UNMEASURED_MARKS.get(s.provenance, "not measured")]
    )
    status = MISSING if s.status is None else status_word(s.status.operational)
    pending = _pending(s)
    return (
        Cell(s.name, s.name),
        Cell(str(s.num_qubits), s.num_qubits),
        Cell(s.processor or MISSING, s.processor, None if s.processor else "missing"),
        Cell(status, None if s.status is None else s.status.operational),
        Cell(MISSING if pending is None else str(pending), pending),
        _number(t1.format, s.median_t1_us),
        _number(t2.format, s.median_t2_us),
        _number(GATE_ERROR.format, s.median_readout_error),
        _error_cell(s.median_1q_error_avg, s.one_qubit_avg_bound),
        _error_cell(s.median_2q_error_avg, s.two_qubit_avg_bound),
        _number(GATE_ERROR.format, s.eplg_100),
        _count_cell(s.failed_2q_couplers, "failed"),
        _fractional_cell(s),
        _off_cell(s),
        _count_cell(s.flagged, "suspect"),
        Cell(_date(s.calibrated_at), s.calibrated_at),
        Cell(", ".join(marks), ", ".join(marks) or None, "mark" if marks else None),
        Cell("; ".join(c.labels), "; ".join(c.labels) or None, "suspect" if c.labels else None),
    )


def _error_row(name: str) -> tuple[Cell, ...]:
    """A device that could not be read: its name, ``error`` as status, nothing else."""
    cells = []
    for column in _COLUMNS:
        if column.key == "device":
            cells.append(Cell(name, name))
        elif column.key == "status":
            cells.append(Cell("error", "error", "failed"))
        else:
            cells.append(Cell(MISSING, None, "missing"))
    return tuple(cells)


def _number(fmt: Callable[[float | None], str], value: float | None) -> Cell:
    return Cell(fmt(value), value, "missing" if value is None else None)


def _date(when: datetime | None) -> str:
    return MISSING if when is None else when.strftime("%Y-%m-%d")
