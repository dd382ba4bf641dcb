"""History, drift and diff as reports: tables for people; tidy rows (every value, full
precision) for CSV and JSON. Drawn by the one formats registry like every other report."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..history.series import SYNTHETIC_NOTE, History
from ..model.metrics import Metric
from ..util.printable import printable
from ..util.times import short
from ..util.words import count
from .document import Notes, TablesReport
from .tables import ESSENTIAL, USEFUL, Cell, Column, Table

if TYPE_CHECKING:  # drift and diff are imported by their commands, not by every history one
    from ..history.check import Outcome
    from ..history.diff import Change, SnapshotDiff
    from ..history.drift import DriftReport
    from ..history.events import EventsReport


def _value(metric: Metric, value: float | None, failed: bool = False) -> Cell:
    if value is None:
        return Cell(metric.format(None), None, "missing")
    return Cell(metric.format(value), value, "failed" if failed else None)


def history_table(history: History) -> Table:
    """One row per snapshot: the value (one subject) or median/min/max/worst (many)."""
    metric = history.selection.metric
    title = f"{history.device}: {history.selection.label} history"
    notes = [SYNTHETIC_NOTE] if history.synthetic else []
    if len(history.series) == 1:
        return _single(history, title, notes)
    columns = (
        Column("calibrated_at", "Calibrated (UTC)", False),
        Column("count", "N"),
        Column("median", f"Median {metric.header}"),
        Column("min", "Min"),
        Column("max", "Max"),
        Column("worst", "Worst", False),
        Column("failed", "Failed"),
    )
    rows = tuple(_summary_row(history, i) for i in range(len(history.snapshots)))
    if any(row[6].value for row in rows):
        notes.append("Failed: gates with IBM's error = 1 flag, left out of median/min/max")
    return Table(title, columns, rows, tuple(notes))


def _single(history: History, title: str, notes: list[str]) -> Table:
    (subject, values), measured = next(iter(history.series.items())), history.measured_at
    metric = history.selection.metric
    columns = (
        Column("calibrated_at", "Calibrated (UTC)", False),
        Column("value", f"{subject}: {metric.header}"),
        Column("measured_at", "Measured (UTC)", False),
    )
    rows = tuple(
        (
            Cell(short(info.calibrated_at), info.calibrated_at),
            _value(metric, value, history.failed(value)),
            Cell(short(when), when),
        )
        for info, value, when in zip(history.snapshots, values, measured[subject], strict=True)
    )
    return Table(title, columns, rows, tuple(notes))


def _summary_row(history: History, i: int) -> tuple[Cell, ...]:
    import statistics

    metric = history.selection.metric
    column = [(k, v[i]) for k, v in history.series.items() if v[i] is not None]
    failed = sum(history.failed(v) for _, v in column)
    kept = [(k, v) for k, v in column if v is not None and not history.failed(v)]
    numbers = [v for _, v in kept]
    worst = (max if metric.lower_is_better else min)(kept, key=lambda kv: kv[1], default=None)
    info = history.snapshots[i]
    return (
        Cell(short(info.calibrated_at), info.calibrated_at),
        Cell(str(len(kept)), len(kept)),
        _value(metric, statistics.median(numbers) if numbers else None),
        _value(metric, min(numbers, default=None)),
        _value(metric, max(numbers, default=None)),
        Cell("—" if worst is None else f"{worst[0]}", None if worst is None else worst[0]),
        Cell(str(failed), failed, "failed" if failed else None),
    )


def history_rows(history: History) -> list[dict[str, Any]]:
    """Tidy rows, one per value: the CSV and JSON content."""
    metric = history.selection.metric
    out = []
    for subject, values in history.series.items():
        for info, value, when in zip(
            history.snapshots, values, history.measured_at[subject], strict=True
        ):
            if value is None:
                continue
            out.append(
                {
                    "device": history.device,
                    "calibrated_at": _iso(info.calibrated_at),
                    "gate": history.selection.gate or "",
                    "qubits": subject,
                    "metric": metric.key,
                    "value": value,
                    "unit": metric.unit,
                    "flag": "failed" if history.failed(value) else "",
                    "measured_at": _iso(when),
                    "synthetic": info.synthetic,
                }
            )
    return out


def drift_table(report: DriftReport, top: int) -> Table:
    """The ``top`` subjects that moved most, then notes on flagged and recovered gates."""
    columns = (
        Column("subject", "Subject", False),
        Column("metric", "Metric", False),
        Column("value", "Now"),
        Column("median", "Baseline median"),
        Column("mad", "MAD"),
        Column("n", "N"),
        Column("score", "Robust z"),
        Column("direction", "Direction", False),
    )
    rows = tuple(
        (
            Cell(item.subject, item.subject),
            Cell(item.metric.key, item.metric.key),
            _value(item.metric, item.value),
            _value(item.metric, item.median),
            _value(item.metric, item.mad),
            Cell(str(item.baseline), item.baseline),
            Cell(f"{item.score:+.1f}", item.score, "suspect" if abs(item.score) >= 3 else None),
            Cell("worse" if item.worse else "better", "worse" if item.worse else "better"),
        )
        for item in report.items[:top]
    )
    notes = [
        f"newest snapshot {short(report.latest.calibrated_at)} against each subject's median and "
        f"MAD over {count(report.snapshots - 1, 'earlier snapshot')} since "
        f"{short(report.window_start)}",
        "newly flagged (error = 1): " + listing(report.newly_flagged),
        "recovered: " + listing(report.recovered),
    ]
    notes += [SYNTHETIC_NOTE] if report.synthetic else []
    return Table(f"{report.device}: drift", columns, rows, tuple(notes))


def _changed(number: int, top: int) -> str:
    """``2088 values changed; the 20 largest shown`` (``1 value changed`` alone)."""
    shown = f"; the {min(top, number)} largest shown" if number > 1 else ""
    return f"{count(number, 'value')} changed{shown}"


def diff_tables(diff: SnapshotDiff, top: int) -> list[Table]:
    """Settings that changed, the headline medians, and the ``top`` largest value changes."""
    span = f"{short(diff.old_time)} -> {short(diff.new_time)}"
    rows = [("calibrated (UTC)", short(diff.old_time), short(diff.new_time)), *diff.settings]
    settings = Table(
        f"{diff.device}: changes {span}",
        (Column("what", "What", False), Column("old", "Old", False), Column("new", "New", False)),
        tuple((Cell(w, w), Cell(a, a), Cell(b, b)) for w, a, b in rows),
        ("no configuration change",) if not diff.settings else (),
    )
    medians = Table("Medians", _change_columns(), tuple(_change_row(c) for c in diff.medians))
    notes = (
        _changed(len(diff.changes), top),
        "newly flagged (error = 1): " + listing(diff.newly_flagged),
        "recovered: " + listing(diff.recovered),
    )
    changes = Table(
        "Largest changes",
        _change_columns(),
        tuple(_change_row(c) for c in diff.changes[:top]),
        notes,
    )
    return [settings, medians, changes]


def listing(names: Sequence[str], limit: int = 16) -> str:
    """``a, b, c`` in qubit order, at most ``limit`` shown, ``none`` when empty."""
    ordered = sorted(names, key=_natural)
    shown = ", ".join(ordered[:limit]) or "none"
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def _natural(name: str) -> tuple[str, tuple[int, ...]]:
    gate, _, qubits = name.partition(" ")
    return gate, tuple(int(q) for q in qubits.split("-") if q.isdigit())


def _change_columns() -> tuple[Column, ...]:
    return (
        Column("subject", "Subject", False),
        Column("metric", "Metric", False),
        Column("old", "Old"),
        Column("new", "New"),
        Column("change", "Change"),
    )


def _change_row(change: Change) -> tuple[Cell, ...]:
    relative = change.relative
    return (
        Cell(change.subject, change.subject),
        Cell(change.metric.key, change.metric.key),
        _value(change.metric, change.old),
        _value(change.metric, change.new),
        Cell("—" if relative is None else f"{relative:+.1%}", relative),
    )


def dict_rows(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Dictionaries as CSV rows: their keys as the header, then their values."""
    if not rows:
        return [[]]
    keys = list(rows[0])
    return [keys] + [[row.get(k) for k in keys] for row in rows]


