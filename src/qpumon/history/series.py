"""One metric over time: which metric the user means, and its stored values as aligned series."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import StoreError, UsageError
from ..model import FAILED_GATE_ERROR, QUBIT_FIELDS
from ..model.metrics import (
    ALIASES,
    DEVICE_METRICS,
    GATE_ERROR,
    GATE_LENGTH,
    Metric,
    qubit_metric,
)
from ..model.vocabulary import coupler_text, parse_coupler, parse_qubits, qubits_text
from ..store.codec import GATE_COLUMNS, gate_section, qubit_section
from ..store.records import Reader, SnapshotInfo

#: What a history made by ``qpumon demo-history`` says of itself wherever it is shown.
SYNTHETIC_NOTE = "synthetic data (qpumon demo-history), not measurements"
#: ``--metric`` names that mean "error of the device's two-qubit basis gate(s)".
TWO_QUBIT_ERROR = ("2q_error", "2q")
#: The subject of a device-level value (Quantinuum, IonQ, AQT: one value for the device).
DEVICE_SUBJECT = "device"


@dataclass(frozen=True)
class Selection:
    """What to read: a per-qubit metric (``gate`` None), a gate's error/length, or a device-level
    value (``metric.scope == "device"``: subject :data:`DEVICE_SUBJECT`)."""

    metric: Metric
    gate: str | None = None
    qubits: str | None = None  # "12", "3->4" or "3-4" (both directions); None: all

    @property
    def label(self) -> str:
        """``t1_us`` or ``cz error``: how the selection is named in titles."""
        if self.gate is None or self.metric.scope == "qubit":
            return self.metric.key
        return f"{self.gate} {self.metric.key}"

    @property
    def prefix(self) -> str:
        """What a subject's key follows in its name: ``qubit `` or the gate (``cz ``)."""
        return "qubit " if self.gate is None or self.metric.scope == "qubit" else f"{self.gate} "

    @property
    def flaggable(self) -> bool:
        """True where IBM's ``error = 1`` flag can appear: a gate's error."""
        return self.metric.key.endswith("error") and self.gate is not None


@dataclass(frozen=True)
class History:
    """Values of one selection, one column per snapshot: ``series[subject][i]`` belongs to
    ``snapshots[i]`` (None: no value in that snapshot). Subjects are qubits (``12``) or gate
    entries (``3->4``: :mod:`qpumon.model.vocabulary`), in numeric order."""

    device: str
    selection: Selection
    snapshots: tuple[SnapshotInfo, ...]
    series: dict[str, list[float | None]]
    measured_at: dict[str, list[datetime | None]]

    @property
    def prefix(self) -> str:
        """What a subject's key follows in its name: ``qubit `` or the gate (``cz ``)."""
        return self.selection.prefix

    def subject(self, key: str) -> str:
        """The subject ``key`` (``12``, ``3->4``) as reports name it: ``qubit 12``, ``cz 3->4``."""
        return self.prefix + key

    @property
    def synthetic(self) -> bool:
        """True if any of the snapshots is synthetic (demo data)."""
        return any(s.synthetic for s in self.snapshots)

    def failed(self, value: float | None) -> bool:
        """True for IBM's gate_error = 1 flag (only gate errors carry it)."""
        return self.selection.flaggable and value == FAILED_GATE_ERROR


def select_metric(
    store: Reader, device: str, metric: str | None, qubit: int | None, gate: str | None
) -> Selection:
    """The selection meant by ``--metric``, ``--qubit`` and ``--gate NAME[:QUBITS]`` (QUBITS
    ``3-4``: both directions, ``3->4``: that one, ``12``: a single-qubit gate's qubit)."""
    if gate is not None:
        if qubit is not None:
            raise UsageError("give either --qubit or --gate, not both")
        name, _, qubits = gate.partition(":")
        chosen = {"error": GATE_ERROR, "length": GATE_LENGTH, "length_ns": GATE_LENGTH}.get(
            (metric or "error").lower()
        )
        if chosen is None:
            raise UsageError(f"with --gate, --metric is error or length_ns, not {metric!r}")
        coupler = str(parse_coupler(qubits, f"--gate {gate}")) if qubits else None
        return Selection(chosen, name.lower(), coupler)
    name = (metric or "t1").lower()
    one = None if qubit is None else str(qubit)
    device_level = _device_level(store, device, ALIASES.get(name, name))
    if device_level is not None:
        if qubit is not None:
            raise UsageError(
                f"{device} gives {device_level.key} for the whole device, not per qubit"
            )
        return Selection(device_level)
    if name in TWO_QUBIT_ERROR:
        if qubit is not None:
            raise UsageError("--metric 2q_error is per coupler: use --gate cz:3-4 for one")
        return Selection(GATE_ERROR, _two_qubit_gate(store, device))
    found = qubit_metric(name)
    return Selection(found, found.gate, one)


