"""Devices generated for the benchmarks (never committed): lattices and random graphs, written
as qpumon snapshots or as IBM configuration and properties files."""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The lattices are the choose tests' own, so tests and benchmarks search the same graphs.
from tests.choose.synthetic import grid_edges, heavy_hex_edges

__all__ = [
    "device_json",
    "grid_edges",
    "heavy_hex_edges",
    "ibm_device_files",
    "random_connected_edges",
]


def random_connected_edges(n: int, extra: int, rng: random.Random) -> list[tuple[int, int]]:
    """A random tree on ``n`` qubits (each joins an earlier one) plus ``extra`` random couplers."""
    edges = {(rng.randrange(q), q) for q in range(1, n)}
    while len(edges) < n - 1 + extra:
        a, b = rng.sample(range(n), 2)
        edges.add((min(a, b), max(a, b)))
    return sorted(edges)


def device_json(
    name: str,
    n: int,
    edges: list[tuple[int, int]],
    coords: list[tuple[float, float]] | None,
    rng: random.Random,
) -> str:
    """A qpumon snapshot of a CZ device: random T1/T2/readout, both CZ directions per coupler,
    about 2% of the couplers flagged (error = 1)."""
    from qpumon.model import DeviceSnapshot, GateCalibration, QubitCalibration
    from qpumon.model.serialize import dumps

    qubits = tuple(
        QubitCalibration(
            i,
            t1_us=rng.uniform(40, 350),
            t2_us=rng.uniform(20, 300),
            readout_error=10 ** rng.uniform(-2.7, -1.0),
        )
        for i in range(n)
    )
    gates = []
    for a, b in edges:
        error = 1.0 if rng.random() < 0.02 else 10 ** rng.uniform(-2.8, -1.6)
        gates += [
            GateCalibration("cz", (a, b), error, 68.0),
            GateCalibration("cz", (b, a), error, 68.0),
        ]
    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=n,
        source=f"generated:{name}",
        processor_family="Generated",
        basis_gates=("cz", "id", "rz", "sx", "x"),
        coupling_edges=tuple(e for a, b in edges for e in ((a, b), (b, a))),
        coords=None if coords is None else tuple(coords),
        qubits=qubits,
        gates=tuple(gates),
    )
    return dumps(snapshot)


def ibm_device_files(
    folder: Path,
    name: str,
    n: int,
    edges: list[tuple[int, int]],
    coords: list[tuple[float, float]] | None,
    rng: random.Random,
) -> tuple[Path, Path]:
    """IBM ``conf_<name>.json`` and ``props_<name>.json`` of a CZ device, as IBM writes them
    (every qubit's T1, T2, readout error, P(0|1), P(1|0), readout length; sx and x on every
    qubit; cz both ways on every coupler); their paths."""
    when = datetime(2026, 11, 1, tzinfo=timezone.utc).isoformat()

    def value(name: str, number: float, unit: str = "") -> dict[str, object]:
        return {"date": when, "name": name, "unit": unit, "value": number}

    qubits = [
        [
            value("T1", rng.uniform(40, 350), "us"),
            value("T2", rng.uniform(20, 300), "us"),
            value("readout_error", 10 ** rng.uniform(-2.7, -1.0)),
            value("prob_meas0_prep1", 10 ** rng.uniform(-2.7, -1.0)),
            value("prob_meas1_prep0", 10 ** rng.uniform(-2.7, -1.0)),
            value("readout_length", 1560.0, "ns"),
        ]
        for _ in range(n)
    ]
    gates = []
    for q in range(n):
        error = 10 ** rng.uniform(-4, -3)
        for gate in ("sx", "x"):
            gates.append(
                {
                    "qubits": [q],
                    "gate": gate,
                    "parameters": [value("gate_error", error), value("gate_length", 32.0, "ns")],
                }
            )
    for a, b in edges:
        error = 1.0 if rng.random() < 0.02 else 10 ** rng.uniform(-2.8, -1.6)
        for pair in ((a, b), (b, a)):
            gates.append(
                {
                    "qubits": list(pair),
                    "gate": "cz",
                    "parameters": [value("gate_error", error), value("gate_length", 68.0, "ns")],
                }
            )
    props = {
        "backend_name": name,
        "backend_version": "1.0.0",
        "last_update_date": when,
        "qubits": qubits,
        "gates": gates,
        "general": [],
    }
    conf = {
        "backend_name": name,
        "backend_version": "1.0.0",
        "n_qubits": n,
        "basis_gates": ["cz", "id", "rz", "sx", "x"],
        "coupling_map": [list(e) for a, b in edges for e in ((a, b), (b, a))],
        "processor_type": {"family": "Generated", "revision": 1},
        "dt": 0.5,
    }
    if coords is not None:
        conf["coords"] = [list(p) for p in coords]
    conf_path, props_path = folder / f"conf_{name}.json", folder / f"props_{name}.json"
    conf_path.write_text(json.dumps(conf), encoding="utf-8")
    props_path.write_text(json.dumps(props), encoding="utf-8")
    return conf_path, props_path
