"""Live IQM Resonance and IonQ through the one resolver, against the stand-ins: every number
checked against the fixture files parsed here, the fallback to bundled data, the credentials
and the faults (one line, the right exit code, no secret shown)."""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import AccountError, DeviceNotFoundError, ServiceError, TokenRejectedError
from qpumon.model import DeviceSnapshot
from qpumon.sources import resolve, resolve_many
from qpumon.sources.ibm_live import LiveOptions
from qpumon.sources.vendor_live import fleet
from tests.conftest import PROMPT_S
from tests.live.conftest import interrupt, run_cli, start_cli
from tests.live.vendor_servers import FIXTURES, IONQ_KEY, IQM_TOKEN, IonQStandIn, IQMStandIn

GARNET = FIXTURES / "iqm" / "garnet"
#: Every variable a vendor's credentials are read from: none reaches a test from outside.
VENDOR_VARIABLES = (
    "IQM_SERVER_URL",
    "IQM_TOKEN",
    "IQM_TOKENS_FILE",
    "IONQ_API_KEY",
    "IONQ_API_URL",
    "IONQ_API_TOKEN",
    "QISKIT_IONQ_API_TOKEN",
    "QISKIT_IONQ_API_URL",
)
FAST = LiveOptions(timeout=5.0, backoff=0.01, backoff_cap=0.02, retries=1)


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No vendor credentials from the real environment; a private HOME."""
    for variable in VENDOR_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path


@pytest.fixture
def iqm(clean: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IQMStandIn]:
    """The IQM stand-in, its URL and token in the environment."""
    server = IQMStandIn()
    with server.running():
        for name, value in server.environment.items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def ionq(clean: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IonQStandIn]:
    """The IonQ stand-in, its URL and key in the environment."""
    server = IonQStandIn()
    with server.running():
        for name, value in server.environment.items():
            monkeypatch.setenv(name, value)
        yield server


def observations(set_id: str, kind: str) -> dict[str, dict[str, Any]]:
    """The fixture's observations of one set, by ``dut_field``."""
    document = json.loads((GARNET / f"{set_id}.{kind}.json").read_text())
    return {o["dut_field"]: o for o in document["observations"] if not o["invalid"]}


def default_set() -> str:
    return str(json.loads((GARNET / "index.json").read_text())["default"])


def older_set() -> str:
    index = json.loads((GARNET / "index.json").read_text())
    return str(next(s["id"] for s in index["calibration_sets"] if s["id"] != index["default"]))


def qubit_index(snapshot: DeviceSnapshot, name: str) -> int:
    return snapshot.qubit_names.index(name)


