"""Every command through the real entry point: results checked through the library and against
the source data, consistency between commands, and one subprocess smoke run per command."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from qpumon.api import overview_report
from qpumon.cli import COMMAND_MODULES
from qpumon.model.summary import summarize
from qpumon.reports.monitor import MonitorOptions, build_monitor
from qpumon.sources import resolve
from tests.conftest import raw
from tests.core.cli_helpers import invoke, run

GHZ3 = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\nh q[0];\n'
    "cx q[0],q[1];\ncx q[1],q[2];\nmeasure q -> c;\n"
)


def test_monitor_json_is_the_librarys_snapshot() -> None:
    done = invoke("monitor", "fake_lagos", "-f", "json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    props = raw("lagos", "props")
    t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
    assert [q["t1_us"] for q in data["snapshot"]["qubits"]] == t1
    assert data["summary"] == json.loads(
        json.dumps(build_monitor(resolve("fake_lagos")).document()["summary"])
    )


def test_overview_csv_rows_are_the_summaries() -> None:
    done = invoke("overview", "fake_lagos", "fake_nairobi", "fake_fez", "-f", "csv")
    assert done.exit_code == 0, done.stderr
    rows = {r["device"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    for name in ("fake_lagos", "fake_nairobi", "fake_fez"):
        summary = summarize(resolve(name))
        assert float(rows[name]["median_2q_error_avg"]) == summary.median_2q_error
        assert int(rows[name]["failed_2q_couplers"]) == summary.failed_2q_couplers


def test_worst_limits_the_gate_table_to_the_couplers_of_the_qubits_shown() -> None:
    snapshot = resolve("fake_fez")
    report = build_monitor(snapshot, MonitorOptions(worst=3))
    assert report.qubits is not None and report.gates is not None
    shown = {row[0].value for row in report.qubits.rows}
    assert len(shown) == 3
    for row in report.gates.rows:
        assert shown & set(row[1].value), row[1].text
    every = {frozenset(g.qubits) for g in snapshot.gates if g.arity == 2 and shown & set(g.qubits)}
    assert {frozenset(row[1].value) for row in report.gates.rows} == every


def test_gate_rows_are_sorted_by_gate_then_qubits() -> None:
    report = build_monitor(resolve("fake_fez"))
    assert report.gates is not None
    keys = [(row[0].value, sorted(row[1].value)) for row in report.gates.rows]
    natives = [k for k in keys if k[0] == "cz"]
    assert keys[: len(natives)] == natives  # the native entangler first
    assert natives == sorted(natives)


def test_singular_and_plural() -> None:
    report = build_monitor(resolve("fake_fez"))
    lines = dict(report.summary_lines)
    assert lines["T2 > 2·T1"] == "1 qubit"
    assert lines["Readout error >= 0.5"] == "0 qubits"
    kyoto = dict(build_monitor(resolve("fake_kyoto")).summary_lines)
    assert kyoto["Failed ECR (error = 1)"] == "144 of 144 couplers"
    torino = dict(build_monitor(resolve("fake_torino")).summary_lines)
    assert torino["Failed CZ (error = 1)"] == "11 of 150 couplers (22 entries)"


def test_columns_chooses_the_columns(tmp_path: Path) -> None:
    done = invoke("monitor", "fake_lagos", "--columns", "t1,p01", "-f", "plain")
    assert done.exit_code == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if line.startswith("Qubit  "))
    assert header.split() == ["Qubit", "T1", "(µs)", "P(0|1)"]


def test_bad_input_is_one_line_and_debug_only_adds_the_traceback() -> None:
    plain = invoke("monitor", "no_such_device")
    debug = invoke("--debug", "monitor", "no_such_device")
    assert plain.exit_code == debug.exit_code == 2
    assert plain.stderr.count("\n") == 1 and plain.stderr.startswith(
        "qpumon: error: unknown device"
    )
    assert "Traceback" in debug.stderr and debug.stderr.endswith(plain.stderr)


def test_a_control_character_in_an_error_is_escaped(tmp_path: Path) -> None:
    done = invoke("monitor", "\x1b]52;c;aGk=\x07x")
    assert done.exit_code == 2
    assert "\x1b" not in done.stderr and "\\x1b]52" in done.stderr


def test_the_library_overview_and_the_command_agree() -> None:
    done = invoke("overview", "fake_lagos", "fake_fez", "-f", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(
        json.dumps(overview_report(["fake_lagos", "fake_fez"]).document())
    )


def test_history_since_with_no_data_says_what_the_store_holds(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert invoke("record", "fake_lagos", "--db", db).exit_code == 0
    done = invoke("history", "fake_lagos", "--db", db, "--since", "2030-01-01")
    assert done.exit_code == 2
    when = raw("lagos", "props")["last_update_date"][:10]
    assert "no stored t1_us values for fake_lagos between 2030-01-01 00:00 and now" in done.stderr
    assert f"the store holds 1 snapshot of fake_lagos, calibrated {when}" in done.stderr


def _prepared(tmp_path: Path) -> dict[str, str]:
    circuit = tmp_path / "ghz3.qasm"
    circuit.write_text(GHZ3, encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[alert]]\nwhen = "t1_us < 1"\n', encoding="utf-8")
    snapshot = tmp_path / "lagos.json"
    assert invoke("monitor", "fake_lagos", "-f", "json", "-o", snapshot).exit_code == 0
    return {"circuit": str(circuit), "rules": str(rules), "snapshot": str(snapshot)}


#: A real run of each offline command (the live ones run against the IBM stand-in in
#: tests/live, serve in tests/serve). ``{db}``, ``{out}`` and the prepared files are filled in.
SMOKE: dict[str, list[str]] = {
    "list": ["list"],
    "monitor": ["monitor", "fake_lagos"],
    "overview": ["overview", "fake_lagos", "fake_nairobi"],
    "best": ["best", "fake_lagos", "-n", "3"],
    "place": ["place", "{circuit}", "fake_lagos"],
    "map": ["map", "fake_lagos", "-o", "{out}.svg"],
    "plot": ["plot", "fake_lagos", "-o", "{out}.png"],
    "compare": ["compare", "fake_lagos", "fake_nairobi", "-o", "{out}.svg"],
    "report": ["report", "fake_lagos", "-o", "{out}.html"],
    "demo-history": ["demo-history", "fake_lagos", "--days", "3", "--db", "{db}"],
    "record": ["record", "fake_lagos", "--db", "{db}"],
    "import": ["import", "{snapshot}", "--db", "{db}"],
    "history": ["history", "fake_lagos", "--db", "{db}"],
    "drift": ["drift", "fake_lagos", "--db", "{db}"],
    "events": ["events", "fake_lagos", "--db", "{db}", "--timeline", "{out}.png"],
    "diff": ["diff", "fake_lagos", "--db", "{db}"],
    "check": ["check", "fake_lagos", "--rules", "{rules}", "--db", "{db}"],
    "watch": ["watch", "fake_lagos", "--every", "1s", "--count", "1", "--db", "{db}"],
    "grafana-dashboard": ["grafana-dashboard", "-o", "{out}.json"],
}
#: Commands that need IBM Quantum or a server, smoke-tested where those run.
ELSEWHERE = {"login", "fetch", "backfill", "serve"}


def test_every_command_has_a_smoke_run() -> None:
    assert set(SMOKE) | ELSEWHERE == set(COMMAND_MODULES)


@pytest.fixture(scope="module")
def smoke_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("smoke")
    return folder, _prepared(folder)


@pytest.mark.parametrize("command", list(SMOKE))
def test_smoke(command: str, smoke_folder: tuple[Path, dict[str, str]]) -> None:
    folder, files = smoke_folder
    db = folder / "history.db"
    if command in ("history", "drift", "events", "diff", "check", "import", "record", "watch"):
        assert run("demo-history", "fake_lagos", "--days", "3", "--db", db).returncode == 0
    values = {"db": str(db), "out": str(folder / command), **files}
    args = [a.format(**values) for a in SMOKE[command]]
    done = run(*args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if command == "record":
        with closing(sqlite3.connect(db)) as connection, connection:
            assert connection.execute("SELECT count(*) FROM snapshots").fetchone()[0] >= 1
