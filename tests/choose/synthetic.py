"""Synthetic devices for the choose tests: heavy-hex or square lattices with random calibration."""

from __future__ import annotations

import random

from qpumon.model import DeviceSnapshot, GateCalibration, QubitCalibration


def heavy_hex_edges(distance: int) -> tuple[int, list[tuple[int, int]]]:
    """Qubit count and couplers of Qiskit's ``CouplingMap.from_heavy_hex(distance)``."""
    from qiskit.transpiler import CouplingMap

    cmap = CouplingMap.from_heavy_hex(distance, bidirectional=False)
    return cmap.size(), sorted({(min(a, b), max(a, b)) for a, b in cmap.get_edges()})


def grid_edges(width: int, height: int) -> tuple[int, list[tuple[int, int]]]:
    """Qubit count and couplers of a ``width`` x ``height`` square grid, numbered row by row."""
    edges = []
    for y in range(height):
        for x in range(width):
            q = y * width + x
            if x + 1 < width:
                edges.append((q, q + 1))
            if y + 1 < height:
                edges.append((q, q + width))
    return width * height, edges


def lattice_snapshot(
    name: str,
    n: int,
    edges: list[tuple[int, int]],
    seed: int = 7,
    lengths: tuple[float, float] = (68.0, 68.0),
    flagged: float = 0.02,
) -> DeviceSnapshot:
    """A CZ device on ``edges``: random T1, T2 and errors, CZ both ways with a length drawn from
    ``lengths``, about ``flagged`` of the couplers flagged (error = 1)."""
    rng = random.Random(seed)
    qubits = tuple(
        QubitCalibration(
            i,
            t1_us=rng.uniform(40, 350),
            t2_us=rng.uniform(20, 300),
            readout_error=10 ** rng.uniform(-2.7, -1.0),
            readout_length_ns=1560.0,
        )
        for i in range(n)
    )
    gates = []
    for q in range(n):
        error = 10 ** rng.uniform(-4, -3)
        gates += [GateCalibration(g, (q,), error, 32.0) for g in ("sx", "x")]
        gates.append(GateCalibration("measure", (q,), qubits[q].readout_error, 1560.0))
    for a, b in edges:
        error = 1.0 if rng.random() < flagged else 10 ** rng.uniform(-2.8, -1.6)
        length = rng.uniform(*lengths)
        gates += [GateCalibration("cz", (a, b), error, length)]
        gates += [GateCalibration("cz", (b, a), error, length)]
    return DeviceSnapshot(
        name=name,
        num_qubits=n,
        source=f"generated:{name}",
        basis_gates=("cz", "rz", "sx", "x"),
        coupling_edges=tuple(e for a, b in edges for e in ((a, b), (b, a))),
        qubits=qubits,
        gates=tuple(gates),
    )