def history_report(history: History) -> TablesReport:
    """``qpumon history``: the table for people; every value (tidy rows) in JSON and CSV."""
    rows = functools.cache(lambda: history_rows(history))  # for JSON and CSV only
    table = history_table(history)
    return TablesReport("history", "", (table,), None, lambda: dict_rows(rows()), rows)


def drift_report(report: DriftReport, top: int) -> TablesReport:
    """``qpumon drift``: the ``top`` movers; JSON and CSV list every scored subject."""
    table = drift_table(report, top)
    items = [
        {
            "subject": item.subject,
            "metric": item.metric.key,
            "value": item.value,
            "median": item.median,
            "mad": item.mad,
            "baseline": item.baseline,
            "score": item.score,
            "worse": item.worse,
        }
        for item in report.items
    ]
    data = {
        "device": report.device,
        "latest": _iso(report.latest.calibrated_at),
        "window_start": _iso(report.window_start),
        "snapshots": report.snapshots,
        "items": items,
        "newly_flagged": list(report.newly_flagged),
        "recovered": list(report.recovered),
        "synthetic": report.synthetic,
    }
    return TablesReport("drift", "", (table,), data, lambda: dict_rows(items))


def diff_report(diff: SnapshotDiff, top: int) -> TablesReport:
    """``qpumon diff``: settings, medians and the ``top`` largest changes; JSON and CSV list
    every change."""
    changes = [
        {
            "subject": c.subject,
            "metric": c.metric.key,
            "old": c.old,
            "new": c.new,
            "relative_change": c.relative,
        }
        for c in (*diff.medians, *diff.changes)
    ]
    data = {
        "device": diff.device,
        "old": _iso(diff.old_time),
        "new": _iso(diff.new_time),
        "settings": [{"what": w, "old": a, "new": b} for w, a, b in diff.settings],
        "medians": changes[: len(diff.medians)],
        "changes": changes[len(diff.medians) :],
        "newly_flagged": list(diff.newly_flagged),
        "recovered": list(diff.recovered),
    }
    tables = tuple(diff_tables(diff, top))
    return TablesReport("diff", "", tables, data, lambda: dict_rows(changes))


