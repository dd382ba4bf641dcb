"""No secret survives in what qpumon shows, in any encoding a careless service could echo it in:
the redaction itself (property-based), the command line's error line and ``--debug`` traceback,
and the server's fleet page, device page, ``/api/devices`` and log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qpumon.sources import SourceOptions
from qpumon.util.redaction import REDACTED, forget_secrets, redact, register_secret
from tests.core.cli_helpers import invoke
from tests.live.conftest import cli_env
from tests.live.encodings import decodings, encoded, keys, leaks, marked_keys
from tests.live.ibm_server import IBMStandIn
from tests.serve.conftest import live_options, running

#: Text around an echoed secret: what a service's error message might hold.
around = st.text(st.characters(codec="utf-8"), max_size=30)
LATE = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _no_secrets_yet() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@settings(max_examples=400, deadline=None)
@given(data=st.data(), key=keys, before=around, after=around)
def test_no_window_of_a_secret_survives_any_encoding(
    data: st.DataObject, key: str, before: str, after: str
) -> None:
    name, echoed = data.draw(encoded(key))
    text = f"{before} {echoed} {after}"
    assert leaks(text, key), f"the test's own checker misses {name}"
    forget_secrets()  # this example's key alone
    register_secret(key)
    shown = redact(text)
    assert leaks(shown, key) == [], (name, text, shown)
    assert REDACTED in shown


@settings(max_examples=200, deadline=None)
@given(key=keys, text=around)
def test_text_without_a_secret_is_left_as_it_is(key: str, text: str) -> None:
    forget_secrets()  # this example's key alone
    register_secret(key)
    if not any(leaks(view, key) for view in decodings(text)):
        assert redact(text) == text


def test_a_secret_too_short_to_hide_is_not_registered() -> None:
    register_secret("abc")
    assert redact("abc abc") == "abc abc"
    assert redact("key=abcd", "abcd") == "key=***"


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def echoing() -> Iterator[IBMStandIn]:
    """One IBM stand-in for the examples, whose error answers echo what :attr:`echo` makes."""
    server = IBMStandIn.with_devices(("fez",))
    with server.running():
        yield server


@LATE
@given(
    data=st.data(),
    key=marked_keys,
    debug=st.booleans(),
    route=st.sampled_from(["iam", "properties"]),
)
def test_the_cli_never_shows_the_key(
    echoing: IBMStandIn,
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
    key: str,
    debug: bool,
    route: str,
) -> None:
    forget_secrets()  # each run must find the key itself
    name, echoed = data.draw(encoded(key))
    echoing.api_keys.add(key)
    echoing.echo = lambda _key, _token: f"for apikey {echoed}"
    echoing.mend()
    echoing.fail(route, "*", 422)  # an error answer that is not retried, quoting the key back
    home = tmp_path_factory.mktemp("home")
    env = {**cli_env(echoing), "QISKIT_IBM_TOKEN": key, "HOME": str(home)}
    env["XDG_CACHE_HOME"] = str(home / "cache")
    args = ["--debug"] if debug else []
    done = invoke(*args, "monitor", "ibm_fez", env=env)
    assert done.exit_code == 3, done.stderr
    assert "HTTP 422" in done.stderr and REDACTED in done.stderr
    assert ("Traceback" in done.stderr) == debug
    assert leaks(done.stderr, key) == [], (name, done.stderr)


# -- the server ----------------------------------------------------------------------------------


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), key=marked_keys)
def test_the_server_never_shows_the_key(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, key: str
) -> None:
    forget_secrets()
    named = [data.draw(encoded(key)) for _ in range(3)]
    echoed = " and ".join(text for _, text in named)
    home = tmp_path_factory.mktemp("home")
    server = IBMStandIn.with_devices(("fez", "lagos"), api_keys={key})
    server.echo = lambda _key, token: f"for apikey {echoed}, token {token}"
    server.break_route("properties", "*")
    with server.running(), pytest.MonkeyPatch.context() as patch:
        for variable, value in server.environment.items():
            patch.setenv(variable, value)
        options = live_options(server, home)
        source = SourceOptions(live=type(options)(**{**vars(options), "token": key}))
        shown, logged = _served(source, home)
    for text in [*shown, *logged]:
        assert leaks(text, key) == [], (named, text)
    assert any(REDACTED in text for text in shown)


def _served(source: SourceOptions, home: Path) -> tuple[list[str], list[str]]:
    with running(
        ["ibm_fez", "ibm_lagos"],
        f"sqlite:///{home / 'h.db'}",
        source=source,
        every=timedelta(seconds=0.2),
        status_every=timedelta(seconds=0.2),
    ) as server:
        server.collector.wait_for(
            lambda v: all(v.devices[n].error is not None for n in ("ibm_fez", "ibm_lagos")), 30
        )
        with server.client() as client:
            pages = (
                "/",
                "/fleet/table",
                "/api/devices",
                "/devices/ibm_fez",
                "/api/devices/ibm_fez",
            )
            shown = [client.get(page).text for page in pages]
        return shown, list(server.lines)
