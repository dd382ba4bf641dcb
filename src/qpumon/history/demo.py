"""Synthetic calibration history derived from a real snapshot, for demos, tests and benchmarks.

Every value starts at the real snapshot's and then follows its own seeded, mean-reverting random
walk in log space (Ornstein-Uhlenbeck), one step per period. On top of that, a qubit occasionally
meets a two-level-system defect (its T1 drops to a fraction for a few days and recovers), and a
two-qubit gate occasionally fails its benchmark (IBM's ``error == 1`` flag) for a few days. As
on IBM's devices, the single-qubit gates of a qubit that share an error (id, sx, x) share its
drift. Missing values stay missing. Each snapshot's ``source`` is ``synthetic:<device>`` and the
store marks it synthetic.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from ..model import FAILED_GATE_ERROR, DeviceSnapshot, GateCalibration, QubitCalibration
from ..util.times import MAX_DURATION

if TYPE_CHECKING:  # the store (SQLAlchemy) only for record_demo's callers
    from ..store.db import Store
    from ..store.records import Recorded

#: Per-field walk: (step sigma in log space, pull back to the start per step).
_WALKS: dict[str, tuple[float, float]] = {
    "t1_us": (0.10, 0.08),
    "t2_us": (0.14, 0.08),
    "readout_error": (0.12, 0.10),
    "prob_meas0_prep1": (0.12, 0.10),
    "prob_meas1_prep0": (0.12, 0.10),
    "frequency_ghz": (0.00002, 0.05),
}
_GATE_WALK = (0.10, 0.08)


@dataclass(frozen=True)
class DemoSettings:
    """How the synthetic history is drawn."""

    seed: int = 0
    step: timedelta = timedelta(days=1)
    defect_rate: float = 0.004  # per qubit and step
    defect_t1_factor: float = 0.25
    failure_rate: float = 0.002  # per two-qubit gate and step
    mean_outage_steps: float = 3.0


def demo_history(
    base: DeviceSnapshot,
    count: int,
    settings: DemoSettings | None = None,
    end: datetime | None = None,
) -> Iterator[DeviceSnapshot]:
    """``count`` synthetic snapshots, one per ``settings.step``, ending one step before ``end``
    (default: ``base``'s calibration time)."""
    settings = settings or DemoSettings()
    seed = hashlib.sha256(f"{settings.seed}:{base.name}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(seed[:8], "little"))
    end = end or base.calibrated_at or datetime.now(timezone.utc).replace(microsecond=0)
    plan = _Plan(base)
    walks = np.zeros(len(plan.starts))
    defects = np.zeros(len(base.qubits), dtype=np.int64)
    failures = np.zeros(len(plan.failing), dtype=np.int64)
    for i in range(count):
        when = end - (count - i) * settings.step
        walks = walks * (1.0 - plan.pulls) + plan.sigmas * rng.standard_normal(len(walks))
        values = np.minimum(plan.starts * np.exp(walks), plan.ceilings).tolist()
        defective = _outages(defects, settings.defect_rate, rng, settings).tolist()
        failed = _outages(failures, settings.failure_rate, rng, settings).tolist()
        yield replace(
            base,
            source=f"synthetic:{base.name}",
            calibrated_at=when,
            qubits=plan.qubits(values, defective, when, settings),
            gates=plan.gates(values, failed, when),
            layer_fidelities=(),
        )


class _Plan:
    """Which value of a snapshot follows which walk: ``starts``, ``sigmas``, ``pulls`` and
    ``ceilings`` per walk; per qubit its walked fields, per gate its walk and failure slot."""

    def __init__(self, base: DeviceSnapshot) -> None:
        starts: list[float] = []
        sigmas: list[float] = []
        pulls: list[float] = []
        ceilings: list[float] = []

        def walk(start: float, sigma: float, pull: float, ceiling: float) -> int:
            for values, value in zip(
                (starts, sigmas, pulls, ceilings), (start, sigma, pull, ceiling), strict=True
            ):
                values.append(value)
            return len(starts) - 1

        self._qubits = []
        for q in base.qubits:
            walked = {}
            for name, (sigma, pull) in _WALKS.items():
                start = q.value(name)
                if start is not None:
                    ceiling = 0.5 if name.startswith(("readout", "prob")) else math.inf
                    walked[name] = walk(start, sigma, pull, ceiling)
            self._qubits.append((_fields_of(q), walked, tuple(q.measured_at)))
        self.failing: list[int] = []
        shared: dict[tuple[object, ...], int] = {}
        self._gates = []
        for g in base.gates:
            slot = fail = -1
            if g.error is not None and g.error != 0.0:
                start = g.error if not g.failed else 0.01
                key = ("g1", g.qubits, g.error) if g.arity == 1 else ("g", g.gate, g.qubits)
                slot = shared.get(key, -1)
                if slot < 0:
                    slot = shared[key] = walk(start, *_GATE_WALK, 0.5)
                if g.arity >= 2:
                    fail = len(self.failing)
                    self.failing.append(slot)
            given = _fields_of(g)
            self._gates.append(
                (given, tuple(given.values()), slot, fail, g.measured_at is not None)
            )
        self.starts, self.sigmas = np.array(starts), np.array(sigmas)
        self.pulls, self.ceilings = np.array(pulls), np.array(ceilings)

    def qubits(
        self, values: list[float], defective: list[bool], when: datetime, settings: DemoSettings
    ) -> tuple[QubitCalibration, ...]:
        """The qubits of one step."""
        out = []
        for (given, walked, dated), defect in zip(self._qubits, defective, strict=True):
            kwargs = {**given, "measured_at": dict.fromkeys(dated, when)}
            for name, slot in walked.items():
                kwargs[name] = values[slot]
            if defect and kwargs["t1_us"] is not None:
                kwargs["t1_us"] *= settings.defect_t1_factor
            out.append(QubitCalibration(**kwargs))
        return tuple(out)

    def gates(
        self, values: list[float], failed: list[bool], when: datetime
    ) -> tuple[GateCalibration, ...]:
        """The gates of one step."""
        if not _POSITIONAL:  # a model with other fields: by name (slower)
            return tuple(self._gates_by_name(values, failed, when))
        out: list[GateCalibration] = []
        append, make, failure = out.append, GateCalibration, FAILED_GATE_ERROR
        for _, given, slot, fail, dated in self._gates:
            gate, qubits, error, length, _, definition, uncertainty, operational = given
            if slot >= 0:
                error = failure if fail >= 0 and failed[fail] else values[slot]
            moment = when if dated or slot >= 0 else None
            append(make(gate, qubits, error, length, moment, definition, uncertainty, operational))
        return tuple(out)

    def _gates_by_name(
        self, values: list[float], failed: list[bool], when: datetime
    ) -> Iterator[GateCalibration]:
        for given, _, slot, fail, dated in self._gates:
            if slot < 0:
                yield GateCalibration(**{**given, "measured_at": when if dated else None})
                continue
            error = FAILED_GATE_ERROR if fail >= 0 and failed[fail] else values[slot]
            yield GateCalibration(**{**given, "error": error, "measured_at": when})


#: GateCalibration's fields in the order :meth:`_Plan.gates` passes them.
_POSITIONAL = tuple(f.name for f in fields(GateCalibration)) == (
    "gate",
    "qubits",
    "error",
    "length_ns",
    "measured_at",
    "definition",
    "uncertainty",
    "operational",
)


def _outages(
    left: np.ndarray[Any, Any], rate: float, rng: np.random.Generator, settings: DemoSettings
) -> np.ndarray[Any, Any]:
    """One step of outages (defects, failures): each slot not out starts one with probability
    ``rate``, lasting 1 + an exponential number of steps; ``left`` is updated in place. Which
    slots are out during this step."""
    starting = (left == 0) & (rng.random(len(left)) < rate)
    lengths = 1 + np.floor(rng.exponential(settings.mean_outage_steps, len(left))).astype(np.int64)
    left[:] = np.where(starting, lengths, left)
    out = left > 0
    left[:] = np.maximum(left - 1, 0)
    return out


def _fields_of(item: Any) -> dict[str, Any]:
    """A dataclass instance's fields, to build its synthetic copies from (faster than replace)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def record_demo(
    store: Store,
    base: DeviceSnapshot,
    days: int,
    settings: DemoSettings | None = None,
    advance: Callable[[Recorded], None] | None = None,
    end: datetime | None = None,
) -> int:
    """Store :func:`demo_history` of ``base`` (``days`` steps ending before ``end``, marked
    synthetic), a batch of snapshots to a transaction; ``advance`` is called after each snapshot
    is stored. Returns how many were newly stored (running it again stores nothing new)."""
    settings = settings or DemoSettings()
    if settings.step <= timedelta(0) or not 1 <= days <= MAX_DURATION / settings.step:
        raise UsageError(
            f"a synthetic history of {days} steps of {settings.step}: give 1 step or more, "
            f"at most {MAX_DURATION.days} days in all"
        )
    stored = 0
    batch: list[DeviceSnapshot] = []
    for snapshot in demo_history(base, days, settings, end):
        batch.append(snapshot)
        if len(batch) == _BATCH:
            stored += _store(store, batch, advance)
            batch = []
    return stored + _store(store, batch, advance)


#: Snapshots stored per transaction.
_BATCH = 30


def _store(
    store: Store, batch: list[DeviceSnapshot], advance: Callable[[Recorded], None] | None
) -> int:
    done = store.record_many(batch, synthetic=True) if batch else []
    for recorded in done:
        if advance is not None:
            advance(recorded)
    return sum(r.stored for r in done)


def ending_now(step: timedelta, now: datetime | None = None) -> datetime:
    """The end of a synthetic history that ends now: ``now`` rounded up to a whole ``step``
    since the epoch (midnight UTC for daily steps), so that its last snapshot is the newest
    whole step and running it again within the same step stores nothing new."""
    now = now or datetime.now(timezone.utc)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    steps = math.ceil((now - epoch) / step)
    return epoch + steps * step
