"""The command line through its real entry point."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from qpumon.cli import COMMAND_MODULES
from tests.conftest import bundled_dirs, raw
from tests.core.cli_helpers import invoke, run

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
#: The guide: the pages that show each command at work (the reference lists them all anyway).
GUIDE = ROOT / "docs" / "guide"
LAYOUT = ROOT / "docs" / "explanation" / "layout.md"


def test_every_command_is_registered_and_documented() -> None:
    shown = "".join(p.read_text(encoding="utf-8") for p in [README, *GUIDE.glob("*.md")])
    for module in set(COMMAND_MODULES.values()):
        for command in importlib.import_module(f"qpumon.cli.{module}").COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module, command.name
            assert f"qpumon {command.name}" in shown, f"no guide page shows {command.name}"
            assert command.help, f"{command.name} has no help text"


def test_monitor_prints_the_report() -> None:
    result = run("monitor", "fake_burlington")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("fake_burlington\n===============\n")
    assert "cx    0->1    0.00914" in result.stdout


def test_monitor_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "fez.json"
    result = run("monitor", "fez", "-f", "json", "-o", out)
    assert result.returncode == 0 and result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["snapshot"]["num_qubits"] == raw("fez", "conf")["n_qubits"]
    again = run("monitor", out, "-f", "json")
    assert json.loads(again.stdout)["snapshot"] == data["snapshot"]


def test_properties_file_finds_its_configuration_beside_it(tmp_path: Path) -> None:
    for kind in ("props", "conf"):
        (tmp_path / f"{kind}_x.json").write_text(json.dumps(raw("lagos", kind)), encoding="utf-8")
    result = run("monitor", tmp_path / "props_x.json", "-f", "legacy")
    assert result.returncode == 0, result.stderr
    assert "    basis_gates: ['cx', 'id', 'rz', 'sx', 'x']" in result.stdout


def test_overview_sorts_and_marks() -> None:
    result = run(
        "overview",
        "fake_fez",
        "fake_torino",
        "fake_kyoto",
        "--sort",
        "median_2q_error_avg",
        "-f",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("device,qubits,processor")
    names = [line.split(",")[0] for line in lines[1:]]
    assert names[-1] == "fake_kyoto"  # every ECR flagged: no median, sorted last
    assert "best 2q" in lines[1]


def test_list_shows_every_bundled_device() -> None:
    result = run("list", "-f", "csv")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "device,qubits,processor,snapshot"
    assert len(lines) == 1 + len(bundled_dirs())
    assert lines[1].split(",")[:3] == ["fake_aachen", "156", "Heron r3"]
    assert raw("aachen", "conf")["n_qubits"] == 156


#: What ``qpumon monitor`` of a bundled device must never import: each costs from tens of
#: milliseconds (httpx, starlette) to a second (qiskit) of start-up that it does not use.
HEAVY = (
    "qiskit",
    "qiskit_ibm_runtime",
    "numpy",
    "scipy",
    "httpx",
    "sqlalchemy",
    "matplotlib",
    "starlette",
    "rustworkx",
    "rich",
)

#: The console script's own path (``main()`` reads ``sys.argv`` and exits), with the modules
#: loaded read when the process ends.
STARTUP_PROBE = """
import atexit, sys
HEAVY = {heavy!r}
atexit.register(lambda: sys.stderr.write(repr(sorted(m for m in HEAVY if m in sys.modules))))
sys.argv = ["qpumon", "monitor", "fake_burlington"]
from qpumon.cli import main
main()
"""


def test_monitor_does_not_import_heavy_libraries() -> None:
    probe = STARTUP_PROBE.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("fake_burlington\n")
    assert result.stderr == "[]"


def test_every_package_is_in_the_documented_layout() -> None:
    layout = LAYOUT.read_text(encoding="utf-8")
    source = ROOT / "src" / "qpumon"
    packages = sorted(p.parent.relative_to(source) for p in source.rglob("__init__.py"))
    for package in packages:
        if package.parts:
            assert f"  {package.parts[-1]}/" in layout, f"{LAYOUT.name} does not show {package}"
    for module in source.glob("*.py"):
        if module.stem != "__init__" and module.stem != "__main__":
            assert module.name in layout, f"{LAYOUT.name} does not show {module.name}"


def test_a_usage_error_is_one_line_naming_the_command_once() -> None:
    unknown = invoke("devices")
    assert unknown.exit_code == 2
    assert unknown.stderr == "qpumon: error: No such command 'devices'. (see qpumon --help)\n"
    missing = invoke("history")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "qpumon: error: qpumon history: Missing argument 'DEVICE'. (see qpumon history --help)\n"
    )
