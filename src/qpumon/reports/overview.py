"""The overview report: one row per device, side by side, and a row per device that could not
be read (a live device that failed), with its error."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..definitions import ASSIGNMENT, AVERAGE, DEFINITIONS, label, to_average
from ..errors import UsageError
from ..metrics import GATE_ERROR, MISSING, QUBIT_METRICS
from ..model import MEASURED, SYNTHETIC, VENDOR_SAMPLE
from ..summary import DeviceSummary
from .document import Notes, Section, tables_records
from .tables import DETAIL, ESSENTIAL, MINOR, USEFUL, Cell, Column, Table


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
        from .notebook import report_html

        return report_html(self)

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


#: ``--sort`` keys: how to order summaries, best first.
SORT_KEYS: dict[str, Callable[[DeviceSummary], tuple[bool, float | str]]] = {
    "name": lambda s: (False, s.name),
    "qubits": lambda s: (False, -s.num_qubits),
    "t1": lambda s: (s.median_t1_us is None, -(s.median_t1_us or 0.0)),
    "t2": lambda s: (s.median_t2_us is None, -(s.median_t2_us or 0.0)),
    "readout": lambda s: (s.median_readout_error is None, s.median_readout_error or 0.0),
    "1q_error": lambda s: _missing_last(compare(s).median_1q_error),
    "2q_error": lambda s: _missing_last(compare(s).median_2q_error),
    "eplg": lambda s: (s.eplg_100 is None, s.eplg_100 or 0.0),
    "pending": lambda s: (_pending(s) is None, _pending(s) or 0),
    "date": lambda s: (
        s.calibrated_at is None,
        -(s.calibrated_at.timestamp() if s.calibrated_at else 0.0),
    ),
}


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
    gates excluded; other definitions converted, see :func:`compare`)."""
    values = [(compare(s).median_2q_error, s.name) for s in summaries]
    candidates = [(v, name) for v, name in values if v is not None]
    return min(candidates)[1] if candidates else None


def build_overview(
    summaries: Iterable[DeviceSummary],
    sort: str = "name",
    failures: Sequence[tuple[str, str]] = (),
    notes: Sequence[str] = (),
) -> OverviewReport:
    """The overview of ``summaries`` ordered by ``sort`` (a key of :data:`SORT_KEYS`), with a
    row for each ``(device, error)`` of ``failures``."""
    if sort not in SORT_KEYS:
        raise UsageError(f"--sort: unknown key {sort!r}; choose one of {', '.join(SORT_KEYS)}")
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
    Column("median_1q_error", "1q err", priority=USEFUL),
    Column("median_2q_error", "2q err", priority=ESSENTIAL),
    Column("eplg_100", "EPLG", priority=DETAIL),
    Column("failed_gates", "Failed", priority=USEFUL),
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
        "Medians over qubits and gates: 1q err is the reference one-qubit gate's error (SX; U2 "
        "on old IBM devices) and 2q err the native entangler's, both average gate infidelities "
        "1 − F_avg; Readout err is the assignment error. IBM's error = 1 flags are left out and "
        "counted in Failed; Flagged = failed gates + readout errors >= 0.5 + qubits with "
        "T2 > 2·T1."
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
    """A summary's error medians as the overview compares them: average gate infidelities
    (converted where the source gave another definition), the conversions as short labels and
    as notes."""

    median_1q_error: float | None
    median_2q_error: float | None
    labels: tuple[str, ...]
    notes: tuple[str, ...]


def compare(summary: DeviceSummary) -> Compared:
    """``summary``'s medians in the overview's definitions (see :class:`Compared`)."""
    values, labels, notes = {}, [], []
    for arity, value, definition in (
        (1, summary.median_1q_error, summary.one_qubit_definition),
        (2, summary.median_2q_error, summary.two_qubit_definition),
    ):
        what = f"{arity}q err"
        if value is None or definition in (None, AVERAGE):
            values[arity] = value
            continue
        converted = to_average(value, definition, arity)
        if converted is None:
            values[arity] = None
            labels.append(f"{what}: {label(definition)}, not shown")
            notes.append(
                f"{summary.name}: {what} is {DEFINITIONS[definition].description}; no formula "
                "converts it to an average gate infidelity, so it is left out here"
            )
            continue
        values[arity] = converted.value
        labels.append(f"{what} from {label(definition)}")
        notes.append(
            f"{summary.name}: {what} converted from {DEFINITIONS[definition].description} "
            f"({converted.formula})"
        )
    readout = summary.readout_definition
    if readout not in (None, ASSIGNMENT):
        labels.append(f"Readout err is {label(readout)}")
        notes.append(
            f"{summary.name}: Readout err is {DEFINITIONS[readout].description}; no formula "
            "converts it to an assignment error"
        )
    return Compared(values[1], values[2], tuple(labels), tuple(notes))


#: The Marks of a device whose numbers are not measurements (the note says more).
_UNMEASURED_MARKS = {VENDOR_SAMPLE: "sample data", SYNTHETIC: "synthetic"}


def _row(s: DeviceSummary, c: Compared, busy: str | None, best: str | None) -> tuple[Cell, ...]:
    t1, t2 = QUBIT_METRICS["t1_us"], QUBIT_METRICS["t2_us"]
    marks = [m for m, hit in (("least busy", s.name == busy), ("best 2q", s.name == best)) if hit]
    marks += (
        [] if s.provenance == MEASURED else [_UNMEASURED_MARKS.get(s.provenance, "not measured")]
    )
    status = MISSING if s.status is None else ("up" if s.status.operational else "down")
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
        _number(GATE_ERROR.format, c.median_1q_error),
        _number(GATE_ERROR.format, c.median_2q_error),
        _number(GATE_ERROR.format, s.eplg_100),
        Cell(str(s.failed_gates), s.failed_gates, "failed" if s.failed_gates else None),
        Cell(str(s.flagged), s.flagged, "suspect" if s.flagged else None),
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
