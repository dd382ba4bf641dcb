"""Every fault of the issue gives one clear error in its stated time, against the stand-in."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from qpumon.errors import (
    AccountError,
    ServiceAnswerError,
    ServiceError,
    TokenRejectedError,
    UnreachableError,
)
from qpumon.sources.ibm_live import connect, find_account, runner
from qpumon.sources.ibm_live.client import LiveClient
from qpumon.sources.ibm_live.faults import redact, retry_after
from qpumon.sources.ibm_live.instances import Instance
from tests.conftest import PROMPT_S
from tests.live.conftest import fetch_live, live_options
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn

BAD_KEY = "not-a-valid-key-9876543210"


def _client(server: IBMStandIn, home: Path, waits: list[float], **changes: object) -> LiveClient:
    """A client whose backoff waits are recorded instead of slept."""
    options = live_options(server, home, **changes)
    account = find_account(options)
    assert account is not None

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return LiveClient(account, options, sleep=sleep)


def _status(client: LiveClient, server: IBMStandIn) -> None:
    try:
        runner.run(client.status(Instance(CRN, server.api_url), "ibm_fez"))
    finally:
        runner.run(client.close())


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
    ("code", "wording", "tries"),
    [(401, "rejected the token", 2), (403, "refused this token access", 1)],
)
def test_the_api_refusing_the_token(
    stand_in: IBMStandIn, home: Path, code: int, wording: str, tries: int
) -> None:
    stand_in.deny_api = code
    with pytest.raises(
        TokenRejectedError,
        match=f"IBM Quantum {wording} \\(HTTP {code} for the "
        "status of ibm_fez\\); set a valid API key",
    ):
        fetch_live("ibm_fez", live_options(stand_in, home))
    assert len(stand_in.seen("status")) == tries  # a 401 renews the token once, then stops
    assert len(stand_in.seen("iam")) == tries


def test_a_503_then_success_is_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.fail("status", "ibm_fez", 503)
    stand_in.fail("properties", "ibm_fez", 503, 429)
    snapshot = fetch_live("ibm_fez", live_options(stand_in, home))
    assert snapshot.num_qubits == 156
    assert len(stand_in.seen("status", "ibm_fez")) == 2
    assert len(stand_in.seen("properties", "ibm_fez")) == 3


def test_retries_back_off_exponentially_with_a_cap(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.break_route("status", "ibm_fez")
    waits: list[float] = []
    client = _client(stand_in, home, waits, retries=5, backoff=0.5, backoff_cap=2.0)
    with pytest.raises(ServiceError) as caught:
        _status(client, stand_in)
    assert waits == [0.5, 1.0, 2.0, 2.0, 2.0]
    assert len(stand_in.seen("status")) == 6
    assert str(caught.value).startswith(
        "IBM Quantum answered HTTP 500 to the status of ibm_fez after 6 attempts "
        f"({stand_in.api_url}/backends/ibm_fez/status)"
    )
    assert caught.value.exit_code == 3


def test_retry_after_is_honoured_up_to_its_cap(stand_in: IBMStandIn, home: Path) -> None:
    waits: list[float] = []
    client = _client(stand_in, home, waits, backoff=0.5, backoff_cap=2, retry_after_cap=30)
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    stand_in.fail("status", "ibm_fez", 503, retry_after="7")
    stand_in.fail("status", "ibm_fez", 429, retry_after=later)
    stand_in.fail("status", "ibm_fez", 429, retry_after="0")
    _status(client, stand_in)
    assert waits[0] == 7 and 18 < waits[1] <= 20 and waits[2] == 2  # 0 asked: the backoff
    stand_in.fail("status", "ibm_fez", 429, retry_after="3600")
    with pytest.raises(ServiceAnswerError) as caught:
        _status(client, stand_in)
    assert len(waits) == 3  # not waited for, not retried
    assert str(caught.value) == (
        "IBM Quantum answered HTTP 429 to the status of ibm_fez "
        f"({stand_in.api_url}/backends/ibm_fez/status) and asked to wait 3600 s before trying "
        "again, longer than the 30 s qpumon waits; try again later"
    )


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Sun, 01 Mar 2026 12:01:30 GMT", now) == 90
    assert retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0  # in the past: at once
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_other_client_errors_are_not_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.fail("status", "ibm_fez", 400)
    with pytest.raises(ServiceError, match="HTTP 400 to the status of ibm_fez \\("):
        fetch_live("ibm_fez", live_options(stand_in, home))
    assert len(stand_in.seen("status")) == 1


def test_a_timeout_is_reported_and_not_retried(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.stall("status", "ibm_fez", 60.0)
    start = time.perf_counter()
    with pytest.raises(UnreachableError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, timeout=0.5))
    assert time.perf_counter() - start < PROMPT_S  # the timeout's, not the stall's
    assert str(caught.value) == (
        "IBM Quantum did not answer the status of ibm_fez within 0.5 s "
        f"({stand_in.api_url}/backends/ibm_fez/status); try again later or allow more time "
        "with --timeout"
    )
    assert caught.value.exit_code == 3
    assert len(stand_in.seen("status")) == 1


def test_a_trickling_answer_is_cut_at_the_deadline(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.trickle("properties", "ibm_fez", 0.05)  # 37 KB gzipped: about 2 s in all
    start = time.perf_counter()
    with pytest.raises(UnreachableError, match="did not answer the calibration of ibm_fez within"):
        fetch_live("ibm_fez", live_options(stand_in, home, timeout=0.5))
    assert time.perf_counter() - start < 1.5  # every byte was moving: a per-read timeout waits on


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
    with pytest.raises(
        UnreachableError, match=f"cannot reach IBM Quantum at {iam}/identity/token: connection"
    ):
        fetch_live("ibm_fez", live_options(stand_in, home))


def test_a_dns_failure_says_so(stand_in: IBMStandIn, home: Path) -> None:
    url = "http://qpumon-stand-in.invalid/api/v1"
    with pytest.raises(UnreachableError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, url=url))
    assert str(caught.value).startswith(
        "cannot reach IBM Quantum: the name qpumon-stand-in.invalid does not resolve (DNS failure)"
        f" for {url}/backends/ibm_fez/"
    )


def test_a_token_that_expires_is_renewed_before_it_is_refused(
    stand_in: IBMStandIn, home: Path
) -> None:
    stand_in.token_ttl = 1.0
    source = connect(live_options(stand_in, home))
    source.snapshot("ibm_fez")
    time.sleep(1.1)  # past the token's lifetime
    second = source.snapshot("ibm_kyiv")
    assert second.num_qubits == 127
    assert len(stand_in.seen("iam")) == 2
    assert all(r.status == 200 for r in stand_in.requests)  # renewed before use: no 401


def test_a_failed_renewal_fails_that_request_at_once_and_the_next_one_renews(
    stand_in: IBMStandIn, home: Path
) -> None:
    stand_in.token_ttl = 1.0
    source = connect(live_options(stand_in, home, retries=1))
    time.sleep(1.1)
    stand_in.break_route("iam", "*")
    results = source.fetch(["ibm_fez", "ibm_kyiv", "ibm_kingston"])
    assert len(stand_in.seen("iam")) == 1 + 2  # one shared renewal, retried once: no stall
    for result in results:
        assert result.error == (
            f"{result.name}: IBM Quantum answered HTTP 500 to the renewal of the access token "
            f"(API key exchange) after 2 attempts ({stand_in.url}/identity/token): Planned "
            "failure of the stand-in."
        )
    stand_in.mend()
    assert source.snapshot("ibm_fez").num_qubits == 156  # IAM is back: nothing held back


def test_a_token_the_service_forgot_is_renewed_once(stand_in: IBMStandIn, home: Path) -> None:
    source = connect(live_options(stand_in, home))
    stand_in._tokens.clear()  # the service no longer knows the token it issued
    assert source.snapshot("ibm_fez").num_qubits == 156
    assert len(stand_in.seen("iam")) == 2


def test_the_token_never_reaches_errors_or_logs(
    stand_in: IBMStandIn, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = "qpumon/Key+with=special&chars"  # differs percent-encoded, JSON-escaped, base64
    stand_in.api_keys.add(key)
    caplog.set_level(logging.DEBUG)
    stand_in.break_route("iam", "*")  # IAM keeps failing and its error quotes the key back
    stand_in.echo_key = True
    with pytest.raises(ServiceError) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, token=key, retries=1))
    stand_in.mend()
    stand_in.break_route("properties", "ibm_fez")
    with pytest.raises(ServiceError):
        fetch_live("ibm_fez", live_options(stand_in, home, token=key, retries=1))
    stand_in.mend()
    stand_in.corrupt("properties", "ibm_fez", json.dumps({"qubits": key, "gates": []}).encode())
    with pytest.raises(ServiceError) as malformed:  # a document quoting the key back
        fetch_live("ibm_fez", live_options(stand_in, home, token=key))
    assert "$.qubits" in str(malformed.value)
    message = str(caught.value)
    assert "HTTP 500 to the API key exchange after 2 attempts" in message
    assert message.endswith("Planned failure of the stand-in for apikey *** (Basic ***).")
    assert caplog.records  # httpx and httpcore did log at DEBUG
    for form in _encodings(key):
        assert form not in caplog.text and form not in message
        assert form not in str(malformed.value)


def _encodings(key: str) -> list[str]:
    basic = base64.b64encode(f"apikey:{key}".encode()).decode()
    return [key, quote(key, safe=""), quote_plus(key), json.dumps(key)[1:-1], basic]


def test_redact_hides_every_encoding() -> None:
    key = 'a/b+c=d&e"f'
    text = " ".join(_encodings(key)) + " " + base64.urlsafe_b64encode(key.encode()).decode()
    assert redact(text, key) == " ".join(["***"] * 6)
    assert redact("key=abc123 and abc123", "abc123") == "key=*** and ***"
    assert redact("got 'qpumon-test-Secret-AP...' (str)", GOOD_KEY) == "got '***...' (str)"
    assert redact("nothing", None) == "nothing"


def test_an_instance_name_that_is_not_the_account_s_lists_those_it_has(
    stand_in: IBMStandIn, home: Path
) -> None:
    wanted = "instance 'my-instance': the IBM Quantum account has no instance of that name"
    with pytest.raises(AccountError, match=wanted) as caught:
        fetch_live("ibm_fez", live_options(stand_in, home, instance="my-instance"))
    assert "(it has: qpumon-open)" in str(caught.value)
    assert GOOD_KEY not in str(caught.value)
