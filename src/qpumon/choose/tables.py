"""A device's calibration as dense NumPy arrays, ready for vectorised layout scoring.

Errors and lengths are indexed by physical qubit (1q gates, readout) or by a pair of physical
qubits (2q gates, ``[a, b]`` is the gate in that direction). A value that cannot be used is NaN:
missing from the calibration, or IBM's ``error == 1`` "benchmark failed" flag. Any layout that
touches a NaN gets a NaN score and is left out of the ranking (it is counted, never scored as 0).

A *dead* qubit is one whose single-qubit gates carry the failure flag; it is taken out of the
coupling graph before any layout is searched, and so are flagged 2q gates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..errors import NoCalibrationError
from ..model import DeviceSnapshot, GateCalibration

if TYPE_CHECKING:
    import numpy as np

#: Gates that are frames changes in software: error-free and instantaneous when not calibrated.
VIRTUAL_GATES = frozenset({"rz", "u1"})
#: Extra single-qubit pulses on each qubit to run a 2q gate against its native direction (Qiskit's
#: GateDirection dresses a reversed ECR/CX with one ``ry``/``h`` before and after: one ``sx`` each).
REVERSAL_SX = 2
#: Operations that are not gates (never in a 2q basis family, not scored as gates).
NON_GATES = frozenset({"measure", "reset", "barrier", "delay", "id"})


@dataclass(frozen=True)
class DeviceTables:
    """Calibration arrays of one device (see the module docstring for conventions)."""

    name: str
    num_qubits: int
    one_qubit_error: dict[str, np.ndarray]
    one_qubit_length_ns: dict[str, np.ndarray]
    two_qubit_error: dict[str, np.ndarray]
    two_qubit_length_ns: dict[str, np.ndarray]
    readout_error: np.ndarray
    measure_length_ns: np.ndarray
    t1_ns: np.ndarray
    t2_ns: np.ndarray
    dead_qubits: tuple[int, ...]
    flagged_gates: int
    notes: tuple[str, ...] = field(default=())

    @property
    def usable(self) -> np.ndarray:
        """Boolean mask of the qubits that are not dead."""
        import numpy as np

        mask = np.ones(self.num_qubits, dtype=bool)
        mask[list(self.dead_qubits)] = False
        return mask

    def edges(self, gates: Iterable[str]) -> list[tuple[int, int]]:
        """Directed pairs of live qubits on which any of ``gates`` has a usable calibration."""
        import numpy as np

        usable = self.usable
        found: set[tuple[int, int]] = set()
        for name in gates:
            matrix = self.two_qubit_error.get(name)
            if matrix is None:
                continue
            rows, cols = np.nonzero(np.isfinite(matrix))
            found.update(
                (int(a), int(b)) for a, b in zip(rows, cols, strict=True) if usable[a] and usable[b]
            )
        return sorted(found)

    def is_directed(self, gates: Iterable[str]) -> bool:
        """True if some usable pair has its gate in one direction only (Eagle's ECR)."""
        pairs = set(self.edges(gates))
        return any((b, a) not in pairs for a, b in pairs)


def reversible(tables: DeviceTables) -> DeviceTables:
    """``tables`` where a one-way 2q gate may also run reversed, at the price of REVERSAL_SX
    extra ``sx`` on each of its qubits (error and length added); two-way pairs are unchanged."""
    import numpy as np

    sx_error = tables.one_qubit_error.get("sx", np.zeros(tables.num_qubits))
    sx_length = tables.one_qubit_length_ns.get("sx", np.zeros(tables.num_qubits))
    keep = (1 - sx_error) ** REVERSAL_SX
    errors, lengths = {}, {}
    for name, error in tables.two_qubit_error.items():
        length = tables.two_qubit_length_ns[name]
        missing = ~np.isfinite(error) & np.isfinite(error.T)
        flipped = 1 - (1 - error.T) * keep[:, None] * keep[None, :]
        errors[name] = np.where(missing, flipped, error)
        lengths[name] = np.where(missing, length.T + REVERSAL_SX * sx_length[:, None], length)
    return replace(tables, two_qubit_error=errors, two_qubit_length_ns=lengths)


def device_tables(snapshot: DeviceSnapshot) -> DeviceTables:
    """The arrays of ``snapshot``; :class:`NoCalibrationError` if it has no calibration."""
    if not snapshot.has_calibration or not snapshot.qubits:
        raise NoCalibrationError(
            f"{snapshot.name}: no calibration data (no qubit or gate properties); "
            "choose a device with calibration"
        )
    n = snapshot.num_qubits
    one_err, one_len = _gate_arrays(snapshot, 1, n)
    two_err, two_len = _gate_arrays(snapshot, 2, n)
    dead = _dead_qubits(snapshot)
    measure_len, notes = _measure_lengths(snapshot, n)
    return DeviceTables(
        name=snapshot.name,
        num_qubits=n,
        one_qubit_error=one_err,
        one_qubit_length_ns=one_len,
        two_qubit_error=two_err,
        two_qubit_length_ns=two_len,
        readout_error=_qubit_array(snapshot, "readout_error", 1.0),
        measure_length_ns=measure_len,
        t1_ns=_qubit_array(snapshot, "t1_us", 1e3),
        t2_ns=_qubit_array(snapshot, "t2_us", 1e3),
        dead_qubits=dead,
        flagged_gates=len(snapshot.failed_gates),
        notes=notes,
    )


def _qubit_array(snapshot: DeviceSnapshot, name: str, scale: float) -> np.ndarray:
    import numpy as np

    values = [
        snapshot.qubits[i].value(name) if i < len(snapshot.qubits) else None
        for i in range(snapshot.num_qubits)
    ]
    return np.array([np.nan if v is None else v * scale for v in values], dtype=float)


def _gate_arrays(
    snapshot: DeviceSnapshot, arity: int, n: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per gate name: error and length arrays of shape ``(n,) * arity``, NaN where unusable."""
    import numpy as np

    errors: dict[str, np.ndarray] = {}
    lengths: dict[str, np.ndarray] = {}
    for gate in snapshot.gates:
        if gate.arity != arity or gate.gate in NON_GATES or max(gate.qubits) >= n:
            continue
        if gate.gate not in errors:
            errors[gate.gate] = np.full((n,) * arity, np.nan)
            lengths[gate.gate] = np.full((n,) * arity, np.nan)
        errors[gate.gate][gate.qubits] = _usable_error(gate)
        if gate.length_ns is not None:
            lengths[gate.gate][gate.qubits] = gate.length_ns
    if arity == 1:
        for name in VIRTUAL_GATES - set(errors):
            errors[name] = np.zeros(n)
            lengths[name] = np.zeros(n)
    for name, array in lengths.items():
        _fill_missing_with_median(array, errors[name])
    return errors, lengths


def _usable_error(gate: GateCalibration) -> float:
    return float("nan") if gate.error is None or gate.failed else gate.error


def _fill_missing_with_median(lengths: np.ndarray, errors: np.ndarray) -> None:
    """A calibrated gate without a length gets the median length of that gate on the device."""
    import numpy as np

    missing = np.isfinite(errors) & ~np.isfinite(lengths)
    known = lengths[np.isfinite(lengths)]
    if missing.any():
        lengths[missing] = float(np.median(known)) if known.size else 0.0


def _dead_qubits(snapshot: DeviceSnapshot) -> tuple[int, ...]:
    """Qubits with a flagged single-qubit gate (all their gates are flagged on today's data)."""
    return tuple(sorted({g.qubits[0] for g in snapshot.gates if g.arity == 1 and g.failed}))


def _measure_lengths(snapshot: DeviceSnapshot, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Measurement lengths: the ``measure`` gate's, else ``readout_length``, else the median."""
    import numpy as np

    lengths = _qubit_array(snapshot, "readout_length_ns", 1.0)
    for gate in snapshot.gates:
        if gate.gate == "measure" and gate.length_ns is not None and gate.qubits[0] < n:
            lengths[gate.qubits[0]] = gate.length_ns
    known = lengths[np.isfinite(lengths)]
    if known.size == lengths.size:
        return lengths, ()
    if known.size:
        lengths[~np.isfinite(lengths)] = float(np.median(known))
        return lengths, ("missing readout lengths replaced by the device median",)
    lengths[:] = 0.0
    return lengths, ("no readout length on this device: measurements take no time in the schedule",)
