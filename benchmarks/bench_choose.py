"""Speed and memory of layout choice (issue 12's ``best`` and ``place`` rows), beside floors.

    python benchmarks/bench_choose.py [--runs N] [--before REV] [--slow] [--bb-seconds S]

Whole-process rows run the ``qpumon`` console script (output to a pipe); each figure is the
median of N runs (default 5) after one warm-up, interleaved run by run with the floor
``python -c "import qiskit"`` so that a busy machine slows both alike; peak memory is the largest
resident size of one run. In-process rows time the library calls beside the floor of scoring a
fixed set of 16,384 layouts. Generated devices (1,000 and 10,000 qubits, heavy-hex and square,
random calibration, as IBM configuration and properties files) are written to a temporary folder,
never committed.

The recorded figures of earlier commits (:data:`OLD`) are printed beside the rows they measured.
Then, for three Heron devices, qpumon's best 100-qubit chain for a GHZ is set beside the best
chain of a branch-and-bound path search done here (:func:`chain_search`, at most
``--bb-seconds`` each): the 1% check is printed only when that search ran to its end.

``--before REV`` also runs the whole-process rows once with the code of git revision ``REV``
(extracted with ``git archive``, the working tree untouched) and prints the speed-up; rows that
took minutes before are only run with ``--slow``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

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
#: Whole-process medians recorded by earlier commits' benchmarks, beside the rows they measured.
OLD = {
    "place ghz100.qasm --all": ((13.3, "2cab2c2 (searches cut short)"), (34.3, "2fab516")),
}
#: Heron devices whose best 100-qubit chain is checked against the branch-and-bound search.
CHAIN_DEVICES = ("fake_fez", "fake_kingston", "fake_marrakesh")
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
        for old, where in OLD.get(label, ()):
            print(f"  {'  recorded at ' + where:48} {old:8.2f} {old / floor:8.2f}")
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also time git revision REV once")
    parser.add_argument("--slow", action="store_true", help="with --before: the slow rows too")
    parser.add_argument("--bb-seconds", type=float, default=60.0, help="each chain search's bound")
    options = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = _extract(options.before, folder / "before") if options.before else None
        whole_process(options.runs, folder, before, options.slow)
    in_process(options.runs)
    chains(options.bb_seconds)


def chains(seconds: float) -> None:
    """qpumon's best 100-qubit GHZ chain beside the branch-and-bound search's on each of
    :data:`CHAIN_DEVICES`."""
    from qpumon.choose import place
    from qpumon.sources import resolve

    print(f"\nBest 100-qubit chain: qpumon place vs branch and bound here (<= {seconds:g} s each)")
    for name in CHAIN_DEVICES:
        snapshot = resolve(name)
        ours = place(_ghz(100), [snapshot], top=1).devices[0].best
        mine = ours.fidelity if ours is not None else 0.0
        found = chain_search(snapshot, 100, seconds)
        head = f"  {name:16} qpumon {mine:.4g}; branch and bound"
        if not found.finished:
            print(
                f"{head} stopped at {seconds:g} s after {found.nodes:,} partial chains and "
                f"{found.scored:,} complete ones, best {found.best:.4g}: not exhaustive, so the "
                "1% check is not shown"
            )
            continue
        ratio = mine / found.best if found.best > 0 else math.nan
        verdict = "OK" if ratio >= 0.99 else "MISSED"
        print(f"{head} exhaustive, best {found.best:.4g}: qpumon reaches {ratio:.2%} ({verdict})")


class ChainSearch(NamedTuple):
    """What :func:`chain_search` established."""

    best: float
    finished: bool
    nodes: int
    scored: int


def chain_search(snapshot: Any, k: int, seconds: float) -> ChainSearch:
    """The best ``k``-qubit GHZ chain on ``snapshot``: depth first over simple paths of couplers
    whose entangler is usable (error < 1, in service) between live qubits, each complete chain
    scored by qpumon's default model; a partial chain is cut when its readout and 2q fidelities
    times the best the remaining qubits could add (each its readout and its best coupler) cannot
    beat the best so far. Every factor left out is at most 1, so the cut is safe and a finished
    search is exact."""
    import numpy as np

    from qpumon.choose.circuits import basis_family, translate
    from qpumon.choose.cost import cost_model, score
    from qpumon.choose.layouts import model_tables
    from qpumon.choose.tables import device_tables

    n = snapshot.num_qubits
    tables = model_tables(device_tables(snapshot), "default")
    out = set(tables.dead_qubits) | {q.index for q in snapshot.qubits if not q.operational}
    pair = {e: v for e, v in _pair_logs(snapshot).items() if not out & set(e)}
    readout = np.array([_log1m(q.readout_error) for q in snapshot.qubits])
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in sorted(pair):
        neighbours[a].append(b)
    best_add = np.array(
        [readout[v] + max((pair[v, w] for w in neighbours[v]), default=-np.inf) for v in range(n)]
    )
    order = [int(v) for v in np.argsort(-best_add, kind="stable") if np.isfinite(best_add[v])]
    ops = translate(_ghz(k), basis_family(snapshot))
    model = cost_model("default")
    state = {"best": -math.inf, "nodes": 0, "scored": 0}
    deadline = time.monotonic() + seconds
    used = [False] * n

    def rest_bound(r: int) -> float:
        total, taken = 0.0, 0
        for v in order:
            if taken == r:
                break
            if not used[v]:
                total += float(best_add[v])
                taken += 1
        return total if taken == r else -math.inf

    def extend(path: list[int], value: float) -> bool:
        state["nodes"] += 1
        if state["nodes"] % 4096 == 0 and time.monotonic() > deadline:
            return False
        if len(path) == k:
            fidelity = float(score(model, ops, np.array([path]), tables)[0])
            state["scored"] += 1
            state["best"] = max(state["best"], math.log(fidelity) if fidelity > 0 else -math.inf)
            return True
        if value + rest_bound(k - len(path)) <= state["best"]:
            return True
        for w in sorted(neighbours[path[-1]], key=lambda w: -best_add[w]):
            if not used[w]:
                used[w] = True
                path.append(w)
                going = extend(path, value + readout[w] + pair[path[-2], w])
                path.pop()
                used[w] = False
                if not going:
                    return False
        return True

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * k + 100))
    finished = True
    for v in order:
        used[v] = True
        finished = extend([v], float(readout[v]))
        used[v] = False
        if not finished:
            break
    best = math.exp(state["best"]) if math.isfinite(state["best"]) else 0.0
    return ChainSearch(best, finished, int(state["nodes"]), int(state["scored"]))


def _pair_logs(snapshot: Any) -> dict[tuple[int, int], float]:
    """``log(1 - error)`` of each usable native 2q coupler, both ways, the better direction."""
    logs: dict[tuple[int, int], float] = {}
    for gate in snapshot.gates:
        if len(gate.qubits) != 2 or gate.gate not in ("cz", "ecr", "cx"):
            continue
        if gate.error is None or gate.error >= 1 or not gate.operational:
            continue
        a, b = gate.qubits
        value = _log1m(gate.error)
        for key in ((a, b), (b, a)):
            logs[key] = max(logs.get(key, -math.inf), value)
    return logs


def _log1m(error: float | None) -> float:
    return math.log1p(-error) if error is not None and error < 1 else -math.inf


if __name__ == "__main__":
    main()
