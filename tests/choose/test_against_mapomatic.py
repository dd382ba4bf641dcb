"""qpumon's mapomatic-mirroring cost model against mapomatic itself, on the same circuit."""

from __future__ import annotations

import warnings

import pytest

from qpumon.choose import place
from qpumon.choose.circuits import basis_family, native_circuit
from qpumon.errors import CircuitError
from qpumon.sources import resolve as load
from tests.choose.helpers import fake_backend, ghz, mapomatic_scores
from tests.conftest import raw

SIX = [
    "fake_fez",
    "fake_marrakesh",
    "fake_kingston",
    "fake_torino",
    "fake_brisbane",
    "fake_sherbrooke",
]


def _flagged(stem: str, entangler: str) -> tuple[set[int], set[tuple[int, int]]]:
    """Dead qubits and flagged ``entangler`` pairs, read from the raw properties JSON."""
    props = raw(stem, "props")
    dead, pairs = set(), set()
    for gate in props["gates"]:
        error = next((p["value"] for p in gate["parameters"] if p["name"] == "gate_error"), None)
        if error == 1:
            if len(gate["qubits"]) == 1:
                dead.add(gate["qubits"][0])
            elif gate["gate"] == entangler:
                pairs.add(tuple(gate["qubits"]))
    return dead, pairs


@pytest.mark.parametrize("device", ["fake_fez", "fake_brisbane"])
def test_same_best_layout_and_cost_on_ghz5(device: str) -> None:
    native = native_circuit(ghz(5), basis_family(load(device)))
    theirs = mapomatic_scores(native, fake_backend(device))
    ours = place(ghz(5), [load(device)], cost_model="mapomatic", top=len(theirs)).devices[0]
    assert ours.best is not None
    assert list(ours.best.qubits) == theirs[0][0]
    assert ours.best.cost == pytest.approx(theirs[0][1], rel=1e-12)


@pytest.mark.parametrize("device", ["fake_fez", "fake_brisbane"])
def test_difference_is_exactly_the_flagged_layouts(device: str) -> None:
    """By design qpumon drops layouts on flagged gates; mapomatic scores them with error 1."""
    native = native_circuit(ghz(5), basis_family(load(device)))
    theirs = mapomatic_scores(native, fake_backend(device))
    ours = place(ghz(5), [load(device)], cost_model="mapomatic", top=10**6).devices[0]
    entangler = next(i.operation.name for i in native.data if i.operation.num_qubits == 2)
    dead, pairs = _flagged(device.removeprefix("fake_"), entangler)
    edges = [(a, b) for a, b in zip(range(4), range(1, 5), strict=True)]

    def touches_flag(layout: list[int]) -> bool:
        return bool(dead & set(layout)) or any((layout[a], layout[b]) in pairs for a, b in edges)

    dropped = [(lay, cost) for lay, cost in theirs if touches_flag(lay)]
    kept = {tuple(lay): cost for lay, cost in theirs if not touches_flag(lay)}
    assert dropped, "the snapshot has flagged gates on some GHZ layouts"
    assert all(cost == 1.0 for _, cost in dropped)  # mapomatic: "error 1", a meaningless score
    assert ours.found == len(kept) == len(theirs) - len(dropped)
    for score in ours.top:
        assert score.cost == pytest.approx(kept[score.qubits], rel=1e-12)


def test_same_best_device_among_six() -> None:
    import mapomatic as mm

    theirs = []
    for family in {basis_family(load(d)) for d in SIX}:
        backends = [fake_backend(d) for d in SIX if basis_family(load(d)) == family]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            theirs += mm.best_overall_layout(
                native_circuit(ghz(5), family), backends, successors=True
            )
    theirs.sort(key=lambda row: row[2])
    ours = place(ghz(5), [load(d) for d in SIX], cost_model="mapomatic")
    assert ours.best is not None and ours.best.best is not None
    assert ours.best.device == theirs[0][1]
    assert list(ours.best.best.qubits) == theirs[0][0]
    assert ours.best.best.cost == pytest.approx(theirs[0][2], rel=1e-12)
    assert [d.device for d in ours.ranked] == [row[1] for row in theirs]


def test_all_flagged_device_has_no_layout_where_mapomatic_scores_every_one_as_1() -> None:
    """fake_kyoto flags all 144 ECR gates: mapomatic ranks layouts of error 1, qpumon none."""
    native = native_circuit(ghz(5), basis_family(load("fake_kyoto")))
    theirs = mapomatic_scores(native, fake_backend("fake_kyoto"))
    assert theirs and {cost for _, cost in theirs} == {1.0}
    with pytest.raises(CircuitError, match="one of the 144 flagged gates"):
        place(ghz(5), [load("fake_kyoto")], cost_model="mapomatic")
