"""The work budget of ``place`` covers translation as well as search (issue 20): a circuit whose
translations would be beyond :data:`~qpumon.choose.limits.MAX_TRANSLATION_WORK` is refused before
any translation, ``--max-seconds`` is checked after every transpiler pass, and the ``mapomatic``
model does not transpile (route) a circuit to a device whose coupling graph cannot hold it.
Work is counted (translations made, passes run), never timed."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from qiskit import QuantumCircuit

from qpumon.choose.candidates import best_qubits, connected_sets
from qpumon.choose.limits import COMMUTATION_CHECKS_PER_UNIT, MAX_TRANSLATION_WORK
from qpumon.choose.place import check_translation_work, place, translation_deadline
from qpumon.choose.reading import check_size
from qpumon.errors import InputTooLargeError, LimitExceededError
from qpumon.sources import resolve
from tests.choose.helpers import ghz

#: The module (``qpumon.choose.place`` the attribute is the function).
place_module = importlib.import_module("qpumon.choose.place")


def _alternating(n: int) -> QuantumCircuit:
    """``n`` CX alternating between (0, 1) and (1, 2): on qubits 0 and 2 each CX commutes with
    the one before, so Qiskit's CommutativeCancellation checks them pair by pair."""
    circuit = QuantumCircuit(3, name="alternating")
    for i in range(n):
        circuit.cx(*((0, 1) if i % 2 == 0 else (1, 2)))
    return circuit


def _expected_work(circuit: QuantumCircuit) -> int:
    """Operations plus the per-qubit squares over the checks per unit, counted here."""
    load = [0] * circuit.num_qubits
    for inst in circuit.data:
        for bit in inst.qubits:
            load[circuit.find_bit(bit).index] += 1
    return len(circuit.data) + sum(n * n for n in load) // COMMUTATION_CHECKS_PER_UNIT


def _count_translations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    real = place_module.translate

    def counted(circuit: Any, family: tuple[str, ...], *args: Any) -> Any:
        calls.append(family)
        return real(circuit, family, *args)

    monkeypatch.setattr(place_module, "translate", counted)
    return calls


def test_the_size_counts_operations_per_qubit() -> None:
    circuit = _alternating(10)
    circuit.h(0)
    size = check_size(circuit)
    assert size.operations == 11
    assert size.busiest_qubit == 10  # qubit 1 is in every CX
    assert (
        size.translation_work == _expected_work(circuit) == 11 + (6 * 6 + 10 * 10 + 5 * 5) // 1000
    )


def test_gates_of_a_definition_count_on_each_of_its_qubits() -> None:
    inner = QuantumCircuit(2, name="pair")
    for _ in range(7):
        inner.cx(0, 1)
    circuit = QuantumCircuit(3)
    circuit.append(inner.to_gate(), [0, 2])
    circuit.h(1)
    size = check_size(circuit)
    assert (size.operations, size.busiest_qubit) == (8, 7)


def test_a_long_narrow_circuit_is_refused_before_any_translation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_translations(monkeypatch)
    circuit = _alternating(20_000)
    assert _expected_work(circuit) > MAX_TRANSLATION_WORK
    with pytest.raises(InputTooLargeError, match=r"20,000 on its busiest qubit.*name fewer"):
        place(circuit, [resolve("fake_lagos")], max_seconds=5)
    assert calls == []


