"""IBM's ``operational = 0``, injected into a real properties file, followed through every output:
the model, monitor (text, JSON, CSV), /metrics, and the layouts of ``best`` and ``place``.

Expected values come from the raw JSON read here with the standard library, never from qpumon's
own output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from qpumon.errors import InputError
from qpumon.sources import resolve
from tests.conftest import raw, write_out_of_service
from tests.core.cli_helpers import invoke

OFF_QUBIT = 5
OFF_GATES = (("cz", (10, 11)), ("cz", (11, 10)))


@pytest.fixture(scope="module")
def props_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_out_of_service(tmp_path_factory.mktemp("off"), "fez", (OFF_QUBIT,), OFF_GATES)


def _value(entries: list[dict[str, Any]], name: str) -> Any:
    return next((e["value"] for e in entries if e["name"] == name), None)


def test_the_model_reads_the_flag(props_file: Path) -> None:
    snapshot = resolve(str(props_file))
    assert snapshot.out_of_service_qubits == {OFF_QUBIT}
    off_gates = {(g.gate, g.qubits) for g in snapshot.gates if not g.operational}
    assert off_gates == set(OFF_GATES)
    # every gate on the qubit is out of service with it
    on_qubit = {(g.gate, g.qubits) for g in snapshot.gates if OFF_QUBIT in g.qubits}
    assert on_qubit == {
        (g.gate, g.qubits) for g in snapshot.gates if snapshot.out_of_service(g)
    } - (set(OFF_GATES))


def test_medians_and_counts_leave_it_out(props_file: Path) -> None:
    done = invoke("monitor", str(props_file), "-f", "json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    props = raw("fez", "props")
    t1 = [_value(q, "T1") for i, q in enumerate(props["qubits"]) if i != OFF_QUBIT]
    summary = data["summary"]
    assert summary["median_t1_us"] == pytest.approx(statistics.median(t for t in t1 if t))
    cz = [
        _value(g["parameters"], "gate_error")
        for g in props["gates"]
        if g["gate"] == "cz"
        and OFF_QUBIT not in g["qubits"]
        and (g["gate"], tuple(g["qubits"])) not in OFF_GATES
    ]
    assert summary["median_2q_error"] == pytest.approx(statistics.median(e for e in cz if e != 1))
    assert summary["out_of_service_qubits"] == 1
    assert summary["out_of_service_gates"] == len(OFF_GATES)
    qubit = data["snapshot"]["qubits"][OFF_QUBIT]
    assert qubit["operational"] is False
    assert qubit["t1_us"] == _value(props["qubits"][OFF_QUBIT], "T1")  # shown, not dropped
    flagged = [g for g in data["snapshot"]["gates"] if g.get("operational") is False]
    assert {(g["gate"], tuple(g["qubits"])) for g in flagged} == set(OFF_GATES)


def test_monitor_flags_it_off(props_file: Path) -> None:
    done = invoke("monitor", str(props_file), "-f", "plain", "--all-gates")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    row = next(line for line in lines if line.split()[:1] == [f"Q{OFF_QUBIT}"])
    assert row.split()[-1] == "OFF"
    assert any(
        line.startswith("Out of service (OFF)") and "1 qubit, 2 gates" in line for line in lines
    )
    cz = next(line for line in lines if line.split()[:2] == ["cz", "10-11"])
    assert cz.split()[-1] == "OFF"


def test_csv_flags_every_value_out_of_service(props_file: Path) -> None:
    done = invoke("monitor", str(props_file), "-f", "csv")
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    qubit = [r for r in rows if r["kind"] == "qubit" and r["qubits"] == str(OFF_QUBIT)]
    assert qubit and all(r["flag"] == "out_of_service" for r in qubit if r["value"])
    others = [r for r in rows if r["kind"] == "qubit" and r["qubits"] != str(OFF_QUBIT)]
    assert not any(r["flag"] == "out_of_service" for r in others)
    # (a coupler whose two directions agree is one CSV entry, as in the table)
    gates = {
        (r["gate"], frozenset(int(q) for q in re.split("->|-", r["qubits"])))
        for r in rows
        if r["kind"] == "gate" and r["flag"] == "out_of_service"
    }
    on_qubit = {
        (g["gate"], frozenset(g["qubits"]))
        for g in raw("fez", "props")["gates"]
        if OFF_QUBIT in g["qubits"] and len(g["qubits"]) > 1
    }
    assert gates == {(name, frozenset(on)) for name, on in OFF_GATES} | on_qubit


def test_metrics_export_the_flag_and_no_values(props_file: Path) -> None:
    from qpumon.serve.exporter import exposition
    from qpumon.serve.state import DeviceState

    snapshot = resolve(str(props_file))
    state = DeviceState(name="fez_off", spec=str(props_file), kind="file", snapshot=snapshot)
    text, _ = exposition([state])
    families = {f.name: f.samples for f in text_string_to_metric_families(text.decode())}
    off = {s.labels["qubit"]: s.value for s in families["qpumon_qubit_out_of_service"]}
    assert {q for q, v in off.items() if v == 1} == {str(OFF_QUBIT)}
    assert str(OFF_QUBIT) not in {s.labels["qubit"] for s in families["qpumon_qubit_t1_seconds"]}
    gates = {
        (s.labels["gate"], s.labels["qubits"])
        for s in families["qpumon_gate_out_of_service"]
        if s.value == 1
    }
    assert {("cz", "10->11"), ("cz", "11->10")} <= gates
    errors = {(s.labels["gate"], s.labels["qubits"]) for s in families["qpumon_gate_error_ratio"]}
    assert not errors & gates
    count = next(s.value for s in families["qpumon_device_out_of_service_qubits"])
    assert count == 1


def _layout_qubits(document: dict[str, Any]) -> list[set[int]]:
    found = []
    for device in document.get("devices", [document]):
        for layout in device.get("top", []):
            found.append(set(layout["qubits"]))
    return found


def test_best_and_place_never_use_it(props_file: Path, tmp_path: Path) -> None:
    best = invoke("best", str(props_file), "-n", "4", "-k", "50", "-f", "json")
    assert best.exit_code == 0, best.stderr
    chosen = _layout_qubits(json.loads(best.stdout))
    assert chosen and all(OFF_QUBIT not in qubits for qubits in chosen)
    assert all(not {10, 11} <= qubits for qubits in chosen if len(qubits) == 2)
    circuit = tmp_path / "pair.qasm"
    circuit.write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\n'
        "h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n",
        encoding="utf-8",
    )
    place = invoke("place", str(circuit), str(props_file), "-k", "400", "-f", "json")
    assert place.exit_code == 0, place.stderr
    pairs = _layout_qubits(json.loads(place.stdout))
    assert pairs and all(OFF_QUBIT not in qubits for qubits in pairs)
    assert {10, 11} not in pairs


@pytest.mark.parametrize("value", [2, -1, "0", None, 0.5])
def test_an_operational_value_that_is_no_flag_is_refused(tmp_path: Path, value: Any) -> None:
    props = raw("burlington", "props")
    props["qubits"][1].append(
        {"date": props["last_update_date"], "name": "operational", "unit": "", "value": value}
    )
    path = tmp_path / "props_burlington.json"
    path.write_text(json.dumps(props), encoding="utf-8")
    with pytest.raises(InputError, match=r"props_burlington\.json: \$\.qubits\[1\]\[\d+\]\.value"):
        resolve(str(path))
    done = invoke("monitor", str(path))
    assert done.exit_code == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
