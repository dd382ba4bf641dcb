"""IQM's fake backends against the error profiles their own code builds.

iqm-client's fake-backend functions (``IQMFakeGarnet()`` ...) cannot be imported with qpumon's
Qiskit (``iqm-client[qiskit]`` pins ``qiskit<2.2``), so the test runs each function's own code with
recording stand-ins for the classes it imports (``IQMErrorProfile``, ``IQMFakeBackend``,
``StaticQuantumArchitecture``): the profile objects and architectures the vendor's functions
build, with comprehensions evaluated, independently of qpumon's reading of the files."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from itertools import pairwise
from typing import Any

import pytest

from qpumon.model import GRAPH, VENDOR_SAMPLE
from qpumon.model.definitions import DEPOLARIZING
from qpumon.model.serialize import dumps, snapshot_from_dict
from qpumon.model.summary import summarize
from qpumon.sources import resolve
from tests.vendors.conftest import package_folder

FAKES = package_folder("iqm.qiskit_iqm") / "fake_backends"
DEVICES = ("adonis", "aphrodite", "apollo", "deneb", "garnet")


class Recorded:
    """Stands in for IQMErrorProfile and StaticQuantumArchitecture: keeps the arguments."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


class FakeBackend:
    """Stands in for IQMFakeBackend: keeps its architecture and error profile."""

    def __init__(self, architecture: Recorded, error_profile: Recorded, name: str = "") -> None:
        self.architecture, self.error_profile, self.name = architecture, error_profile, name

    def copy_with_error_profile(self, profile: Recorded) -> FakeBackend:
        return FakeBackend(self.architecture, profile, self.name)


@pytest.fixture(scope="module")
def backends() -> dict[str, FakeBackend]:
    """Each device's FakeBackend, built by the vendor's function."""
    return vendor_backends()


def vendor_backends() -> dict[str, FakeBackend]:
    """Each device's FakeBackend, built by the vendor's function (the stand-ins are in
    ``sys.modules`` only while the functions run)."""
    stubs = {
        "iqm.qiskit_iqm": types.ModuleType("iqm.qiskit_iqm"),
        "iqm.qiskit_iqm.fake_backends": types.ModuleType("iqm.qiskit_iqm.fake_backends"),
        "iqm.qiskit_iqm.fake_backends.iqm_fake_backend": types.ModuleType("stub"),
        "iqm.station_control": types.ModuleType("iqm.station_control"),
        "iqm.station_control.interface": types.ModuleType("iqm.station_control.interface"),
        "iqm.station_control.interface.models": types.ModuleType("stub"),
    }
    stubs["iqm.qiskit_iqm.fake_backends.iqm_fake_backend"].__dict__.update(
        IQMErrorProfile=Recorded, IQMFakeBackend=FakeBackend
    )
    stubs["iqm.station_control.interface.models"].__dict__.update(
        StaticQuantumArchitecture=Recorded
    )
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    built = {}
    try:
        for device in ("apollo", *(d for d in DEVICES if d != "apollo")):  # garnet needs apollo
            name = f"iqm.qiskit_iqm.fake_backends.fake_{device}"
            spec = importlib.util.spec_from_file_location(name, FAKES / f"fake_{device}.py")
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            saved.setdefault(name, sys.modules.get(name))
            sys.modules[name] = module
            spec.loader.exec_module(module)
            built[device] = getattr(module, f"IQMFake{device.capitalize()}")()
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return built


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_fake_backend_is_a_device() -> None:
    from qpumon.sources.vendors import vendor_device_names

    files = sorted(p.stem.removeprefix("fake_") for p in FAKES.glob("fake_*.py"))
    assert files == list(DEVICES)
    assert [n for n in vendor_device_names() if n.startswith("iqm:")] == [f"iqm:{d}" for d in files]


