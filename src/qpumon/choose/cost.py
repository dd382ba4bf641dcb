"""Cost models: an estimated success probability for every layout at once (vectorised NumPy).

``layouts`` is an integer array of shape ``(m, k)``: row ``i`` puts the circuit's (compact) qubit
``j`` on physical qubit ``layouts[i, j]``. A model returns ``m`` fidelities in [0, 1]; NaN means the
layout touches a value that cannot be used (missing or flagged) and it is left out of the ranking.

``default`` -- estimated success probability (ESP)::

    F = prod_gates (1 - e_gate) * prod_measured (1 - e_readout)
        * prod_qubits (3 + exp(-t_idle / T1) + 2 * exp(-t_idle / T2)) / 6

  over every calibrated gate the circuit uses (1q and 2q; ``rz`` is virtual and free), the readout
  of every measurement or reset, and each qubit's idle time ``t_idle``: its span from its first to
  its last operation in an as-late-as-possible schedule built from the calibrated gate and readout
  lengths of *that* layout, minus the time it spends in gates. The idle factor is the average gate
  fidelity of the thermal-relaxation channel (amplitude damping to the ground state at rate 1/T1,
  coherences decaying as exp(-t/T2), which already holds 1/(2 T1)) over the idle time; summing the
  idles of a qubit into one channel is exact for that channel (it composes over time), and the
  channels are taken to act at the average over states, not on the circuit's actual state.
  As late as possible, as IBM schedules: a qubit waits in its ground state, not in superposition,
  before its first gate, and every terminal measurement ends with the circuit. Barriers order
  operations but take no time and are not scheduled, so a barrier before the measurements does
  not change the estimate.

  On a device whose 2q gate runs one way (Eagle's ECR), a gate against that direction is run
  reversed at the price of two extra ``sx`` on each qubit, so every connected layout counts.

``mapomatic`` -- mirrors mapomatic's ``default_cost``: ``F = prod (1 - e)`` over the 2q gates, the
  ``sx`` and ``x`` gates and the readout error of each ``measure`` and ``reset``; its cost is
  ``1 - F``. Like mapomatic's workflow, it scores the circuit as transpiled to each device
  (:mod:`.ondevice`: on a one-way coupler, a reversed gate comes with the 1q gates the transpiler
  put around it) and only accepts layouts where every 2q gate of that circuit runs in the
  device's calibrated direction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from ..errors import UsageError
from .circuits import CircuitOps
from .limits import SCORE_CHUNK_ROWS
from .tables import DeviceTables

if TYPE_CHECKING:
    import numpy as np

CostModel = Callable[[CircuitOps, "np.ndarray", DeviceTables], "np.ndarray"]

#: Operations that read out a qubit (a reset measures and flips conditionally).
READOUT_OPS = frozenset({"measure", "reset"})


def gate_error(
    name: str, qubits: tuple[int, ...], layouts: np.ndarray, tables: DeviceTables
) -> np.ndarray:
    """Error of ``name`` on ``qubits`` under every layout (NaN where unusable or unknown)."""
    return _per_layout(
        name, qubits, layouts, tables, tables.readout_error, tables.one_qubit_error, "error"
    )


def gate_length(
    name: str, qubits: tuple[int, ...], layouts: np.ndarray, tables: DeviceTables
) -> np.ndarray:
    """Duration in ns of ``name`` on ``qubits`` under every layout (NaN where unknown)."""
    return _per_layout(
        name,
        qubits,
        layouts,
        tables,
        tables.measure_length_ns,
        tables.one_qubit_length_ns,
        "length_ns",
    )


def _per_layout(
    name: str,
    qubits: tuple[int, ...],
    layouts: np.ndarray,
    tables: DeviceTables,
    readout: np.ndarray,
    one_qubit: dict[str, np.ndarray],
    pair_values: Literal["error", "length_ns"],
) -> np.ndarray:
    """One calibrated value of ``name`` on ``qubits`` under every layout: from ``readout`` for
    a measurement, ``one_qubit[name]`` for a 1q gate, the pair table's ``pair_values`` for a 2q
    gate; NaN where the device has none."""
    import numpy as np

    if name in READOUT_OPS:
        return np.asarray(readout[layouts[:, qubits[0]]])
    if len(qubits) == 1:
        table = one_qubit.get(name)
        if table is None:
            return np.full(layouts.shape[0], np.nan)
        return np.asarray(table[layouts[:, qubits[0]]])
    pairs = tables.two_qubit.get(name)
    if pairs is None or len(qubits) > 2:
        return np.full(layouts.shape[0], np.nan)
    values = pairs.error if pair_values == "error" else pairs.length_ns
    return pairs.lookup(values, layouts[:, qubits[0]], layouts[:, qubits[1]])


def grouped_ops(
    ops: CircuitOps, keep: Callable[[str, tuple[int, ...]], bool]
) -> dict[tuple[str, tuple[int, ...]], int]:
    """How many times each ``(name, qubits)`` occurs, for the operations ``keep`` accepts."""
    counts: dict[tuple[str, tuple[int, ...]], int] = {}
    for name, qubits in ops.ops:
        if keep(name, qubits):
            counts[(name, qubits)] = counts.get((name, qubits), 0) + 1
    return counts


def _product(
    counts: dict[tuple[str, tuple[int, ...]], int], layouts: np.ndarray, tables: DeviceTables
) -> np.ndarray:
    import numpy as np

    fidelity = np.ones(layouts.shape[0])
    for (name, qubits), count in counts.items():
        fidelity *= (1.0 - gate_error(name, qubits, layouts, tables)) ** count
    return fidelity


def mapomatic_counted(name: str, qubits: tuple[int, ...]) -> bool:
    """True for the operations mapomatic's cost counts: 2q gates, ``sx``, ``x``, readouts."""
    return (len(qubits) == 2 and name != "barrier") or name in {"sx", "x", *READOUT_OPS}


