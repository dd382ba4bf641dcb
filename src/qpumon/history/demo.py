"""Synthetic calibration history derived from a real snapshot, for demos, tests and benchmarks.

Every value starts at the real snapshot's and then follows its own seeded, mean-reverting random
walk in log space (Ornstein-Uhlenbeck), one step per period. On top of that, a qubit occasionally
meets a two-level-system defect (its T1 drops to a fraction for a few days and recovers), and a
two-qubit gate occasionally fails its benchmark (IBM's ``error == 1`` flag) for a few days.
Missing values stay missing. Each snapshot's ``source`` is ``synthetic:<device>`` and the store
marks it synthetic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

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
    rng = random.Random(f"{settings.seed}:{base.name}")
    end = end or base.calibrated_at or datetime.now(timezone.utc).replace(microsecond=0)
    walks: dict[tuple[object, ...], float] = {}
    outages: dict[tuple[object, ...], int] = {}
    for i in range(count):
        when = end - (count - i) * settings.step
        qubits = tuple(_qubit(q, when, rng, walks, outages, settings) for q in base.qubits)
        gates = tuple(_gate(g, when, rng, walks, outages, settings) for g in base.gates)
        yield replace(
            base,
            source=f"synthetic:{base.name}",
            calibrated_at=when,
            qubits=qubits,
            gates=gates,
            layer_fidelities=(),
        )


def record_demo(
    store: Store,
    base: DeviceSnapshot,
    days: int,
    settings: DemoSettings | None = None,
    advance: Callable[[Recorded], None] | None = None,
    end: datetime | None = None,
) -> int:
    """Store :func:`demo_history` of ``base`` (``days`` steps ending before ``end``, marked
    synthetic), each snapshot in its own transaction; ``advance`` is called after each. Returns
    how many were newly stored (running it again stores nothing new)."""
    settings = settings or DemoSettings()
    if settings.step <= timedelta(0) or not 1 <= days <= MAX_DURATION / settings.step:
        raise UsageError(
            f"a synthetic history of {days} steps of {settings.step}: give 1 step or more, "
            f"at most {MAX_DURATION.days} days in all"
        )
    stored = 0
    for snapshot in demo_history(base, days, settings, end):
        recorded = store.record(snapshot, synthetic=True)
        stored += recorded.stored
        if advance is not None:
            advance(recorded)
    return stored


def ending_now(step: timedelta, now: datetime | None = None) -> datetime:
    """The end of a synthetic history that ends now: ``now`` rounded up to a whole ``step``
    since the epoch (midnight UTC for daily steps), so that its last snapshot is the newest
    whole step and running it again within the same step stores nothing new."""
    now = now or datetime.now(timezone.utc)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    steps = math.ceil((now - epoch) / step)
    return epoch + steps * step


def _step(
    key: tuple[object, ...],
    walk: tuple[float, float],
    rng: random.Random,
    walks: dict[tuple[object, ...], float],
) -> float:
    sigma, pull = walk
    x = walks.get(key, 0.0)
    x = x * (1.0 - pull) + rng.gauss(0.0, sigma)
    walks[key] = x
    return x


def _outage(
    key: tuple[object, ...],
    rate: float,
    rng: random.Random,
    outages: dict[tuple[object, ...], int],
    settings: DemoSettings,
) -> bool:
    left = outages.get(key, 0)
    if left == 0 and rng.random() < rate:
        left = 1 + int(rng.expovariate(1.0 / settings.mean_outage_steps))
    outages[key] = max(left - 1, 0)
    return left > 0


def _qubit(
    qubit: QubitCalibration,
    when: datetime,
    rng: random.Random,
    walks: dict[tuple[object, ...], float],
    outages: dict[tuple[object, ...], int],
    settings: DemoSettings,
) -> QubitCalibration:
    values: dict[str, Any] = {}
    for name, walk in _WALKS.items():
        start = qubit.value(name)
        if start is None:
            continue
        x = _step(("q", qubit.index, name), walk, rng, walks)
        value = start * math.exp(x)
        if name.startswith(("readout", "prob")):
            value = min(value, 0.5)
        values[name] = value
    defect = _outage(("q", qubit.index), settings.defect_rate, rng, outages, settings)
    if defect and values.get("t1_us") is not None:
        values["t1_us"] = values["t1_us"] * settings.defect_t1_factor
    dates = {name: when for name in qubit.measured_at}
    values["measured_at"] = dates
    return replace(qubit, **values)


def _gate(
    gate: GateCalibration,
    when: datetime,
    rng: random.Random,
    walks: dict[tuple[object, ...], float],
    outages: dict[tuple[object, ...], int],
    settings: DemoSettings,
) -> GateCalibration:
    if gate.error is None or gate.error == 0.0:
        return replace(gate, measured_at=when if gate.measured_at else None)
    key = ("g", gate.gate, gate.qubits)
    x = _step(key, _GATE_WALK, rng, walks)
    base_error = gate.error if not gate.failed else 0.01
    error = min(base_error * math.exp(x), 0.5)
    if gate.arity >= 2 and _outage(key, settings.failure_rate, rng, outages, settings):
        error = FAILED_GATE_ERROR
    return replace(gate, error=error, measured_at=when)