def test_qubits_and_couplers(device: str, backends: dict[str, FakeBackend]) -> None:
    backend = backends[device]
    arch = backend.architecture.kwargs
    profile = backend.error_profile.kwargs
    snap = resolve(f"iqm:{device}")
    resonators = list(arch["computational_resonators"])
    assert list(snap.qubit_names) == list(arch["qubits"])
    assert snap.num_qubits == len(snap.qubits) == len(arch["qubits"])
    assert [r.name for r in snap.resonators] == resonators
    assert snap.configuration["computational_resonators"] == resonators
    index = {n: i for i, n in enumerate(snap.qubit_names)}
    between_qubits = [(a, b) for a, b in arch["connectivity"] if a in index and b in index]
    assert set(snap.coupling_edges) == {(index[a], index[b]) for a, b in between_qubits}
    assert (snap.vendor, snap.connectivity, snap.calibrated_at) == ("iqm", GRAPH, None)
    assert snap.provenance == VENDOR_SAMPLE
    assert "vendor sample data" in snap.configuration["sample_data"]
    assert snap.configuration["error_profile"] == profile["name"]
    for qubit in snap.qubits:
        name = snap.qubit_names[qubit.index]
        assert qubit.t1_us == pytest.approx(profile["t1s"][name] / 1000, rel=1e-15)
        assert qubit.t2_us == pytest.approx(profile["t2s"][name] / 1000, rel=1e-15)
        readout = profile["readout_errors"][name]
        assert (qubit.prob_meas1_prep0, qubit.prob_meas0_prep1) == (readout["0"], readout["1"])
        assert qubit.readout_error == pytest.approx((readout["0"] + readout["1"]) / 2, rel=1e-15)
    for resonator in snap.resonators:
        assert resonator.t1_us == pytest.approx(profile["t1s"][resonator.name] / 1000, rel=1e-15)
        assert resonator.t2_us == pytest.approx(profile["t2s"][resonator.name] / 1000, rel=1e-15)


def test_gates_are_the_profiles_depolarizing_parameters(
    device: str, backends: dict[str, FakeBackend]
) -> None:
    profile = backends[device].error_profile.kwargs
    snap = resolve(f"iqm:{device}")
    names = (*snap.qubit_names, *(r.name for r in snap.resonators))
    expected = {}
    for gate, errors in profile["single_qubit_gate_depolarizing_error_parameters"].items():
        for qubit, error in errors.items():
            expected[(gate, (qubit,))] = (error, profile["single_qubit_gate_durations"][gate])
    for gate, errors in profile["two_qubit_gate_depolarizing_error_parameters"].items():
        for pair, error in errors.items():
            expected[(gate, tuple(pair))] = (error, profile["two_qubit_gate_durations"][gate])
    gates = [*snap.gates, *(g for r in snap.resonators for g in r.gates)]
    got = {(g.gate, tuple(names[q] for q in g.qubits)): (g.error, g.length_ns) for g in gates}
    assert got == expected
    assert len(gates) == len(expected)
    assert {g.definition for g in gates} == {DEPOLARIZING}
    assert all(q < snap.num_qubits for g in snap.gates for q in g.qubits)
    for k, resonator in enumerate(snap.resonators):
        assert all(snap.num_qubits + k in g.qubits for g in resonator.gates)


def test_garnet_has_its_own_profile_on_apollos_layout(backends: dict[str, FakeBackend]) -> None:
    garnet, apollo = resolve("iqm:garnet"), resolve("iqm:apollo")
    arch = backends["garnet"].architecture.kwargs
    assert arch == backends["apollo"].architecture.kwargs
    assert backends["garnet"].error_profile.kwargs["name"] == "Garnet"
    assert garnet.coupling_edges == apollo.coupling_edges
    assert garnet.configuration["architecture"] == "fake_apollo"
    assert [q.t1_us for q in garnet.qubits] != [q.t1_us for q in apollo.qubits]


def test_deneb_is_six_qubits_and_a_resonator(backends: dict[str, FakeBackend]) -> None:
    """CR1 is a component, not a qubit: no qubit entry, name, coupler or qubit gate; its CZ and
    MOVE gates, and its T1, are the resonator's. The mean T1 is the qubits' (the vendor's
    function's own profile, run from fake_deneb.py), not CR1's 5.4 µs pulling it to 30.77."""
    arch = backends["deneb"].architecture.kwargs
    profile = backends["deneb"].error_profile.kwargs
    qubits = list(arch["qubits"])
    snap = resolve("iqm:deneb")
    assert snap.num_qubits == len(qubits) == 6
    assert "CR1" not in snap.qubit_names and arch["computational_resonators"] == ["CR1"]
    assert snap.coupling_edges == () and snap.two_qubit_basis_gates == ()
    assert {g.gate for g in snap.gates} == {"prx"}
    (resonator,) = snap.resonators
    assert resonator.name == "CR1"
    expected = {
        (gate, pair)
        for gate, errors in profile["two_qubit_gate_depolarizing_error_parameters"].items()
        for pair in errors
    }
    assert {(g.gate, (qubits[g.qubits[0]], "CR1")) for g in resonator.gates} == expected
    assert {g.qubits[1] for g in resonator.gates} == {6}
    mean_t1_ns = sum(profile["t1s"][q] for q in qubits) / len(qubits)
    assert mean_t1_ns / 1000 == 35.0
    assert summarize(snap).mean_t1_us == pytest.approx(mean_t1_ns / 1000, rel=1e-15)


