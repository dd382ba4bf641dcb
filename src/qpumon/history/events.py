"""Qubit health over time: the episodes of each qubit and coupler in a device's stored history.

Four kinds, each found on one subject's own series (a qubit's T1, T2 or readout error; a
coupler's two-qubit gate error), with IBM's ``error = 1`` flags kept out of every baseline:

- **dip**: a value falls below half of the subject's trailing median (the median of its values
  over the :data:`BASELINE` before it, at least :data:`MIN_BASELINE` of them) and comes back
  above 80 % of that median within :data:`DIP_RECOVERY`; for errors, where higher is worse, above
  twice the median and back below 1.25 times it. T1 dips of this kind are what a two-level-system
  defect drifting through the qubit's frequency does. A value that has not come back yet, with
  the history ending within the recovery window, is an open dip (no end).
- **step**: a lasting change of level, found by PELT change-point detection (``ruptures``,
  least-squares cost) on the logarithm of the values, scaled by the series' own noise (the median
  absolute difference of neighbours), with the penalty :data:`STEP_PENALTY` · ln(n); a segment
  must hold :data:`STEP_MIN_SNAPSHOTS` snapshots, and the levels (medians) on either side of a
  change must differ by :data:`STEP_MIN_RATIO` or more.
- **flag**: from when to when a gate carried IBM's ``error = 1`` flag.
- **persistently bad**: in the device's worst decile of that metric in at least 80 % of the
  snapshots of the window that have a value for the subject.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from ..errors import StoreError
from ..model.metrics import GATE_ERROR, QUBIT_METRICS
from ..model.vocabulary import gate_subject
from ..store.records import Reader, SnapshotInfo
from .series import History, Selection, read_history

#: The trailing window of a dip's baseline, and the fewest values it needs.
BASELINE = timedelta(days=30)
MIN_BASELINE = 3
#: How soon a dip must come back to count as one.
DIP_RECOVERY = timedelta(days=7)
#: Falls below ``DIP_START`` of the baseline, comes back above ``DIP_END`` of it (T1, T2); for
#: errors the reciprocal sense: above ``ERROR_DIP_START`` times, back below ``ERROR_DIP_END``.
DIP_START, DIP_END = 0.5, 0.8
ERROR_DIP_START, ERROR_DIP_END = 2.0, 1.25
#: Step detection: PELT penalty factor (times ln n, on noise-scaled log values), the fewest
#: snapshots of a level, and the smallest level ratio reported.
STEP_PENALTY = 10.0
STEP_MIN_SNAPSHOTS = 5
STEP_MIN_DAYS = timedelta(days=14)
STEP_MIN_RATIO = 1.25
#: Persistently bad: worst ``BAD_QUANTILE`` of the device in at least ``BAD_SHARE`` of snapshots.
BAD_QUANTILE = 0.1
BAD_SHARE = 0.8
#: The episode kinds, in the order reports list them.
KINDS = ("dip", "step", "flag", "bad")


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode of one subject. ``depth`` is, for a dip, its extreme value over its baseline
    (0.3: T1 fell to 30 %); for a step, the new level over the old; for a flag, None; for
    persistently bad, the share of snapshots in the worst decile. ``end`` is None while it lasts.
    ``snapshots`` are the ids of the stored snapshots that show it."""

    kind: str
    subject: str  # "qubit 12" or "cz 3-4"
    metric: str  # a metric key: t1_us, t2_us, readout_error, error
    start: datetime
    end: datetime | None
    depth: float | None
    baseline: float | None
    snapshots: tuple[int, ...]


@dataclass(frozen=True)
class EventsReport:
    """The episodes of ``device`` within ``[since, until]``, by subject then start."""

    device: str
    since: datetime | None
    snapshots: int
    first: datetime | None
    last: datetime | None
    episodes: tuple[Episode, ...]
    synthetic: bool


