"""``overview --live`` over all five live vendors at once (IBM Quantum, IQM Resonance, IonQ,
Amazon Braket, Rigetti QCS), each against its stand-in: every device they list is one row with
its status and queue, as the fixtures (read here) say; one vendor failing is its error row and the
others still show."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import raw
from tests.core.cli_helpers import invoke
from tests.live.stand_ins import FOREIGN_PREFIXES, IBM_STEMS, FiveStandIns, five_stand_ins
from tests.live.vendor_servers import FIXTURES
from tests.live.vendor_stand_in import truncated

pytestmark = pytest.mark.skipif(not FIXTURES.exists(), reason="../shared/vendor_fixtures absent")


def _read(*parts: str) -> Any:
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


def expected_rows() -> dict[str, dict[str, Any]]:
    """Device name -> its qubits, operational flag and pending jobs (None: not stated), read
    from the fixtures and the IBM stand-in's bundled devices (queues 0, 1, 2 in order)."""
    rows: dict[str, dict[str, Any]] = {}
    for queue, stem in enumerate(IBM_STEMS):
        qubits = raw(stem, "conf")["n_qubits"]
        rows[f"ibm_{stem}"] = {"qubits": qubits, "operational": True, "pending": queue}
    for computer in _read("iqm", "quantum_computers.json")["quantum_computers"]:
        rows[f"iqm:{computer['alias']}"] = {"qubits": None, "operational": True, "pending": None}
    for backend in _read("ionq", "backends.json"):
        if backend["backend"].startswith("qpu."):  # the simulator has no calibration
            rows[f"ionq:{backend['backend'].removeprefix('qpu.')}"] = {
                "qubits": backend["qubits"],
                "operational": backend["status"] == "available",
                "pending": None,
            }
    for device in _read("braket", "devices.json")["devices"]:
        if device["deviceType"] == "QPU":
            tasks = [q for q in device["deviceQueueInfo"] if q["queue"] == "QUANTUM_TASKS_QUEUE"]
            rows[f"braket:{device['deviceArn'].rsplit('/', 1)[-1]}"] = {
                "qubits": None,
                "operational": device["deviceStatus"] == "ONLINE",
                "pending": sum(int(q["queueSize"]) for q in tasks),
            }
    for processor in _read("rigetti", "quantum_processors.json")["quantumProcessors"]:
        rows[f"rigetti:{processor['id']}"] = {"qubits": None, "operational": None, "pending": None}
    return rows


