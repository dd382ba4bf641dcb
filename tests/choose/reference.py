"""The exhaustive answer the search must reproduce: every layout (rustworkx VF2), every score.

This is how qpumon ranked layouts before the branch-and-bound search: enumerate every embedding
of the interaction graph in the usable coupling graph, score them all with the cost model, sort.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from qpumon.choose.circuits import CircuitOps
from qpumon.choose.cost import cost_model
from qpumon.choose.tables import DeviceTables


def all_layouts(ops: CircuitOps, tables: DeviceTables) -> np.ndarray:
    """Every layout of ``ops`` on live qubits and usable gates (rows: physical qubits)."""
    import rustworkx as rx

    k = len(ops.active)
    live = np.flatnonzero(tables.usable)
    position = {int(q): i for i, q in enumerate(live)}
    device = rx.PyDiGraph(multigraph=False)
    device.add_nodes_from(live.tolist())
    device.add_edges_from_no_data(
        [(position[a], position[b]) for a, b in tables.edges(ops.two_qubit_gates)]
    )
    pattern = rx.PyDiGraph(multigraph=False)
    pattern.add_nodes_from(range(k))
    pattern.add_edges_from_no_data(list(ops.interactions))
    rows = []
    for mapping in rx.vf2_mapping(device, pattern, subgraph=True, induced=False, id_order=False):
        row = [0] * k
        for device_node, circuit_qubit in mapping.items():
            row[circuit_qubit] = int(live[device_node])
        rows.append(row)
    return np.array(rows, dtype=np.intp).reshape(-1, k)


def exhaustive_top(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str,
    top: int,
    key: Callable[[tuple[int, ...]], Hashable] | None = None,
) -> list[tuple[tuple[int, ...], float]]:
    """The ``top`` best ``(layout, fidelity)``, one per ``key``, ties by the physical qubits."""
    layouts = all_layouts(ops, tables)
    fidelity = cost_model(model)(ops, layouts, tables) if len(layouts) else np.empty(0)
    best: dict[Any, tuple[tuple[int, ...], float]] = {}
    order = sorted(
        (i for i in range(len(layouts)) if np.isfinite(fidelity[i])),
        key=lambda i: (-fidelity[i], tuple(layouts[i])),
    )
    for i in order:
        layout = tuple(int(q) for q in layouts[i])
        name = key(layout) if key else layout
        if name not in best:
            best[name] = (layout, float(fidelity[i]))
        if len(best) == top:
            break
    return list(best.values())
