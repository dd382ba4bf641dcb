"""Quantinuum's machines against pytket-quantinuum's ``OFFLINE_MACHINE_LIST``, read here
directly."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import pytest
from pytket.extensions.quantinuum.backends.api_wrappers import OFFLINE_MACHINE_LIST

from qpumon.model import ALL_TO_ALL, MEASURED
from qpumon.model.definitions import AVERAGE, OTHER, SPAM
from qpumon.model.summary import summarize
from qpumon.sources import resolve

MACHINES = {m["name"]: m for m in OFFLINE_MACHINE_LIST}


def day(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)


@pytest.fixture(params=["H1-1", "H2-1", "H2-2"])
def machine(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(MACHINES[request.param])


def test_the_three_machines_are_listed() -> None:
    assert sorted(MACHINES) == ["H1-1", "H2-1", "H2-2"]


def test_device_values_and_uncertainties(machine: dict[str, Any]) -> None:
    snap = resolve(f"quantinuum:{machine['name']}")
    specs = machine["noise_specs"]
    when = day(specs["date"])
    assert snap.name == f"quantinuum:{machine['name'].lower()}"
    assert (snap.num_qubits, snap.calibrated_at) == (machine["n_qubits"], when)
    assert (snap.vendor, snap.connectivity, snap.provenance) == ("quantinuum", ALL_TO_ALL, MEASURED)
    assert machine["connectivity"] == "all-to-all" and snap.coupling_edges == ()
    assert snap.qubits == () and snap.gates == ()
    assert list(snap.basis_gates) == machine["gateset"]
    expected = {
        "1q_error": (specs["1q_gate_error"]["p1"], specs["1q_gate_error"]["p1_unc"], AVERAGE),
        "2q_error": (specs["2q_gate_error"]["p2"], specs["2q_gate_error"]["p2_unc"], AVERAGE),
        "memory_error": (
            specs["memory_error"]["memory_error"],
            specs["memory_error"]["memory_error_unc"],
            OTHER,
        ),
        "crosstalk_error": (
            specs["crosstalk_error"]["p_crosstalk_meas"],
            specs["crosstalk_error"]["p_crosstalk_meas_unc"],
            OTHER,
        ),
    }
    for key, (value, uncertainty, definition) in expected.items():
        found = snap.device_value(key)
        assert found is not None
        assert (found.value, found.uncertainty, found.definition) == (
            value,
            uncertainty,
            definition,
        )
        assert found.measured_at == when


def test_spam_is_the_mean_of_the_two_states(machine: dict[str, Any]) -> None:
    snap = resolve(f"quantinuum:{machine['name'].lower()}")
    spam = machine["noise_specs"]["spam_error"]
    found = snap.device_value("spam_error")
    assert found is not None and found.definition == SPAM
    assert found.value == pytest.approx((spam["p_meas_0"] + spam["p_meas_1"]) / 2, rel=1e-15)
    assert found.uncertainty == pytest.approx(
        math.sqrt(spam["p_meas_0_unc"] ** 2 + spam["p_meas_1_unc"] ** 2) / 2, rel=1e-12
    )
    assert snap.configuration["spam_error"] == spam


def test_quantum_volume_with_its_own_date(machine: dict[str, Any]) -> None:
    snap = resolve(f"quantinuum:{machine['name']}")
    qv = machine["benchmarks"]["qv"]
    found = snap.device_value("quantum_volume")
    assert found is not None
    assert (found.value, found.measured_at) == (qv["value"], day(qv["date"]))
    assert snap.configuration["quantum_volume"] == int(qv["value"])


def test_the_summary_headlines_are_the_device_values(machine: dict[str, Any]) -> None:
    summary = summarize(resolve(f"quantinuum:{machine['name']}"))
    specs = machine["noise_specs"]
    assert summary.median_1q_error == specs["1q_gate_error"]["p1"]
    assert summary.median_2q_error == specs["2q_gate_error"]["p2"]
    assert (summary.one_qubit_definition, summary.two_qubit_definition) == (AVERAGE, AVERAGE)
    assert summary.readout_definition == SPAM