def events_report(report: EventsReport) -> TablesReport:
    """``qpumon events``: one row per episode; JSON and CSV give every episode in full."""
    columns = (
        Column("subject", "Subject", False, ESSENTIAL),
        Column("metric", "Metric", False, USEFUL),
        Column("kind", "Kind", False, ESSENTIAL),
        Column("start", "Start", False, ESSENTIAL),
        Column("end", "End", False, ESSENTIAL),
        Column("depth", "Depth", True, ESSENTIAL),
        Column("baseline", "Baseline", True, USEFUL),
        Column("snapshots", "Snapshots", True, USEFUL),
    )
    times = _Times()
    rows = tuple(
        (
            Cell(e.subject, e.subject),
            Cell(e.metric, e.metric),
            Cell(EPISODE_NAMES[e.kind], e.kind),
            times.cell(e.start),
            times.cell(e.end),
            Cell("—" if e.depth is None else _depth(e.kind, e.depth), e.depth),
            Cell("—" if e.baseline is None else f"{e.baseline:.4g}", e.baseline),
            Cell(str(len(e.snapshots)), len(e.snapshots)),
        )
        for e in report.episodes
    )
    notes = [
        f"{count(report.snapshots, 'snapshot')} from {short(report.first)} to "
        f"{short(report.last)} UTC; depth: a dip's extreme over its trailing 30-day median, "
        "a step's new level over the old, the share of snapshots in the worst decile"
    ]
    notes += [SYNTHETIC_NOTE] if report.synthetic else []
    table = Table(f"{report.device}: episodes", columns, rows, tuple(notes))
    items: list[dict[str, Any]] = [
        {
            "subject": e.subject,
            "metric": e.metric,
            "kind": e.kind,
            "start": times.cell(e.start).value,
            "end": times.cell(e.end).value,
            "depth": e.depth,
            "baseline": e.baseline,
            "snapshots": list(e.snapshots),
        }
        for e in report.episodes
    ]
    data = {
        "device": report.device,
        "first": _iso(report.first),
        "last": _iso(report.last),
        "snapshots": report.snapshots,
        "episodes": items,
        "synthetic": report.synthetic,
    }
    flat = [{**item, "snapshots": len(item["snapshots"])} for item in items]
    return TablesReport("events", "", (table,), data, lambda: dict_rows(flat))


