"""Live IBM Quantum: accounts, live snapshots, history on demand and the live overview.

Everything here goes through the official ``qiskit-ibm-runtime`` client, which is imported only
when a live call is made (importing it takes about a second). Errors are
:class:`~qpumon.errors.QpumonError`; faults of the service are
:class:`~qpumon.errors.ServiceError` (exit code 3). The API key never appears in an error,
a log line, a snapshot or a cache file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .options import LiveOptions, is_live_name, parse_at

if TYPE_CHECKING:
    from .accounts import LiveAccount, find_account, has_account
    from .source import DeviceResult, LiveSource

__all__ = [
    "DeviceResult",
    "LiveAccount",
    "LiveOptions",
    "LiveSource",
    "connect",
    "find_account",
    "has_account",
    "is_live_name",
    "parse_at",
]

#: Names imported on first use: the account store and the thread pool cost time that
#: ``qpumon monitor fake_fez`` should not pay.
_LAZY = {
    "LiveAccount": "accounts",
    "find_account": "accounts",
    "has_account": "accounts",
    "LiveSource": "source",
    "DeviceResult": "source",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def connect(options: LiveOptions) -> LiveSource:
    """A signed-in :class:`LiveSource` for the account ``options`` select; an
    :class:`~qpumon.errors.AccountError` saying how to add one when there is none."""
    from ..errors import AccountError
    from .accounts import find_account
    from .client import LiveClient
    from .source import LiveSource

    account = find_account(options)
    if account is None:
        raise AccountError(
            "no IBM Quantum account: save one with `qpumon login`, or set QISKIT_IBM_TOKEN "
            "(or pass --token)"
        )
    client = LiveClient(account, options)
    client.sign_in()
    return LiveSource(client, options)
