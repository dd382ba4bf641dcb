"""What a live command was asked: the account to use, deadlines, retries and the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ...errors import UsageError
from ...util.times import parse_time
from ..files import looks_like_file

__all__ = ["LIVE_PREFIXES", "LiveOptions", "is_live_name", "parse_at"]

#: How IBM Quantum's device names start.
LIVE_PREFIXES = ("ibm_", "ibmq_")

#: The IBM Quantum channels the official client knows.
CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
#: Seconds each request to IBM Quantum may take in all: connecting, sending, the whole answer.
DEFAULT_TIMEOUT = 30.0
#: Requests in flight at once (a live overview of 20 devices makes 60; over HTTP/2 they share
#: one connection).
DEFAULT_WORKERS = 64
#: The longest ``Retry-After`` qpumon waits for; an answer asking for more fails at once.
DEFAULT_RETRY_AFTER_CAP = 60.0


@dataclass(frozen=True)
class LiveOptions:
    """How to reach IBM Quantum.

    ``token`` (never shown by ``repr``), ``instance``, ``channel`` and ``url`` override the
    environment (``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``,
    ``QISKIT_IBM_URL``) and the saved account; ``account`` names an account saved with
    ``qpumon login`` (or ``QiskitRuntimeService.save_account``) in ``account_file`` (default:
    ``~/.qiskit/qiskit-ibm.json``). ``instance`` is a CRN or an instance name; without one,
    every instance of the account is used.

    ``timeout`` is the total time one request may take, its whole answer included. Answers 429
    and 5xx are retried ``retries`` times, waiting ``backoff`` seconds doubled each time up to
    ``backoff_cap``, or what the answer's ``Retry-After`` asks up to ``retry_after_cap`` (an
    answer asking for longer fails at once). ``workers`` bounds the requests in flight.
    ``refresh`` bypasses the configuration cache in ``cache_dir``.
    """

    token: str | None = field(default=None, repr=False)
    account: str | None = None
    instance: str | None = None
    channel: str | None = None
    url: str | None = None
    account_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    refresh: bool = False
    cache_dir: Path | None = None
    workers: int = DEFAULT_WORKERS
    retries: int = 3
    backoff: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP

    def __post_init__(self) -> None:
        if self.token:
            from ...util.redaction import register_secret  # only where there is a secret

            register_secret(self.token)
        if not self.timeout > 0:
            raise UsageError(f"--timeout: must be a positive number of seconds, got {self.timeout}")
        if self.workers < 1:
            raise UsageError(f"workers: must be at least 1, got {self.workers}")
        if self.retries < 0:
            raise UsageError(f"retries: must be 0 or more, got {self.retries}")
        for name in ("backoff", "backoff_cap", "retry_after_cap"):
            if not getattr(self, name) >= 0:
                raise UsageError(f"{name}: must be 0 or more seconds, got {getattr(self, name)}")


def parse_at(text: str) -> datetime:
    """``--at`` as a UTC datetime: ISO-8601 such as ``2026-03-01T12:00Z``; no offset means UTC."""
    return parse_time(text, "--at")


def is_live_name(name: str) -> bool:
    """True for a name IBM Quantum gives its devices (``ibm_fez``, ``ibmq_kolkata``); a bundled
    name (``fake_fez``) or a file path is not one."""
    return name.strip().lower().startswith(LIVE_PREFIXES) and not looks_like_file(name)
