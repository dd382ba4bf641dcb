"""Speed and memory of layout choice (issue 12's ``best`` and ``place`` rows), beside floors.

    python benchmarks/bench_choose.py [--runs N] [--before REV] [--slow]

Whole-process rows run the ``qpumon`` console script (output to a pipe); each figure is the
median of N runs (default 5) after one warm-up, interleaved run by run with the floor
``python -c "import qiskit"`` so that a busy machine slows both alike; peak memory is the largest
resident size of one run. In-process rows time the library calls beside the floor of scoring a
fixed set of 16,384 layouts. Generated devices (1,000 and 10,000 qubits, heavy-hex and square,
random calibration, as IBM configuration and properties files) are written to a temporary folder,
never committed.

``--before REV`` also runs the whole-process rows once with the code of git revision ``REV``
(extracted with ``git archive``, the working tree untouched) and prints the speed-up; rows that
took minutes before are only run with ``--slow``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices import grid_edges, heavy_hex_edges, ibm_device_files
from timing import interleaved, median_seconds, peak_mb

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parents[1]
FLOOR = [PYTHON, "-c", "import qiskit"]
#: Issue 12's goals: seconds and peak MB, whole process.
GOALS = {
    "place ghz20.qasm --all": (6.0, 600.0),
    "best fake_fez --qubits 50": (6.0, 1000.0),
    "best fake_fez --qubits 100": (15.0, 1000.0),
    "place ghz100.qasm --all": (15.0, 4096.0),
    "best fake_fez --qubits 100 --shape line": (5.0, 1000.0),
}
#: Rows that took minutes (or dense n × n gigabytes) with the code before the search: measured
#: before only with --slow.
SLOW_BEFORE = {
    "best fake_fez --qubits 100",
    "place ghz100.qasm --all",
    "place ghz20.qasm heavyhex10000 (9859 qubits)",
    "place ghz20.qasm grid10000 (10000 qubits)",
}


def entry(python_path: Path | None = None) -> list[str]:
    """``qpumon`` through its entry point, optionally from another source tree."""
    code = "import sys; from qpumon.cli import main; main(sys.argv[1:])"
    if python_path is None:
        return [PYTHON, "-c", code]
    return ["env", f"PYTHONPATH={python_path}", PYTHON, "-c", code]


def write_inputs(folder: Path) -> list[tuple[str, list[str]]]:
    """The circuits and generated devices; the whole-process rows as ``(label, arguments)``."""
    from qiskit import QuantumCircuit, qasm2

    for n in (20, 100):
        circuit = QuantumCircuit(n)
        circuit.h(0)
        for i in range(n - 1):
            circuit.cx(i, i + 1)
        circuit.measure_all()
        (folder / f"ghz{n}.qasm").write_text(qasm2.dumps(circuit), encoding="utf-8")
    rows = [
        ("place ghz20.qasm --all", ["place", "ghz20.qasm", "--all"]),
        ("best fake_fez --qubits 50", ["best", "fake_fez", "-n", "50"]),
        ("best fake_fez --qubits 100", ["best", "fake_fez", "-n", "100"]),
        ("place ghz100.qasm --all", ["place", "ghz100.qasm", "--all"]),
        (
            "best fake_fez --qubits 100 --shape line",
            ["best", "fake_fez", "-n", "100", "--shape", "line"],
        ),
    ]
    for name, (n, edges) in generated_devices().items():
        _, props = ibm_device_files(folder, name, n, edges, None, random.Random(7))
        rows.append((f"place ghz20.qasm {name} ({n} qubits)", ["place", "ghz20.qasm", str(props)]))
    return rows


def generated_devices() -> dict[str, tuple[int, list[tuple[int, int]]]]:
    """1,000- and 10,000-qubit heavy-hex and square lattices."""
    return {
        "heavyhex1000": heavy_hex_edges(21),
        "grid1000": grid_edges(40, 25),
        "heavyhex10000": heavy_hex_edges(63),
        "grid10000": grid_edges(100, 100),
    }


def whole_process(runs: int, folder: Path, before: Path | None, slow: bool) -> None:
    """The whole-process rows: median seconds and peak MB beside the import-qiskit floor."""
    rows = write_inputs(folder)
    commands = {"floor": FLOOR} | {label: [*entry(), *args] for label, args in rows}
    times = interleaved(commands, runs, folder)
    floor = times["floor"]
    print(f"Whole process, median of {runs} runs; floor `python -c 'import qiskit'`")
    print(f"  {'':48} {'seconds':>8} {'x floor':>8} {'peak MB':>8}  goal")
    print(f"  {'floor: import qiskit':48} {floor:8.2f} {1.0:8.2f} {peak_mb(FLOOR, folder):8.0f}")
    for label, args in rows:
        seconds, peak = times[label], peak_mb([*entry(), *args], folder)
        goal = _goal(label, seconds, peak)
        print(f"  {label:48} {seconds:8.2f} {seconds / floor:8.2f} {peak:8.0f}  {goal}")
        if before is not None and (slow or label not in SLOW_BEFORE):
            old = _before(before, args, folder)
            speed_up = f"speed-up {old / seconds:.1f}x"
            print(f"  {'  before (one run)':48} {old:8.2f} {old / floor:8.2f} {'':8}  {speed_up}")


def _goal(label: str, seconds: float, peak: float) -> str:
    if label not in GOALS:
        return ""
    limit_s, limit_mb = GOALS[label]
    verdict = "OK" if seconds <= limit_s and peak <= limit_mb else "MISSED"
    return f"<= {limit_s:g} s, <= {limit_mb:g} MB: {verdict}"


def _before(tree: Path, args: list[str], folder: Path) -> float:
    """One run of the same command with the older source tree."""
    start = time.perf_counter()
    subprocess.run([*entry(tree), *args], check=True, stdout=subprocess.DEVNULL, cwd=folder)
    return time.perf_counter() - start


def in_process(runs: int) -> None:
    """Library calls, beside the floor of scoring a fixed 16,384-layout set."""
    import numpy as np

    from qpumon.choose import place
    from qpumon.choose.candidates import best_qubits
    from qpumon.choose.circuits import basis_family, translate
    from qpumon.choose.cost import esp_fidelity
    from qpumon.choose.tables import device_tables, reversible
    from qpumon.sources import BundledSource, resolve

    fez = resolve("fake_fez")
    snapshots = [resolve(name) for name in BundledSource().names()]
    circuit = _ghz(20)
    ops = translate(circuit, basis_family(fez))
    tables = reversible(device_tables(fez))
    rng = np.random.default_rng(7)
    layouts = np.array([rng.choice(156, 20, replace=False) for _ in range(16_384)])
    floor = median_seconds(lambda: esp_fidelity(ops, layouts, tables), runs)
    print(f"\nIn process, median of {runs} runs; floor: ESP score of 16,384 fixed 20-qubit layouts")
    print(f"  {'floor: score 16,384 layouts':48} {floor:8.3f} {1.0:8.2f}")
    cases: dict[str, Callable[[], Any]] = {
        "place(ghz20, 68 bundled devices)": lambda: place(
            circuit, snapshots, skip_uncalibrated=True
        ),
        "best_qubits(fake_fez, 50)": lambda: best_qubits(fez, 50),
        "best_qubits(fake_fez, 100)": lambda: best_qubits(fez, 100),
    }
    for label, action in cases.items():
        seconds = median_seconds(action, runs)
        print(f"  {label:48} {seconds:8.3f} {seconds / floor:8.2f}")


def _ghz(n: int) -> Any:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=f"ghz{n}")
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    circuit.measure_all()
    return circuit


def _extract(rev: str, folder: Path) -> Path:
    """The ``src`` tree of git revision ``rev``, extracted read-only with ``git archive``."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def main() -> None:
    """Print the whole-process and in-process rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also time git revision REV once")
    parser.add_argument("--slow", action="store_true", help="with --before: the slow rows too")
    options = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = _extract(options.before, folder / "before") if options.before else None
        whole_process(options.runs, folder, before, options.slow)
    in_process(options.runs)


if __name__ == "__main__":
    main()
