"""Drift: which qubits and couplers moved most against their own recent past.

For each qubit (T1, T2, readout error, the 1q reference gate's error) and each two-qubit gate
(its error), the newest stored value is compared with that same subject's values over the window
before it (``--since``, default the 30 days before the newest snapshot): its median and its median
absolute deviation (MAD). The score is the robust z-score ``(value - median) / (1.4826 * MAD)``,
with the scale floored at 1 % of the median so that a perfectly flat history does not divide by
zero. IBM's ``error == 1`` flags are kept out of the baselines and reported separately as newly
flagged or recovered gates (compared with the snapshot just before the newest).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import StoreError
from ..model.metrics import GATE_ERROR, QUBIT_METRICS, Metric, gate_error_metric
from ..model.summary import ONE_QUBIT_REFERENCE_GATES
from ..store.records import Reader, SnapshotInfo
from .series import History, Selection, read_history

#: Consistency constant that makes the MAD estimate a normal distribution's sigma.
MAD_SIGMA = 1.4826
#: Subjects with fewer baseline values than this are not scored.
MIN_BASELINE = 3
#: The default baseline window.
DEFAULT_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class DriftItem:
    """One subject's newest value against its baseline; ``score`` is the robust z-score."""

    subject: str  # "qubit 12" or "cz 3->4"
    metric: Metric
    value: float
    median: float
    mad: float
    baseline: int
    score: float

    @property
    def worse(self) -> bool:
        """True if the move is in the bad direction for this metric."""
        return self.score > 0 if self.metric.lower_is_better else self.score < 0


@dataclass(frozen=True)
class DriftReport:
    """The drift of ``device``: items ranked by ``|score|``, newly flagged and recovered gates."""

    device: str
    latest: SnapshotInfo
    previous: SnapshotInfo | None
    window_start: datetime
    snapshots: int
    items: tuple[DriftItem, ...]
    newly_flagged: tuple[str, ...]
    recovered: tuple[str, ...]
    synthetic: bool


def drift(store: Reader, device: str, since: datetime | None = None) -> DriftReport:
    """How the newest snapshot of ``device`` compares with each subject's own baseline."""
    everything = store.snapshots(device)
    if len(everything) < 2:
        raise StoreError(
            f"drift needs at least two snapshots of {device}; {len(everything)} stored"
        )
    latest = everything[-1]
    assert latest.calibrated_at is not None or since is not None
    start = since or (latest.calibrated_at or datetime.min) - DEFAULT_WINDOW
    items: list[DriftItem] = []
    flagged: list[str] = []
    recovered: list[str] = []
    histories = [
        read_history(store, device, s, since=start, measured=False)
        for s in _selections(store, latest)
    ]
    for history in histories:
        items += _scores(history)
        if history.selection.gate is not None:
            new, old = _flag_changes(history)
            flagged += new
            recovered += old
    return DriftReport(
        device,
        latest,
        everything[-2],
        start,
        len(histories[0].snapshots) if histories else 0,
        tuple(sorted(items, key=lambda item: -abs(item.score))),
        tuple(flagged),
        tuple(recovered),
        any(h.synthetic for h in histories),
    )


def _selections(store: Reader, latest: SnapshotInfo) -> list[Selection]:
    snapshot = store.load(latest.id)
    chosen = [Selection(QUBIT_METRICS[k]) for k in ("t1_us", "t2_us", "readout_error")]
    one_qubit = {g.gate for g in snapshot.gates if g.arity == 1 and g.error is not None}
    reference = next((g for g in ONE_QUBIT_REFERENCE_GATES if g in one_qubit), None)
    if reference is not None:
        chosen.append(Selection(gate_error_metric(reference), reference))
    chosen += [Selection(GATE_ERROR, gate) for gate in snapshot.two_qubit_basis_gates]
    return chosen


def _scores(history: History) -> list[DriftItem]:
    items = []
    for key, values in history.series.items():
        newest = values[-1]
        if newest is None or history.failed(newest):
            continue
        baseline = [v for v in values[:-1] if v is not None and not history.failed(v)]
        if len(baseline) < MIN_BASELINE:
            continue
        middle = statistics.median(baseline)
        mad = statistics.median(abs(v - middle) for v in baseline)
        scale = max(MAD_SIGMA * mad, 0.01 * abs(middle), 1e-12)
        items.append(
            DriftItem(
                history.subject(key),
                history.selection.metric,
                newest,
                middle,
                mad,
                len(baseline),
                (newest - middle) / scale,
            )
        )
    return items


def _flag_changes(history: History) -> tuple[list[str], list[str]]:
    new, old = [], []
    for key, values in history.series.items():
        if len(values) < 2:
            continue
        before, now = values[-2], values[-1]
        if history.failed(now) and not history.failed(before):
            new.append(history.subject(key))
        elif history.failed(before) and now is not None and not history.failed(now):
            old.append(history.subject(key))
    return new, old
