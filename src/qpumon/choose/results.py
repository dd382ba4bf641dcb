"""What placement returns: ranked layouts per device and the best device overall."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LayoutScore:
    """One layout: ``qubits[j]`` is the physical qubit of the circuit's ``j``-th active qubit."""

    qubits: tuple[int, ...]
    fidelity: float

    @property
    def cost(self) -> float:
        """``1 - fidelity`` (mapomatic's "error" of a layout)."""
        return 1.0 - self.fidelity


@dataclass(frozen=True)
class DevicePlacement:
    """The ranked layouts of one circuit on one device.

    ``top`` holds the best layouts, best first. The search (flagged gates and dead qubits taken
    out) scored ``found`` layouts in full, ``unscorable`` of them touched a missing value, and it
    ruled out ``pruned`` partial layouts because no completion of them could enter ``top``.
    Unless ``truncated`` (a search limit was reached: see ``notes``), ``top`` is exact: every
    layout not scored scores lower. ``missing_qubits`` are live qubits no layout may use because
    a value the circuit needs (readout error, T1, T2, a gate error) is missing there. ``bound``
    is set when ``top`` comes from a search that is complete by design but not exhaustive (the
    beam search of a long line): every layout scores at most ``bound``, and ``top`` is the best
    the beam reached, not proven best.
    """

    device: str
    family: tuple[str, ...]
    active: tuple[int, ...]
    num_circuit_qubits: int
    found: int
    unscorable: int
    truncated: bool
    top: tuple[LayoutScore, ...]
    dead_qubits: tuple[int, ...] = ()
    flagged_gates: int = 0
    notes: tuple[str, ...] = field(default=())
    pruned: int = 0
    missing_qubits: tuple[int, ...] = ()
    bound: float | None = None

    @property
    def proven(self) -> bool:
        """True if ``top`` is proven exact (not truncated, not a beam's answer)."""
        return not self.truncated and self.bound is None

    @property
    def best(self) -> LayoutScore | None:
        """The best layout, or None if no layout could be scored."""
        return self.top[0] if self.top else None

    def initial_layout(self, rank: int = 0) -> list[int]:
        """A list for ``qiskit.transpile(circuit, backend, initial_layout=...)``.

        Every qubit of the original circuit gets a physical qubit: the active ones from the
        ``rank``-th layout, idle ones the lowest-numbered live qubits left over.
        """
        chosen = dict(zip(self.active, self.top[rank].qubits, strict=True))
        used = set(chosen.values())
        dead = set(self.dead_qubits)
        spare = (q for q in itertools.count() if q not in used and q not in dead)
        return [chosen[i] if i in chosen else next(spare) for i in range(self.num_circuit_qubits)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "device": self.device,
            "basis": list(self.family),
            "layouts_found": self.found,
            "layouts_unscorable": self.unscorable,
            "layouts_pruned": self.pruned,
            "search_truncated": self.truncated,
            "proven_best": self.proven,
            "upper_bound": self.bound,
            "missing_qubits": list(self.missing_qubits),
            "dead_qubits": list(self.dead_qubits),
            "flagged_gates": self.flagged_gates,
            "notes": list(self.notes),
            "top": [
                {
                    "rank": i + 1,
                    "qubits": list(s.qubits),
                    "fidelity": s.fidelity,
                    "cost": s.cost,
                    "initial_layout": self.initial_layout(i),
                }
                for i, s in enumerate(self.top)
            ],
        }


@dataclass(frozen=True)
class Placement:
    """A circuit placed on several devices; ``skipped`` maps a device to why it was left out."""

    circuit: str
    num_qubits: int
    active_qubits: int
    cost_model: str
    devices: tuple[DevicePlacement, ...]
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def ranked(self) -> tuple[DevicePlacement, ...]:
        """Devices with a usable layout, best first."""
        usable = [d for d in self.devices if d.best is not None]
        return tuple(sorted(usable, key=lambda d: -d.best.fidelity if d.best else 0.0))

    @property
    def best(self) -> DevicePlacement | None:
        """The device with the best layout, or None if none had one."""
        ranked = self.ranked
        return ranked[0] if ranked else None

    @property
    def initial_layout(self) -> list[int]:
        """The best device's best layout, ready for ``transpile(..., initial_layout=...)``."""
        best = self.best
        if best is None:
            from ..errors import CircuitError

            raise CircuitError(f"circuit {self.circuit!r}: no usable layout on any device")
        return best.initial_layout()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        best = self.best
        return {
            "circuit": self.circuit,
            "num_qubits": self.num_qubits,
            "active_qubits": self.active_qubits,
            "cost_model": self.cost_model,
            "best_device": best.device if best else None,
            "devices": [d.as_dict() for d in self.ranked]
            + [d.as_dict() for d in self.devices if d.best is None],
            "skipped": [{"device": d, "reason": r} for d, r in self.skipped],
        }
