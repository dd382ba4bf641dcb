"""What ``qpumon serve`` was asked: devices, address, schedule, store, rules and access token."""

from __future__ import annotations

import ipaddress
import os
import stat
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..errors import UsageError
from ..sources import SourceOptions
from ..util.bounded import read_bounded
from ..util.printable import printable
from ..util.redaction import register_secret

#: Addresses that only this machine can reach.
LOOPBACK_NAMES = ("localhost",)
#: The longest access token file read (a token is a line).
MAX_TOKEN_BYTES = 4096
#: The shortest access token accepted: a guessable token protects nothing.
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ServeOptions:
    """The server's settings.

    ``devices`` empty means every bundled device plus, with an account, every device of it.
    ``every`` is the calibration period of live devices, ``status_every`` that of their status
    (a device whose last fetch failed is retried at the status period). ``db`` names the
    history database (None: ``QPUMON_DB``, else the default SQLite file). ``auth_token``, when
    set, is required as ``Authorization: Bearer <token>`` on every route but ``/healthz``.
    """

    devices: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    db: str | None = None
    every: timedelta = timedelta(minutes=30)
    status_every: timedelta = timedelta(minutes=1)
    rules: Path | None = None
    auth_token: str | None = field(default=None, repr=False)
    source: SourceOptions = field(default_factory=SourceOptions)

    def __post_init__(self) -> None:
        register_secret(self.auth_token)  # a bearer token: never in a log line or a page
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port: {self.port} is not a TCP port (0 to 65535)")
        if self.source.at is not None:
            raise UsageError("--at asks for a past calibration; qpumon serve shows the current one")

    @property
    def loopback(self) -> bool:
        """True if only this machine can reach the server."""
        return is_loopback(self.host)

    def warnings(self) -> list[str]:
        """What the operator should know before the server starts."""
        if self.loopback or self.auth_token is not None:
            return []
        return [
            f"--host {printable(self.host)} makes the dashboard reachable from other machines "
            "without authentication; give --auth-token-file to require a bearer token"
        ]


def is_loopback(host: str) -> bool:
    """True if the address ``host`` is bound to (resolved as the server binds it: the first
    address ``getaddrinfo`` gives) is a loopback one: ``127.0.0.0/8`` however spelled
    (``127.1``, ``127.0.0.2``, ``::ffff:127.0.0.1``), ``::1`` (``0:0:0:0:0:0:0:1``), and a
    name such as ``localhost`` that resolves to one. A host that does not resolve is not."""
    import socket

    name = host.strip().strip("[]")
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        found = socket.getaddrinfo(name, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError, ValueError):
        return False
    address = ipaddress.ip_address(str(found[0][4][0]).split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(name) and address.is_loopback


def read_token_file(path: Path) -> str:
    """The bearer token in ``path`` (its first line, without surrounding spaces)."""
    try:
        info = path.stat()
        data = read_bounded(path, MAX_TOKEN_BYTES)
    except OSError as exc:
        raise UsageError(f"--auth-token-file {path}: cannot read it ({exc.strerror})") from exc
    if data is None:
        raise UsageError(f"--auth-token-file {path}: longer than {MAX_TOKEN_BYTES} bytes")
    lines = data.decode("utf-8", "replace").strip().splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() or not c.isprintable() for c in token):
        raise UsageError(
            f"--auth-token-file {path}: the first line must be a token of at least "
            f"{MIN_TOKEN_CHARS} printable characters without spaces (e.g. from "
            "`openssl rand -hex 32`)"
        )
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(
            f"--auth-token-file {path}: other users can read it; make it private (chmod 600 {path})"
        )
    return token