def events(
    store: Reader,
    device: str,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Sequence[str] = KINDS,
) -> EventsReport:
    """Every episode of the kinds ``kinds`` in the stored history of ``device``."""
    infos = store.snapshots(device, since, until)
    if not infos:
        raise StoreError(f"no snapshots of {device} stored in that time")
    found: list[Episode] = []
    histories = [
        read_history(store, device, s, since, until, False) for s in selections(store, infos)
    ]
    for history in histories:
        found += episodes(history, kinds)
    found = merged_directions(found)
    found.sort(key=lambda e: (_subject_order(e.subject), e.start, KINDS.index(e.kind)))
    return EventsReport(
        device,
        since,
        len(infos),
        infos[0].calibrated_at,
        infos[-1].calibrated_at,
        tuple(found),
        any(h.synthetic for h in histories),
    )


def merged_directions(found: list[Episode]) -> list[Episode]:
    """Episodes of the two directions of one coupler that are the same episode (same kind,
    metric, time and depth: a device that lists both directions with the same values) as one,
    named ``cz 3-4`` as the vocabulary names both directions."""
    seen: dict[tuple[object, ...], Episode] = {}
    for episode in found:
        gate, _, key = episode.subject.partition(" ")
        qubits = tuple(int(q) for q in key.split("->")) if "->" in key else None
        if gate == "qubit" or qubits is None or len(qubits) != 2:
            seen[(episode.subject, episode.kind, episode.metric, episode.start)] = episode
            continue
        same = (gate, frozenset(qubits), episode.kind, episode.metric, episode.start, episode.end)
        other = seen.get(same)
        if other is not None and other.depth == episode.depth and other.subject != episode.subject:
            seen[same] = replace(other, subject=gate_subject(gate, qubits, directed=False))
        else:
            seen[same] = episode
    return list(seen.values())


def selections(store: Reader, infos: Sequence[SnapshotInfo]) -> list[Selection]:
    """What episodes are looked for in: T1, T2, readout error, and the two-qubit basis gates'
    errors of the newest snapshot."""
    chosen = [Selection(QUBIT_METRICS[k]) for k in ("t1_us", "t2_us", "readout_error")]
    newest = store.load(infos[-1].id)
    return chosen + [Selection(GATE_ERROR, gate) for gate in newest.two_qubit_basis_gates]


def episodes(history: History, kinds: Sequence[str] = KINDS) -> list[Episode]:
    """The episodes of every subject of one ``history``."""
    times = [info.calibrated_at or info.recorded_at for info in history.snapshots]
    ids = [info.id for info in history.snapshots]
    higher_is_worse = history.selection.metric.lower_is_better
    found: list[Episode] = []
    matrix = _value_matrix(history)
    worst = _worst_decile_cut(matrix, higher_is_worse) if "bad" in kinds else None
    for row, (key, values) in enumerate(history.series.items()):
        subject = _subject(history, key)
        series = Series(subject, history.selection.metric.key, times, ids, values, history)
        dips = series.dips(higher_is_worse)
        if "dip" in kinds:
            found += dips
        if "step" in kinds:
            found += series.steps({i for dip in dips for i in dip.snapshots})
        if "flag" in kinds and history.selection.gate is not None:
            found += series.flags()
        if worst is not None:
            found += series.persistently_bad(matrix[row], worst, higher_is_worse)
    return found


def _worst_decile_cut(matrix: np.ndarray, higher_is_worse: bool) -> np.ndarray | None:
    """Per snapshot, the value beyond which a subject is in the device's worst decile; None
    with fewer than ten subjects (no decile to be in)."""
    if matrix.shape[0] < 1 / BAD_QUANTILE:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a snapshot without any value
        quantile = 1 - BAD_QUANTILE if higher_is_worse else BAD_QUANTILE
        cut: np.ndarray = np.nanquantile(matrix, quantile, axis=0)
        return cut


def _value_matrix(history: History) -> np.ndarray:
    """Subjects by snapshots, NaN where there is no (unflagged) value."""
    rows = [
        [math.nan if v is None or history.failed(v) else v for v in values]
        for values in history.series.values()
    ]
    return np.array(rows, dtype=float).reshape(len(rows), len(history.snapshots))