@pytest.fixture
def five(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FiveStandIns]:
    """The five stand-ins, the environment pointing at them and at nothing else."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    for variable in list(os.environ):
        if variable.startswith(FOREIGN_PREFIXES):
            monkeypatch.delenv(variable)
    with five_stand_ins(tmp_path) as servers:
        for variable, value in servers.environment.items():
            monkeypatch.setenv(variable, value)
        yield servers


def _overview() -> dict[str, Any]:
    result = invoke("overview", "--live", "--timeout", "10", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _check(row: dict[str, Any], expected: dict[str, Any]) -> None:
    if expected["qubits"] is not None:
        assert row["num_qubits"] == expected["qubits"], row["name"]
    status = row["status"]
    if expected["operational"] is None:
        assert status is None, row["name"]
        return
    assert status["operational"] is expected["operational"], row["name"]
    assert status["pending_jobs"] == expected["pending"], row["name"]


def test_every_device_of_the_five_vendors_is_one_row(five: FiveStandIns) -> None:
    data = _overview()
    expected = expected_rows()
    names = [row["name"] for row in data["devices"]]
    assert sorted(names) == sorted(expected)  # one row each, none twice
    assert data["failed"] == []
    for row in data["devices"]:
        _check(row, expected[row["name"]])
    # the Aspen-M-3 T1 median, from its ISA (seconds) in microseconds
    isa = _read("rigetti", "Aspen-M-3.isa.json")
    t1 = sorted(
        c["value"] * 1e6
        for b in isa["benchmarks"]
        if b["name"] == "FreeInversionRecovery"
        for s in b["sites"]
        for c in s["characteristics"]
    )
    aspen = next(r for r in data["devices"] if r["name"] == "rigetti:Aspen-M-3")
    middle = len(t1) // 2
    median = t1[middle] if len(t1) % 2 else (t1[middle - 1] + t1[middle]) / 2
    assert aspen["median_t1_us"] == pytest.approx(median)


def test_the_table_notes_what_it_cannot_show(five: FiveStandIns) -> None:
    result = invoke("overview", "--live", "-f", "plain")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Listed without a calibration (simulators): ionq:simulator, braket:sv1." in text
    minutes = {
        b["backend"].removeprefix("qpu."): round(b["average_queue_time"] / 60000)
        for b in _read("ionq", "backends.json")
        if b["backend"].startswith("qpu.")
    }
    queues = ", ".join(f"ionq:{name} {m} min" for name, m in minutes.items())
    assert f"Average queue time (no count of pending jobs is stated): {queues}." in text


def _break(five: FiveStandIns, vendor: str) -> None:
    """The fault each vendor gets: a rejected credential, server errors, a truncated body."""
    if vendor == "iqm":
        five.iqm.token = "not-the-token-the-user-has"  # every request now gets 401
    elif vendor == "ionq":
        five.ionq.fail("backends", *[503] * 20)
    elif vendor == "braket":
        body = json.dumps({"devices": [{"deviceArn": "arn:aws:braket"}]}).encode()
        five.braket.replace_body("devices", truncated(body))
    elif vendor == "rigetti":
        five.rigetti.fail("processors", *[500] * 20)
    else:
        five.ibm.deny_api = 401


@pytest.mark.parametrize("vendor", ["iqm", "ionq", "braket", "rigetti", "ibm"])
def test_one_vendor_failing_is_its_error_row_and_the_others_show(
    five: FiveStandIns, vendor: str
) -> None:
    _break(five, vendor)
    data = _overview()
    expected = {n: e for n, e in expected_rows().items() if not n.startswith(f"{vendor}")}
    assert sorted(row["name"] for row in data["devices"]) == sorted(expected)
    for row in data["devices"]:
        _check(row, expected[row["name"]])
    failed = data["failed"]
    assert failed, "the failing vendor has an error row"
    assert all(f["device"].startswith(f"{vendor}:") for f in failed)
    text = json.dumps(data)
    for secret in five.secrets.values():
        assert secret not in text


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("braket:Garnet", "Amazon Braket keeps no calibration history"),
        ("rigetti:Aspen-M-3", "Rigetti QCS keeps no calibration history"),
        (
            "iqm:garnet",
            "IQM Resonance lists no past calibration sets (its API has no route for them)",
        ),
    ],
)
def test_backfill_without_a_dated_history_is_refused_at_once(
    five: FiveStandIns, tmp_path: Path, name: str, says: str
) -> None:
    db = tmp_path / "history.db"
    result = invoke("backfill", name, "--since", "30d", "--db", f"sqlite:///{db}")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"qpumon: error: {name}: {says}, so backfill has no past to walk")
    servers = (five.iqm, five.braket, five.rigetti)
    assert [len(s.requests) for s in servers] == [0, 0, 0]  # refused before any request
    assert not db.exists()


@pytest.mark.parametrize("name", ["braket:Garnet", "rigetti:Aspen-9"])
def test_at_on_a_vendor_without_history_is_refused_at_once(five: FiveStandIns, name: str) -> None:
    result = invoke("monitor", name, "--at", "1d")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "keeps no calibration history, so --at cannot ask for a past calibration" in line
    assert len(five.braket.requests) + len(five.rigetti.requests) == 0


def test_backfill_of_ionq_stores_every_characterization_of_the_period(
    five: FiveStandIns, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'history.db'}"
    done = invoke("backfill", "ionq:forte-1", "--since", "30d", "--every", "12h", "--db", db)
    assert done.exit_code == 0, done.stderr
    shown = invoke("history", "ionq:forte-1", "--metric", "2q_error", "--db", db, "-f", "json")
    assert shown.exit_code == 0, shown.stderr
    stored = {row["calibrated_at"][:19]: row["value"] for row in json.loads(shown.stdout)}
    expected = {
        c["date"][:19]: 1 - c["fidelity"]["2q"]["median"]
        for c in _read("ionq", "characterizations", "qpu.forte-1.json")
    }
    assert stored.keys() == expected.keys()
    for when, value in stored.items():
        assert value == pytest.approx(expected[when])


def test_backfill_before_the_oldest_characterization_skips_those_times_without_failing(
    five: FiveStandIns, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'history.db'}"
    done = invoke("backfill", "ionq:forte-1", "--since", "90d", "--every", "1d", "--db", db)
    assert done.exit_code == 0, done.stderr
    assert "failed:" not in done.stderr
    line = done.stdout.strip().splitlines()[-1]
    found = re.fullmatch(
        r"ionq:forte-1: (\d+) stored, (\d+) already stored, 0 failed; (\d+) earlier times "
        r"skipped: the service has no calibration at or before (\S+)",
        line,
    )
    assert found, line
    stored, already, skipped = (int(found.group(k)) for k in (1, 2, 3))
    assert stored + already + skipped == 91  # 90 days, both ends
    oldest = min(
        datetime.fromisoformat(c["date"].replace("Z", "+00:00"))
        for c in _read("ionq", "characterizations", "qpu.forte-1.json")
    )
    last_skipped = datetime.fromisoformat(found.group(4))
    assert last_skipped < oldest <= last_skipped + timedelta(days=1)
