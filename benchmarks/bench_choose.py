"""Benchmark: every layout of a 20-qubit GHZ on fake_fez scored, qpumon vs mapomatic.

Both tools get the same native circuit (qpumon's translation to fake_fez's CZ basis). Timed:
- qpumon: layout search (rustworkx VF2) + scoring of all layouts (NumPy), mapomatic cost model;
- qpumon's NumPy scoring alone on mapomatic's own layout list (the same layouts, flagged included);
- mapomatic: ``evaluate_layouts`` on its own ``matching_layouts`` (its search timed apart).
Run: ``python benchmarks/bench_choose.py [runs-of-mapomatic]``.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

QUBITS = 20
DEVICE = "fake_fez"
QPUMON_RUNS = 7


def ghz(n: int) -> Any:
    """A measured GHZ chain."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=f"ghz{n}")
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    circuit.measure_all()
    return circuit


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in seconds over ``runs`` runs, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Print both timings side by side."""
    import mapomatic as mm
    import numpy as np
    from qiskit_ibm_runtime.fake_provider import FakeFez

    from qpumon.choose.circuits import basis_family, circuit_ops, native_circuit
    from qpumon.choose.cost import mapomatic_fidelity
    from qpumon.choose.place import score_device
    from qpumon.choose.tables import device_tables
    from qpumon.sources import resolve as load

    mapomatic_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    snapshot, backend = load(DEVICE), FakeFez()
    family = basis_family(snapshot)
    native = native_circuit(ghz(QUBITS), family)
    ops = circuit_ops(native, family)
    tables = device_tables(snapshot)

    def ours() -> Any:
        return score_device(ops, device_tables(snapshot), "mapomatic", top=5)

    ours_s, placed = timed(ours, QPUMON_RUNS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        search_s, layouts = timed(lambda: mm.matching_layouts(native, backend), 1)
        theirs_s, scores = timed(
            lambda: mm.evaluate_layouts(native, layouts, backend), mapomatic_runs
        )
    print(
        f"{QUBITS}-qubit GHZ on {DEVICE} ({' '.join(family)}), mapomatic cost model, "
        "all layouts scored"
    )
    print(f"{'':34}{'layouts':>9}  {'median s':>9}  runs  best layout / cost")
    print(
        f"{'qpumon (VF2 search + NumPy score)':34}{placed.found:>9}  {ours_s:>9.4f}  "
        f"{QPUMON_RUNS:>4}  {list(placed.best.qubits)} {placed.best.cost:.6f}"
    )
    print(
        f"{'mapomatic evaluate_layouts':34}{len(layouts):>9}  {theirs_s:>9.4f}  "
        f"{mapomatic_runs:>4}  {scores[0][0]} {scores[0][1]:.6f}"
    )
    same_s, same = timed(lambda: mapomatic_fidelity(ops, np.array(layouts), tables), QPUMON_RUNS)
    best = int(np.nanargmax(same))
    print(
        f"{'qpumon NumPy score, same layouts':34}{len(layouts):>9}  {same_s:>9.4f}  "
        f"{QPUMON_RUNS:>4}  {layouts[best]} {1 - same[best]:.6f}"
    )
    print(f"{'mapomatic matching_layouts':34}{len(layouts):>9}  {search_s:>9.4f}  {1:>4}")
    print(f"speed-up on the same {len(layouts)} layouts, scoring only: {theirs_s / same_s:.0f}x")
    print(
        f"speed-up, evaluate_layouts / qpumon: {theirs_s / ours_s:.0f}x "
        f"(incl. mapomatic's search: {(theirs_s + search_s) / ours_s:.0f}x)"
    )
    print(
        f"layouts: mapomatic scores {len(layouts)}, qpumon {placed.found}; the "
        f"{len(layouts) - placed.found} others touch a flagged gate (mapomatic cost 1.0: "
        f"{sum(1 for _, cost in scores if cost == 1.0)})"
    )
    if mapomatic_runs < 5:
        print(
            f"note: mapomatic timed over {mapomatic_runs} run(s) only (slow); pass a run "
            "count as the first argument for more"
        )


if __name__ == "__main__":
    main()
