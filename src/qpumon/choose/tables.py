"""A device's calibration as NumPy arrays, ready for vectorised layout scoring.

Single-qubit values are arrays indexed by physical qubit. Two-qubit values are sparse: one
:class:`PairTable` per gate, its directed pairs ``(a, b)`` sorted by the key ``a * n + b``, so a
10,000-qubit device costs memory in proportion to its couplers, never ``n × n``. A value that
cannot be used is NaN: missing from the calibration, IBM's ``error == 1`` "benchmark failed"
flag, or out of service (IBM's ``operational = 0``, on the gate or on one of its qubits). Any
layout that touches a NaN gets a NaN score and is left out of the ranking (it is counted, never
scored as 0).

A *dead* qubit is one whose single-qubit gates carry the failure flag, or one the vendor has
taken out of service; it is taken out of the coupling graph before any layout is searched, and
so are flagged and out-of-service 2q gates (both counted in ``flagged_gates``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..errors import NoCalibrationError
from ..model import DeviceSnapshot, GateCalibration
from ..model.definitions import AVERAGE, to_average
from .native import qiskit_gate

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
class PairTable:
    """One 2q gate on directed pairs: ``keys[i] = a * n + b`` (sorted), its error and length."""

    num_qubits: int
    keys: np.ndarray
    error: np.ndarray
    length_ns: np.ndarray

    def index(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the pairs ``(a[i], b[i])`` in the table, and whether each is there."""
        import numpy as np

        wanted = np.asarray(a, dtype=np.int64) * self.num_qubits + np.asarray(b, dtype=np.int64)
        where = np.searchsorted(self.keys, wanted)
        where = np.minimum(where, max(self.keys.size - 1, 0))
        found = self.keys[where] == wanted if self.keys.size else np.zeros(wanted.shape, bool)
        return where, found

    def lookup(self, values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``values`` (``error`` or ``length_ns``) of the pairs ``(a[i], b[i])``; NaN if absent."""
        import numpy as np

        if not self.keys.size:
            return np.full(np.shape(a), np.nan)
        where, found = self.index(a, b)
        return np.where(found, values[where], np.nan)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The ``(a, b)`` arrays of every pair in the table."""
        return self.keys // self.num_qubits, self.keys % self.num_qubits


@dataclass(frozen=True)
class DeviceTables:
    """Calibration arrays of one device (see the module docstring for conventions)."""

    name: str
    num_qubits: int
    one_qubit_error: dict[str, np.ndarray]
    one_qubit_length_ns: dict[str, np.ndarray]
    two_qubit: dict[str, PairTable]
    readout_error: np.ndarray
    measure_length_ns: np.ndarray
    t1_ns: np.ndarray
    t2_ns: np.ndarray
    dead_qubits: tuple[int, ...]
    flagged_gates: int
    notes: tuple[str, ...] = field(default=())
    out_of_service_qubits: tuple[int, ...] = ()
    out_of_service_gates: int = 0
    avoided_qubits: tuple[int, ...] = ()

    @property
    def usable(self) -> np.ndarray:
        """Boolean mask of the qubits that are neither dead nor avoided."""
        import numpy as np

        mask = np.ones(self.num_qubits, dtype=bool)
        mask[list(self.dead_qubits)] = False
        mask[list(self.avoided_qubits)] = False
        return mask

    def edge_arrays(self, gates: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Directed pairs ``(a, b)`` of live qubits where any of ``gates`` is usable, sorted."""
        import numpy as np

        usable = self.usable
        keys = [
            table.keys[np.isfinite(table.error)]
            for name in gates
            if (table := self.two_qubit.get(name)) is not None
        ]
        joined = np.unique(np.concatenate(keys)) if keys else np.empty(0, np.int64)
        a, b = joined // self.num_qubits, joined % self.num_qubits
        keep = usable[a] & usable[b]
        return a[keep], b[keep]

    def edges(self, gates: Iterable[str]) -> list[tuple[int, int]]:
        """Directed pairs of live qubits on which any of ``gates`` has a usable calibration."""
        a, b = self.edge_arrays(gates)
        return list(zip(a.tolist(), b.tolist(), strict=True))

    def is_directed(self, gates: Iterable[str]) -> bool:
        """True if some usable pair has its gate in one direction only (Eagle's ECR)."""
        pairs = set(self.edges(gates))
        return any((b, a) not in pairs for a, b in pairs)


def reversible(tables: DeviceTables) -> DeviceTables:
    """``tables`` where a one-way 2q gate may also run reversed, at the price of REVERSAL_SX
    extra ``sx`` on each of its qubits (error and length added); two-way pairs are unchanged.

    A direction that is missing or unusable (NaN) while its reverse is usable takes the reversed
    gate's values: error ``1 - (1 - e) * keep[a] * keep[b]`` with ``keep = (1 - e_sx) ** 2``,
    length the reverse's plus REVERSAL_SX ``sx`` lengths of its first qubit.
    """
    import numpy as np

    n = tables.num_qubits
    sx_error = tables.one_qubit_error.get("sx", np.zeros(n))
    sx_length = tables.one_qubit_length_ns.get("sx", np.zeros(n))
    keep = (1 - sx_error) ** REVERSAL_SX
    flipped_tables = {}
    for name, table in tables.two_qubit.items():
        b, a = table.pairs()  # the reverse of each stored (b, a) is (a, b)
        good = np.isfinite(table.error)
        needed = good & ~np.isfinite(table.lookup(table.error, a, b))
        error = 1 - (1 - table.error[needed]) * keep[a[needed]] * keep[b[needed]]
        length = table.length_ns[needed] + REVERSAL_SX * sx_length[a[needed]]
        flipped_tables[name] = _merged(table, a[needed] * n + b[needed], error, length)
    return replace(tables, two_qubit=flipped_tables)


def _merged(table: PairTable, keys: np.ndarray, error: np.ndarray, length: np.ndarray) -> PairTable:
    """``table`` with the entries ``keys`` set (added, or replacing existing ones)."""
    import numpy as np

    if not keys.size:
        return table
    drop = np.isin(table.keys, keys)
    all_keys = np.concatenate([table.keys[~drop], keys])
    order = np.argsort(all_keys, kind="stable")
    return PairTable(
        table.num_qubits,
        all_keys[order],
        np.concatenate([table.error[~drop], error])[order],
        np.concatenate([table.length_ns[~drop], length])[order],
    )


@dataclass(frozen=True)
class Avoided:
    """Qubits the user asked to keep out of every layout, and why (``a dip in the last 7 days``)."""

    qubits: frozenset[int]
    why: str


def avoiding(tables: DeviceTables, avoided: Avoided | None) -> DeviceTables:
    """``tables`` with ``avoided`` qubits left out of every layout (as dead qubits are, but
    counted apart from them), and a note that names them and says why."""
    if avoided is None:
        return tables
    mine = sorted(q for q in avoided.qubits if 0 <= q < tables.num_qubits)
    named = ", ".join(map(str, mine[:10])) + (", ..." if len(mine) > 10 else "")
    note = f"avoided ({avoided.why}): {len(mine)} qubits" + (f" ({named})" if mine else "")
    return replace(tables, avoided_qubits=tuple(mine), notes=(*tables.notes, note))


def device_tables(snapshot: DeviceSnapshot) -> DeviceTables:
    """The arrays of ``snapshot``; :class:`NoCalibrationError` if it has no calibration."""
    if snapshot.device_values and not snapshot.qubits:
        raise NoCalibrationError(
            f"{snapshot.name}: the source gives only device-wide values, the same for every "
            "qubit and pair, so no choice of qubits is better than another; placement needs "
            "per-qubit and per-gate calibration (compare devices with qpumon overview)"
        )
    if not snapshot.has_calibration or not snapshot.qubits:
        raise NoCalibrationError(
            f"{snapshot.name}: no calibration data (no qubit or gate properties); "
            "choose a device with calibration"
        )
    n = snapshot.num_qubits
    one_err, one_len = _one_qubit_arrays(snapshot, n)
    measure_len, notes = _measure_lengths(snapshot, n)
    off_qubits = tuple(sorted(q for q in snapshot.out_of_service_qubits if 0 <= q < n))
    off_gates = sum(1 for g in snapshot.gates if snapshot.out_of_service(g) and not g.failed)
    return DeviceTables(
        name=snapshot.name,
        num_qubits=n,
        one_qubit_error=one_err,
        one_qubit_length_ns=one_len,
        two_qubit=_pair_tables(snapshot, n),
        readout_error=_qubit_array(snapshot, "readout_error", 1.0),
        measure_length_ns=measure_len,
        t1_ns=_qubit_array(snapshot, "t1_us", 1e3),
        t2_ns=_qubit_array(snapshot, "t2_us", 1e3),
        dead_qubits=_dead_qubits(snapshot),
        flagged_gates=len(snapshot.failed_gates) + off_gates,
        notes=(*_out_of_service_note(off_qubits, off_gates), *notes),
        out_of_service_qubits=off_qubits,
        out_of_service_gates=off_gates,
    )


def _out_of_service_note(qubits: tuple[int, ...], gates: int) -> tuple[str, ...]:
    """The note that says what the vendor took out of service (nothing if it took nothing)."""
    if not qubits and not gates:
        return ()
    named = f" ({', '.join(map(str, qubits[:10]))}{', ...' if len(qubits) > 10 else ''})"
    return (
        f"out of service (operational = 0): {len(qubits)} qubits{named if qubits else ''} "
        f"counted as dead, {gates} gates counted as flagged; none is used",
    )


def _qubit_array(snapshot: DeviceSnapshot, name: str, scale: float) -> np.ndarray:
    import numpy as np

    values = [
        snapshot.qubits[i].value(name) if i < len(snapshot.qubits) else None
        for i in range(snapshot.num_qubits)
    ]
    return np.array([np.nan if v is None else v * scale for v in values], dtype=float)


def _one_qubit_arrays(
    snapshot: DeviceSnapshot, n: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per 1q gate name: error and length arrays of shape ``(n,)``, NaN where unusable."""
    import numpy as np

    errors: dict[str, np.ndarray] = {}
    lengths: dict[str, np.ndarray] = {}
    for gate in snapshot.gates:
        if gate.arity != 1 or gate.gate in NON_GATES or not 0 <= gate.qubits[0] < n:
            continue
        name = qiskit_gate(gate.gate)
        if name not in errors:
            errors[name] = np.full(n, np.nan)
            lengths[name] = np.full(n, np.nan)
        errors[name][gate.qubits[0]] = _usable_error(snapshot, gate)
        if gate.length_ns is not None:
            lengths[name][gate.qubits[0]] = gate.length_ns
    for name in VIRTUAL_GATES - set(errors):
        errors[name] = np.zeros(n)
        lengths[name] = np.zeros(n)
    for name, array in lengths.items():
        _fill_missing_with_median(array, errors[name])
    return errors, lengths


def _pair_tables(snapshot: DeviceSnapshot, n: int) -> dict[str, PairTable]:
    """Per 2q gate name: its sparse table (the last entry wins where a pair is listed twice)."""
    import numpy as np

    entries: dict[str, dict[int, tuple[float, float]]] = {}
    for gate in snapshot.gates:
        if gate.arity != 2 or gate.gate in NON_GATES:
            continue
        a, b = gate.qubits
        if not (0 <= a < n and 0 <= b < n) or a == b:
            continue
        duration = float("nan") if gate.length_ns is None else gate.length_ns
        entries.setdefault(qiskit_gate(gate.gate), {})[a * n + b] = (
            _usable_error(snapshot, gate),
            duration,
        )
    tables = {}
    for name, by_key in entries.items():
        keys = np.array(sorted(by_key), dtype=np.int64)
        values = np.array([by_key[k] for k in keys.tolist()], dtype=float).reshape(-1, 2)
        error, length = values[:, 0].copy(), values[:, 1].copy()
        _fill_missing_with_median(length, error)
        tables[name] = PairTable(n, keys, error, length)
    return tables


def _usable_error(snapshot: DeviceSnapshot, gate: GateCalibration) -> float:
    """The gate's error as an average gate infidelity (what the cost models multiply); NaN for
    a flag, a gate out of service (or on a qubit that is), a missing value, or a definition no
    formula converts."""
    if gate.error is None or not snapshot.usable(gate):
        return float("nan")
    if gate.definition in (None, AVERAGE):
        return gate.error
    converted = to_average(gate.error, gate.definition, gate.arity)
    return float("nan") if converted is None else converted.value


def _fill_missing_with_median(lengths: np.ndarray, errors: np.ndarray) -> None:
    """A calibrated gate without a length gets the median length of that gate on the device."""
    import numpy as np

    missing = np.isfinite(errors) & ~np.isfinite(lengths)
    known = lengths[np.isfinite(lengths)]
    if missing.any():
        lengths[missing] = float(np.median(known)) if known.size else 0.0


def _dead_qubits(snapshot: DeviceSnapshot) -> tuple[int, ...]:
    """Qubits with a flagged or out-of-service single-qubit gate (all their gates are flagged on
    today's data), and qubits the vendor has taken out of service."""
    n = snapshot.num_qubits
    flagged = {g.qubits[0] for g in snapshot.gates if g.arity == 1 and not snapshot.usable(g)}
    return tuple(sorted(q for q in flagged | snapshot.out_of_service_qubits if 0 <= q < n))


def _measure_lengths(snapshot: DeviceSnapshot, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Measurement lengths: the ``measure`` gate's, else ``readout_length``, else the median."""
    import numpy as np

    lengths = _qubit_array(snapshot, "readout_length_ns", 1.0)
    for gate in snapshot.gates:
        if gate.gate == "measure" and gate.length_ns is not None and 0 <= gate.qubits[0] < n:
            lengths[gate.qubits[0]] = gate.length_ns
    known = lengths[np.isfinite(lengths)]
    if known.size == lengths.size:
        return lengths, ()
    if known.size:
        lengths[~np.isfinite(lengths)] = float(np.median(known))
        return lengths, ("missing readout lengths replaced by the device median",)
    lengths[:] = 0.0
    return lengths, ("no readout length on this device: measurements take no time in the schedule",)


def absent_everywhere(tables: DeviceTables, gates: Iterable[str], coherence: bool) -> str:
    """``; no qubit or coupler of the device has T2`` (or ``""``): the quantities a score needs
    that the device publishes for none of its qubits or couplers, and what to do about it
    (Google publishes no T2; Google's Weber calibrates no CZ)."""
    import numpy as np

    missing = [
        label
        for label, values, needed in (
            ("T1", tables.t1_ns, coherence),
            ("T2", tables.t2_ns, coherence),
            ("a readout error", tables.readout_error, True),
        )
        if needed and not np.isfinite(values).any()
    ]
    for gate in dict.fromkeys(gates):
        found = tables.one_qubit_error.get(gate)
        if found is None and gate in tables.two_qubit:
            found = tables.two_qubit[gate].error
        if found is None or not np.isfinite(found).any():
            missing.append(f"a calibrated {gate}")
    if not missing:
        return ""
    hint = ""
    if coherence and {"T1", "T2"} & set(missing):
        hint = (
            " (the default cost model's idle decoherence needs T1 and T2; --cost-model "
            "mapomatic scores gates and readout only)"
        )
    return f"; no qubit or coupler of the device has {', '.join(missing)}{hint}"
