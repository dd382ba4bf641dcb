"""Rigetti QCS live against the stand-in: credentials where the QCS clients find them, the ISA's
numbers checked against the fixture parsed here, faults as one line with the right exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import AccountError, UsageError
from qpumon.sources import resolve
from qpumon.sources.ibm_live import LiveOptions
from qpumon.sources.vendor_live import fleet
from tests.core.cli_helpers import invoke
from tests.live.rigetti_server import (
    ACCESS_TOKEN,
    FIXTURES,
    REFRESH_TOKEN,
    RigettiStandIn,
)
from tests.live.vendor_stand_in import truncated

pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason="../shared/vendor_fixtures/rigetti is absent"
)
FAST = LiveOptions(timeout=5.0, retries=2, backoff=0.01, backoff_cap=0.05)


def _qcs_free(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))
    for variable in list(os.environ):
        if variable.startswith(("QCS_", "AWS_", "IQM_", "IONQ_", "QISKIT_IONQ")):
            monkeypatch.delenv(variable)


@pytest.fixture
def qcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RigettiStandIn]:
    """The QCS stand-in; settings and secrets files named by QCS_*_FILE_PATH."""
    _qcs_free(monkeypatch, tmp_path)
    server = RigettiStandIn()
    with server.running():
        for variable, value in server.write_files(tmp_path / "qcs").items():
            monkeypatch.setenv(variable, value)
        yield server


def _isa(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.isa.json").read_text())
    return data


def _sites(isa: dict[str, Any], op: str, char: str) -> dict[tuple[int, ...], float]:
    return {
        tuple(site["node_ids"]): c["value"]
        for o in isa["instructions"] + isa["benchmarks"]
        if o["name"] == op
        for site in o["sites"]
        for c in site["characteristics"]
        if c["name"] == char
    }


def test_the_isa_is_read_live_value_for_value(qcs: RigettiStandIn) -> None:
    snap = resolve("rigetti:aspen-m-3", live=FAST)
    isa = _isa("Aspen-M-3")
    index = {n: i for i, n in enumerate(sorted(x["node_id"] for x in isa["architecture"]["nodes"]))}
    assert snap.name == "rigetti:Aspen-M-3" and snap.source == "live:rigetti:Aspen-M-3"
    for (a, b), f in _sites(isa, "CZ", "fCZ").items():
        gate = snap.gate("cz", (index[a], index[b]))
        assert gate is not None and gate.error == pytest.approx(1 - f)
    for (n,), f in _sites(isa, "MEASURE", "fRO").items():
        assert snap.qubits[index[n]].readout_error == pytest.approx(1 - f)
    assert snap.calibrated_at is None  # the fixture's timestamps are the epoch
    isa_requests = qcs.seen("isa")
    assert [r.headers["authorization"] for r in isa_requests] == [f"Bearer {ACCESS_TOKEN}"]


def test_the_default_files_and_the_profile_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _qcs_free(monkeypatch, tmp_path)
    server = RigettiStandIn()
    with server.running():
        server.write_files(tmp_path / ".qcs")  # ~/.qcs/settings.toml and secrets.toml
        assert resolve("rigetti:Aspen-9", live=FAST).num_qubits == 32
        monkeypatch.setenv("QCS_PROFILE_NAME", "nosuch")
        with pytest.raises(AccountError, match=r"no profile 'nosuch'.*QCS_PROFILE_NAME"):
            resolve("rigetti:Aspen-9", live=FAST)
        monkeypatch.delenv("QCS_PROFILE_NAME")
        settings = tmp_path / ".qcs" / "settings.toml"
        settings.write_text(settings.read_text().replace(server.url, "http://127.0.0.1:9"))
        monkeypatch.setenv("QCS_SETTINGS_APPLICATIONS_API_URL", server.url)
        assert resolve("rigetti:Aspen-9", live=FAST).num_qubits == 32


def test_an_expired_token_is_refreshed_once_in_memory(qcs: RigettiStandIn) -> None:
    secrets_file = Path(os.environ["QCS_SECRETS_FILE_PATH"])
    before = secrets_file.read_text()
    qcs.expire()
    snap = resolve("rigetti:Aspen-9", live=FAST)
    assert snap.num_qubits == 32
    assert len(qcs.seen("token")) == 1
    assert secrets_file.read_text() == before


def test_without_files_a_rigetti_name_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _qcs_free(monkeypatch, tmp_path)
    result = invoke("monitor", "rigetti:Aspen-M-3")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "secrets.toml" in line and "only available live" in line


def test_at_is_refused(qcs: RigettiStandIn) -> None:
    from datetime import UTC, datetime

    with pytest.raises(UsageError, match="no calibration history"):
        resolve("rigetti:Aspen-9", live=FAST, at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_fleet_pages_through_the_processors(qcs: RigettiStandIn) -> None:
    qcs.page_size = 1
    names = [e.name for e in fleet(live=FAST).entries if e.name.startswith("rigetti:")]
    assert names == ["rigetti:Aspen-M-3", "rigetti:Aspen-9"]
    assert len(qcs.seen("processors")) == 2


def _broken_value(server: RigettiStandIn) -> None:
    isa = _isa("Aspen-9")
    isa["instructions"][4]["sites"][0]["characteristics"][0]["value"] = 7.5
    server.processors["Aspen-9"] = json.dumps(isa).encode()


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        (lambda s: (s.expire(), s.refresh_tokens.clear()), 2, "QCS_SECRETS_FILE_PATH"),
        (lambda s: s.fail("isa", *[500] * 9), 3, "500"),
        (
            lambda s: s.replace_body("isa", truncated(s.processors["Aspen-9"])),
            3,
            "not complete JSON",
        ),
        (_broken_value, 3, "$.instructions[4].sites[0].characteristics[0].value: 7.5"),
        (lambda s: s.processors.pop("Aspen-9"), 2, "it lists: rigetti:Aspen-M-3"),
    ],
)
def test_faults_are_one_line_with_their_exit_code(
    qcs: RigettiStandIn, fault: Any, code: int, words: str
) -> None:
    fault(qcs)
    result = invoke("monitor", "rigetti:Aspen-9", "--timeout", "5")
    assert result.exit_code == code, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert words in line and "Rigetti" in line
    assert ACCESS_TOKEN not in result.stderr and REFRESH_TOKEN not in result.stderr
    assert not result.stdout


def test_a_server_that_echoes_the_token_never_makes_it_show(qcs: RigettiStandIn) -> None:
    import base64

    qcs.echo = True
    qcs.fail("isa", *[502] * 9)
    result = invoke("monitor", "rigetti:Aspen-9", "--timeout", "5")
    assert result.exit_code == 3
    assert "You sent" in result.stderr  # the echo reached the message, redacted
    for form in (ACCESS_TOKEN, base64.b64encode(f"Bearer {ACCESS_TOKEN}".encode()).decode()):
        assert form not in result.stderr
    assert ACCESS_TOKEN[:12] not in result.stderr
