"""The live IQM and IonQ sources judged by the vendors' official clients: each client reads the
same stand-in, and qpumon must read what it reads, value for value.

- IQM: iqm-client 36 cannot be installed beside qiskit-ibm-runtime (pydantic), so it runs in its
  own virtual environment (:mod:`tests.live.official_clients`), driving
  ``tests/live/contract_scripts/iqm_read.py``, which prints what ``IQMClient`` read as JSON. The
  test is skipped (saying why) only when pip cannot reach the package index.
- IonQ: qiskit-ionq installs beside qpumon (the dev extra) and runs in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from qpumon.model import ALL_TO_ALL
from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from tests.live.official_clients import client_python
from tests.live.test_vendor_live import VENDOR_VARIABLES, older_set
from tests.live.vendor_servers import IONQ_KEY, IonQStandIn, IQMStandIn

IQM_CLIENT = "iqm-client==36.0.0"
SCRIPT = Path(__file__).parent / "contract_scripts" / "iqm_read.py"
FAST = LiveOptions(timeout=10.0, backoff=0.01, backoff_cap=0.02, retries=1)


def iqm_client_python() -> Path:
    """The interpreter of the cached environment with iqm-client 36."""
    return client_python(IQM_CLIENT)


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No vendor credentials from the real environment; a private HOME."""
    for variable in VENDOR_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def iqm(clean: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IQMStandIn]:
    """The IQM stand-in, its URL and token in the environment."""
    server = IQMStandIn()
    with server.running():
        for name, value in server.environment.items():
            monkeypatch.setenv(name, value)
        yield server


def iqm_client_reads(server: IQMStandIn, *args: str) -> dict[str, Any]:
    """What IQMClient reads from ``server`` (see ``contract_scripts/iqm_read.py``)."""
    done = subprocess.run(
        [str(iqm_client_python()), str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **server.environment},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("which", ["default", "older"])
def test_qpumon_reads_what_iqm_client_reads(iqm: IQMStandIn, which: str) -> None:
    set_id = older_set() if which == "older" else None
    theirs = iqm_client_reads(iqm, *([set_id] if set_id else []))
    name = f"iqm:garnet@{set_id}" if set_id else "iqm:garnet"
    ours = resolve(name, live=FAST)
    assert ours.configuration["calibration_set_id"] == theirs["calibration_set_id"]
    assert ours.configuration["implementations"] == theirs["implementations"]
    assert ours.calibrated_at == datetime.fromisoformat(theirs["created"])
    assert list(ours.qubit_names) == theirs["qubits"]
    assert ours.status is not None and ours.status.operational == (
        theirs["health"]["status"] == "operational"
    )
    for i, qubit in enumerate(theirs["qubits"]):
        found = ours.qubits[i]
        assert found.t1_us == pytest.approx(theirs["t1_s"][qubit] * 1e6, rel=1e-12)
        assert found.t2_us == pytest.approx(theirs["t2_s"][qubit] * 1e6, rel=1e-12)
        e01, e10 = theirs["measure_errors"][qubit]
        assert (found.prob_meas1_prep0, found.prob_meas0_prep1) == (e01, e10)
        prx = ours.gate("prx", (i,))
        assert prx is not None
        assert prx.error == pytest.approx(1 - theirs["prx_fidelity"][qubit], abs=1e-15)
        assert prx.length_ns == pytest.approx(theirs["prx_duration_s"][qubit] * 1e9)
    assert len([g for g in ours.gates if g.gate == "cz"]) == len(theirs["cz_fidelity"])
    for locus, fidelity in theirs["cz_fidelity"].items():
        a, b = (theirs["qubits"].index(q) for q in locus.split("__"))
        cz = ours.gate("cz", (a, b))
        assert cz is not None and cz.error == pytest.approx(1 - fidelity, abs=1e-15)


@pytest.fixture
def ionq(clean: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IonQStandIn]:
    """The IonQ stand-in, its URL and key in the environment."""
    server = IonQStandIn()
    with server.running():
        for name, value in server.environment.items():
            monkeypatch.setenv(name, value)
        yield server


#: qiskit-ionq warns about the default transpiler level whenever a provider is made.
@pytest.mark.filterwarnings("ignore:Transpiler default optimization_level")
@pytest.mark.parametrize("backend", ["qpu.forte-1", "qpu.aria-1"])
def test_qpumon_reads_what_qiskit_ionq_reads(ionq: IonQStandIn, backend: str) -> None:
    qiskit_ionq = pytest.importorskip("qiskit_ionq", reason="qiskit-ionq is in the dev extra")
    provider = qiskit_ionq.IonQProvider(token=IONQ_KEY, url=ionq.environment["IONQ_API_URL"])
    theirs = provider.get_backend(backend)
    calibration = theirs.calibration()
    ours = resolve(f"ionq:{backend}", live=FAST)
    assert ours.num_qubits == calibration.qubits == theirs.num_qubits
    assert ours.configuration["characterization_id"] == calibration.id
    assert ours.calibrated_at == calibration.date
    assert ours.status is not None and ours.status.operational == theirs.status()
    for key, field in (("1q_error", "1q"), ("2q_error", "2q"), ("spam_error", "spam")):
        value = ours.device_value(key)
        assert value is not None
        assert value.value == pytest.approx(1 - calibration.fidelity[field]["median"], abs=1e-15)
        assert value.uncertainty == calibration.fidelity[field]["stderr"]
    for key, field in (("t1_us", "t1"), ("t2_us", "t2")):
        value = ours.device_value(key)
        assert value is not None and value.value == pytest.approx(calibration.timing[field] * 1e6)
    for field in ("1q", "2q", "readout", "reset"):
        assert ours.configuration[f"{field}_time_ns"] == pytest.approx(
            calibration.timing[field] * 1e9
        )
    pairs = {tuple(sorted(p)) for p in calibration.connectivity}
    n = calibration.qubits
    assert (ours.connectivity == ALL_TO_ALL) == (len(pairs) == n * (n - 1) // 2)