# -- IQM -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["default", "older"])
def test_iqm_values_are_the_fixtures(iqm: IQMStandIn, which: str) -> None:
    set_id = default_set() if which == "default" else older_set()
    name = "iqm:garnet" if which == "default" else f"iqm:garnet@{set_id}"
    snapshot = resolve(name, live=FAST)
    metrics = observations(set_id, "metrics")
    calibration = observations(set_id, "calibration_set")
    dqa = json.loads((GARNET / f"{set_id}.dqa.json").read_text())
    assert snapshot.name == "iqm:garnet" and snapshot.num_qubits == len(dqa["qubits"])
    assert snapshot.configuration["calibration_set_id"] == set_id
    prx = dqa["gates"]["prx"]["default_implementation"]
    cz = dqa["gates"]["cz"]["default_implementation"]
    assert snapshot.configuration["implementations"]["cz"] == cz
    for qubit in dqa["qubits"]:
        found = snapshot.qubits[qubit_index(snapshot, qubit)]
        t1 = metrics[f"characterization.model.{qubit}.t1_time"]["value"]
        t2 = metrics[f"characterization.model.{qubit}.t2_time"]["value"]
        assert found.t1_us == pytest.approx(t1 * 1e6) and found.t2_us == pytest.approx(t2 * 1e6)
        e01 = metrics[f"metrics.ssro.measure.constant.{qubit}.error_0_to_1"]["value"]
        e10 = metrics[f"metrics.ssro.measure.constant.{qubit}.error_1_to_0"]["value"]
        assert found.readout_error == pytest.approx((e01 + e10) / 2)
        assert found.prob_meas1_prep0 == pytest.approx(e01)
        gate = snapshot.gate("prx", (found.index,))
        assert gate is not None and gate.definition == "average"
        fidelity = metrics[f"metrics.rb.prx.{prx}.{qubit}.fidelity:par=d2"]
        assert gate.error == pytest.approx(1 - fidelity["value"])
        assert gate.uncertainty == pytest.approx(fidelity["uncertainty"])
        duration = calibration[f"gates.prx.{prx}.{qubit}.duration"]["value"]
        assert gate.length_ns == pytest.approx(duration * 1e9)
    loci = dqa["gates"]["cz"]["implementations"][cz]["loci"]
    assert len([g for g in snapshot.gates if g.gate == "cz"]) == len(loci)
    for a, b in loci:
        gate = snapshot.gate("cz", (qubit_index(snapshot, a), qubit_index(snapshot, b)))
        key = f"metrics.irb.cz.{cz}.{a}__{b}.fidelity:par=d2"
        key = key if key in metrics else f"metrics.irb.cz.{cz}.{b}__{a}.fidelity:par=d2"
        assert gate is not None and gate.error == pytest.approx(1 - metrics[key]["value"])


def test_iqm_status_and_time(iqm: IQMStandIn) -> None:
    iqm.health = {"status": "maintenance", "message": "cooling down"}
    snapshot = resolve("iqm:garnet", live=FAST)
    assert snapshot.status is not None and not snapshot.status.operational
    assert snapshot.status.message == "maintenance: cooling down"
    created = json.loads((GARNET / f"{default_set()}.calibration_set.json").read_text())
    assert snapshot.calibrated_at == datetime.fromisoformat(
        created["created_timestamp"].replace("Z", "+00:00")
    )
    # the three documents of a set are fetched at once: one request each
    assert len(iqm.seen("metrics")) == len(iqm.seen("dqa")) == 1


def test_iqm_cz_keyed_both_ways_is_one_coupler(iqm: IQMStandIn) -> None:
    set_id = default_set()
    document = json.loads((GARNET / f"{set_id}.metrics.json").read_text())
    first = next(o for o in document["observations"] if o["dut_field"].startswith("metrics.irb"))
    head, locus, tail = first["dut_field"].rsplit(".", 2)
    a, b = locus.split("__")
    mirrored = {**first, "dut_field": f"{head}.{b}__{a}.{tail}", "value": first["value"] - 0.01}
    document["observations"].append(mirrored)
    iqm.replace("metrics", document)
    snapshot = resolve("iqm:garnet", live=FAST)
    pairs = [tuple(sorted(g.qubits)) for g in snapshot.gates if g.gate == "cz"]
    assert len(pairs) == len(set(pairs))
    gate = snapshot.gate("cz", (qubit_index(snapshot, a), qubit_index(snapshot, b)))
    assert gate is not None and gate.error == pytest.approx(1 - first["value"])
    assert any(f"{a}-{b}" in note for note in snapshot.configuration["notes"])


def test_iqm_at_picks_a_set_seen_before(iqm: IQMStandIn) -> None:
    older = older_set()
    resolve(f"iqm:garnet@{older}", live=FAST)  # now known to this process
    index = json.loads((GARNET / "index.json").read_text())
    times = {s["id"]: s["created_timestamp"] for s in index["calibration_sets"]}
    between = datetime.fromisoformat(times[older].replace("Z", "+00:00")).replace(
        hour=23, minute=59
    )
    snapshot = resolve("iqm:garnet", live=FAST, at=between)
    assert snapshot.configuration["calibration_set_id"] == older


