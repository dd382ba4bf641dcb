"""`qpumon backfill` walks IBM's historical calibrations against the stand-in."""

from __future__ import annotations

from pathlib import Path

from qpumon.store.db import Store
from tests.conftest import raw
from tests.live.conftest import run_cli
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn


def test_backfill_fetches_each_step_and_stores_each_calibration_once(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    env = {
        "QISKIT_IBM_TOKEN": GOOD_KEY,
        "QISKIT_IBM_INSTANCE": CRN,
        "QISKIT_IBM_URL": stand_in.api_url,
    }
    url = f"sqlite:///{tmp_path / 'history.db'}"
    result = run_cli("backfill", "ibm_fez", "--since", "3d", "--every", "1d", "--db", url, env=env)
    assert result.returncode == 0, result.stderr
    assert GOOD_KEY not in result.stdout + result.stderr
    asked = [r.query.get("updated_before") for r in stand_in.seen("properties", "ibm_fez")]
    assert len(asked) >= 3 and all(asked)  # one historical request per step
    with Store(url) as store:
        infos = store.snapshots("ibm_fez", None, None)
        assert len(infos) == 1  # every step answered with the same calibration: stored once
        snapshot = store.load(infos[0].id)
    props = raw("fez", "props")
    t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
    assert [q.t1_us for q in snapshot.qubits] == t1
    assert snapshot.name == "ibm_fez"
