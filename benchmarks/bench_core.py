"""Speed and memory of the core commands (issue 12's rows) and of vendor devices with the vendor
cache warm and cold (issue 18's), each beside a floor measured in the same run.

    python benchmarks/bench_core.py [--runs N]

Whole-process rows run the installed ``qpumon`` console script with output to a pipe; every
figure is the median of N runs (default 9) after one warm-up run; floors and commands are
interleaved run by run so that a busy machine slows both alike. Peak memory is the largest
resident size of one run. Generated devices (10,000 qubits) are written to a temporary folder,
never committed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from devices import grid_edges, ibm_device_files
from timing import interleaved, median_seconds, peak_mb

PYTHON = sys.executable


def qpumon_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m qpumon``."""
    script = Path(PYTHON).with_name("qpumon")
    return [str(script)] if script.exists() else [PYTHON, "-m", "qpumon"]


def row(label: str, seconds: float, floor: float, goal: float | None = None) -> None:
    """One printed figure: seconds, the ratio to its floor and the goal's verdict."""
    ratio = seconds / floor
    verdict = "" if goal is None else f"goal <= {goal:g}x: {'OK' if ratio <= goal else 'MISSED'}"
    print(f"  {label:<56} {seconds * 1000:8.1f} ms  {ratio:6.2f}x  {verdict}")


def floor_row(label: str, seconds: float) -> None:
    """A floor's figure."""
    print(f"  {label:<56} {seconds * 1000:8.1f} ms   1.00x  (floor)")


def json_load(paths: list[Path]) -> list[str]:
    """A process that only reads ``paths`` with the standard json module."""
    code = "import json\n" + "".join(f"json.load(open({str(p)!r}))\n" for p in paths)
    return [PYTHON, "-c", code]


def whole_process(runs: int, folder: Path) -> None:
    """The start-up rows: monitor, -f json, overview, history, a 10,000-qubit monitor."""
    from qpumon.sources import default_bundled

    bundled = default_bundled()
    fez = bundled.files("fake_fez")
    every = [p for name in bundled.names() for p in bundled.files(name) if p.exists()]
    qpumon = qpumon_command()
    big = ibm_device_files(
        folder,
        "grid10000",
        10_000,
        grid_edges(100, 100)[1],
        [(float(x), float(y)) for y in range(100) for x in range(100)],
        random.Random(7),
    )
    db = folder / "history.db"
    subprocess.run(
        [*qpumon, "demo-history", "fake_fez", "--days", "90", "--db", str(db)],
        check=True,
        capture_output=True,
    )
    subprocess.run([*qpumon, "overview"], check=True, capture_output=True)  # fills the cache
    sqlite = (
        "import sqlite3\nc = sqlite3.connect(" + repr(str(db)) + ")\n"
        'c.execute("SELECT v.snapshot_id, v.data FROM snapshot_values v JOIN '
        "snapshots s ON s.id = v.snapshot_id JOIN devices d ON d.id = s.device_id WHERE "
        "d.name = 'fake_fez' AND v.section = 'q:t1_us' ORDER BY "
        's.calibrated_at").fetchall()\n'
    )
    commands = {
        "floor fez": json_load([fez[1]]),
        "monitor": [*qpumon, "monitor", "fake_fez"],
        "monitor json": [*qpumon, "monitor", "fake_fez", "-f", "json"],
        "floor all": json_load(every),
        "overview": [*qpumon, "overview"],
        "floor sqlite": [PYTHON, "-c", sqlite],
        "history": [
            *qpumon,
            "history",
            "fake_fez",
            "--metric",
            "t1",
            "--qubit",
            "0",
            "--db",
            str(db),
        ],
        "floor big": json_load([big[1], big[0]]),
        "monitor big": [*qpumon, "monitor", str(big[1])],
    }
    t = interleaved(commands, runs)
    print(f"\nWhole process, median of {runs} runs (interleaved)")
    floor_row("python -c 'json.load(props_fez.json)'", t["floor fez"])
    row("qpumon monitor fake_fez", t["monitor"], t["floor fez"], 2.5)
    row("qpumon monitor fake_fez -f json", t["monitor json"], t["floor fez"], 2.8)
    floor_row(f"python -c 'json.load' of all {len(every)} bundled files", t["floor all"])
    row(
        f"qpumon overview ({len(bundled.names())} devices, summary cache warm)",
        t["overview"],
        t["floor all"],
        0.5,
    )
    floor_row("python -c 'sqlite3 query of t1 on qubit 0'", t["floor sqlite"])
    row(
        "qpumon history fake_fez --metric t1 --qubit 0 (90 days)",
        t["history"],
        t["floor sqlite"],
        6.0,
    )
    floor_row("python -c 'json.load' of a 10,000-qubit device", t["floor big"])
    row("qpumon monitor <10,000-qubit device>", t["monitor big"], t["floor big"], 1.5)
    peak = peak_mb([str(a) for a in commands["monitor big"]])
    print(f"  peak memory of qpumon monitor <10,000-qubit device>: {peak:.0f} MB")