def test_denebs_move_gates_are_not_basis_gates() -> None:
    snap = resolve("iqm:deneb")
    assert "move" not in snap.basis_gates
    assert snap.configuration["resonator_gates"] == ["move"]
    assert {g.error for g in snap.resonators[0].gates if g.gate == "move"} == {0.0}


def test_a_snapshot_with_a_resonator_round_trips_and_others_do_not_name_one(tmp_path) -> None:
    deneb = resolve("iqm:deneb")
    data = json.loads(dumps(deneb))
    assert [r["name"] for r in data["resonators"]] == ["CR1"]
    assert snapshot_from_dict(data) == deneb
    path = tmp_path / "deneb.json"
    path.write_text(dumps(deneb), encoding="utf-8")
    assert resolve(str(path)) == deneb
    assert "resonators" not in json.loads(dumps(resolve("iqm:garnet")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r["gates"][0].update(error=1.5),
            "$.resonators[0].gates[0].error",
        ),
        (lambda r: r.update(t1_us="long"), "$.resonators[0].t1_us"),
        (
            lambda r: r["gates"][0].update(qubits=[0, 1]),
            "resonators[0].gates[0] (cz on [0, 1]) does not act on its resonator CR1",
        ),
        (
            lambda r: r["gates"][0].update(qubits=[9, 6]),
            "resonators[0].gates[0] (cz on [9, 6]) must join CR1",
        ),
        (lambda r: r.update(name="QB1"), "resonators[0] is named 'QB1', like another component"),
    ],
)
def test_a_bad_resonator_is_refused_in_one_line(tmp_path, change: Any, message: str) -> None:
    from tests.core.cli_helpers import invoke

    data = json.loads(dumps(resolve("iqm:deneb")))
    change(data["resonators"][0])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = invoke("monitor", path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_placement_scores_prx_as_qiskits_r_with_average_errors(
    backends: dict[str, FakeBackend],
) -> None:
    from qpumon.choose.tables import device_tables

    profile = backends["garnet"].error_profile.kwargs
    snap = resolve("iqm:garnet")
    tables = device_tables(snap)
    index = {name: i for i, name in enumerate(snap.qubit_names)}
    for qubit, lam in profile["single_qubit_gate_depolarizing_error_parameters"]["prx"].items():
        assert tables.one_qubit_error["r"][index[qubit]] == pytest.approx(lam / 2, rel=1e-15)
    cz = tables.two_qubit["cz"]
    errors = dict(zip(cz.keys.tolist(), cz.error.tolist(), strict=True))
    for (a, b), lam in profile["two_qubit_gate_depolarizing_error_parameters"]["cz"].items():
        key = index[a] * snap.num_qubits + index[b]
        assert errors[key] == pytest.approx(lam * 3 / 4, rel=1e-15)


def test_best_qubits_on_garnet_are_connected_in_its_architecture(
    backends: dict[str, FakeBackend],
) -> None:
    import json

    from tests.core.cli_helpers import run

    result = run("best", "iqm:garnet", "--qubits", "4", "-f", "json")
    assert result.returncode == 0, result.stderr
    arch = backends["garnet"].architecture.kwargs
    names = list(arch["qubits"])
    couplers = {frozenset((names.index(a), names.index(b))) for a, b in arch["connectivity"]}
    top = json.loads(result.stdout)["top"]
    assert len(top) == 5
    for entry in top:
        chain = entry["qubits"]
        assert all(frozenset(p) in couplers for p in pairwise(chain))
