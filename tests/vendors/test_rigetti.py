"""The Rigetti QCS ISA reader, checked against the real ISAs parsed independently here."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from qpumon.errors import InputError
from qpumon.model.definitions import AVERAGE, OTHER
from qpumon.model.summary import summarize
from qpumon.sources import resolve
from qpumon.sources.vendors.rigetti import is_rigetti_document, snapshot_from_rigetti
from tests.core.cli_helpers import invoke

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "vendor_fixtures" / "rigetti"
ASPEN_M3 = FIXTURES / "Aspen-M-3.isa.json"
ASPEN_9 = FIXTURES / "Aspen-9.isa.json"

pytestmark = pytest.mark.skipif(
    not ASPEN_M3.exists(), reason="../shared/vendor_fixtures/rigetti is absent"
)


def _raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _values(isa: dict[str, Any], op: str, char: str) -> dict[tuple[int, ...], dict[str, Any]]:
    """(node ids) -> the characteristic ``char`` of operation ``op``, read directly."""
    out: dict[tuple[int, ...], dict[str, Any]] = {}
    for group in ("instructions", "benchmarks"):
        for operation in isa.get(group, []):
            if operation["name"] != op:
                continue
            for site in operation["sites"]:
                for c in site["characteristics"]:
                    if c["name"] == char:
                        out[tuple(c.get("node_ids") or site["node_ids"])] = c
    return out


def _index(isa: dict[str, Any]) -> dict[int, int]:
    return {n: i for i, n in enumerate(sorted(x["node_id"] for x in isa["architecture"]["nodes"]))}


def test_every_qubit_value_is_the_isa_value_in_its_unit() -> None:
    isa = _raw(ASPEN_M3)
    snap = resolve(ASPEN_M3)
    index = _index(isa)
    assert snap.vendor == "rigetti" and snap.num_qubits == 80 and snap.name == "Aspen-M-3"
    for (node,), c in _values(isa, "FreeInversionRecovery", "T1").items():
        assert snap.qubits[index[node]].t1_us == pytest.approx(c["value"] * 1e6)
    for (node,), c in _values(isa, "FreeInductionDecay", "T2").items():
        assert snap.qubits[index[node]].t2_us == pytest.approx(c["value"] * 1e6)
    readouts = _values(isa, "MEASURE", "fRO")
    assert len(readouts) == 79
    for (node,), c in readouts.items():
        assert snap.qubits[index[node]].readout_error == pytest.approx(1 - c["value"])
    assert snap.qubit_names[index[10]] == "10"


def test_rb_is_the_rx_average_infidelity_with_its_standard_error() -> None:
    isa = _raw(ASPEN_M3)
    snap = resolve(ASPEN_M3)
    index = _index(isa)
    rb = _values(isa, "randomized_benchmark_1q", "fRB")
    for (node,), c in rb.items():
        gate = snap.gate("rx", (index[node],))
        assert gate is not None and gate.definition == AVERAGE
        assert gate.error == pytest.approx(1 - c["value"])
        assert gate.uncertainty == pytest.approx(c["error"])
    simultaneous = _values(isa, "randomized_benchmark_simultaneous_1q", "fRB")
    (node,), c = next(iter(simultaneous.items()))
    gate = snap.gate("simultaneous_rb", (index[node],))
    assert gate is not None and gate.error == pytest.approx(1 - c["value"])
    reset = snap.gate("reset", (index[node],))
    far = _values(isa, "RESET", "fAR")[(node,)]["value"]
    assert reset is not None and reset.definition == OTHER
    assert reset.error == pytest.approx(1 - far)
    summary = summarize(snap)
    assert summary.one_qubit_gate == "rx"
    assert summary.median_1q_error == pytest.approx(median(1 - c["value"] for c in rb.values()))


@pytest.mark.parametrize(("op", "gate"), [("CZ", "cz"), ("XY", "xy"), ("CPHASE", "cphase")])
def test_two_qubit_fidelities_are_undirected_average_infidelities(op: str, gate: str) -> None:
    isa = _raw(ASPEN_M3)
    snap = resolve(ASPEN_M3)
    index = _index(isa)
    found = _values(isa, op, f"f{op}")
    assert found
    for (a, b), c in found.items():
        for pair in ((index[a], index[b]), (index[b], index[a])):
            g = snap.gate(gate, pair)
            assert g is not None and g.definition == AVERAGE
            assert g.error == pytest.approx(1 - c["value"])
            assert g.uncertainty == pytest.approx(c["error"])
    assert len([g for g in snap.gates if g.gate == gate]) == 2 * len(found)


def test_the_native_entangler_is_cz_and_xy_cphase_are_counted_apart() -> None:
    isa = _raw(ASPEN_M3)
    summary = summarize(resolve(ASPEN_M3))
    expected = median(1 - c["value"] for c in _values(isa, "CZ", "fCZ").values())
    assert summary.two_qubit_gates == ("cz",)
    assert summary.median_2q_error == pytest.approx(expected)
    assert set(summary.fractional_gates) == {"xy", "cphase"}


def test_epoch_timestamps_are_no_date_and_a_node_without_operations_is_off() -> None:
    isa = _raw(ASPEN_M3)
    snap = resolve(ASPEN_M3)
    assert {c["timestamp"] for c in _values(isa, "CZ", "fCZ").values()} == {
        "1970-01-01T00:00:00+00:00"
    }
    assert snap.calibrated_at is None
    assert all(g.measured_at is None for g in snap.gates)
    assert all(not q.measured_at for q in snap.qubits)
    used = {n for op in isa["instructions"] for s in op["sites"] for n in s["node_ids"]}
    idle = {x["node_id"] for x in isa["architecture"]["nodes"]} - used
    assert idle == {136}
    assert snap.out_of_service_qubits == {_index(isa)[136]}


def test_a_real_timestamp_is_kept() -> None:
    isa = _raw(ASPEN_9)
    isa["instructions"][4]["sites"][0]["characteristics"][0]["timestamp"] = "2026-12-01T08:00:00Z"
    snap = snapshot_from_rigetti(isa, "aspen9.json")
    assert snap.calibrated_at is not None and snap.calibrated_at.isoformat().startswith(
        "2026-12-01T08:00"
    )


def test_aspen_9_has_no_coherence_and_braket_provider_specs_read_the_same() -> None:
    isa = _raw(ASPEN_9)
    direct = snapshot_from_rigetti(isa, "a.json")
    assert all(q.t1_us is None and q.t2_us is None for q in direct.qubits)
    assert direct.num_qubits == 32
    provider = {
        "braketSchemaHeader": {
            "name": "braket.device_schema.rigetti.rigetti_provider_properties",
            "version": "2",
        },
        "specs": isa,
    }
    capabilities = {"braketSchemaHeader": {"name": "x"}, "provider": provider}
    for doc in (provider, capabilities):
        assert is_rigetti_document(doc)
        embedded = snapshot_from_rigetti(doc, "a.json")
        assert embedded.gates == direct.gates and embedded.qubits == direct.qubits


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["instructions"][4]["sites"][0]["characteristics"][0].update(value=1.5),
            "$.instructions[4].sites[0].characteristics[0].value: 1.5 is not a probability",
        ),
        (
            lambda d: d["instructions"][4]["sites"][0]["characteristics"][0].update(value="x"),
            "$.instructions[4].sites[0].characteristics[0].value: expected a number",
        ),
        (
            lambda d: d["instructions"][4]["sites"][0].update(node_ids=[0, 999]),
            "node 999 is not one of the architecture's nodes",
        ),
        (lambda d: d["architecture"].update(nodes=[]), "the ISA lists no node"),
        (
            lambda d: d["benchmarks"][2]["sites"][0]["characteristics"][0].update(value=-1.0),
            "is below 0",
        ),
    ],
)
def test_bad_values_name_their_json_path(change: Any, message: str) -> None:
    isa = copy.deepcopy(_raw(ASPEN_M3))
    change(isa)
    with pytest.raises(InputError, match=message.replace("$", r"\$").replace("[", r"\[")):
        snapshot_from_rigetti(isa, "isa.json")


def test_monitor_reads_an_isa_file_at_80_columns() -> None:
    result = invoke("monitor", ASPEN_M3, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert "Rigetti" in result.stdout and "Median CZ error" in result.stdout
