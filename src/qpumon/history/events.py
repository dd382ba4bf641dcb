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
  least-squares cost) on the logarithm of the values, in blocks of consecutive values (a seventh
  of a level, about two days) read as their medians, scaled by the series' own noise (the median
  absolute difference of neighbouring blocks), with the penalty :data:`STEP_PENALTY` · ln(n);
  a level lasts :data:`STEP_MIN_DAYS` and at least :data:`STEP_MIN_SNAPSHOTS` snapshots, and the
  levels (medians) on either side of a change differ by :data:`STEP_MIN_RATIO` or more. A step's
  start is exact to one block; dips are left out first (they are no change of level).
- **flag**: from when to when a gate carried IBM's ``error = 1`` flag.
- **persistently bad**: in the device's worst decile of that metric in at least 80 % of the
  snapshots of the window that have a value for the subject.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from ..errors import StoreError
from ..model import FAILED_GATE_ERROR
from ..model.metrics import GATE_ERROR, QUBIT_METRICS
from ..model.vocabulary import Coupler, gate_subject, parse_coupler
from ..store.records import Reader, SnapshotInfo
from .series import History, Selection, StoredColumns, read_stored

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
#: Step detection reads medians of blocks of consecutive values, this many blocks to a level
#: (a block of about two days): the same answer at a small part of the cost on long histories.
STEP_BLOCKS_PER_LEVEL = 7
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
    for selection in selections(store, infos):
        stored = read_stored(store, device, selection, since, until, infos)
        subjects, raw = stored_matrix(stored)
        found += _episodes(selection, stored.snapshots, subjects, raw, kinds)
    found = merged_directions(found)
    found.sort(key=lambda e: (_subject_order(e.subject), e.start, KINDS.index(e.kind)))
    return EventsReport(
        device,
        since,
        len(infos),
        infos[0].calibrated_at,
        infos[-1].calibrated_at,
        tuple(found),
        any(info.synthetic for info in infos),
    )


def merged_directions(found: list[Episode]) -> list[Episode]:
    """Episodes of the two directions of one coupler that are the same episode (same kind,
    metric, time and depth: a device that lists both directions with the same values) as one,
    named ``cz 3-4`` as the vocabulary names both directions."""
    seen: dict[tuple[object, ...], Episode] = {}
    for episode in found:
        gate, coupler = subject_coupler(episode.subject)
        qubits = coupler.qubits
        if gate == "qubit" or not coupler.directed or len(qubits) != 2:
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
    shape = (len(history.series), len(history.snapshots))
    raw = np.array(list(history.series.values()), dtype=float).reshape(shape)  # None: NaN
    return _episodes(history.selection, history.snapshots, list(history.series), raw, kinds)


def stored_matrix(stored: StoredColumns) -> tuple[list[str], np.ndarray]:
    """The subjects with any value and their values, subjects by snapshots (NaN: missing)."""
    raw = np.full((len(stored.subjects), len(stored.snapshots)), np.nan)
    rows: dict[int, np.ndarray] = {}  # one index array per stored layout
    for i, values, placed in stored.placed:
        where = rows.get(id(placed))
        if where is None:
            where = rows[id(placed)] = np.array(placed, dtype=np.intp)
        raw[where, i] = np.frombuffer(values, dtype=np.float64)
    kept = ~np.all(np.isnan(raw), axis=1)
    return [k for k, keep in zip(stored.subjects, kept, strict=True) if keep], raw[kept]


def _episodes(
    selection: Selection,
    snapshots: Sequence[SnapshotInfo],
    subjects: Sequence[str],
    raw: np.ndarray,
    kinds: Sequence[str],
) -> list[Episode]:
    """The episodes of each subject (a row of ``raw``, NaN where missing)."""
    times = [info.calibrated_at or info.recorded_at for info in snapshots]
    ids = np.array([info.id for info in snapshots], dtype=np.int64)
    higher_is_worse = selection.metric.lower_is_better
    flagged = raw == FAILED_GATE_ERROR if selection.flaggable else np.zeros(raw.shape, dtype=bool)
    matrix = np.where(flagged, np.nan, raw)
    seconds = np.array([t.timestamp() for t in times], dtype=float)
    baselines = trailing_medians(matrix, seconds, dip_candidates(matrix, seconds, higher_is_worse))
    worst = _worst_decile_cut(matrix, higher_is_worse) if "bad" in kinds else None
    found: list[Episode] = []
    for row, key in enumerate(subjects):
        series = Series(
            selection.prefix + key, selection.metric.key, times, ids, matrix[row], seconds
        )
        dips = series.dips(baselines[row], higher_is_worse)
        if "dip" in kinds:
            found += dips
        if "step" in kinds:
            found += series.steps({i for dip in dips for i in dip.snapshots})
        if "flag" in kinds and selection.gate is not None:
            found += flags(series, flagged[row])
        if worst is not None:
            found += series.persistently_bad(worst, higher_is_worse)
    return found