def _device_level(store: Reader, device: str, key: str) -> Metric | None:
    """The device-level metric ``key`` where the newest snapshot gives it for the whole device
    and has no per-qubit or two-qubit-gate values of it (trapped-ion vendors), else None. Reads
    the newest snapshot's small meta first: a device without such a value costs one row."""
    if key not in DEVICE_METRICS:
        return None
    latest = store.latest(device)
    if latest is None:
        return None
    newest = latest.calibrated_at
    found = store.device_series(device, key, since=newest, measured=False)
    if not any(i == latest.id for i, *_ in found):
        return None
    if key in QUBIT_FIELDS and store.qubit_series(device, key, since=newest, measured=False):
        return None
    if key in TWO_QUBIT_ERROR and store.load(latest.id).two_qubit_basis_gates:
        return None
    return DEVICE_METRICS[key]


def _two_qubit_gate(store: Reader, device: str) -> str:
    latest = store.snapshots(device)
    if not latest:
        raise StoreError(f"no snapshots of {device} stored yet")
    gates = store.load(latest[-1].id).two_qubit_basis_gates
    if not gates:
        raise UsageError(f"{device} has no two-qubit gates")
    return gates[0]


def read_history(
    store: Reader,
    device: str,
    selection: Selection,
    since: datetime | None = None,
    until: datetime | None = None,
    measured: bool = True,
) -> History:
    """The stored values of ``selection`` on ``device`` between ``since`` and ``until``; the
    per-value measurement times only if ``measured`` (else None)."""
    if not measured and stored_in_columns(selection):
        return read_stored(store, device, selection, since, until).history()
    infos = store.snapshots(device, since, until)
    column = {info.id: i for i, info in enumerate(infos)}
    series: dict[object, list[float | None]] = {}
    times: dict[object, list[datetime | None]] = {}
    for snapshot_id, subject, value, when in _rows(
        store, device, selection, since, until, measured
    ):
        i = column.get(snapshot_id)
        if i is None:
            continue
        if subject not in series:
            series[subject] = [None] * len(infos)
            times[subject] = [None] * len(infos)
        series[subject][i] = value
        times[subject][i] = when
    order = (
        list(series)
        if selection.metric.scope == "device"
        else sorted(series, key=lambda k: parse_coupler(str(k), "subject").qubits)
    )
    if not order and selection.qubits is not None and selection.gate is not None and infos:
        _no_such_gate(store, device, selection, since, until)
    return History(
        device,
        selection,
        tuple(infos),
        {str(k): series[k] for k in order},
        {str(k): times[k] for k in order},
    )


def stored_in_columns(selection: Selection) -> bool:
    """True if ``selection`` is read by :func:`read_stored`: every subject of a qubit metric or
    of a gate's error or length (not a device-level value, not one subject)."""
    return selection.metric.scope != "device" and selection.qubits is None


@dataclass(frozen=True)
class StoredColumns:
    """Every subject's values of one selection, without measurement times, as the store holds
    them: a column per snapshot. Each of ``placed`` is ``(i, values, rows)``: ``snapshots[i]``
    holds ``values[j]`` (NaN: missing) for subject ``subjects[rows[j]]``. Long analyses lay
    these out as a matrix at once; :meth:`history` gives them as a :class:`History`. Subjects
    are named and ordered as :func:`read_history` names and orders them; a subject may have no
    value at all (a gate's entry with a length but no error)."""

    device: str
    selection: Selection
    snapshots: tuple[SnapshotInfo, ...]
    subjects: tuple[str, ...]
    placed: tuple[tuple[int, array[float], tuple[int, ...]], ...]

    def history(self) -> History:
        """The same values as a :class:`History`, its subjects without any value left out."""
        count = len(self.snapshots)
        lists: list[list[float | None]] = [[None] * count for _ in self.subjects]
        for i, values, rows in self.placed:
            for row, value in zip(rows, values, strict=True):
                if value == value:  # NaN: missing
                    lists[row][i] = value
        kept = [(k, v) for k, v in zip(self.subjects, lists, strict=True) if v.count(None) < count]
        return History(
            self.device,
            self.selection,
            self.snapshots,
            dict(kept),
            {key: [None] * count for key, _ in kept},
        )


