"""Every spelling of a loopback address counts as loopback (no warning that the server is
reachable from other machines); every other address does not."""

from __future__ import annotations

import socket

import pytest

from qpumon.serve.options import ServeOptions, is_loopback

LOOPBACK = (
    "127.0.0.1",
    "127.1",
    "127.0.0.2",
    "127.255.255.254",
    "2130706433",  # 127.0.0.1 as one number, as inet_aton reads it
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "localhost",
    "LocalHost",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
)
OTHERS = ("0.0.0.0", "::", "", "0", "192.168.1.4", "10.0.0.1", "::ffff:10.0.0.1", "128.0.0.1")


def _bound_address(host: str) -> str:
    """The address the server would listen on: what ``bind`` binds (its first address)."""
    return str(socket.getaddrinfo(host.strip("[]"), 0, flags=socket.AI_PASSIVE)[0][4][0])


@pytest.mark.parametrize("host", LOOPBACK)
def test_every_loopback_spelling_is_loopback_and_not_warned(host: str) -> None:
    bound = _bound_address(host)
    assert bound.startswith("127.") or bound in ("::1", "::ffff:127.0.0.1")
    assert is_loopback(host)
    assert ServeOptions(host=host).warnings() == []


@pytest.mark.parametrize("host", OTHERS)
def test_every_other_address_is_warned(host: str) -> None:
    assert not is_loopback(host)
    (warning,) = ServeOptions(host=host).warnings()
    assert "reachable from other machines" in warning


def test_a_host_that_does_not_resolve_is_not_loopback() -> None:
    assert not is_loopback("no-such-host.invalid")
    assert ServeOptions(host="127.1", auth_token="t" * 32).warnings() == []


def test_the_dashboard_token_is_a_secret_never_shown() -> None:
    from qpumon.util.redaction import forget_secrets, redact

    token = "dashboard-Token-0123456789abcdef"
    ServeOptions(host="0.0.0.0", auth_token=token)
    try:
        assert (
            redact(f"refused Bearer {token[:12]}... and {token}") == "refused Bearer ***... and ***"
        )
    finally:
        forget_secrets()