class _Times:
    """Episode times as cells (short text, ISO value; None: ``open``), each drawn once: ten
    thousand episodes start on a few hundred distinct days."""

    def __init__(self) -> None:
        self._cells: dict[datetime | None, Cell] = {}

    def cell(self, when: datetime | None) -> Cell:
        """The cell of ``when``."""
        found = self._cells.get(when)
        if found is None:
            text = "open" if when is None else short(when)
            found = self._cells[when] = Cell(text, _iso(when))
        return found


#: How each episode kind is named in tables.
EPISODE_NAMES = {"dip": "dip", "step": "step", "flag": "error = 1", "bad": "persistently bad"}


def _depth(kind: str, depth: float) -> str:
    if kind == "bad":
        return f"{depth:.0%} of snapshots"
    return f"{depth:.2f}×"


def _iso(when: Any) -> str | None:
    return None if when is None else str(when.isoformat())


def check_report(outcomes: Sequence[Outcome]) -> TablesReport:
    """``qpumon check``: the alerts with the ``print`` action that fired now (delivered or
    awaiting delivery), then per device how many stay active, cleared, or could not be checked;
    JSON lists every alert that fired."""
    columns = (
        Column("device", "Device", False, ESSENTIAL),
        Column("subject", "Subject", False, ESSENTIAL),
        Column("metric", "Metric", False, USEFUL),
        Column("value", "Value", True, ESSENTIAL),
        Column("threshold", "Threshold", True, USEFUL),
        Column("rule", "Rule", False, USEFUL, wrap=True),
        Column("state", "State", False, ESSENTIAL),
    )
    rows = []
    for outcome in outcomes:
        result = outcome.alerts
        if result is None:
            continue
        waiting = {f.key for f in result.awaiting}
        for firing in (f for f in result.fired if "print" in f.rule.actions):
            state = "not delivered" if firing.key in waiting else "fired"
            rows.append(
                (
                    Cell(firing.device, firing.device),
                    Cell(firing.subject, firing.subject),
                    Cell(firing.rule.metric, firing.rule.metric),
                    Cell(_alert_number(firing.value), firing.value),
                    Cell(_alert_number(firing.threshold), firing.threshold),
                    Cell(firing.rule.name, firing.rule.name),
                    Cell(state, state, "failed" if firing.key in waiting else "suspect"),
                )
            )
    lines = [printable(_outcome_line(o)) for o in outcomes]
    table = Table("Alerts fired", columns, tuple(rows), () if rows else ("no alert fired",))
    data = {"devices": [_outcome_data(o) for o in outcomes]}
    return TablesReport("check", "", (table, Notes(tuple(lines))), data)


def _alert_number(value: float | bool | None) -> str:
    if value is None:
        return "—"
    return str(value).lower() if isinstance(value, bool) else f"{value:.6g}"


def _outcome_line(outcome: Outcome) -> str:
    result = outcome.alerts
    if result is None:
        return f"{outcome.device}: not checked: {outcome.problem}"
    text = (
        f"{outcome.device}: {len(result.fired)} fired, {result.still_active} still active, "
        f"{len(result.cleared)} cleared"
    )
    return text + (f"; {outcome.problem}" if outcome.problem else "")


def _outcome_data(outcome: Outcome) -> dict[str, Any]:
    result = outcome.alerts
    return {
        "device": outcome.device,
        "fired": [] if result is None else [f.as_json() for f in result.fired],
        "awaiting_delivery": [] if result is None else [f.as_json() for f in result.awaiting],
        "still_active": None if result is None else result.still_active,
        "cleared": [] if result is None else [list(c) for c in result.cleared],
        "problem": outcome.problem,
    }