def trailing_medians(
    matrix: np.ndarray, seconds: np.ndarray, wanted: np.ndarray | None = None
) -> np.ndarray:
    """For each subject (row) and snapshot (column) where ``wanted`` is True (every one if
    None), the median of the subject's values in the :data:`BASELINE` before it, that snapshot
    excluded; NaN with fewer than :data:`MIN_BASELINE` values, and where not wanted."""
    starts = window_starts(seconds)
    if wanted is None:
        wanted = np.ones(matrix.shape, dtype=bool)
    rows, columns = np.nonzero(wanted)
    out = np.full(matrix.shape, np.nan)
    if not rows.size:
        return out
    width = int(max((columns - starts[columns]).max(), 1))
    chunk = max(1, _GATHERED // width)  # cells at a time: bounds the gathered windows' memory
    for first in range(0, rows.size, chunk):
        r, c = rows[first : first + chunk], columns[first : first + chunk]
        offsets = c[:, None] - 1 - np.arange(width)[None, :]  # (cell, k)
        inside = offsets >= starts[c][:, None]
        window = matrix[r[:, None], np.where(inside, offsets, 0)]
        window[~inside] = np.nan
        counts = np.sum(~np.isnan(window), axis=1)
        ordered = np.sort(window, axis=1)  # NaN sort last: the first ``counts`` are the values
        cells = np.arange(len(r))
        low = ordered[cells, ((counts - 1) // 2).clip(0)]
        high = ordered[cells, (counts // 2).clip(0)]
        out[r, c] = np.where(counts >= MIN_BASELINE, (low + high) / 2, np.nan)
    return out


#: At most this many values are gathered at once by :func:`trailing_medians` (8 bytes each:
#: half a megabyte stays in the processor's cache; 32 MB at a time took twice as long).
_GATHERED = 65_536


def window_starts(seconds: np.ndarray) -> np.ndarray:
    """For each snapshot, the first snapshot of the :data:`BASELINE` before it: its trailing
    window is ``[start, snapshot)``."""
    found: np.ndarray = np.searchsorted(seconds, seconds - BASELINE.total_seconds(), side="left")
    return found


def dip_candidates(matrix: np.ndarray, seconds: np.ndarray, higher_is_worse: bool) -> np.ndarray:
    """Where a dip can start, a superset found without any median: a median lies between its
    window's smallest and largest value, so a value below :data:`DIP_START` of the median is
    below that share of the window's largest (errors: above :data:`ERROR_DIP_START` times its
    smallest). Only these cells need their trailing median."""
    with np.errstate(invalid="ignore"):
        if higher_is_worse:
            smallest = window_extremes(matrix, window_starts(seconds), np.fmin)
            found: np.ndarray = matrix > ERROR_DIP_START * smallest
        else:
            largest = window_extremes(matrix, window_starts(seconds), np.fmax)
            found = matrix < DIP_START * largest
    return found


def window_extremes(matrix: np.ndarray, starts: np.ndarray, pick: np.ufunc) -> np.ndarray:
    """Per row, ``pick`` (``np.fmax`` or ``np.fmin``: NaN ignored) over each column's window
    ``[starts[c], c)``; NaN for an empty window or one without values. A sparse table: level k
    holds ``pick`` over ``2**k`` neighbours, and any window is two overlapping blocks of one
    level (linear work per level, a logarithmic number of levels)."""
    count = matrix.shape[1]
    lengths = np.arange(count) - starts
    levels = [matrix]
    while 2 ** len(levels) <= lengths.max(initial=0):
        span, last = 2 ** (len(levels) - 1), levels[-1]
        levels.append(pick(last[:, :-span], last[:, span:]))
    out = np.full(matrix.shape, np.nan)
    level_of = np.where(lengths > 0, np.floor(np.log2(np.maximum(lengths, 1))), -1)
    for k, level in enumerate(levels):
        columns = np.flatnonzero(level_of == k)
        if columns.size:
            left, right = starts[columns], columns - 2**k
            out[:, columns] = pick(level[:, left], level[:, right])
    return out


def _worst_decile_cut(matrix: np.ndarray, higher_is_worse: bool) -> np.ndarray | None:
    """Per snapshot, the value beyond which a subject is in the device's worst decile; None
    with fewer than ten subjects (no decile to be in)."""
    if matrix.shape[0] < 1 / BAD_QUANTILE:
        return None
    return nan_quantiles(matrix, 1 - BAD_QUANTILE if higher_is_worse else BAD_QUANTILE)


def nan_quantiles(matrix: np.ndarray, q: float) -> np.ndarray:
    """Per column, the ``q`` quantile of its values that are not NaN (NaN where it has none),
    interpolated linearly as :func:`numpy.nanquantile` does by default, with one sort of the
    whole matrix instead of one call per column."""
    ordered = np.sort(matrix, axis=0)  # NaN sort last
    counts = np.sum(~np.isnan(matrix), axis=0)
    at = q * np.maximum(counts - 1, 0)
    low = np.floor(at).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(counts - 1, 0))
    columns = np.arange(matrix.shape[1])
    below, above = ordered[low, columns], ordered[high, columns]
    cut: np.ndarray = np.where(counts > 0, below + (above - below) * (at - low), np.nan)
    return cut


@dataclass(frozen=True)
class Series:
    """One subject's values (NaN where missing or flagged) with its snapshots' times and ids."""

    subject: str
    metric: str
    times: list[datetime]
    ids: np.ndarray  # int64, one per snapshot
    values: np.ndarray
    seconds: np.ndarray

    def dips(self, baseline: np.ndarray, higher_is_worse: bool) -> list[Episode]:
        """The dips of this subject against its trailing medians ``baseline``."""
        values = self.values
        with np.errstate(invalid="ignore"):
            if higher_is_worse:
                starting = values > ERROR_DIP_START * baseline
            else:
                starting = values < DIP_START * baseline
        starting &= baseline > 0
        present = np.flatnonzero(~np.isnan(values))
        if not present.size:
            return []
        last_seen = self.seconds[present[-1]]
        found: list[Episode] = []
        consumed = -1
        for i in np.flatnonzero(starting):
            if i < consumed:
                continue
            base = float(baseline[i])
            after = values[i + 1 :]
            with np.errstate(invalid="ignore"):
                back = after < ERROR_DIP_END * base if higher_is_worse else after > DIP_END * base
            j = int(i + 1 + np.argmax(back)) if back.any() else None
            limit = DIP_RECOVERY.total_seconds()
            ends = self.seconds[j] if j is not None else last_seen
            if ends - self.seconds[i] > limit:
                continue
            stop = j if j is not None else len(values)
            inside = [k for k in range(i, stop) if not math.isnan(values[k])]
            shown = values[inside]
            extreme = float(shown.max() if higher_is_worse else shown.min())
            end = None if j is None else self.times[j]
            episode = Episode(
                "dip",
                self.subject,
                self.metric,
                self.times[i],
                end,
                extreme / base,
                base,
                tuple(self.ids[inside].tolist()),
            )
            found.append(episode)
            consumed = stop
        return found

    def steps(self, in_dips: set[int]) -> list[Episode]:
        """Lasting changes of level (PELT, see the module docstring), on the values outside
        the dips (snapshot ids ``in_dips``), which are no change of level, in blocks of
        consecutive values (about two days each) whose medians the detection reads."""
        with np.errstate(invalid="ignore"):
            usable = self.values > 0  # NaN: False
        if in_dips:
            usable &= ~np.isin(self.ids, np.fromiter(in_dips, dtype=np.int64))
        kept = np.flatnonzero(usable)
        size = self._min_size(kept)
        block = max(1, size // STEP_BLOCKS_PER_LEVEL)
        blocks = len(kept) // block
        if blocks < 2 * math.ceil(size / block):
            return []
        values = self.values[kept]
        logs = _row_medians(np.log(values[: blocks * block]).reshape(blocks, block))
        noise = _median(np.abs(np.diff(logs))) / math.sqrt(2) * 1.4826
        if noise <= 0:
            return []
        import ruptures  # imported here: only this analysis needs it

        # KernelCPD with the linear kernel is PELT with the least-squares cost, in C.
        detector = ruptures.KernelCPD(kernel="linear", min_size=math.ceil(size / block), jump=1)
        ends = detector.fit((logs / noise).reshape(-1, 1)).predict(
            pen=STEP_PENALTY * math.log(blocks)
        )
        breaks = [0, *(b * block for b in ends[:-1]), len(kept)]
        levels = [_median(values[a:b]) for a, b in itertools.pairwise(breaks)]
        found = []
        for k in range(1, len(levels)):
            at, after = breaks[k], breaks[k + 1]
            old, new = levels[k - 1], levels[k]
            if max(old, new) / min(old, new) < STEP_MIN_RATIO:
                continue
            episode = Episode(
                "step",
                self.subject,
                self.metric,
                self.times[kept[at]],
                None,
                new / old,
                old,
                tuple(self.ids[kept[at:after]].tolist()),
            )
            found.append(episode)
        return found

    def _min_size(self, kept: np.ndarray) -> int:
        """The fewest snapshots of a level: those of :data:`STEP_MIN_DAYS` at the series'
        median spacing, and at least :data:`STEP_MIN_SNAPSHOTS`."""
        if len(kept) < 2:
            return STEP_MIN_SNAPSHOTS
        spacing = max(_median(np.diff(self.seconds[kept])), 1.0)
        return max(STEP_MIN_SNAPSHOTS, round(STEP_MIN_DAYS.total_seconds() / spacing))

    def persistently_bad(self, cut: np.ndarray, higher_is_worse: bool) -> list[Episode]:
        """One episode if this subject is in the device's worst decile (beyond ``cut``) in at
        least :data:`BAD_SHARE` of the snapshots where it has a value."""
        mine = self.values
        has = ~np.isnan(mine) & ~np.isnan(cut)
        if has.sum() < MIN_BASELINE:
            return []
        worst = (mine >= cut) if higher_is_worse else (mine <= cut)
        share = float(np.sum(worst & has) / np.sum(has))
        if share < BAD_SHARE:
            return []
        columns = np.flatnonzero(has)
        episode = Episode(
            "bad",
            self.subject,
            self.metric,
            self.times[columns[0]],
            self.times[columns[-1]],
            share,
            float(np.median(mine[has])),
            tuple(self.ids[columns[worst[columns]]].tolist()),
        )
        return [episode]


def flags(series: Series, flagged: np.ndarray) -> list[Episode]:
    """Runs of snapshots in which the gate carried IBM's ``error = 1`` flag (``flagged``; a
    snapshot without the gate does not end a run, the first unflagged value does)."""
    if not flagged.any():
        return []
    found = []
    run: list[int] = []
    for k in np.flatnonzero(flagged | ~np.isnan(series.values)):  # what says anything of it
        if flagged[k]:
            run.append(int(k))
        elif run:
            found.append(_flag(series, run, series.times[k]))
            run = []
    if run:
        found.append(_flag(series, run, None))
    return found


def _median(values: np.ndarray) -> float:
    """The median of a short array without NaN (``np.median``'s general path costs more than
    the sort)."""
    return float(_row_medians(values.reshape(1, -1))[0])


def _row_medians(rows: np.ndarray) -> np.ndarray:
    """The median of each row of a small matrix without NaN."""
    ordered = np.sort(rows, axis=1)
    width = rows.shape[1]
    medians: np.ndarray = (ordered[:, (width - 1) // 2] + ordered[:, width // 2]) / 2
    return medians


def _flag(series: Series, run: list[int], end: datetime | None) -> Episode:
    snapshots = tuple(series.ids[run].tolist())
    return Episode(
        "flag", series.subject, series.metric, series.times[run[0]], end, None, None, snapshots
    )


@lru_cache(maxsize=65536)
def subject_coupler(subject: str) -> tuple[str, Coupler]:
    """``qubit 12`` or ``cz 3->4`` (``cz 3-4``) as its kind (``qubit``, ``cz``) and coupler."""
    kind, _, key = subject.partition(" ")
    return kind, parse_coupler(key, "episode subject")


def _subject_order(subject: str) -> tuple[int, tuple[int, ...]]:
    kind, coupler = subject_coupler(subject)
    return (0 if kind == "qubit" else 1, coupler.qubits)


def recent_dip_qubits(report: EventsReport, within: timedelta, now: datetime) -> set[int]:
    """The qubits with a dip (on any metric, or on a coupler they are part of) that started, or
    was still open, within ``within`` before ``now``: what ``--avoid-recent-dips`` leaves out."""
    avoided: set[int] = set()
    for episode in report.episodes:
        if episode.kind != "dip":
            continue
        if episode.end is not None and episode.end < now - within:
            continue
        avoided |= set(subject_coupler(episode.subject)[1].qubits)
    return avoided