def test_the_bound_is_shared_by_the_basis_families(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_translations(monkeypatch)
    circuit = ghz(5)
    work = _expected_work(circuit)
    monkeypatch.setattr(place_module, "MAX_TRANSLATION_WORK", 2 * work - 1)
    lagos, fez = resolve("fake_lagos"), resolve("fake_fez")  # cx and cz families
    assert place(circuit, [lagos]).devices
    assert len(calls) == 1
    with pytest.raises(InputTooLargeError, match="to 2 basis families"):
        place(circuit, [lagos, fez])
    assert len(calls) == 1


def test_the_mapomatic_model_counts_one_translation_per_device(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_translations(monkeypatch)
    circuit = ghz(5)
    work = _expected_work(circuit)
    monkeypatch.setattr(place_module, "MAX_TRANSLATION_WORK", 3 * work - 1)
    devices = [resolve("fake_fez"), resolve("fake_torino")]  # one family, two devices
    assert place(circuit, devices).devices
    with pytest.raises(InputTooLargeError, match="each of 2 devices"):
        place(circuit, devices, cost_model="mapomatic")
    assert len(calls) == 1


def test_the_refusal_names_the_work_and_the_bound() -> None:
    size = check_size(_alternating(4_000))
    with pytest.raises(InputTooLargeError) as refused:
        check_translation_work("c", size, 7)
    assert f"{size.translation_work * 7:,} units" in str(refused.value)
    assert f"{MAX_TRANSLATION_WORK:,}" in str(refused.value)
    check_translation_work("c", size, 1)  # 28,000 units: within the bound


class _Clock:
    """A monotonic clock that advances one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


def test_max_seconds_is_checked_after_every_translation_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock()
    monkeypatch.setattr(place_module, "time", clock)
    with pytest.raises(LimitExceededError, match=r"translation stopped at --max-seconds 6"):
        place(ghz(5), [resolve("fake_lagos")], max_seconds=6)
    # read 1 sets the deadline at 7, read 2 is the check before translating, and reads 3 to 8
    # follow the first six passes: the sixth sees 8 > 7 and stops the translation there
    assert clock.now == 8.0


def test_a_deadline_check_passes_until_the_deadline() -> None:
    assert translation_deadline("c", None, None) is None
    check = translation_deadline("c", float("inf"), 5.0)
    assert check is not None
    check(pass_=None)
    late = translation_deadline("c", 0.0, 5.0)
    assert late is not None
    with pytest.raises(LimitExceededError, match="'c': its translation stopped"):
        late()


def test_mapomatic_does_not_route_a_circuit_the_coupling_graph_cannot_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transpiled: list[str] = []
    real = place_module.on_device

    def counted(circuit: Any, snapshot: Any, *args: Any) -> Any:
        transpiled.append(snapshot.name)
        return real(circuit, snapshot, *args)

    monkeypatch.setattr(place_module, "on_device", counted)
    star = QuantumCircuit(5, name="star")  # degree 4: no heavy-hex qubit has 4 neighbours
    for target in range(1, 5):
        star.cx(0, target)
    fez = resolve("fake_fez")
    with pytest.raises(Exception, match="does not occur in the device's coupling graph"):
        place(star, [fez], cost_model="mapomatic")
    assert transpiled == []
    assert place(ghz(5), [fez], cost_model="mapomatic").devices
    assert transpiled == ["fake_fez"]


candidates_module = importlib.import_module("qpumon.choose.candidates")


def _count_native(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = candidates_module.native_circuit

    def counted(circuit: Any, *args: Any) -> Any:
        calls.append(circuit.num_qubits)
        return real(circuit, *args)

    monkeypatch.setattr(candidates_module, "native_circuit", counted)
    return calls


def test_the_enumeration_of_connected_sets_stops_at_its_work_bound() -> None:
    path = {i: {j for j in (i - 1, i + 1) if 0 <= j < 6} for i in range(6)}
    assert len(list(connected_sets(path, 3))) == 4
    assert len(list(connected_sets(path, 3, 10_000))) == 4
    with pytest.raises(LimitExceededError, match="bound of 5 steps"):
        list(connected_sets(path, 3, 5))


def test_best_any_stops_enumerating_before_translating_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_native(monkeypatch)
    monkeypatch.setattr(candidates_module, "MAX_CONNECTED_SET_WORK", 100_000)
    with pytest.raises(LimitExceededError, match=r"fake_fez: connected sets .* of 16 qubits"):
        best_qubits(resolve("fake_fez"), 16, "any")
    assert calls == []


def test_best_any_refuses_more_trees_than_the_translation_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_native(monkeypatch)
    each = check_size(ghz(6)).translation_work  # a GHZ along any 6-node tree is as large
    monkeypatch.setattr(candidates_module, "MAX_TRANSLATION_WORK", 3 * each)
    with pytest.raises(LimitExceededError, match="different trees"):
        best_qubits(resolve("fake_fez"), 6, "any")
    assert calls == []
