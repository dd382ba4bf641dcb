"""Every fault of the issue gives one clear error, through the real client and the stand-in."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest

from qpumon.errors import QpumonError, ServiceError, TokenRejectedError, UnreachableError
from qpumon.live.faults import redact
from tests.live.conftest import fetch_live, live_options
from tests.live.ibm_server import GOOD_KEY, IBMStandIn

BAD_KEY = "not-a-valid-key-9876543210"


def test_a_rejected_key_says_so_and_how_to_set_one(stand_in: IBMStandIn, home: Path) -> None:
    with pytest.raises(TokenRejectedError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, token=BAD_KEY))
    message = str(caught.value)
    assert message.startswith("IBM Quantum rejected the token (HTTP 400 for the API key exchange)")
    assert "qpumon login" in message and "QISKIT_IBM_TOKEN" in message
    assert BAD_KEY not in message
    assert caught.value.exit_code == 2
    assert [r.path for r in stand_in.requests] == ["/identity/token"]  # not retried, no API call


@pytest.mark.parametrize(
    ("code", "wording"), [(401, "rejected the token"), (403, "refused this token access")]
)
def test_the_api_refusing_the_token(
    stand_in: IBMStandIn, home: Path, code: int, wording: str
) -> None:
    stand_in.deny_api = code
    with pytest.raises(
        TokenRejectedError,
        match=f"IBM Quantum {wording} \\(HTTP {code} for the "
        "status of ibm_fez\\); set a valid API key",
    ):
        fetch_live("ibm_fez", live_options(stand_in, home))
    assert len(stand_in.seen("status")) == 1  # 401/403 are not retried


def test_a_503_then_success_is_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.fail("status", "ibm_fez", 503)
    stand_in.fail("properties", "ibm_fez", 503, 429)
    snapshot = fetch_live("ibm_fez", live_options(stand_in, home))
    assert snapshot is not None and snapshot.num_qubits == 156
    assert len(stand_in.seen("status", "ibm_fez")) == 2
    assert len(stand_in.seen("properties", "ibm_fez")) == 3


def test_retries_back_off_exponentially_with_a_cap(stand_in: IBMStandIn, home: Path) -> None:
    from qpumon.live.accounts import find_account
    from qpumon.live.client import LiveClient

    stand_in.break_route("status", "ibm_fez")
    options = live_options(stand_in, home, retries=5, backoff=0.5, backoff_cap=2.0)
    account = find_account(options)
    assert account is not None
    waits: list[float] = []
    client = LiveClient(account, options, sleep=waits.append)
    with pytest.raises(ServiceError) as caught:
        client.status("ibm_fez")
    assert waits == [0.5, 1.0, 2.0, 2.0, 2.0]
    assert len(stand_in.seen("status")) == 6
    assert str(caught.value).startswith(
        "IBM Quantum answered HTTP 500 to the status of ibm_fez after 6 attempts "
        f"({stand_in.api_url}/backends/ibm_fez/status)"
    )
    assert caught.value.exit_code == 3


def test_other_client_errors_are_not_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.fail("status", "ibm_fez", 400)
    with pytest.raises(ServiceError, match="HTTP 400 to the status of ibm_fez \\("):
        fetch_live("ibm_fez", live_options(stand_in, home))
    assert len(stand_in.seen("status")) == 1


def test_a_timeout_is_reported_and_not_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.stall("status", "ibm_fez", 5.0)
    start = time.perf_counter()
    with pytest.raises(UnreachableError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, timeout=0.5))
    assert time.perf_counter() - start < 2.5
    assert str(caught.value) == (
        "IBM Quantum did not answer the status of ibm_fez within 0.5 s "
        f"({stand_in.api_url}/backends/ibm_fez/status); try again later or allow more time "
        "with --timeout"
    )
    assert caught.value.exit_code == 3
    assert len(stand_in.seen("status")) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_service_names_the_url(stand_in: IBMStandIn, home: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api/v1"
    with pytest.raises(UnreachableError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, url=url))
    assert str(caught.value).startswith(f"cannot reach IBM Quantum at {url}/backends/ibm_fez/")
    assert "connection refused" in str(caught.value)


def test_an_unreachable_token_service_names_its_url(
    stand_in: IBMStandIn, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("IAM_URL", iam)
    with pytest.raises(UnreachableError, match=f"cannot reach IBM Quantum at {iam}/identity/token"):
        fetch_live("ibm_fez", live_options(stand_in, home))


def test_a_dns_failure_says_so(stand_in: IBMStandIn, home: Path) -> None:
    url = "http://qpumon-stand-in.invalid/api/v1"
    with pytest.raises(UnreachableError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, url=url))
    assert str(caught.value).startswith(
        "cannot reach IBM Quantum: the name qpumon-stand-in.invalid does not resolve (DNS failure)"
        f" for {url}/backends/ibm_fez/"
    )


def test_missing_or_bare_instance_names_are_explained(stand_in: IBMStandIn, home: Path) -> None:
    with pytest.raises(QpumonError, match="names no instance: pass --instance CRN"):
        fetch_live("ibm_fez", live_options(stand_in, home, instance=None))
    with pytest.raises(QpumonError, match="'my-instance' is a name; give the instance's CRN"):
        fetch_live("ibm_fez", live_options(stand_in, home, instance="my-instance"))


def test_the_token_never_reaches_errors_or_logs(
    stand_in: IBMStandIn, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stand_in.break_route("iam", "*")  # IAM keeps failing and its error quotes the key back
    stand_in.echo_key = True
    with pytest.raises(ServiceError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, retries=1))
    stand_in._broken.clear()
    stand_in.break_route("properties", "ibm_fez")
    with pytest.raises(ServiceError):
        fetch_live("ibm_fez", live_options(stand_in, home, retries=1))
    assert "HTTP 500 to the API key exchange after 2 attempts" in str(caught.value)
    assert str(caught.value).endswith("Planned failure of the stand-in for apikey ***.")
    assert caplog.records  # the client and urllib3 did log at DEBUG
    assert GOOD_KEY not in caplog.text
    assert GOOD_KEY not in str(caught.value)


def test_redact_hides_every_occurrence() -> None:
    assert redact("key=abc123 and abc123", "abc123") == "key=*** and ***"
    assert redact("nothing", None) == "nothing"