def test_iqm_falls_back_to_the_bundled_garnet(clean: Path) -> None:
    told: list[str] = []
    snapshot = resolve("iqm:garnet", notify=told.append)
    assert snapshot.source == "iqm:garnet"
    (notice,) = told
    assert "no IQM Resonance credentials" in notice and "\n" not in notice
    told.clear()
    resolve("iqm:garnet", offline=True, notify=told.append)
    assert told == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library's callers see no warning: as before
        assert resolve("iqm:garnet").source == "iqm:garnet"


def test_offline_never_goes_online(iqm: IQMStandIn) -> None:
    snapshot = resolve("iqm:garnet", offline=True)
    assert not snapshot.source.startswith("live:") and iqm.requests == []


# -- IonQ ------------------------------------------------------------------------------------


def characterizations(backend: str) -> list[dict[str, Any]]:
    return list(
        json.loads((FIXTURES / "ionq" / "characterizations" / f"{backend}.json").read_text())
    )


@pytest.mark.parametrize("name", ["ionq:forte-1", "ionq:qpu.forte-1", "IONQ:Forte-1"])
def test_ionq_values_are_the_fixtures(ionq: IonQStandIn, name: str) -> None:
    snapshot = resolve(name, live=FAST)
    newest = max(characterizations("qpu.forte-1"), key=lambda c: c["date"])
    backend = next(
        b
        for b in json.loads((FIXTURES / "ionq" / "backends.json").read_text())
        if b["backend"] == "qpu.forte-1"
    )
    assert snapshot.name == "ionq:forte-1" and snapshot.num_qubits == newest["qubits"]
    for key, field in (("1q_error", "1q"), ("2q_error", "2q"), ("spam_error", "spam")):
        value = snapshot.device_value(key)
        assert value is not None
        assert value.value == pytest.approx(1 - newest["fidelity"][field]["median"])
        assert value.uncertainty == pytest.approx(newest["fidelity"][field]["stderr"])
    t1 = snapshot.device_value("t1_us")
    assert t1 is not None and t1.value == pytest.approx(newest["timing"]["t1"] * 1e6)
    assert snapshot.status is not None and snapshot.status.operational
    assert snapshot.configuration["average_queue_time_s"] == backend["average_queue_time"] / 1000
    assert f"{backend['average_queue_time'] / 60000:.0f} min" in snapshot.status.message
    assert "suspect" not in snapshot.configuration
    (sent,) = ionq.seen("characterizations")
    assert sent.headers["authorization"] == f"apiKey {IONQ_KEY}"


def test_ionq_at_picks_the_characterization_in_force(ionq: IonQStandIn) -> None:
    items = sorted(characterizations("qpu.forte-1"), key=lambda c: c["date"])
    wanted = items[3]
    at = datetime.fromisoformat(wanted["date"].replace("Z", "+00:00")).replace(second=30)
    snapshot = resolve("ionq:forte-1", live=FAST, at=at)
    assert snapshot.configuration["characterization_id"] == wanted["id"]
    value = snapshot.device_value("2q_error")
    assert value is not None and value.value == pytest.approx(
        1 - wanted["fidelity"]["2q"]["median"]
    )


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"characterizations": items, "pages": 1}


def test_ionq_odd_values_are_suspects(ionq: IonQStandIn) -> None:
    newest, before = characterizations("qpu.forte-1")[:2]
    odd = json.loads(json.dumps(newest))
    del odd["fidelity"]["1q"]
    odd["fidelity"]["2q"]["median"] = 0.2
    ionq.replace("characterizations", _page([odd, before]))
    snapshot = resolve("ionq:forte-1", live=FAST)
    suspect = snapshot.configuration["suspect"]
    assert any("fidelity.1q is missing" in s for s in suspect)
    assert any("fidelity.2q median 0.2" in s for s in suspect)
    assert snapshot.device_value("2q_error") is None and snapshot.device_value("1q_error") is None
    spam = snapshot.device_value("spam_error")
    assert spam is not None and spam.value == pytest.approx(
        1 - newest["fidelity"]["spam"]["median"]
    )


