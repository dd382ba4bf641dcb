"""Circuits and mapomatic calls shared by the choose tests."""

from __future__ import annotations

import warnings
from typing import Any


def ghz(n: int) -> Any:
    """A GHZ chain on ``n`` qubits, measured."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=f"ghz{n}")
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    circuit.measure_all()
    return circuit


def fake_backend(name: str) -> Any:
    """``FakeFez`` for ``fake_fez``."""
    from qiskit_ibm_runtime import fake_provider

    class_name = "Fake" + name.removeprefix("fake_").capitalize()
    return getattr(fake_provider, class_name)()


def mapomatic_scores(native: Any, backend: Any) -> list[tuple[list[int], float]]:
    """mapomatic's own layouts and costs, best first (its legacy API warns under Qiskit 2)."""
    import mapomatic as mm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        layouts = mm.matching_layouts(native, backend)
        scores: list[tuple[list[int], float]] = mm.evaluate_layouts(native, layouts, backend)
    return scores
