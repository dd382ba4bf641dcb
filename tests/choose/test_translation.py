"""The direct pass manager gives ``transpile``'s circuits, without importing qiskit-ibm-runtime."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from qpumon.choose.translation import ALWAYS_SUPPORTED, run_translation
from tests.choose.helpers import ghz

#: Basis families of the bundled devices with one entangler (with two, ``transpile`` itself
#: depends on the process's hash seed).
FAMILIES = [("cz", "rz", "sx", "x"), ("ecr", "rz", "sx", "x"), ("cx", "u1", "u2", "u3")]


def _circuits() -> list[Any]:
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import QFTGate, quantum_volume
    from qiskit.circuit.random import random_circuit

    qft = QuantumCircuit(4, name="qft")
    qft.append(QFTGate(4), range(4))
    qft.measure_all()
    toffoli = QuantumCircuit(3, name="toffoli")
    toffoli.ccx(0, 1, 2)
    toffoli.swap(0, 2)
    toffoli.measure_all()
    randoms = [random_circuit(5, 6, max_operands=3, measure=True, seed=s) for s in range(4)]
    return [ghz(12), qft, toffoli, quantum_volume(4, seed=3), *randoms]


def _listing(circuit: Any) -> list[tuple[str, tuple[int, ...], tuple[float, ...]]]:
    return [
        (
            inst.operation.name,
            tuple(circuit.find_bit(q).index for q in inst.qubits),
            tuple(float(p) for p in inst.operation.params),
        )
        for inst in circuit.data
    ]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_same_circuits_as_transpile(family: tuple[str, ...], level: int) -> None:
    from qiskit import transpile

    for circuit in _circuits():
        expected = transpile(
            circuit,
            basis_gates=[*family, *ALWAYS_SUPPORTED],
            optimization_level=level,
            seed_transpiler=7,
        )
        assert _listing(run_translation(circuit, family, level)) == _listing(expected)


def test_translation_does_not_import_qiskit_ibm_runtime() -> None:
    code = (
        "import sys\n"
        "from qiskit import QuantumCircuit\n"
        "from qpumon.choose.translation import run_translation\n"
        "c = QuantumCircuit(3); c.h(0); c.cx(0, 1); c.cx(1, 2); c.measure_all()\n"
        "out = run_translation(c, ('cz', 'rz', 'sx', 'x'))\n"
        "print(sorted(out.count_ops()), 'qiskit_ibm_runtime' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["['barrier',", "'cz',", "'measure',", "'rz',", "'sx']", "False"]
