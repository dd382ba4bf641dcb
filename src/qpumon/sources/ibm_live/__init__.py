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
    import concurrent.futures

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
    connections instead of signing in again. Threads that connect at once (``backfill``'s
    fetches) wait for one sign-in and share its source, or its error.
    """
    import concurrent.futures  # here: every command imports this package, few connect

    from ...errors import AccountError
    from .accounts import HOW_TO_ADD, find_account

    account = account or find_account(options)
    if account is None:
        raise AccountError(f"no IBM Quantum account: {HOW_TO_ADD}")
    key = (options, account)
    with _lock:
        shared = _sources.pop(key, None)
        if shared is not None:
            _sources[key] = shared  # the most recently used last
            return shared
        pending = _signing_in.get(key)
        first = pending is None
        if pending is None:
            pending = _signing_in[key] = concurrent.futures.Future()
    if first:
        return _sign_in(key, pending)
    while True:  # another thread is signing in: its outcome, waited for in slices (Ctrl-C)
        try:
            return pending.result(timeout=_SLICE)
        except TimeoutError:
            continue


def _sign_in(
    key: tuple[LiveOptions, LiveAccount], pending: concurrent.futures.Future[LiveSource]
) -> LiveSource:
    """A new signed-in source for ``key``, shared, and handed to the threads waiting on
    ``pending`` (as is the sign-in's error)."""
    from . import runner
    from .client import LiveClient
    from .source import LiveSource

    options, account = key
    try:
        source = LiveSource(LiveClient(account, options), options)
        try:
            runner.run(source.client.sign_in())
        except Exception:
            source.close()
            raise
    except BaseException as exc:
        with _lock:
            del _signing_in[key]
        pending.set_exception(exc)
        raise
    with _lock:
        del _signing_in[key]
        _sources[key] = source
        while len(_sources) > _SHARED:
            _sources.pop(next(iter(_sources)))
    pending.set_result(source)
    return source


#: Signed-in sources by (options, account), the most recent last; at most _SHARED kept.
_sources: dict[tuple[LiveOptions, LiveAccount], LiveSource] = {}
_SHARED = 8
#: Sign-ins under way, by (options, account): the outcome other threads wait for.
_signing_in: dict[tuple[LiveOptions, LiveAccount], concurrent.futures.Future[LiveSource]] = {}
#: How often a thread waiting for another's sign-in wakes to let a pending Ctrl-C through.
_SLICE = 0.1
_lock = threading.Lock()