def read_stored(
    store: Reader,
    device: str,
    selection: Selection,
    since: datetime | None = None,
    until: datetime | None = None,
    infos: Sequence[SnapshotInfo] | None = None,
) -> StoredColumns:
    """The stored columns of ``selection`` (see :func:`stored_in_columns`) on ``device`` between
    ``since`` and ``until`` (``infos``: those snapshots, when the caller has read them)."""
    if infos is None:
        infos = store.snapshots(device, since, until)
    if selection.gate is None:
        section, column = qubit_section(selection.metric.key), 0
    else:
        column = GATE_COLUMNS.index("length_ns" if selection.metric is GATE_LENGTH else "error")
        section = gate_section(selection.gate)
    at = {info.id: i for i, info in enumerate(infos)}
    found = [
        (at[snapshot_id], subjects, values)
        for snapshot_id, subjects, values in store.value_columns(
            device, section, column, since, until
        )
        if snapshot_id in at and values is not None
    ]
    layouts = {id(subjects): subjects for _, subjects, _ in found}  # one per stored shape
    named = {key: [_subject_key(k, selection) for k in keys] for key, keys in layouts.items()}
    order = sorted(
        {name for names in named.values() for name in names},
        key=lambda k: parse_coupler(k, "subject").qubits,
    )
    row = {name: r for r, name in enumerate(order)}
    rows = {key: tuple(row[name] for name in names) for key, names in named.items()}
    return StoredColumns(
        device,
        selection,
        tuple(infos),
        tuple(order),
        tuple((i, values, rows[id(subjects)]) for i, subjects, values in found),
    )


def _subject_key(stored: str, selection: Selection) -> str:
    """A stored subject (a qubit ``12``, a gate's qubits ``3-4``) as a history names it."""
    return stored if selection.gate is None else coupler_text(parse_qubits(stored))


def _rows(
    store: Reader,
    device: str,
    selection: Selection,
    since: datetime | None,
    until: datetime | None,
    measured: bool,
) -> list[tuple[Any, ...]]:
    """``(snapshot_id, subject, value, measured_at)``; the subject a qubit (int) or a gate entry
    (``3->4``; the store writes ``3-4``)."""
    if selection.metric.scope == "device":
        found = store.device_series(device, selection.metric.key, since, until, measured)
        return [(i, DEVICE_SUBJECT, value, when) for i, value, _, when in found]
    if selection.gate is None:
        one = None if selection.qubits is None else int(selection.qubits)
        return store.qubit_series(device, selection.metric.key, since, until, one, measured)
    orders: tuple[str | None, ...] = (None,)
    if selection.qubits is not None:
        coupler = parse_coupler(selection.qubits, "--gate")
        orders = tuple(qubits_text(order) for order in coupler.orders)
    use_length = selection.metric is GATE_LENGTH
    named: dict[str, str] = {}  # the store's "3-4" as the vocabulary's "3->4", once per entry
    rows = []
    for stored in orders:
        for s, q, error, length, m in store.gate_series(
            device, selection.gate, since, until, stored, measured
        ):
            subject = named.get(q)
            if subject is None:
                subject = named[q] = _subject_key(q, selection)
            rows.append((s, subject, length if use_length else error, m))
    return rows


def _no_such_gate(
    store: Reader, device: str, selection: Selection, since: datetime | None, until: datetime | None
) -> None:
    assert selection.gate is not None and selection.qubits is not None
    coupler = parse_coupler(selection.qubits, "--gate")
    reverse = coupler.qubits[::-1]
    if len(reverse) == 2 and store.gate_series(
        device, selection.gate, since, until, qubits_text(reverse)
    ):
        gate, shown = selection.gate, coupler_text(reverse)
        raise StoreError(
            f"{device} has no {gate} gate on {selection.qubits}, but has one on {shown}: use "
            f"--gate '{gate}:{shown}' (or {gate}:{coupler_text(reverse, directed=False)} for "
            "either direction)"
        )
    raise StoreError(f"{device} has no stored {selection.gate} gate on {selection.qubits}")
