"""``monitor -f ibm-csv`` writes IBM's current download format, and reading that file back gives
the same values, on every bundled device: every per-qubit value and flag, every one- and
two-qubit gate error (failed ``1`` flags included), the pulses' length and the native
entangler's length; the coupling map is the device's."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qpumon.model import QUBIT_FIELDS, DeviceSnapshot
from qpumon.reports.formats.ibm_csv import write_csv
from qpumon.sources import default_bundled, resolve
from qpumon.sources.ibm_csv import PULSE_GATES, parse_csv
from tests.conftest import bundled_dirs
from tests.core.cli_helpers import invoke

#: The header of IBM's newest files (2026-06, ibm_kingston), as IBM wrote it.
KINGSTON_2026 = [
    "Qubit",
    "T1 (us)",
    "T2 (us)",
    "Readout assignment error",
    "Prob meas0 prep1",
    "Prob meas1 prep0",
    "Readout length (ns)",
    "ID error",
    "Single-qubit gate length (ns)",
    "RX error",
    "Z-axis rotation (rz) error",
    "√x (sx) error",
    "Pauli-X error",
    "CZ error",
    "Gate length (ns)",
    "RZZ error",
    "MEASURE error",
    "MEASURE_2 error",
    "Operational",
]


def same_values(old: DeviceSnapshot, new: DeviceSnapshot) -> None:
    """Every value the format carries is equal (exact floats)."""
    assert new.num_qubits == old.num_qubits
    before = {q.index: q for q in old.qubits}
    after = {q.index: q for q in new.qubits}
    for index, qubit in before.items():
        for name in QUBIT_FIELDS:
            assert after[index].value(name) == qubit.value(name), (old.name, index, name)
        assert after[index].operational == qubit.operational
    assert dict(new.placeholders) == dict(old.placeholders)
    native = next(iter(old.native_entanglers), None)
    carried = 0
    for gate in old.gates:
        if gate.arity > 2:
            continue
        found = new.gate(gate.gate, gate.qubits)
        if gate.error is not None:
            assert found is not None and found.error == gate.error, (old.name, gate)
            carried += 1
        if gate.length_ns is not None and (gate.gate in PULSE_GATES or gate.gate == native):
            assert found is not None and found.length_ns == gate.length_ns, (old.name, gate)
    assert len(new.failed_gates) == len([g for g in old.failed_gates if g.arity <= 2])
    assert new.coupling_edges == old.coupling_edges
    assert carried or not old.gates


@pytest.mark.parametrize("stem", bundled_dirs())
def test_round_trip_on_every_bundled_device(stem: str) -> None:
    name = f"fake_{stem}"
    old = resolve(name)
    if not old.has_calibration:
        pytest.skip(f"{name} has no calibration to write")
    text = write_csv(old)
    new = parse_csv(text, name, device=name, calibrated_at=old.calibrated_at)
    same_values(old, new)


def test_heron_columns_are_ibms_current_ones_column_for_column() -> None:
    text = write_csv(resolve("fake_kingston"))
    header = next(csv.reader([text.split("\n", 1)[0]]))
    assert header == KINGSTON_2026
    assert text.startswith('"Qubit","T1 (us)"') and not text.endswith("\n")  # IBM's framing


def test_export_then_import_through_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "fake_torino_calibrations_2025-01-01T00_00_00Z.csv"
    written = invoke("monitor", "fake_torino", "-f", "ibm-csv", "-o", out)
    assert written.exit_code == 0, written.stderr
    done = invoke("import", out, "--db", tmp_path / "h.db")
    assert done.exit_code == 0, done.stderr
    assert "1 stored" in done.stdout
    same_values(default_bundled().load("fake_torino"), resolve(out))


def test_other_definitions_are_written_as_average_infidelity_or_left_out() -> None:
    from qpumon.model import GateCalibration, QubitCalibration
    from qpumon.model.definitions import PAULI, XEB_CYCLE

    snapshot = DeviceSnapshot(
        name="other",
        num_qubits=2,
        source="test",
        qubits=(QubitCalibration(0, t1_us=50.0), QubitCalibration(1, t1_us=60.0)),
        gates=(
            GateCalibration("sx", (0,), 0.003, definition=PAULI),
            GateCalibration("cz", (0, 1), 0.01, 40.0, definition=PAULI),
            GateCalibration("cz", (1, 0), 0.02, 40.0, definition=XEB_CYCLE),
        ),
        coupling_edges=((0, 1), (1, 0)),
    )
    rows = list(csv.DictReader(write_csv(snapshot).split("\n")))
    assert float(rows[0]["√x (sx) error"]) == 0.003 * 2 / 3  # Pauli: e·d/(d+1), d = 2
    assert rows[0]["CZ error"] == f"1:{0.01 * 4 / 5!r}"  # d = 4
    assert rows[1]["CZ error"] == ""  # XEB per cycle only bounds it: left out
    assert rows[1]["Gate length (ns)"] == "0:40"
