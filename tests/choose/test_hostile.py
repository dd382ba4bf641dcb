"""Hostile input to ``best`` and ``place``: refused before it expands, or bounded in time and
memory (a 4 GB address-space limit, as in issue 11), with one clear line and exit code 2."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from qpumon.choose import place
from qpumon.choose.candidates import best_qubits
from qpumon.choose.limits import (
    MAX_CIRCUIT_FILE_BYTES,
    MAX_CIRCUIT_OPERATIONS,
    MAX_CIRCUIT_QUBITS,
    MAX_DEFINITION_DEPTH,
)
from qpumon.choose.reading import read_circuit
from qpumon.choose.tables import device_tables
from qpumon.errors import CircuitError, InputTooLargeError, LimitExceededError, UsageError
from qpumon.sources import resolve
from tests.choose.helpers import ghz

#: The address-space limit of the subprocess runs, as in issue 11.
ADDRESS_SPACE = 4 << 30
#: A hostile circuit run must end within this (issue 11's bound for circuits).
CIRCUIT_SECONDS = 60
HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(
    args: list[str], cwd: Path, timeout: float | None = CIRCUIT_SECONDS
) -> subprocess.CompletedProcess[str]:
    """``qpumon ARGS`` in a subprocess under the 4 GB address-space limit (and, for hostile
    input, issue 11's time bound: a hang there is the bug the test looks for)."""
    entry = "import sys; from qpumon.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", entry, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        preexec_fn=_limited,
        timeout=timeout,
    )


def nested(levels: int, calls: int = 2) -> str:
    """Gate ``g<i>`` calls ``g<i-1>`` ``calls`` times: ``calls ** levels`` gates once expanded."""
    lines = [HEADER + "gate g0 a,b { cx a,b; h a; }"]
    for i in range(1, levels + 1):
        body = " ".join(f"g{i - 1} a,b;" for _ in range(calls))
        lines.append(f"gate g{i} a,b {{ {body} }}")
    lines.append(f"qreg q[2];\ncreg c[2];\ng{levels} q[0],q[1];\nmeasure q -> c;\n")
    return "\n".join(lines)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_nested_definitions_are_refused_before_expansion(tmp_path: Path) -> None:
    path = write(tmp_path, "nested.qasm", nested(30))
    assert path.stat().st_size < 2600
    done = run_limited(["place", str(path), "fake_fez"], tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(path) in done.stderr
    assert f"more than {MAX_DEFINITION_DEPTH} levels deep" in done.stderr


def test_wide_definitions_are_refused_by_their_expanded_size(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.qasm", nested(8, calls=10))  # 10^8 gates, 8 levels
    with pytest.raises(InputTooLargeError, match=f"more than {MAX_CIRCUIT_OPERATIONS:,} op"):
        read_circuit(path)


def test_a_file_beyond_the_size_limit_is_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "big.qasm"
    path.write_bytes(b"not qasm at all " * (MAX_CIRCUIT_FILE_BYTES // 16 + 1))
    with pytest.raises(InputTooLargeError, match="MiB, the limit for a circuit file"):
        read_circuit(path)


def test_an_endless_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    done = run_limited(["place", "/dev/zero", "fake_fez"], tmp_path)
    assert done.returncode == 2
    assert "/dev/zero: larger than" in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "qreg q[100000000];\nh q[0];\n",
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[100000000] q;\nh q[0];\n',
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nh $99999999;\n',
        HEADER + "qreg q[2];\ncreg c[50000];\nh q[0];\n",
    ],
)
def test_registers_beyond_the_qubit_limit_are_refused_unparsed(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "wide.qasm", text)
    done = run_limited(["place", str(path), "fake_fez"], tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"at most {MAX_CIRCUIT_QUBITS} of each can be placed" in done.stderr


def test_includes_other_than_the_standard_library_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "inc.qasm", 'OPENQASM 2.0;\ninclude "/dev/zero";\nqreg q[1];\n')
    with pytest.raises(CircuitError, match=r"only the standard qelib1\.inc and stdgates\.inc"):
        read_circuit(path)
    sized = write(tmp_path, "sized.qasm", HEADER + "qreg q[n];\n")
    with pytest.raises(CircuitError, match="is not an integer literal"):
        read_circuit(sized)


def test_max_seconds_stops_the_search_with_what_to_change() -> None:
    fez = resolve("fake_fez")
    with pytest.raises(LimitExceededError, match=r"--max-seconds 0.001 .*raise --max-seconds"):
        best_qubits(fez, 100, max_seconds=0.001)
    with pytest.raises(LimitExceededError, match="--max-seconds"):
        place(ghz(20), [fez, resolve("fake_torino")], max_seconds=0.001)
    with pytest.raises(UsageError, match="positive number of seconds"):
        place(ghz(3), [fez], max_seconds=0)


def test_tables_of_a_10000_qubit_device_are_sparse() -> None:
    from tests.choose.synthetic import grid_edges, lattice_snapshot

    n, edges = grid_edges(100, 100)
    tables = device_tables(lattice_snapshot("grid", n, edges))
    arrays = [*tables.one_qubit_error.values(), *tables.one_qubit_length_ns.values()]
    arrays += [a for t in tables.two_qubit.values() for a in (t.keys, t.error, t.length_ns)]
    assert sum(a.nbytes for a in arrays) < 5_000_000  # a dense n × n table would be 800 MB


@pytest.mark.parametrize("kind", ["heavy_hex", "grid"])
def test_place_on_a_10000_qubit_device_is_bounded_in_memory(tmp_path: Path, kind: str) -> None:
    code = (
        "import resource\n"
        "from qpumon.choose import place\n"
        "from tests.choose.helpers import ghz\n"
        "from tests.choose.synthetic import grid_edges, heavy_hex_edges, lattice_snapshot\n"
        f"n, edges = {'heavy_hex_edges(63)' if kind == 'heavy_hex' else 'grid_edges(100, 100)'}\n"
        "found = place(ghz(20), [lattice_snapshot('big', n, edges)]).devices[0]\n"
        "print(n, len(found.top), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        preexec_fn=_limited,
        timeout=CIRCUIT_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    qubits, found, peak_mb = map(int, done.stdout.split())
    assert qubits > 9_000 and found == 5 and peak_mb < 1_000


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["place", "ghz100.qasm", "--all"], ["best", "fake_fez", "-n", "100"]],
)
def test_the_largest_searches_bound_their_work_under_4_gb(tmp_path: Path, args: list[str]) -> None:
    """No wall clock (benchmarks own time): the work each device's search did is bounded."""
    from qiskit import qasm2

    from qpumon.choose.limits import DEFAULT_MAX_LAYOUTS

    write(tmp_path, "ghz100.qasm", qasm2.dumps(ghz(100)))
    done = run_limited([*args, "-f", "json"], tmp_path, timeout=None)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    devices = data.get("devices", [data])
    assert devices and all(
        d.get("layouts_found", d.get("candidates", 0)) <= DEFAULT_MAX_LAYOUTS for d in devices
    )
    assert any(d["top"] for d in devices)
