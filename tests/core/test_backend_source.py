"""Qiskit BackendV2 objects: the same numbers as the files they were built from."""

from __future__ import annotations

import io

import pytest

from qpumon import backend_monitor, load_snapshot
from qpumon.model.serialize import snapshot_to_dict
from qpumon.sources import BundledSource


def test_fake_backend_matches_the_bundled_snapshot() -> None:
    from qiskit_ibm_runtime.fake_provider import FakeFez

    live = load_snapshot(FakeFez())
    files = BundledSource().load("fake_fez")
    assert live.source == "backend:FakeFez"
    assert live.status is not None and live.status.operational
    for field in ("qubits", "gates", "layer_fidelities", "coupling_edges", "basis_gates"):
        assert snapshot_to_dict(live)[field] == snapshot_to_dict(files)[field], field


def test_generic_backend_reads_the_target() -> None:
    from qiskit.providers.fake_provider import GenericBackendV2

    backend = GenericBackendV2(5, seed=7)
    snap = load_snapshot(backend)
    target = backend.target
    for q in range(5):
        props = target.qubit_properties[q]
        assert snap.qubits[q].t1_us == pytest.approx(props.t1 * 1e6)
        assert snap.qubits[q].frequency_ghz == pytest.approx(props.frequency * 1e-9)
        assert snap.qubits[q].readout_error == pytest.approx(target["measure"][(q,)].error)
        assert snap.qubits[q].anharmonicity_ghz is None  # the target does not carry it
    cx = snap.gate("cx", (0, 1))
    assert cx is not None and cx.error == pytest.approx(target["cx"][(0, 1)].error)
    assert cx.length_ns == pytest.approx(target["cx"][(0, 1)].duration * 1e9)


def test_backend_without_noise_shows_configuration_and_says_so() -> None:
    from qiskit.providers.fake_provider import GenericBackendV2

    out = io.StringIO()
    backend_monitor(GenericBackendV2(3, noise_info=False), file=out)
    text = out.getvalue()
    assert "has no calibration data" in text and "basis_gates" in text


def test_legacy_layout_of_fake_burlington_v2_matches_qiskit_0_46() -> None:
    from qiskit_ibm_runtime.fake_provider import FakeBurlingtonV2

    out = io.StringIO()
    backend_monitor(FakeBurlingtonV2(), format="legacy", file=out)
    lines = out.getvalue().splitlines()
    assert lines[:12] == [
        "fake_burlington",
        "===============",
        "Configuration",
        "-------------",
        "    n_qubits: 5",
        "    operational: True",
        "    status_msg: active",
        "    pending_jobs: 0",
        "    backend_version: 1.1.4",
        "    basis_gates: ['id', 'u1', 'u2', 'u3', 'cx']",
        "    local: False",
        "    simulator: False",
    ]
    start = lines.index("Qubits [Name / Freq / T1 / T2 / U1 err / U2 err / U3 err / Readout err]")
    assert lines[start:] == LEGACY_QUBITS_AND_GATES


# From shared/LEGACY.md: Qiskit 0.46's backend_monitor on fake_burlington.
LEGACY_QUBITS_AND_GATES = """\
Qubits [Name / Freq / T1 / T2 / U1 err / U2 err / U3 err / Readout err]
-----------------------------------------------------------------------
    Q0 / 4.64140 GHz / 101.25902 µs / 38.01617 µs / 0.00000 / 0.00031 / 0.00063 / 0.02450 
    Q1 / 4.72004 GHz / 79.09865 µs / 93.19832 µs / 0.00000 / 0.00059 / 0.00118 / 0.04850 
    Q2 / 4.76205 GHz / 82.62698 µs / 121.24882 µs / 0.00000 / 0.00147 / 0.00294 / 0.02700 
    Q3 / 4.68697 GHz / 100.78137 µs / 104.03648 µs / 0.00000 / 0.00057 / 0.00115 / 0.03200 
    Q4 / 4.92411 GHz / 74.13633 µs / 41.49173 µs / 0.00000 / 0.00056 / 0.00112 / 0.04300 

Multi-Qubit Gates [Name / Type / Gate Error]
--------------------------------------------
    cx0_1 / cx / 0.00914
    cx1_0 / cx / 0.00914
    cx1_2 / cx / 0.02496
    cx1_3 / cx / 0.02261
    cx2_1 / cx / 0.02496
    cx3_1 / cx / 0.02261
    cx3_4 / cx / 0.00959
    cx4_3 / cx / 0.00959""".splitlines()
