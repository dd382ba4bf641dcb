"""Where the server's devices come from: which are read once and which are fetched live, and
the live IBM Quantum source behind the latter (signed in on first use, in the collector's
thread, never in a request)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QpumonError
from ..sources import SourceOptions, default_bundled, is_live_name
from ..sources.files import looks_like_file
from ..sources.vendor_live import is_live_vendor_name
from ..util.redaction import redact as redact_secrets
from .state import BUNDLED, FILE, LIVE

if TYPE_CHECKING:
    from ..sources.ibm_live.options import LiveOptions
    from ..sources.ibm_live.source import DeviceResult, LiveSource, StatusResult


@dataclass(frozen=True)
class Plan:
    """The devices to serve: ``static`` specs are read once (bundled names, files, and live
    names when there is no account: their bundled snapshot), ``live`` ones fetched from IBM
    Quantum on a schedule; ``account`` adds every device the account lists."""

    static: tuple[str, ...]
    live: tuple[str, ...]
    account: bool
    source: SourceOptions

    @property
    def has_live(self) -> bool:
        """True if any device is (or may be) fetched live."""
        return bool(self.live) or self.account

    def kind(self, spec: str) -> str:
        """``live``, ``bundled`` or ``file``: how ``spec`` is refreshed."""
        if spec in self.live:
            return LIVE
        return FILE if looks_like_file(spec) else BUNDLED


def make_plan(devices: Sequence[str], source: SourceOptions) -> Plan:
    """The plan for ``devices`` (none: every bundled device, plus the account's when one is
    configured and ``--offline`` was not given)."""
    account = not source.offline and _has_account(source.live)
    if not devices:
        return Plan(tuple(default_bundled().names()), (), account, source)
    unique = list(dict.fromkeys(d.strip() for d in devices if d.strip()))
    live = [d for d in unique if (account and _live_name(d)) or _vendor_live(d, source)]
    static = [d for d in unique if d not in live]
    return Plan(tuple(static), tuple(live), False, source)


def static_name(spec: str) -> str:
    """The name a static device is shown under before it is read (a bundled device's
    canonical name; a file's name until its snapshot names the device)."""
    if looks_like_file(spec):
        return Path(spec).name or spec
    return default_bundled().resolve(spec) or spec


class LiveUpstream:
    """The IBM Quantum devices of the account that ``options`` select, and other vendors' live
    devices (their credentials from where their clients find them)."""

    def __init__(self, options: LiveOptions | None) -> None:
        from ..sources.ibm_live.options import LiveOptions

        self.options = options if options is not None else LiveOptions()

    def _source(self) -> LiveSource:
        from ..sources.ibm_live import connect

        return connect(self.options)  # signed in once per process, then shared

    def names(self) -> list[str]:
        """Every device of the account, sorted (capped: see :meth:`notices`)."""
        return self._source().names()

    def notices(self) -> list[str]:
        """What the last listing left out (too many devices, names too long), a line each."""
        return list(self._source().notices)

    def fetch(self, names: Sequence[str]) -> list[DeviceResult]:
        """The current snapshot (or the error) of each of ``names``, fetched concurrently
        (another vendor's names through :func:`qpumon.sources.vendor_live.fetch_live`)."""
        ibm = [n for n in names if not is_live_vendor_name(n)]
        vendors = [n for n in names if is_live_vendor_name(n)]
        theirs = iter(self._source().fetch(ibm) if ibm else [])
        others = iter(self._vendor_results(vendors) if vendors else [])
        return [next(others if is_live_vendor_name(n) else theirs) for n in names]

    def statuses(self, names: Sequence[str]) -> list[StatusResult]:
        """The status (or the error) of each of ``names``, fetched concurrently (another
        vendor's from its whole answer: their status routes are the calibration's too)."""
        from ..sources.ibm_live.source import StatusResult

        ibm = [n for n in names if not is_live_vendor_name(n)]
        vendors = [n for n in names if is_live_vendor_name(n)]
        theirs = iter(self._source().statuses(ibm) if ibm else [])
        others = iter(
            StatusResult(r.name, r.snapshot.status if r.snapshot else None, r.failure)
            for r in (self._vendor_results(vendors) if vendors else [])
        )
        return [next(others if is_live_vendor_name(n) else theirs) for n in names]

    def _vendor_results(self, names: Sequence[str]) -> list[DeviceResult]:
        from ..sources.ibm_live.source import DeviceResult
        from ..sources.vendor_live import fetch_live

        return [
            DeviceResult(name, None, found)
            if isinstance(found, QpumonError)
            else DeviceResult(name, found)
            for name, found in zip(names, fetch_live(names, live=self.options), strict=True)
        ]

    def secrets(self) -> tuple[str, ...]:
        """The API keys this source may send: never to be shown on a page, metric or log."""
        import os

        from ..sources.ibm_live.accounts import ENV, find_account

        found = [self.options.token, os.environ.get(ENV["token"])]
        try:
            account = find_account(self.options)
        except QpumonError:
            account = None
        if account is not None:
            found.append(account.token)
        from ..sources.vendor_live import registered_secrets

        found += registered_secrets()
        return tuple(dict.fromkeys(s for s in found if s))


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every form of ``secrets`` and of every registered secret hidden
    (:func:`qpumon.util.redaction.redact`)."""
    return redact_secrets(text, *secrets)


def _has_account(live: LiveOptions | None) -> bool:
    from ..sources.ibm_live.accounts import has_account
    from ..sources.ibm_live.options import LiveOptions

    return has_account(live if live is not None else LiveOptions())


def _live_name(spec: str) -> bool:
    return is_live_name(spec)


def _vendor_live(spec: str, source: SourceOptions) -> bool:
    """True for another vendor's name whose credentials are configured (fetched on the same
    schedule as IBM's live devices)."""
    if source.offline or not is_live_vendor_name(spec):
        return False
    from ..sources.vendor_live import LIVE_VENDORS, credentials_of, split_name

    try:
        return credentials_of(LIVE_VENDORS[split_name(spec)[0]]) is not None
    except QpumonError:
        return True  # a broken configuration: each fetch says what is wrong
