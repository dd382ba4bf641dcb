"""IBM's ``operational = 0`` in a real properties file: ``best`` and ``place`` never use what the
vendor took out of service, in the API and through the command line on a written file."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from qpumon.choose import place
from qpumon.choose.candidates import best_qubits
from qpumon.cli import main
from qpumon.sources.ibm_json import snapshot_from_ibm
from tests.choose.helpers import ghz
from tests.conftest import raw


def _off(entries: list[dict[str, Any]]) -> None:
    """Append IBM's ``operational = 0`` to a qubit's or a gate's parameter list."""
    entries.append(
        {"date": "2025-01-01T00:00:00+00:00", "name": "operational", "unit": "", "value": 0}
    )


def _pairs(layout: tuple[int, ...]) -> set[frozenset[int]]:
    return {frozenset(p) for p in itertools.pairwise(layout)}


def _patched(qubit: int, coupler: tuple[int, int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """fake_fez's raw conf and props, ``qubit`` and both directions of ``coupler`` taken out."""
    conf, props = raw("fez", "conf"), copy.deepcopy(raw("fez", "props"))
    _off(props["qubits"][qubit])
    for gate in props["gates"]:
        if gate["gate"] == "cz" and frozenset(gate["qubits"]) == frozenset(coupler):
            _off(gate["parameters"])
    return conf, props


def _unpatched_best() -> tuple[int, ...]:
    """The best 5-qubit line on the untouched raw data."""
    snapshot = snapshot_from_ibm(raw("fez", "conf"), raw("fez", "props"), source="test")
    return best_qubits(snapshot, 5, top=1).top[0].qubits


def test_best_and_place_never_use_an_out_of_service_qubit_or_coupler() -> None:
    before = _unpatched_best()
    qubit, coupler = before[0], (before[2], before[3])
    conf, props = _patched(qubit, coupler)
    snapshot = snapshot_from_ibm(conf, props, source="test")
    choice = best_qubits(snapshot, 5, top=50)
    placed = place(ghz(5), [snapshot], top=50).devices[0]
    failed = sum(
        1
        for g in props["gates"]
        if any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    )
    on_qubit = sum(1 for g in props["gates"] if qubit in g["qubits"])
    for layouts in ([s.qubits for s in choice.top], [s.qubits for s in placed.top]):
        assert layouts and before not in layouts
        assert all(qubit not in layout for layout in layouts)
        assert all(frozenset(coupler) not in _pairs(layout) for layout in layouts)
    assert qubit in choice.dead_qubits and qubit in placed.dead_qubits
    # every gate on the qubit, plus the coupler's two cz entries, unless already flagged
    flagged_on_qubit = sum(
        1
        for g in props["gates"]
        if qubit in g["qubits"]
        and any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    )
    expected = failed + on_qubit - flagged_on_qubit + 2
    assert placed.flagged_gates == choice.flagged_gates == expected
    assert any("operational = 0" in note for note in placed.notes)


def test_the_command_line_skips_them_in_a_written_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _unpatched_best()
    conf, props = _patched(before[1], (before[3], before[4]))
    (tmp_path / "conf_x.json").write_text(json.dumps(conf), encoding="utf-8")
    (tmp_path / "props_x.json").write_text(json.dumps(props), encoding="utf-8")
    circuit = tmp_path / "ghz5.qasm"
    from qiskit import qasm2

    circuit.write_text(qasm2.dumps(ghz(5)), encoding="utf-8")
    for args in (
        ["best", str(tmp_path / "props_x.json"), "-n", "5", "-k", "20", "-f", "json"],
        ["place", str(circuit), str(tmp_path / "props_x.json"), "-k", "20", "-f", "json"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert not exit_info.value.code
        data = json.loads(capsys.readouterr().out)
        top = data["top"] if "top" in data else data["devices"][0]["top"]
        layouts = [tuple(row["qubits"]) for row in top]
        assert len(layouts) == 20
        assert all(before[1] not in layout for layout in layouts)
        assert all(frozenset((before[3], before[4])) not in _pairs(lay) for lay in layouts)
