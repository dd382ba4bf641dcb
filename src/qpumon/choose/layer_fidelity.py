"""Layer fidelity against chain length, and IBM's error per layered gate (EPLG).

IBM measures the layer fidelity ``LF_N`` of a layer of 2q gates on an N-qubit chain; the error
per layered gate of that chain is ``EPLG_N = 4/5 * (1 - LF_N ** (1 / (N - 1)))`` (quoted for
N = 100 as "2Q error (layered)"). The values come from the model's ``layer_fidelities``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import DeviceSnapshot


@dataclass(frozen=True, slots=True)
class LayerFidelityPoint:
    """One point of the LF-vs-N curve: chain length, layer fidelity, EPLG (None if N < 2)."""

    num_qubits: int
    layer_fidelity: float
    eplg: float | None
    chain: tuple[int, ...] = ()


def layer_fidelity_curve(snapshot: DeviceSnapshot) -> list[LayerFidelityPoint]:
    """The device's ``(N, LF_N, EPLG_N)`` points ordered by N; empty if it has none."""
    return [
        LayerFidelityPoint(lf.num_qubits, lf.fidelity, lf.eplg, lf.qubits)
        for lf in sorted(snapshot.layer_fidelities, key=lambda lf: lf.num_qubits)
    ]


def layer_fidelity_rows(snapshot: DeviceSnapshot) -> list[tuple[int, float, float | None]]:
    """The same curve as plain ``(N, LF, EPLG)`` tuples, e.g. for a plot or a CSV."""
    return [(p.num_qubits, p.layer_fidelity, p.eplg) for p in layer_fidelity_curve(snapshot)]
