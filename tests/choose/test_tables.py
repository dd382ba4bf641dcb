"""The sparse 2q tables against the raw properties JSON."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qpumon.choose.tables import REVERSAL_SX, device_tables, reversible
from qpumon.sources import resolve
from tests.conftest import raw


def _param(gate: dict[str, Any], name: str) -> float:
    return float(next(p["value"] for p in gate["parameters"] if p["name"] == name))


@pytest.mark.parametrize("stem,entangler", [("fez", "cz"), ("brisbane", "ecr"), ("kyoto", "ecr")])
def test_pair_tables_hold_every_raw_entry(stem: str, entangler: str) -> None:
    props = raw(stem, "props")
    table = device_tables(resolve(f"fake_{stem}")).two_qubit[entangler]
    entries = [g for g in props["gates"] if g["gate"] == entangler]
    assert table.keys.size == len(entries)
    a = np.array([g["qubits"][0] for g in entries])
    b = np.array([g["qubits"][1] for g in entries])
    errors = table.lookup(table.error, a, b)
    for gate, error in zip(entries, errors, strict=True):
        expected = _param(gate, "gate_error")
        assert np.isnan(error) if expected == 1 else error == expected
    lengths = table.lookup(table.length_ns, a, b)
    assert list(lengths) == [_param(g, "gate_length") for g in entries]
    assert np.isnan(table.lookup(table.error, np.array([0]), np.array([100]))).all()


def test_reversed_ecr_costs_two_sx_on_each_qubit() -> None:
    props = raw("brisbane", "props")
    sx = {g["qubits"][0]: g for g in props["gates"] if g["gate"] == "sx"}
    ecr = next(g for g in props["gates"] if g["gate"] == "ecr" and _param(g, "gate_error") < 1)
    a, b = ecr["qubits"]
    table = reversible(device_tables(resolve("fake_brisbane"))).two_qubit["ecr"]
    keep = (1 - _param(sx[a], "gate_error")) ** 2 * (1 - _param(sx[b], "gate_error")) ** 2
    error = table.lookup(table.error, np.array([b]), np.array([a]))[0]
    length = table.lookup(table.length_ns, np.array([b]), np.array([a]))[0]
    assert error == pytest.approx(1 - (1 - _param(ecr, "gate_error")) * keep, rel=1e-12)
    assert length == _param(ecr, "gate_length") + REVERSAL_SX * _param(sx[b], "gate_length")