def test_ionq_gap_filled_page_is_flagged(ionq: IonQStandIn) -> None:
    newest, before = characterizations("qpu.forte-1")[:2]
    copied = {**newest, "fidelity": before["fidelity"], "timing": before["timing"]}
    ionq.replace("characterizations", _page([copied, before]))
    snapshot = resolve("ionq:forte-1", live=FAST)
    assert any("gap" in s for s in snapshot.configuration["suspect"])


def test_ionq_without_a_key_says_what_to_set(clean: Path) -> None:
    with pytest.raises(AccountError, match="IONQ_API_KEY"):
        resolve("ionq:forte-1")


# -- both: many names, the fleet --------------------------------------------------------------


def test_many_names_at_once_and_one_failing(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    found = resolve_many(["iqm:garnet", "ionq:forte-1", "ionq:nowhere-9"], live=FAST)
    assert [r.snapshot.name for r in found[:2] if r.snapshot] == ["iqm:garnet", "ionq:forte-1"]
    assert isinstance(found[2].error, DeviceNotFoundError)


def test_fleet_lists_every_configured_vendor(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    listed = fleet(live=FAST)
    backends = json.loads((FIXTURES / "ionq" / "backends.json").read_text())
    expected = ["iqm:garnet"] + [
        f"ionq:{b['backend'].removeprefix('qpu.')}"
        for b in backends
        if b["backend"].startswith("qpu.")
    ]
    assert listed.names == expected and not listed.failures
    simulator = next(e for e in listed.entries if e.name == "ionq:simulator")
    assert not simulator.calibrated
    ionq.fail("backends", 500, 500)
    listed = fleet(live=FAST)
    assert listed.names == ["iqm:garnet"] and "HTTP 500" in listed.failures["ionq"]


def test_fleet_offline_lists_nothing(iqm: IQMStandIn) -> None:
    assert fleet(live=FAST, offline=True).names == []


# -- credentials and faults --------------------------------------------------------------------


def test_iqm_half_configured_says_what_to_set(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IQM_SERVER_URL", "http://127.0.0.1:9")
    with pytest.raises(AccountError, match="IQM_TOKEN"):
        resolve("iqm:garnet")
    monkeypatch.setenv("IQM_TOKENS_FILE", str(clean / "missing.json"))
    with pytest.raises(AccountError, match="IQM_TOKENS_FILE"):
        resolve("iqm:garnet")


def test_iqm_tokens_file_is_read(
    iqm: IQMStandIn, monkeypatch: pytest.MonkeyPatch, clean: Path
) -> None:
    tokens = clean / "tokens.json"
    tokens.write_text(json.dumps({"access_token": IQM_TOKEN, "refresh_token": "r"}))
    monkeypatch.delenv("IQM_TOKEN")
    monkeypatch.setenv("IQM_TOKENS_FILE", str(tokens))
    assert resolve("iqm:garnet", live=FAST).num_qubits == 20
    tokens.write_text(json.dumps({"access_token": "qpumon-expired-token-abcdefgh"}))
    with pytest.raises(TokenRejectedError, match="IQM_TOKEN"):  # read again for each request
        resolve("iqm:garnet", live=FAST)


def test_iqm_wrong_token_is_exit_2_naming_it(
    iqm: IQMStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IQM_TOKEN", "qpumon-wrong-token-abcdefgh")
    with pytest.raises(TokenRejectedError, match="IQM_TOKEN") as raised:
        resolve("iqm:garnet", live=FAST)
    assert raised.value.exit_code == 2 and "HTTP 401" in str(raised.value)


@pytest.mark.parametrize("code", [403, 404, 429, 500, 503])
def test_iqm_error_answers(iqm: IQMStandIn, code: int) -> None:
    iqm.fail("metrics", code, code, code)
    with pytest.raises((ServiceError, TokenRejectedError)) as raised:
        resolve("iqm:garnet", live=FAST)
    message = str(raised.value)
    assert "IQM Resonance" in message and f"HTTP {code}" in message and "\n" not in message
    assert raised.value.exit_code == (2 if code == 403 else 3)


def _document_fault(server: IQMStandIn, route: str, body: Any) -> str:
    server.replace(route, body)
    with pytest.raises(ServiceError) as raised:
        resolve("iqm:garnet", live=FAST)
    assert raised.value.exit_code == 3
    return str(raised.value)


def test_iqm_truncated_and_empty_answers(iqm: IQMStandIn) -> None:
    iqm.truncate("dqa")
    with pytest.raises(ServiceError, match=r"dynamic quantum architecture.*not complete JSON"):
        resolve("iqm:garnet", live=FAST)
    iqm.mend()
    message = _document_fault(iqm, "metrics", {"observation_set_id": "x"})
    assert "quality metrics" in message and "$.observations" in message


def test_iqm_out_of_range_and_unknown_unit(iqm: IQMStandIn) -> None:
    document = json.loads((GARNET / f"{default_set()}.metrics.json").read_text())
    bad = json.loads(json.dumps(document))
    rb = next(o for o in bad["observations"] if o["dut_field"].startswith("metrics.rb.prx"))
    rb["value"] = 1.7
    assert rb["dut_field"] in _document_fault(iqm, "metrics", bad)
    bad = json.loads(json.dumps(document))
    t1 = next(o for o in bad["observations"] if o["dut_field"].endswith("t1_time"))
    t1["unit"] = "fortnights"
    message = _document_fault(iqm, "metrics", bad)
    assert "fortnights" in message and t1["dut_field"] in message


def test_ionq_wrong_key_and_faults(ionq: IonQStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    ionq.fail("characterizations", 500, 500, 500)
    with pytest.raises(ServiceError, match="IonQ answered HTTP 500 to the characterizations"):
        resolve("ionq:forte-1", live=FAST)
    ionq.mend()
    ionq.replace(
        "backends", [{"backend": "qpu.forte-1", "status": "available", "average_queue_time": -5}]
    )
    with pytest.raises(ServiceError, match=r"average_queue_time"):
        resolve("ionq:forte-1", live=FAST)
    ionq.mend()
    monkeypatch.setenv("IONQ_API_KEY", "qpumon-wrong-key-abcdefgh")
    with pytest.raises(TokenRejectedError, match="IONQ_API_KEY"):
        resolve("ionq:forte-1", live=FAST)


def test_the_credential_never_shows(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    iqm.echo_token = ionq.echo_token = True
    iqm.fail("metrics", 500, 500, 500, 500)
    ionq.fail("characterizations", 502, 502, 502, 502)
    env = {"QPUMON_TEST": "1"}
    for name, secret in (("iqm:garnet", IQM_TOKEN), ("ionq:forte-1", IONQ_KEY)):
        done = run_cli("monitor", name, "--timeout", "5", env=env)
        assert done.returncode == 3, done.stderr
        assert secret not in done.stderr + done.stdout
        assert secret[:12] not in done.stderr
        assert done.stderr.count("\n") == 1


def test_cli_monitor_and_exit_codes(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    done = run_cli("monitor", "ionq:forte-1", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert "ionq:forte-1" in json.dumps(document)
    done = run_cli("monitor", "ionq:forte-1", env={"IONQ_API_KEY": ""})
    assert done.returncode == 2 and "IONQ_API_KEY" in done.stderr
    done = run_cli("monitor", "iqm:garnet", "--offline")
    assert done.returncode == 0 and "no IQM Resonance credentials" not in done.stderr


def test_epoch_is_utc() -> None:
    # the stand-in's dates are what the tests compare with: a sanity check of the fixture
    newest = characterizations("qpu.forte-1")[0]
    when = datetime.fromisoformat(newest["date"].replace("Z", "+00:00"))
    assert when.tzinfo is not None and when.utcoffset() == timezone.utc.utcoffset(None)
    assert not math.isnan(newest["fidelity"]["2q"]["median"])


@pytest.mark.parametrize("name", ["iqm:garnet", "ionq:forte-1"])
def test_ctrl_c_ends_a_vendor_fetch_at_once(iqm: IQMStandIn, ionq: IonQStandIn, name: str) -> None:
    server: IQMStandIn | IonQStandIn = iqm if name.startswith("iqm") else ionq
    server.latency = 60.0  # every answer waits a minute
    process = start_cli("monitor", name, "--timeout", "120", env={})
    deadline = time.monotonic() + 30
    while not server.requests:
        assert time.monotonic() < deadline, "the command never asked"
        time.sleep(0.02)
    elapsed, code, stderr = interrupt(process)
    assert elapsed < PROMPT_S
    assert code == 130 and stderr.strip().startswith("qpumon: error:")


def test_overview_live_lists_every_configured_vendor(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    from qpumon.api import overview_report
    from qpumon.sources import SourceOptions

    report = overview_report(source=SourceOptions(live=FAST), live=True)
    names = sorted(s.name for s in report.summaries)
    assert names == ["ionq:aria-1", "ionq:forte-1", "iqm:garnet"]
    ionq.fail("backends", 503, 503)
    report = overview_report(source=SourceOptions(live=FAST), live=True)
    assert [s.name for s in report.summaries] == ["iqm:garnet"]
    assert any(name == "ionq:*" and "HTTP 503" in why for name, why in report.failures)


def test_serve_fetches_vendor_devices_on_its_schedule(iqm: IQMStandIn, ionq: IonQStandIn) -> None:
    from qpumon.serve.upstream import LiveUpstream, make_plan
    from qpumon.sources import SourceOptions

    plan = make_plan(["iqm:garnet", "ionq:forte-1", "fake_fez"], SourceOptions(live=FAST))
    assert plan.live == ("iqm:garnet", "ionq:forte-1") and plan.static == ("fake_fez",)
    upstream = LiveUpstream(FAST)
    fetched = upstream.fetch(list(plan.live))
    assert [r.snapshot.name for r in fetched if r.snapshot] == ["iqm:garnet", "ionq:forte-1"]
    iqm.health = {"status": "offline"}
    ionq.fail("backends", 500, 500)
    iqm_status, ionq_status = upstream.statuses(list(plan.live))
    assert iqm_status.status is not None and not iqm_status.status.operational
    assert ionq_status.status is None and "HTTP 500" in str(ionq_status.failure)
    assert IQM_TOKEN in upstream.secrets() and IONQ_KEY in upstream.secrets()
    offline = make_plan(["iqm:garnet"], SourceOptions(live=FAST, offline=True))
    assert offline.live == ()


def test_record_backfill_and_history_of_an_ionq_device(ionq: IonQStandIn, clean: Path) -> None:
    db = str(clean / "history.db")
    assert run_cli("record", "ionq:forte-1", "--db", db).returncode == 0
    done = run_cli("backfill", "ionq:forte-1", "--since", "30d", "--every", "1d", "--db", db)
    assert done.returncode == 0, done.stderr
    done = run_cli("history", "ionq:forte-1", "--metric", "2q_error", "--db", db, "-f", "json")
    assert done.returncode == 0, done.stderr
    stored = {row["calibrated_at"]: row["value"] for row in json.loads(done.stdout)}
    expected = {
        datetime.fromisoformat(c["date"].replace("Z", "+00:00")): 1 - c["fidelity"]["2q"]["median"]
        for c in characterizations("qpu.forte-1")
    }
    assert len(stored) == len(expected)
    for when, value in stored.items():
        assert value == pytest.approx(expected[datetime.fromisoformat(when)])
