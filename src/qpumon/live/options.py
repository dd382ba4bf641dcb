"""What a live command was asked: the account to use, timeouts, retries, cache and time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import QpumonError
from ..times import parse_time

#: The IBM Quantum channels the client knows.
CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
#: Device names IBM Quantum uses (``ibm_fez``); ``fake_fez`` and file paths are not live names.
LIVE_PREFIXES = ("ibm_", "ibmq_")
#: Seconds to wait for IBM Quantum to connect and answer each request.
DEFAULT_TIMEOUT = 30.0
#: Concurrent requests of a live overview.
DEFAULT_WORKERS = 16


@dataclass(frozen=True)
class LiveOptions:
    """How to reach IBM Quantum and what to fetch.

    ``token`` (never shown by ``repr``), ``instance``, ``channel`` and ``url`` override the
    environment (``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``,
    ``QISKIT_IBM_URL``); ``account`` names an account saved with ``qpumon login`` (or
    ``QiskitRuntimeService.save_account``) in ``account_file`` (default: the client's own file).
    ``at`` asks for the calibration in force at that time. Failed requests answered 429 or 5xx
    are retried ``retries`` times, waiting ``backoff`` seconds doubled each time up to
    ``backoff_cap``. ``refresh`` bypasses the configuration cache in ``cache_dir``.
    """

    token: str | None = field(default=None, repr=False)
    account: str | None = None
    instance: str | None = None
    channel: str | None = None
    url: str | None = None
    account_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    at: datetime | None = None
    refresh: bool = False
    cache_dir: Path | None = None
    workers: int = DEFAULT_WORKERS
    retries: int = 3
    backoff: float = 0.5
    backoff_cap: float = 8.0

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise QpumonError(
                f"--timeout: must be a positive number of seconds, got {self.timeout}"
            )
        if self.workers < 1:
            raise QpumonError(f"workers: must be at least 1, got {self.workers}")
        if self.retries < 0:
            raise QpumonError(f"retries: must be 0 or more, got {self.retries}")


def parse_at(text: str) -> datetime:
    """``--at`` as a UTC datetime: ISO-8601 such as ``2026-03-01T12:00Z``; no offset means UTC."""
    return parse_time(text, "--at")


def is_live_name(name: str) -> bool:
    """True for a name IBM Quantum uses (``ibm_fez``); ``fake_fez`` and file paths are not."""
    return name.strip().lower().startswith(LIVE_PREFIXES) and not name.endswith(".json")