#: The vendor commands of issue 18 (read from vendor packages: cirq-google, pytket-quantinuum,
#: iqm-client's files), each with the floor it is printed beside.
VENDOR_COMMANDS = {
    "list --vendor all": (["list", "--vendor", "all"], "floor all"),
    "overview <4 vendors>": (
        ["overview", "fake_fez", "google:willow_pink", "quantinuum:h2-1", "iqm:garnet"],
        "floor fez",
    ),
    "monitor google:willow_pink": (["monitor", "google:willow_pink"], "floor fez"),
    "monitor quantinuum:h2-1": (["monitor", "quantinuum:h2-1"], "floor fez"),
}
#: Issue 18's goal for each vendor command with a warm cache, whole process.
VENDOR_GOAL_S = 0.6


def with_cache(folder: Path, args: list[str], empty: bool) -> list[str]:
    """``args`` run with ``folder`` as the user cache folder (XDG_CACHE_HOME), emptied before
    each run if ``empty``."""
    clear = 'rm -rf "$0" && ' if empty else ""
    return ["sh", "-c", f'{clear}XDG_CACHE_HOME="$0" exec "$@"', str(folder), *args]


def seconds_row(label: str, seconds: float, floor: float, goal_s: float | None) -> None:
    """One printed figure with its ratio to its floor and, if any, its goal in seconds."""
    verdict = (
        "" if goal_s is None else f"goal <= {goal_s:g} s: {'OK' if seconds <= goal_s else 'MISSED'}"
    )
    print(f"  {label:<56} {seconds * 1000:8.1f} ms  {seconds / floor:6.2f}x  {verdict}")


def vendor_commands(cache: Path, empty: bool) -> dict[str, list[str]]:
    """The vendor commands, run with ``cache`` as the user cache folder (see :func:`with_cache`)."""
    qpumon = qpumon_command()
    return {k: with_cache(cache, [*qpumon, *a], empty) for k, (a, _) in VENDOR_COMMANDS.items()}


def vendor_process(runs: int, folder: Path) -> None:
    """Issue 18's rows: vendor devices with the vendor cache warm, and with an empty cache
    folder (cold: every vendor package imported, the bundled summaries computed too)."""
    from qpumon.sources import default_bundled

    bundled = default_bundled()
    every = [p for name in bundled.names() for p in bundled.files(name) if p.exists()]
    floors = {"floor fez": json_load([bundled.files("fake_fez")[1]]), "floor all": json_load(every)}
    cold_runs = max(3, runs // 3)
    warm = interleaved({**floors, **vendor_commands(folder / "warm", empty=False)}, runs)
    cold = interleaved({**floors, **vendor_commands(folder / "cold", empty=True)}, cold_runs)
    print(
        f"\nVendor devices, whole process: warm (cache filled), median of {runs} runs; cold "
        f"(empty cache folder), median of {cold_runs}; each interleaved with its floors"
    )
    print(f"  <4 vendors> = {' '.join(VENDOR_COMMANDS['overview <4 vendors>'][0][1:])}")
    floor_row("python -c 'json.load(props_fez.json)'", warm["floor fez"])
    floor_row(f"python -c 'json.load' of all {len(every)} bundled files", warm["floor all"])
    for name, (_, floor) in VENDOR_COMMANDS.items():
        seconds_row(f"qpumon {name}, warm", warm[name], warm[floor], VENDOR_GOAL_S)
        seconds_row(f"qpumon {name}, cold", cold[name], cold[floor], None)


BACKEND_PROBE = """
import resource, sys, time
from qiskit.providers.fake_provider import GenericBackendV2
backend = GenericBackendV2(1000)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from qpumon import backend_monitor
import io
start = time.perf_counter()
backend_monitor(backend, file=io.StringIO())
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (after - before) / 1024)
"""


def in_process(runs: int) -> None:
    """The BackendV2 bridge: a fake read from its own files, and a 1,000-qubit all-to-all one."""
    import io

    from qiskit_ibm_runtime.fake_provider import FakeFez

    from qpumon import backend_monitor

    def target() -> object:
        return FakeFez().target

    def monitor() -> None:
        backend_monitor(FakeFez(), file=io.StringIO())

    floor, ours = median_seconds(target, runs), median_seconds(monitor, runs)
    print(f"\nIn process, median of {runs} runs")
    floor_row("FakeFez().target", floor)
    row("backend_monitor(FakeFez())", ours, floor, 0.3)
    found = subprocess.run(
        [PYTHON, "-c", BACKEND_PROBE], check=True, capture_output=True, text=True
    )
    seconds, grown = (float(x) for x in found.stdout.split())
    met = seconds <= 3.0 and grown <= 500
    print(
        f"  backend_monitor(GenericBackendV2(1000)), all-to-all, once: {seconds:.2f} s, "
        f"+{grown:.0f} MB beyond the backend itself (goal <= 3 s, <= 500 MB: "
        f"{'OK' if met else 'MISSED'})"
    )


def compiled_imports() -> None:
    """Measure start-up as a user has it: with bytecode written and cached (an environment with
    PYTHONDONTWRITEBYTECODE recompiles every edited module at every start)."""
    import compileall

    import qpumon

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(Path(qpumon.__file__).parent, quiet=1)


def main() -> None:
    """Measure and print every figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"qpumon core benchmarks; Python {sys.version.split()[0]}; load average {load}")
    compiled_imports()
    with tempfile.TemporaryDirectory() as folder:
        whole_process(runs, Path(folder))
        vendor_process(runs, Path(folder))
    in_process(runs)


if __name__ == "__main__":
    main()
