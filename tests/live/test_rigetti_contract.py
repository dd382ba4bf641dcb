"""The Rigetti stand-in speaks what qcs-api-client speaks, and qpumon reads what it reads.

qcs-api-client pins ``httpx < 0.29`` (qpumon needs 0.29), so it cannot install beside qpumon:
this test runs :mod:`tests.live.qcs_client_driver` in the client's own environment
(:mod:`tests.live.official_clients`) against the
stand-in with the same settings and secrets files qpumon reads, then compares value for value.
It skips, saying why, where that environment cannot be built (no package index).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from qpumon.model.definitions import AVERAGE
from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from tests.live.official_clients import client_python
from tests.live.rigetti_server import FIXTURES, RigettiStandIn

#: The client version the contract is written against (the newest at the time of writing).
CLIENT = "qcs-api-client==0.27.8"
DRIVER = Path(__file__).with_name("qcs_client_driver.py")
FAST = LiveOptions(timeout=5.0, retries=1, backoff=0.01, backoff_cap=0.05)

pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason="../shared/vendor_fixtures/rigetti is absent"
)


def _official_reads(server: RigettiStandIn, env: dict[str, str]) -> dict[str, Any]:
    python = client_python(CLIENT)
    done = subprocess.run(
        [str(python), str(DRIVER)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_qpumon_reads_what_qcs_api_client_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = RigettiStandIn()
    with server.running():
        files = server.write_files(tmp_path / "qcs")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **files}
        official = _official_reads(server, env)
        monkeypatch.setenv("HOME", str(tmp_path))
        for variable, value in files.items():
            monkeypatch.setenv(variable, value)
        assert official["api_url"].rstrip("/") == server.url
        assert sorted(official["processors"]) == ["Aspen-9", "Aspen-M-3"]
        for processor, read in official["processors"].items():
            _same(resolve(f"rigetti:{processor}", live=FAST), read)


def _same(snapshot: Any, read: dict[str, Any]) -> None:
    """Every value the client read is the value qpumon shows, in qpumon's unit and meaning."""
    index = {n: i for i, n in enumerate(sorted(read["nodes"]))}
    assert snapshot.num_qubits == len(read["nodes"])
    gates = {"randomized_benchmark_1q": "rx", "RESET": "reset"}
    checked = 0
    for operation, nodes, name, value, error, when in read["rows"]:
        qubits = tuple(index[n] for n in nodes)
        assert when.startswith("1970-01-01")  # the fixtures' no-date, shown as missing
        if name in ("T1", "T2"):
            got = snapshot.qubits[qubits[0]].value(f"{name.lower()}_us")
            assert got == pytest.approx(value * 1e6)
        elif name == "fRO":
            assert snapshot.qubits[qubits[0]].readout_error == pytest.approx(1 - value)
        elif operation in gates or name in ("fCZ", "fXY", "fCPHASE"):
            gate = snapshot.gate(gates.get(operation, operation.lower()), qubits)
            assert gate is not None and gate.error == pytest.approx(1 - value)
            assert gate.uncertainty == (None if error is None else pytest.approx(error))
            assert gate.measured_at is None
            if name != "fAR":
                assert gate.definition == AVERAGE
        else:
            continue
        checked += 1
    assert checked > 0
