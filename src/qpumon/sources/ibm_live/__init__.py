"""Live IBM Quantum: accounts, live snapshots, instances and ``qpumon login``.

qpumon speaks IBM Quantum Platform's documented REST API itself, over httpx (:mod:`.client`,
:mod:`.transport`): the IAM API-key exchange, instance discovery through IBM Cloud Global Search
and the Global Catalog, and the device routes, concurrently on one event loop that Ctrl-C
interrupts at once. Nothing here imports qiskit-ibm-runtime. Errors are
:class:`~qpumon.errors.QpumonError`; faults of the service are
:class:`~qpumon.errors.ServiceError` (exit code 3). The API key never appears in an error, a log
line, a snapshot or a cache file.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

from .options import LiveOptions, is_live_name, parse_at

if TYPE_CHECKING:
    from .accounts import LiveAccount, find_account, has_account
    from .instances import Instance
    from .logins import LoginResult, login
    from .source import DeviceResult, LiveSource

__all__ = [
    "DeviceResult",
    "Instance",
    "LiveAccount",
    "LiveOptions",
    "LiveSource",
    "LoginResult",
    "connect",
    "find_account",
    "has_account",
    "is_live_name",
    "login",
    "parse_at",
]

#: Names imported on first use: httpx and the event loop cost time that
#: ``qpumon monitor fake_fez`` should not pay.
_LAZY = {
    "LiveAccount": "accounts",
    "find_account": "accounts",
    "has_account": "accounts",
    "Instance": "instances",
    "LoginResult": "logins",
    "login": "logins",
    "LiveSource": "source",
    "DeviceResult": "source",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def connect(options: LiveOptions, *, account: LiveAccount | None = None) -> LiveSource:
    """A signed-in :class:`LiveSource` for ``account`` (default: the one ``options`` select);
    an :class:`~qpumon.errors.AccountError` saying how to add one when there is none, and the
    sign-in's error (a rejected key, an unreachable IAM) when it fails.

    Within a process, equal options and account share one source: a second ``connect`` (the
    device list, then the devices; every ``--watch`` refresh) reuses its access token and its
    connections instead of signing in again.
    """
    from ...errors import AccountError
    from . import runner
    from .accounts import HOW_TO_ADD, find_account
    from .client import LiveClient
    from .source import LiveSource

    account = account or find_account(options)
    if account is None:
        raise AccountError(f"no IBM Quantum account: {HOW_TO_ADD}")
    key = (options, account)
    with _lock:
        shared = _sources.pop(key, None)
        if shared is not None:
            _sources[key] = shared  # the most recently used last
            return shared
    source = LiveSource(LiveClient(account, options), options)
    try:
        runner.run(source.client.sign_in())
    except Exception:
        source.close()
        raise
    with _lock:
        _sources[key] = source
        while len(_sources) > _SHARED:
            _sources.pop(next(iter(_sources)))
    return source


#: Signed-in sources by (options, account), the most recent last; at most _SHARED kept.
_sources: dict[tuple[LiveOptions, LiveAccount], LiveSource] = {}
_SHARED = 8
_lock = threading.Lock()