@dataclass(frozen=True)
class Series:
    """One subject's values with their snapshot times and ids."""

    subject: str
    metric: str
    times: list[datetime]
    ids: list[int]
    values: list[float | None]
    history: History

    def _clean(self) -> tuple[np.ndarray, list[int]]:
        """Values without flags or gaps, and their positions in the snapshot list."""
        kept = [
            i for i, v in enumerate(self.values) if v is not None and not self.history.failed(v)
        ]
        return np.array([self.values[i] for i in kept], dtype=float), kept

    def baselines(self, values: np.ndarray, kept: list[int]) -> np.ndarray:
        """For each value, the median of the subject's values in the :data:`BASELINE` before
        it (NaN with fewer than :data:`MIN_BASELINE`)."""
        seconds = np.array([self.times[i].timestamp() for i in kept])
        starts = np.searchsorted(seconds, seconds - BASELINE.total_seconds(), side="left")
        width = int(max((np.arange(len(kept)) - starts).max(initial=0), 1))
        window = np.full((len(kept), width), np.nan)
        for offset in range(width):
            source = np.arange(len(kept)) - 1 - offset
            valid = source >= starts
            window[valid, offset] = values[source[valid]]
        counts = np.sum(~np.isnan(window), axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN row: no baseline
            medians: np.ndarray = np.nanmedian(window, axis=1)
        medians[counts < MIN_BASELINE] = np.nan
        return medians

    def dips(self, higher_is_worse: bool) -> list[Episode]:
        """The dips of this subject (see the module docstring)."""
        values, kept = self._clean()
        if len(values) <= MIN_BASELINE:
            return []
        baseline = self.baselines(values, kept)
        found: list[Episode] = []
        i = 0
        while i < len(values):
            base = baseline[i]
            if (
                math.isnan(base)
                or base <= 0
                or not self._starts_dip(values[i], base, higher_is_worse)
            ):
                i += 1
                continue
            start = self.times[kept[i]]
            j = i + 1
            while j < len(values) and not self._recovered(values[j], base, higher_is_worse):
                j += 1
            recovered = j < len(values)
            end = self.times[kept[j]] if recovered else None
            last_seen = self.times[kept[-1]]
            if (recovered and end is not None and end - start <= DIP_RECOVERY) or (
                not recovered and last_seen - start <= DIP_RECOVERY
            ):
                inside = values[i:j]
                extreme = inside.max() if higher_is_worse else inside.min()
                found.append(
                    Episode(
                        "dip",
                        self.subject,
                        self.metric,
                        start,
                        end,
                        float(extreme / base),
                        float(base),
                        tuple(self.ids[k] for k in kept[i:j]),
                    )
                )
                i = j
            else:
                i += 1
        return found

    @staticmethod
    def _starts_dip(value: float, base: float, higher_is_worse: bool) -> bool:
        return value > ERROR_DIP_START * base if higher_is_worse else value < DIP_START * base

    @staticmethod
    def _recovered(value: float, base: float, higher_is_worse: bool) -> bool:
        return value < ERROR_DIP_END * base if higher_is_worse else value > DIP_END * base

    def steps(self, in_dips: set[int]) -> list[Episode]:
        """Lasting changes of level (PELT, see the module docstring), on the values outside
        the dips (snapshot ids ``in_dips``), which are no change of level."""
        values, kept = self._clean()
        use = (values > 0) & np.array([self.ids[k] not in in_dips for k in kept], dtype=bool)
        values, kept = values[use], [k for k, u in zip(kept, use, strict=True) if u]
        size = self._min_size(kept)
        if len(values) < 2 * size:
            return []
        logs = np.log(values)
        noise = float(np.median(np.abs(np.diff(logs)))) / math.sqrt(2) * 1.4826
        if noise <= 0:
            return []
        import ruptures  # imported here: only this analysis needs it

        signal = (logs / noise).reshape(-1, 1)
        penalty = STEP_PENALTY * math.log(len(values))
        # KernelCPD with the linear kernel is PELT with the least-squares cost, in C.
        detector = ruptures.KernelCPD(kernel="linear", min_size=size, jump=1)
        breaks = [0, *detector.fit(signal).predict(pen=penalty)]
        found = []
        for before, at, after in zip(breaks, breaks[1:], breaks[2:], strict=False):
            old = float(np.median(values[before:at]))
            new = float(np.median(values[at:after]))
            if max(old, new) / min(old, new) < STEP_MIN_RATIO:
                continue
            found.append(
                Episode(
                    "step",
                    self.subject,
                    self.metric,
                    self.times[kept[at]],
                    None,
                    new / old,
                    old,
                    tuple(self.ids[k] for k in kept[at:after]),
                )
            )
        return found

    def _min_size(self, kept: list[int]) -> int:
        """The fewest snapshots of a level: those of :data:`STEP_MIN_DAYS` at the series'
        median spacing, and at least :data:`STEP_MIN_SNAPSHOTS`."""
        if len(kept) < 2:
            return STEP_MIN_SNAPSHOTS
        seconds = np.diff([self.times[k].timestamp() for k in kept])
        spacing = max(float(np.median(seconds)), 1.0)
        return max(STEP_MIN_SNAPSHOTS, round(STEP_MIN_DAYS.total_seconds() / spacing))

    def flags(self) -> list[Episode]:
        """Runs of snapshots in which the gate carried IBM's ``error = 1`` flag (a snapshot
        without the gate does not end a run; the first unflagged value does)."""
        found = []
        count, i = len(self.values), 0
        while i < count:
            if not self._flagged(i):
                i += 1
                continue
            run, j = [], i
            while j < count and (self.values[j] is None or self._flagged(j)):
                if self._flagged(j):
                    run.append(j)
                j += 1
            end = self.times[j] if j < count else None
            found.append(
                Episode(
                    "flag",
                    self.subject,
                    self.metric,
                    self.times[i],
                    end,
                    None,
                    None,
                    tuple(self.ids[k] for k in run),
                )
            )
            i = j
        return found

    def _flagged(self, i: int) -> bool:
        value = self.values[i]
        return value is not None and self.history.failed(value)

    def persistently_bad(
        self, mine: np.ndarray, cut: np.ndarray, higher_is_worse: bool
    ) -> list[Episode]:
        """One episode if this subject's values ``mine`` are in the device's worst decile
        (beyond ``cut``) in at least :data:`BAD_SHARE` of the snapshots where it has one."""
        has = ~np.isnan(mine) & ~np.isnan(cut)
        if has.sum() < MIN_BASELINE:
            return []
        worst = (mine >= cut) if higher_is_worse else (mine <= cut)
        share = float(np.sum(worst & has) / np.sum(has))
        if share < BAD_SHARE:
            return []
        columns = np.flatnonzero(has)
        return [
            Episode(
                "bad",
                self.subject,
                self.metric,
                self.times[columns[0]],
                self.times[columns[-1]],
                share,
                float(np.median(mine[has])),
                tuple(self.ids[k] for k in columns if worst[k]),
            )
        ]


def _subject(history: History, key: str) -> str:
    gate = history.selection.gate
    if gate is None or history.selection.metric.scope == "qubit":
        return f"qubit {key}"
    return f"{gate} {key}"


def _subject_order(subject: str) -> tuple[int, tuple[int, ...]]:
    kind, _, key = subject.partition(" ")
    numbers = tuple(int(n) for n in key.replace("->", "-").split("-") if n.isdigit())
    return (0 if kind == "qubit" else 1, numbers)


def recent_dip_qubits(report: EventsReport, within: timedelta, now: datetime) -> set[int]:
    """The qubits with a dip (on any metric, or on a coupler they are part of) that started, or
    was still open, within ``within`` before ``now``: what ``--avoid-recent-dips`` leaves out."""
    avoided: set[int] = set()
    for episode in report.episodes:
        if episode.kind != "dip":
            continue
        if episode.end is not None and episode.end < now - within:
            continue
        key = episode.subject.partition(" ")[2]
        avoided |= {int(n) for n in key.replace("->", "-").split("-") if n.isdigit()}
    return avoided
