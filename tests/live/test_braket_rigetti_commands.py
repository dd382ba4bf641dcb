"""Every command on live Braket and Rigetti names, against both stand-ins at once: overview (its
numbers against the documents parsed here), map, best, place, record and history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from statistics import median

import pytest

from tests.core.cli_helpers import invoke
from tests.live.braket_server import FIXTURES as BRAKET_FIXTURES
from tests.live.braket_server import BraketStandIn
from tests.live.rigetti_server import FIXTURES as RIGETTI_FIXTURES
from tests.live.rigetti_server import RigettiStandIn
from tests.live.test_rigetti_live import _qcs_free

pytestmark = pytest.mark.skipif(
    not (BRAKET_FIXTURES.exists() and RIGETTI_FIXTURES.exists()),
    reason="../shared/vendor_fixtures is absent",
)
GHZ3 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nh q[0];\ncx q[0],q[1];\ncx q[1],q[2];\n'


@pytest.fixture
def both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Both stand-ins running, the environment pointing at them; yields a work folder."""
    _qcs_free(monkeypatch, tmp_path)
    braket, rigetti = BraketStandIn(), RigettiStandIn()
    with braket.running(), rigetti.running():
        for variable, value in {
            **braket.environment,
            **rigetti.write_files(tmp_path / "qcs"),
        }.items():
            monkeypatch.setenv(variable, value)
        yield tmp_path


def test_overview_shows_each_device_from_its_document(both: Path) -> None:
    result = invoke("overview", "braket:Garnet", "rigetti:Aspen-M-3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["devices"]}
    isa = json.loads((RIGETTI_FIXTURES / "Aspen-M-3.isa.json").read_text())
    t1 = [
        c["value"] * 1e6
        for b in isa["benchmarks"]
        if b["name"] == "FreeInversionRecovery"
        for s in b["sites"]
        for c in s["characteristics"]
    ]
    assert rows["rigetti:Aspen-M-3"]["median_t1_us"] == pytest.approx(median(t1))
    garnet = json.loads((BRAKET_FIXTURES / "iqm_garnet.capabilities.json").read_text())
    one = garnet["standardized"]["oneQubitProperties"].values()
    assert {q["T1"]["unit"] for q in one} == {"S"}
    assert rows["braket:Garnet"]["median_t1_us"] == pytest.approx(
        median(q["T1"]["value"] * 1e6 for q in one)
    )
    assert rows["braket:Garnet"]["status"]["pending_jobs"] == 17


def test_map_best_and_place_on_rigetti(both: Path) -> None:
    picture = both / "aspen.png"
    assert invoke("map", "rigetti:Aspen-M-3", "-o", picture).exit_code == 0
    assert picture.read_bytes().startswith(b"\x89PNG")
    best = invoke("best", "rigetti:Aspen-M-3", "-n", "3", "-f", "json")
    assert best.exit_code == 0, best.stderr
    circuit = both / "ghz3.qasm"
    circuit.write_text(GHZ3)
    placed = invoke("place", circuit, "rigetti:Aspen-M-3", "rigetti:Aspen-9")
    assert placed.exit_code == 0, placed.stderr
    assert "Best device: rigetti:" in placed.stdout


def test_record_and_history(both: Path) -> None:
    db = both / "history.db"
    recorded = invoke("record", "rigetti:Aspen-9", "braket:Forte-1", "--db", db)
    assert recorded.exit_code == 0, recorded.stderr
    again = invoke("record", "rigetti:Aspen-9", "--db", db)
    assert "already stored" in again.stdout
    history = invoke("history", "rigetti:Aspen-9", "--metric", "readout", "--db", db, "-f", "csv")
    assert history.exit_code == 0, history.stderr
    assert history.stdout.count("\n") > 30
