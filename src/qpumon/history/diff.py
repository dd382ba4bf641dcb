"""What changed between two snapshots of one device: configuration, headline medians, every
qubit and gate value, and gates that started or stopped failing their benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import StoreError
from ..model import QUBIT_FIELDS, DeviceSnapshot
from ..model.metrics import GATE_ERROR, GATE_LENGTH, QUBIT_METRICS, Metric
from ..model.summary import summarize
from ..model.vocabulary import coupler_text, gate_subject, status_word
from ..store.records import Reader, SnapshotInfo


@dataclass(frozen=True, slots=True)
class Change:
    """One value in both snapshots (either may be missing: None)."""

    subject: str  # "qubit 12" or "cz 3->4"
    metric: Metric
    old: float | None
    new: float | None

    @property
    def relative(self) -> float | None:
        """``(new - old) / |old|``; None when either is missing or old is 0."""
        if self.old is None or self.new is None or self.old == 0:
            return None
        return (self.new - self.old) / abs(self.old)


@dataclass(frozen=True)
class SnapshotDiff:
    """The differences from ``old`` to ``new``."""

    device: str
    old_time: datetime | None
    new_time: datetime | None
    settings: tuple[tuple[str, str, str], ...]  # (what, old, new), only those that differ
    medians: tuple[Change, ...]
    changes: tuple[Change, ...]  # every value that differs, largest relative change first
    newly_flagged: tuple[str, ...]
    recovered: tuple[str, ...]


_HEADLINES = (
    ("median_t1_us", QUBIT_METRICS["t1_us"]),
    ("median_t2_us", QUBIT_METRICS["t2_us"]),
    ("median_readout_error", QUBIT_METRICS["readout_error"]),
    ("median_1q_error", GATE_ERROR),
    ("median_2q_error", GATE_ERROR),
    ("eplg_100", GATE_ERROR),
)


def diff_snapshots(old: DeviceSnapshot, new: DeviceSnapshot) -> SnapshotDiff:
    """Everything that differs between ``old`` and ``new`` (two snapshots of one device)."""
    changes = [c for c in _qubit_changes(old, new) + _gate_changes(old, new) if c.old != c.new]
    changes.sort(key=lambda c: (c.relative is None, -abs(c.relative or 0.0)))
    flagged = [gate_subject(g.gate, g.qubits) for g in new.failed_gates]
    was = {gate_subject(g.gate, g.qubits) for g in old.failed_gates}
    now_ok = {
        gate_subject(g.gate, g.qubits) for g in new.gates if g.error is not None and not g.failed
    }
    return SnapshotDiff(
        new.name,
        old.calibrated_at,
        new.calibrated_at,
        tuple(_settings(old, new)),
        tuple(_headlines(old, new)),
        tuple(changes),
        tuple(f for f in flagged if f not in was),
        tuple(sorted(was & now_ok)),
    )


def _headlines(old: DeviceSnapshot, new: DeviceSnapshot) -> list[Change]:
    a, b = summarize(old), summarize(new)
    out = []
    for field, metric in _HEADLINES:
        label = field.replace("_us", "").replace("_", " ")
        out.append(Change(label, metric, getattr(a, field), getattr(b, field)))
    return out


def _settings(old: DeviceSnapshot, new: DeviceSnapshot) -> list[tuple[str, str, str]]:
    pairs = [
        ("qubits", str(old.num_qubits), str(new.num_qubits)),
        ("backend version", str(old.backend_version), str(new.backend_version)),
        ("basis gates", " ".join(old.basis_gates), " ".join(new.basis_gates)),
        ("operational", _status(old), _status(new)),
    ]
    before, after = set(old.coupling_edges), set(new.coupling_edges)
    if before != after:
        pairs.append(
            (
                "couplers",
                f"{len(before - after)} removed: {_edges(before - after)}",
                f"{len(after - before)} added: {_edges(after - before)}",
            )
        )
    return [p for p in pairs if p[1] != p[2]]


def _status(snapshot: DeviceSnapshot) -> str:
    return status_word(None if snapshot.status is None else snapshot.status.operational)


def _edges(edges: set[tuple[int, int]]) -> str:
    shown = sorted(edges)[:8]
    return " ".join(coupler_text(edge) for edge in shown) + (" ..." if len(edges) > 8 else "")


def _qubit_changes(old: DeviceSnapshot, new: DeviceSnapshot) -> list[Change]:
    before = {q.index: q for q in old.qubits}
    out = []
    for qubit in new.qubits:
        previous = before.get(qubit.index)
        for name in QUBIT_FIELDS:
            was = None if previous is None else previous.value(name)
            out.append(Change(f"qubit {qubit.index}", QUBIT_METRICS[name], was, qubit.value(name)))
    return out


def _gate_changes(old: DeviceSnapshot, new: DeviceSnapshot) -> list[Change]:
    out = []
    for key, gate in new.gate_index.items():
        previous = old.gate_index.get(key)
        subject = gate_subject(gate.gate, gate.qubits)
        if previous is None or not (previous.failed or gate.failed):
            out.append(
                Change(
                    subject, GATE_ERROR, None if previous is None else previous.error, gate.error
                )
            )
        out.append(
            Change(
                subject,
                GATE_LENGTH,
                None if previous is None else previous.length_ns,
                gate.length_ns,
            )
        )
    return out


def pick_pair(
    store: Reader, device: str, start: datetime | None, end: datetime | None
) -> tuple[SnapshotInfo, SnapshotInfo]:
    """The snapshots to compare: the newest at or before ``end`` (default: the newest) and the
    newest at or before ``start`` (default: the one before it)."""
    newer = store.snapshots(device, until=end)
    if not newer:
        raise StoreError(f"no snapshot of {device} at or before {end}")
    target = newer[-1]
    if start is None:
        if len(newer) < 2:
            raise StoreError(f"diff needs two snapshots of {device}; only one is stored")
        return newer[-2], target
    older = store.snapshots(device, until=start)
    if not older:
        raise StoreError(f"no snapshot of {device} at or before {start}")
    return older[-1], target
