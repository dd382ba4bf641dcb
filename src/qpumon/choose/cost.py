"""Cost models: an estimated success probability for every layout at once (vectorised NumPy).

``layouts`` is an integer array of shape ``(m, k)``: row ``i`` puts the circuit's (compact) qubit
``j`` on physical qubit ``layouts[i, j]``. A model returns ``m`` fidelities in [0, 1]; NaN means the
layout touches a value that cannot be used (missing or flagged) and it is left out of the ranking.

``default`` -- estimated success probability (ESP)::

    F = prod_gates (1 - e_gate) * prod_measured (1 - e_readout)
        * prod_qubits exp(-t_idle / T1) * exp(-t_idle / T2)

  over every calibrated gate the circuit uses (1q and 2q; ``rz`` is virtual and free), the readout
  of every measurement or reset, and each qubit's idle time: the qubit's span from its first to its
  last operation in an as-soon-as-possible schedule built from the calibrated gate and readout
  lengths of *that* layout, minus the time it spends in gates. The decoherence factor is a common
  heuristic (amplitude and phase damping of an idle qubit), not a noise simulation.

  On a device whose 2q gate runs one way (Eagle's ECR), a gate against that direction is run
  reversed at the price of two extra ``sx`` on each qubit, so every connected layout counts.

``mapomatic`` -- mirrors mapomatic's ``default_cost``: ``F = prod (1 - e)`` over the 2q gates, the
  ``sx`` and ``x`` gates and the readout error of each ``measure`` and ``reset``; its cost is
  ``1 - F``. Like mapomatic, it only accepts layouts where every 2q gate runs in the device's
  calibrated direction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import QpumonError
from .circuits import CircuitOps
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
    import numpy as np

    physical = tuple(layouts[:, q] for q in qubits)
    if name in READOUT_OPS:
        return np.asarray(tables.readout_error[physical[0]])
    table = (tables.one_qubit_error if len(qubits) == 1 else tables.two_qubit_error).get(name)
    if table is None or len(qubits) > 2:
        return np.full(layouts.shape[0], np.nan)
    return np.asarray(table[physical])


def gate_length(
    name: str, qubits: tuple[int, ...], layouts: np.ndarray, tables: DeviceTables
) -> np.ndarray:
    """Duration in ns of ``name`` on ``qubits`` under every layout (NaN where unknown)."""
    import numpy as np

    physical = tuple(layouts[:, q] for q in qubits)
    if name in READOUT_OPS:
        return np.asarray(tables.measure_length_ns[physical[0]])
    table = (tables.one_qubit_length_ns if len(qubits) == 1 else tables.two_qubit_length_ns).get(
        name
    )
    if table is None or len(qubits) > 2:
        return np.full(layouts.shape[0], np.nan)
    return np.asarray(table[physical])


def _grouped(
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


def _mapomatic_counted(name: str, qubits: tuple[int, ...]) -> bool:
    return (len(qubits) == 2 and name != "barrier") or name in {"sx", "x", *READOUT_OPS}


def mapomatic_fidelity(ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables) -> np.ndarray:
    """``prod (1 - e)`` over 2q gates, ``sx``/``x`` and readouts (mapomatic's default cost)."""
    return _product(_grouped(ops, _mapomatic_counted), layouts, tables)


def _virtual(tables: DeviceTables) -> set[str]:
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

    free = _virtual(tables)
    counts = _grouped(ops, lambda name, qs: name != "barrier" and name not in free)
    fidelity = _product(counts, layouts, tables)
    idle = idle_times_ns(ops, layouts, tables, free)
    t1 = tables.t1_ns[layouts]
    t2 = tables.t2_ns[layouts]
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.exp(-(idle / t1 + idle / t2).sum(axis=1))
    return np.asarray(fidelity * decay)


def idle_times_ns(
    ops: CircuitOps, layouts: np.ndarray, tables: DeviceTables, free: set[str] | None = None
) -> np.ndarray:
    """Idle time of each qubit under each layout, from an as-soon-as-possible schedule."""
    import numpy as np

    m, k = layouts.shape
    finish = np.zeros((m, k))
    first = np.full((m, k), np.inf)
    busy = np.zeros((m, k))
    skip = free if free is not None else _virtual(tables)
    for name, qubits in ops.ops:
        columns = list(qubits)
        start = finish[:, columns].max(axis=1)
        if name == "barrier":
            finish[:, columns] = start[:, None]
            continue
        if name in skip:
            first[:, columns] = np.minimum(first[:, columns], start[:, None])
            continue
        length = gate_length(name, qubits, layouts, tables)
        first[:, columns] = np.minimum(first[:, columns], start[:, None])
        finish[:, columns] = (start + length)[:, None]
        busy[:, columns] += length[:, None]
    span = np.where(np.isfinite(first), finish - first, 0.0)
    return np.asarray(np.maximum(span - busy, 0.0))


#: The models ``--cost-model`` chooses from.
COST_MODELS: dict[str, CostModel] = {"default": esp_fidelity, "mapomatic": mapomatic_fidelity}
#: Models that take a one-way 2q gate as it is (no reversal), as mapomatic does.
STRICT_DIRECTION_MODELS = frozenset({"mapomatic"})


def cost_model(name: str) -> CostModel:
    """The model called ``name``; a :class:`QpumonError` naming the choices otherwise."""
    try:
        return COST_MODELS[name]
    except KeyError:
        raise QpumonError(
            f"unknown cost model {name!r}; choose one of {', '.join(COST_MODELS)}"
        ) from None