def mapomatic_fidelity(ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables) -> np.ndarray:
    """``prod (1 - e)`` over 2q gates, ``sx``/``x`` and readouts (mapomatic's default cost)."""
    return _product(grouped_ops(ops, mapomatic_counted), layouts, tables)


def free_gates(tables: DeviceTables) -> set[str]:
    """1q gates that are free on this device: zero error and zero length wherever calibrated."""
    import numpy as np

    return {
        name
        for name, errors in tables.one_qubit_error.items()
        if not np.any(np.nan_to_num(errors))
        and not np.any(np.nan_to_num(tables.one_qubit_length_ns[name]))
    }


def esp_fidelity(ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables) -> np.ndarray:
    """The default model: gate and readout fidelities times idle decoherence (module docstring)."""
    import numpy as np

    free = free_gates(tables)
    counts = grouped_ops(ops, lambda name, qs: name != "barrier" and name not in free)
    fidelity = _product(counts, layouts, tables)
    idle = idle_times_ns(ops, layouts, tables, free)
    decay = idle_fidelity(idle, tables.t1_ns[layouts], tables.t2_ns[layouts])
    return np.asarray(fidelity * decay.prod(axis=1))


def idle_fidelity(t: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """Average gate fidelity of thermal relaxation over ``t`` (same units as ``t1`` and ``t2``):
    ``(3 + exp(-t/T1) + 2 exp(-t/T2)) / 6``; NaN where T1 or T2 is missing (a qubit without
    them cannot be scored, idle or not)."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((3 + np.exp(-t / t1) + 2 * np.exp(-t / t2)) / 6)


def scheduled_ops(ops: CircuitOps) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The operations in the order an as-soon-as-possible schedule of the *reversed* circuit
    takes them, which is the as-late-as-possible schedule read backwards (the idle time of every
    qubit is the same); barriers are left out (they take no time)."""
    return tuple(op for op in reversed(ops.ops) if op[0] != "barrier")


def idle_times_ns(
    ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables, free: set[str] | None = None
) -> np.ndarray:
    """Idle time of each qubit under each layout, from an as-late-as-possible schedule."""
    import numpy as np

    m, k = layouts.shape
    finish = [np.zeros(m) for _ in range(k)]
    first = [np.full(m, np.inf) for _ in range(k)]
    busy = [np.zeros(m) for _ in range(k)]
    skip = free if free is not None else free_gates(tables)
    lengths: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}
    for name, qubits in scheduled_ops(ops):
        start = finish[qubits[0]]
        for q in qubits[1:]:
            start = np.maximum(start, finish[q])
        for q in qubits:
            first[q] = np.minimum(first[q], start)
        if name in skip:
            continue
        length = lengths.get((name, qubits))
        if length is None:
            length = lengths[(name, qubits)] = gate_length(name, qubits, layouts, tables)
        end = start + length
        for q in qubits:
            finish[q] = end
            busy[q] = busy[q] + length
    begin, done, used = np.column_stack(first), np.column_stack(finish), np.column_stack(busy)
    span = np.where(np.isfinite(begin), done - begin, 0.0)
    return np.asarray(np.maximum(span - used, 0.0))


def score(
    model: CostModel, ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables
) -> np.ndarray:
    """``model`` on ``layouts`` in slices of :data:`~.limits.SCORE_CHUNK_ROWS` rows."""
    import numpy as np

    if layouts.shape[0] <= SCORE_CHUNK_ROWS:
        return model(ops, layouts, tables)
    return np.concatenate(
        [
            model(ops, layouts[i : i + SCORE_CHUNK_ROWS], tables)
            for i in range(0, layouts.shape[0], SCORE_CHUNK_ROWS)
        ]
    )


#: The models ``--cost-model`` chooses from.
COST_MODELS: dict[str, CostModel] = {"default": esp_fidelity, "mapomatic": mapomatic_fidelity}
#: Models whose score includes idle decoherence (they need every used qubit's T1 and T2).
COHERENCE_MODELS = frozenset({"default"})
#: Models that take a one-way 2q gate as it is (no reversal), as mapomatic does.
STRICT_DIRECTION_MODELS = frozenset({"mapomatic"})
#: Models that score the circuit as transpiled to each device (:mod:`.ondevice`), as mapomatic's
#: workflow does, not as translated once per basis family.
ON_DEVICE_MODELS = frozenset({"mapomatic"})


def cost_model(name: str) -> CostModel:
    """The model called ``name``; a :class:`UsageError` naming the choices otherwise."""
    try:
        return COST_MODELS[name]
    except KeyError as exc:
        raise UsageError(
            f"unknown cost model {name!r}; choose one of {', '.join(COST_MODELS)}"
        ) from exc
