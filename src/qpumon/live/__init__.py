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
    from ..model import DeviceSnapshot
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
    "resolve_live",
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


def connect(options: LiveOptions) -> LiveSource | None:
    """A signed-in :class:`LiveSource` for the account ``options`` select, None without one."""
    from .accounts import find_account
    from .client import LiveClient
    from .source import LiveSource

    account = find_account(options)
    if account is None:
        return None
    client = LiveClient(account, options)
    client.sign_in()
    return LiveSource(client, options)


def resolve_live(name: str, options: LiveOptions) -> DeviceSnapshot | None:
    """The live snapshot of ``name`` (``ibm_fez``), or None when it is not a live name or no
    account is available; raises if the account cannot see the device or the service fails."""
    from .accounts import has_account

    if not is_live_name(name) or not has_account(options):
        return None
    source = connect(options)
    return None if source is None else source.snapshot(name.strip())
