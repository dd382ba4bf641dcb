"""The history commands as library calls: each opens the store, reads or computes, and returns
a report for the one formats registry (or, for recording, what happened)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..reports.document import TablesReport
from ..reports.history import diff_report, drift_report, history_report
from ..store import reading
from ..summary import count
from ..times import short
from .diff import diff_snapshots, pick_pair
from .drift import drift
from .series import History, read_history, select_metric

if TYPE_CHECKING:
    from ..store.records import Reader


def metric_history(
    db: str | Path | Reader | None,
    device: str,
    metric: str | None = None,
    qubit: int | None = None,
    gate: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    every_value: bool = True,
) -> History:
    """One metric of ``device`` over time (``--metric``, ``--qubit``, ``--gate NAME[:QUBITS]``);
    a :class:`~qpumon.errors.StoreError` saying which range the store holds when none is in
    ``[since, until]``. ``every_value`` also reads each value's measurement time."""
    with reading(db) as store:
        selection = select_metric(store, device, metric, qubit, gate)
        measured = every_value or selection.qubits is not None
        found = read_history(store, device, selection, since, until, measured)
        if not found.series:
            stored = store.snapshots(device)
            held = (
                f"the store holds {count(len(stored), 'snapshot')} of {device}, calibrated "
                f"{short(stored[0].calibrated_at)} to {short(stored[-1].calibrated_at)} UTC"
                if stored
                else f"the store holds no snapshot of {device}"
            )
            window = f"between {short(since, 'the start')} and {short(until, 'now')}"
            raise StoreError(f"no stored {selection.label} values for {device} {window}; {held}")
    return found


def history_of(
    db: str | Path | Reader | None,
    device: str,
    metric: str | None = None,
    qubit: int | None = None,
    gate: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    every_value: bool = True,
) -> TablesReport:
    """``qpumon history`` as a report (see :func:`metric_history`)."""
    found = metric_history(db, device, metric, qubit, gate, since, until, every_value)
    return history_report(found)


def drift_of(
    db: str | Path | Reader | None, device: str, since: datetime | None = None, top: int = 20
) -> TablesReport:
    """``qpumon drift`` as a report: the newest snapshot against each subject's baseline."""
    with reading(db) as store:
        return drift_report(drift(store, device, since), top)


def diff_of(
    db: str | Path | Reader | None,
    device: str,
    start: datetime | None = None,
    end: datetime | None = None,
    top: int = 20,
) -> TablesReport:
    """``qpumon diff`` as a report: what changed between two stored snapshots."""
    with reading(db) as store:
        old, new = pick_pair(store, device, start, end)
        return diff_report(diff_snapshots(store.load(old.id), store.load(new.id)), top)
