"""The public face of ``import qpumon``: every export listed, shown by ``dir``, importable, and
every function that takes a device taking a name, a Qiskit BackendV2 or a snapshot alike."""

from __future__ import annotations

from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit_ibm_runtime.fake_provider import FakeBurlingtonV2

import qpumon
from qpumon.model.serialize import snapshot_to_dict
from qpumon.sources import resolve
from tests.conftest import raw


def test_every_export_is_listed_shown_and_importable() -> None:
    assert sorted(qpumon.__all__) == sorted(qpumon._EXPORTS)
    assert set(qpumon.__all__) <= set(dir(qpumon))
    for name in qpumon.__all__:
        assert getattr(qpumon, name) is not None, name
        assert getattr(qpumon, name).__doc__, f"{name} has no docstring"
    with pytest.raises(AttributeError):
        qpumon.no_such_name  # noqa: B018


def _forms() -> list[Any]:
    return ["fake_burlington", FakeBurlingtonV2(), resolve("fake_burlington")]


def _ghz(n: int) -> QuantumCircuit:
    circuit = QuantumCircuit(n, n)
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    circuit.measure(range(n), range(n))
    return circuit


def test_a_name_a_backend_and_a_snapshot_give_the_same_snapshot() -> None:
    props = raw("burlington", "props")
    for form in _forms():
        snapshot = qpumon.load_snapshot(form)
        assert snapshot.num_qubits == len(props["qubits"])
        t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
        assert [q.t1_us for q in snapshot.qubits] == pytest.approx(t1, rel=1e-9)


def test_place_takes_any_device_form() -> None:
    layouts = {tuple(qpumon.place(_ghz(3), [form]).initial_layout) for form in _forms()}
    assert len(layouts) == 1
    (layout,) = layouts
    edges = {tuple(e) for e in raw("burlington", "conf")["coupling_map"]}
    assert (layout[0], layout[1]) in edges and (layout[1], layout[2]) in edges


def test_best_qubits_and_figures_take_any_device_form() -> None:
    chains = {qpumon.best_qubits(form, 3).top[0].qubits for form in _forms()}
    assert len(chains) == 1
    for form in _forms():
        figure = qpumon.map_figure(form)
        assert figure.axes  # a matplotlib Figure with the map drawn
    assert qpumon.compare_figure(_forms()[:2], "t1").axes


def test_html_report_is_the_monitor_page() -> None:
    page = qpumon.html_report("fake_burlington")
    assert page.startswith("<!DOCTYPE html>") and "fake_burlington" in page
    snapshot = resolve("fake_burlington")
    assert snapshot_to_dict(qpumon.load_snapshot(snapshot)) == snapshot_to_dict(snapshot)
