"""The Python API: reading circuits, ``initial_layout`` for ``transpile``, layer fidelity."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from qpumon.choose import place
from qpumon.model.summary import eplg
from qpumon.sources import resolve as load
from tests.choose.helpers import fake_backend, ghz
from tests.conftest import raw


def test_initial_layout_is_ready_for_transpile() -> None:
    from qiskit import QuantumCircuit, transpile

    circuit = QuantumCircuit(4, 3, name="with_idle")  # qubit 3 is idle: still gets a qubit
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure([0, 1, 2], [0, 1, 2])
    result = place(circuit, [load("fake_fez")])
    layout = result.initial_layout
    assert len(layout) == 4 and len(set(layout)) == 4
    assert result.active_qubits == 3
    assert layout[:3] == list(result.devices[0].top[0].qubits)
    compiled = transpile(
        circuit,
        fake_backend("fake_fez"),
        initial_layout=layout,
        optimization_level=1,
        seed_transpiler=1,
    )
    assert compiled.layout.initial_index_layout()[:3] == layout[:3]
    assert compiled.count_ops().get("swap", 0) == 0


@pytest.mark.parametrize("kind", ["qasm3", "qpy"])
def test_reads_openqasm3_and_qpy(tmp_path: Path, kind: str) -> None:
    from qiskit import qasm3, qpy

    circuit = ghz(4)
    path = tmp_path / f"ghz4.{kind}"
    if kind == "qasm3":
        path.write_text(qasm3.dumps(circuit), encoding="utf-8")
    else:
        with path.open("wb") as handle:
            qpy.dump(circuit, handle)
    from_file = place(path, [load("fake_fez")]).devices[0].best
    direct = place(circuit, [load("fake_fez")]).devices[0].best
    assert from_file is not None and direct is not None
    assert from_file.qubits == direct.qubits
    assert from_file.fidelity == pytest.approx(direct.fidelity, rel=1e-12)


@pytest.mark.parametrize("stem", ["fez", "brisbane", "torino", "kyoto", "nighthawk"])
def test_eplg_and_lf_curve_against_raw_json(stem: str) -> None:
    props = raw(stem, "props")
    layer = {
        int(g["name"][3:]): float(g["value"])
        for g in props["general"]
        if g["name"].startswith("lf_")
    }
    chains = {q["name"]: q["qubits"] for q in props.get("general_qlists", [])}
    snapshot = load(f"fake_{stem}")
    rows = [(lf.num_qubits, lf.fidelity, lf.eplg) for lf in snapshot.layer_fidelities]
    assert [n for n, _, _ in rows] == sorted(layer)
    for n, lf, e in rows:
        assert lf == layer[n]
        assert e == pytest.approx(0.8 * (1 - layer[n] ** (1 / (n - 1))), rel=1e-12)
    expected_100 = 0.8 * (1 - layer[100] ** (1 / 99)) if 100 in layer else None
    assert eplg(snapshot) == pytest.approx(expected_100) if expected_100 else eplg(snapshot) is None
    if f"lf_{max(layer)}" in chains:
        top = max(layer)
        assert snapshot.layer_fidelities[-1].qubits == tuple(chains[f"lf_{top}"]) or any(
            lf.qubits == tuple(chains[f"lf_{top}"]) for lf in snapshot.layer_fidelities
        )
    assert not math.isnan(rows[0][1])


def test_eplg_is_missing_without_layer_fidelities() -> None:
    assert load("fake_manila").layer_fidelities == ()
    assert eplg(load("fake_manila")) is None
    assert "lf_100" not in str(raw("manila", "props").get("general", []))
