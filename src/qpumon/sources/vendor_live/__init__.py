"""Live devices of vendors other than IBM (``iqm:garnet``, ``ionq:forte-1``, ``braket:...``,
``rigetti:...``): when a name is live, how it is fetched, and the fleet of every configured vendor.

The contract (what a vendor module under this package provides, and what the framework does)
============================================================================================

A vendor is a :class:`LiveVendor` in :data:`LIVE_VENDORS` (prefix, module, service name, how to
configure it). Its module ``qpumon.sources.vendor_live.<module>`` defines two functions:

``find_credentials(environ: Mapping[str, str]) -> Credentials | None``
    The credentials exactly where the vendor's official client finds them (environment
    variables, its own files), or None when the vendor is not configured at all. A half or
    broken configuration (a URL without a token, an unreadable tokens file) raises
    :class:`~qpumon.errors.AccountError` (exit 2) naming the variable or file to set; it never
    prompts. The returned object is hashable and has ``secrets`` (every credential string):
    the framework registers them for redaction (:func:`register_secrets`) before any request.

``open_session(credentials, options: LiveOptions) -> VendorSession``
    A session (no I/O yet) with three coroutines, run on the live layer's one event loop
    (:mod:`qpumon.sources.ibm_live.runner`: Ctrl-C cancels them at once):

    - ``devices() -> list[FleetEntry]``: every device the account sees, with status and queue;
    - ``snapshot(device, at) -> DeviceSnapshot``: one device (``device`` as the user wrote it
      after the prefix, any case; ``at`` a UTC datetime for a past calibration, or None). The
      snapshot's ``name`` is ``<prefix>:<device>`` in the vendor's spelling, ``source`` is
      ``live:<prefix>:<device>``, ``vendor`` the prefix, ``status`` set where the vendor says;
    - ``close()``: release connections.

    HTTP vendors use :class:`~.http.VendorHTTP` (the IBM live layer's transport: one total
    deadline per request, 429/5xx retried with backoff and ``Retry-After``, every server text
    redacted); a vendor with its own SDK (boto3) runs it in a thread (``asyncio.to_thread``).

Errors a session raises are :class:`~qpumon.errors.QpumonError` with one line naming the vendor,
the route and the field: a rejected credential (401/403) is a
:class:`~qpumon.errors.TokenRejectedError` (exit 2) saying what to set; other error answers,
timeouts, truncated or non-JSON bodies, and answers without an expected field or with a value out
of range or in an unknown unit are :class:`~qpumon.errors.ServiceError` (exit 3):
:func:`.http.answer_fault` turns a reader's :class:`~qpumon.errors.InputError` into one.

What the framework does with a ``vendor:device`` name (:func:`resolve_live_vendor`): with
credentials (and no ``--offline``) the device is fetched live; otherwise the vendor's bundled
data (:mod:`qpumon.sources.vendors`) answers, with a one-line notice as IBM names get, told to
``notify`` (the command line's stderr; without one, as before live vendors existed, silently;
``--offline`` silences it); a vendor with no bundled data, ``--at`` or a command that must be
live (``record``) refuses with the variables to set. :func:`fetch_live` fetches many names
concurrently (one vendor's failure is that name's error, the others go on); :func:`fleet` lists
every configured vendor's devices for ``overview --live``.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from ...errors import AccountError, DeviceNotFoundError, QpumonError, UsageError
from ...model import DeviceSnapshot, DeviceStatus

if TYPE_CHECKING:
    from ..ibm_live.options import LiveOptions

__all__ = [
    "BY_ID",
    "DATED",
    "LIVE_VENDORS",
    "NO_HISTORY",
    "Credentials",
    "FleetEntry",
    "FleetResult",
    "LiveVendor",
    "VendorSession",
    "configured_vendors",
    "credentials_of",
    "fetch_live",
    "fleet",
    "fleet_snapshots",
    "is_live_vendor_name",
    "register_secrets",
    "registered_secrets",
    "require_configured",
    "resolve_live_vendor",
    "split_name",
]

Notify = Callable[[str], None]


@dataclass(frozen=True)
class LiveVendor:
    """A vendor whose names (``<name>:<device>``) can be live: its module under this package,
    the service's name in messages, and how a user configures it (quoted by every error about a
    credential). ``bundled``: whether :mod:`qpumon.sources.vendors` has offline data under the
    same prefix to fall back to. ``history``: what the vendor keeps of past calibrations:
    :data:`DATED` (any past time can be asked for: ``--at``, ``backfill``), :data:`BY_ID` (a past
    calibration is fetched by its id only, and ``--at`` finds only the current one: no route lists
    the others) or :data:`NO_HISTORY` (``--at`` and ``backfill`` are refused at once, exit 2)."""

    name: str
    module: str
    service: str
    how_to_configure: str
    bundled: bool = False
    history: str = "none"


#: What a vendor keeps of past calibrations (:attr:`LiveVendor.history`).
DATED, BY_ID, NO_HISTORY = "dated", "by id", "none"

#: The live vendors by prefix. Each engineer adding a vendor adds its entry and its module.
LIVE_VENDORS: dict[str, LiveVendor] = {
    v.name: v
    for v in (
        LiveVendor(
            "iqm",
            "iqm",
            "IQM Resonance",
            "set IQM_SERVER_URL and IQM_TOKEN (or IQM_TOKENS_FILE, the path of a tokens file)",
            bundled=True,
            history=BY_ID,
        ),
        LiveVendor(
            "ionq",
            "ionq",
            "IonQ",
            "set IONQ_API_KEY (and IONQ_API_URL for another host)",
            history=DATED,
        ),
        LiveVendor(
            "braket",
            "braket",
            "Amazon Braket",
            "configure AWS credentials as boto3 reads them (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials)",
        ),
        LiveVendor(
            "rigetti",
            "rigetti",
            "Rigetti QCS",
            "put a QCS token in ~/.qcs/secrets.toml (or QCS_SECRETS_FILE_PATH) with "
            "~/.qcs/settings.toml (or QCS_SETTINGS_FILE_PATH; QCS_PROFILE_NAME picks a profile)",
        ),
    )
}


class Credentials(Protocol):
    """What a vendor's ``find_credentials`` returns: hashable, with every secret string."""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential string (tokens, keys) to redact from any output."""

    def __hash__(self) -> int:
        """Sessions are shared by (vendor, credentials, options)."""


@dataclass(frozen=True)
class FleetEntry:
    """One device a vendor lists: its qpumon name, size and status (queue included)."""

    name: str
    num_qubits: int | None = None
    status: DeviceStatus | None = None
    #: The vendor's average queue time in seconds, where it states one (IonQ).
    queue_seconds: float | None = None
    #: Whether it has calibration data worth a snapshot (simulators have none).
    calibrated: bool = True


@dataclass(frozen=True)
class FleetResult:
    """Every configured vendor's devices, and the vendors that failed (vendor -> one line)."""

    entries: tuple[FleetEntry, ...] = ()
    failures: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The calibrated devices' names, in vendor order."""
        return [e.name for e in self.entries if e.calibrated]


class VendorSession(Protocol):
    """A vendor's live session (see the module's contract)."""

    async def devices(self) -> list[FleetEntry]:
        """Every device the account sees, with status and queue."""

    async def snapshot(self, device: str, at: datetime | None) -> DeviceSnapshot:
        """The snapshot of ``device`` (at ``at``, or the current calibration)."""

    async def close(self) -> None:
        """Release connections."""


class _VendorModule(Protocol):
    def find_credentials(self, environ: Mapping[str, str]) -> Credentials | None: ...

    def open_session(self, credentials: Any, options: LiveOptions) -> VendorSession: ...


_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secrets(*secrets: str | None) -> None:
    """Note credentials that must never be shown: every error of the vendor layer is redacted
    against them (:func:`registered_secrets`), and the process-wide redaction hook of the error
    layer, where there is one, is told too."""
    found = [s for s in secrets if s]
    with _secrets_lock:
        _secrets.update(found)
    _register_process_wide(found)


def _register_process_wide(secrets: Sequence[str]) -> None:
    """Tell the process-wide redaction (:mod:`qpumon.util.redaction`, which the command line's
    error printing and the server's logs use) about ``secrets``."""
    from ...util.redaction import register_secret

    for secret in secrets:
        register_secret(secret)


def registered_secrets() -> tuple[str, ...]:
    """Every credential registered in this process."""
    with _secrets_lock:
        return tuple(_secrets)


def split_name(name: str) -> tuple[str, str]:
    """``("iqm", "garnet")`` for ``" IQM:Garnet "``."""
    prefix, _, device = name.strip().partition(":")
    return prefix.strip().lower(), device.strip()


def is_live_vendor_name(name: Any) -> bool:
    """True for a ``vendor:device`` name of a vendor that can be live."""
    return isinstance(name, str) and ":" in name and split_name(name)[0] in LIVE_VENDORS


def _module(vendor: LiveVendor) -> _VendorModule:
    return cast(_VendorModule, importlib.import_module(f"{__name__}.{vendor.module}"))


def credentials_of(vendor: LiveVendor, environ: Mapping[str, str] | None = None) -> Any:
    """The vendor's credentials (None: not configured), registered for redaction."""
    found = _module(vendor).find_credentials(os.environ if environ is None else environ)
    if found is not None:
        register_secrets(*found.secrets)
    return found


def configured_vendors(environ: Mapping[str, str] | None = None) -> list[LiveVendor]:
    """The live vendors whose credentials are configured (a broken configuration raises)."""
    return [v for v in LIVE_VENDORS.values() if credentials_of(v, environ) is not None]


_sessions: dict[tuple[str, Any, Any], VendorSession] = {}
_sessions_lock = threading.Lock()


def _session(vendor: LiveVendor, credentials: Any, options: LiveOptions) -> VendorSession:
    """One session per (vendor, credentials, options) in a process (``--watch`` reuses it)."""
    key = (vendor.name, credentials, options)
    with _sessions_lock:
        found = _sessions.get(key)
        if found is None:
            found = _sessions[key] = _module(vendor).open_session(credentials, options)
        return found


def _options(options: LiveOptions | None) -> LiveOptions:
    from ..ibm_live.options import LiveOptions

    return options if options is not None else LiveOptions()


def _refuse(vendor: LiveVendor, name: str, offline: bool, doing: str) -> AccountError:
    why = "--offline was given" if offline else f"no {vendor.service} account is configured"
    return AccountError(
        f"{name}: {doing} from {vendor.service}, but {why}: {vendor.how_to_configure}"
    )


def require_configured(name: str, offline: bool, doing: str, history: bool = False) -> None:
    """An :class:`AccountError` saying what to set, unless ``name``'s vendor is configured (and
    ``offline`` is not set): for the commands that must fetch live (``record``, ``backfill``).
    With ``history`` (``backfill``), first a :class:`UsageError` unless the vendor keeps dated
    past calibrations (:data:`DATED`), before any credential is looked for."""
    vendor = LIVE_VENDORS[split_name(name)[0]]
    if history and vendor.history != DATED:
        raise UsageError(_no_history(vendor, name.strip(), "backfill has no past to walk"))
    if offline or credentials_of(vendor) is None:
        raise _refuse(vendor, name.strip(), offline, doing)


def resolve_live_vendor(
    name: str,
    *,
    live: LiveOptions | None = None,
    offline: bool = False,
    at: datetime | None = None,
    require_live: bool = False,
    notify: Notify | None = None,
) -> DeviceSnapshot:
    """The snapshot of a live vendor's ``name`` (see the module's contract)."""
    vendor = LIVE_VENDORS[split_name(name)[0]]
    _check_history(vendor, name, at)
    credentials = None if offline else credentials_of(vendor)
    if credentials is not None:
        return _fetch_one(vendor, credentials, name, live, at)
    if at is not None or require_live or "@" in name:
        doing = "this command fetches it"
        if at is not None or "@" in name:
            doing = (
                "--at asks for a past calibration" if at is not None else "a past set is fetched"
            )
        raise _refuse(vendor, name.strip(), offline, doing)
    if not vendor.bundled:
        raise _refuse(vendor, name.strip(), offline, "it is only available live")
    from ..vendors import resolve_vendor

    try:
        snapshot = resolve_vendor(name)
    except DeviceNotFoundError as exc:
        raise DeviceNotFoundError(f"{exc}; for a live device, {vendor.how_to_configure}") from exc
    if not offline and notify is not None:
        notify(_fallback_notice(vendor, name, snapshot))
    return snapshot


def _no_history(vendor: LiveVendor, name: str, what: str) -> str:
    """One line: what ``vendor`` keeps of past calibrations, so ``what`` is refused."""
    device = split_name(name)[1]
    if vendor.history == BY_ID:
        return (
            f"{name}: {vendor.service} lists no past calibration sets (its API has no route for "
            f"them), so {what}; fetch a past set by its id ({vendor.name}:{device}@<calibration "
            f"set id>), or record each new one with `qpumon watch {name}`"
        )
    return (
        f"{name}: {vendor.service} keeps no calibration history, so {what}; record it from now "
        f"on with `qpumon watch {name}`"
    )


def _check_history(vendor: LiveVendor, name: str, at: datetime | None) -> None:
    """A :class:`UsageError` for ``at`` on a vendor that keeps no history (before any request)."""
    if at is not None and vendor.history == NO_HISTORY:
        refused = "--at cannot ask for a past calibration"
        raise UsageError(_no_history(vendor, name.strip(), refused))


def _fallback_notice(vendor: LiveVendor, name: str, snapshot: DeviceSnapshot) -> str:
    when = snapshot.calibrated_at
    dated = f" of {when:%Y-%m-%d}" if when is not None else " (vendor sample data)"
    return (
        f"{name.strip()}: no {vendor.service} credentials; showing the bundled snapshot "
        f"{snapshot.name}{dated}"
    )


def _fetch_one(
    vendor: LiveVendor, credentials: Any, name: str, live: LiveOptions | None, at: datetime | None
) -> DeviceSnapshot:
    from ..ibm_live import runner

    session = _session(vendor, credentials, _options(live))
    return runner.run(session.snapshot(split_name(name)[1], at))


def fetch_live(
    names: Sequence[str], *, live: LiveOptions | None = None, at: datetime | None = None
) -> list[DeviceSnapshot | QpumonError]:
    """Each live vendor name's snapshot or error, fetched concurrently (every vendor named must
    be configured: check with :func:`credentials_of`; one that is not gives its error)."""
    import asyncio  # here, not at the top: ``qpumon monitor fake_fez`` needs no event loop

    from ..ibm_live import runner

    options = _options(live)

    async def one(name: str) -> DeviceSnapshot | QpumonError:
        vendor = LIVE_VENDORS[split_name(name)[0]]
        try:
            _check_history(vendor, name, at)
            credentials = credentials_of(vendor)
            if credentials is None:
                raise _refuse(vendor, name.strip(), False, "it is fetched live")
            session = _session(vendor, credentials, options)
            return await session.snapshot(split_name(name)[1], at)
        except QpumonError as exc:
            return exc

    async def every() -> list[DeviceSnapshot | QpumonError]:
        return list(await asyncio.gather(*(one(n) for n in names)))

    return runner.run(every())


def fleet(
    *, live: LiveOptions | None = None, offline: bool = False, at: datetime | None = None
) -> FleetResult:
    """Every configured vendor's devices with status and queue, concurrently; a vendor that
    fails (a broken configuration included) is in ``failures`` and the others are listed
    (:func:`fleet_snapshots` also fetches each calibrated device)."""
    return fleet_snapshots(live=live, offline=offline, at=at, fetch=False)[0]


def fleet_snapshots(
    *,
    live: LiveOptions | None = None,
    offline: bool = False,
    at: datetime | None = None,
    fetch: bool = True,
) -> tuple[FleetResult, list[tuple[str, DeviceSnapshot | QpumonError]]]:
    """:func:`fleet`, and (with ``fetch``) each calibrated device's snapshot or error, in the
    listing's order: every vendor's devices are fetched as soon as that vendor has listed them
    (a slow vendor never holds up the others), all vendors at once."""
    if offline:
        return FleetResult(), []
    import asyncio

    from ..ibm_live import runner

    options = _options(live)
    failures: dict[str, str] = {}
    sessions: list[tuple[LiveVendor, VendorSession]] = []
    for vendor in LIVE_VENDORS.values():
        try:
            credentials = credentials_of(vendor)
        except QpumonError as exc:
            failures[vendor.name] = str(exc)
            continue
        if credentials is not None:
            sessions.append((vendor, _session(vendor, credentials, options)))

    async def snapshot(
        vendor: LiveVendor, session: VendorSession, entry: FleetEntry
    ) -> tuple[str, DeviceSnapshot | QpumonError]:
        try:
            _check_history(vendor, entry.name, at)
            return entry.name, await session.snapshot(split_name(entry.name)[1], at)
        except QpumonError as exc:
            return entry.name, exc

    async def listed(vendor: LiveVendor, session: VendorSession) -> Any:
        try:
            entries = await session.devices()
        except QpumonError as exc:
            return exc
        chosen = [e for e in entries if e.calibrated] if fetch else []
        return entries, await asyncio.gather(*(snapshot(vendor, session, e) for e in chosen))

    async def every() -> list[Any]:
        return list(await asyncio.gather(*(listed(v, s) for v, s in sessions)))

    entries: list[FleetEntry] = []
    fetched: list[tuple[str, DeviceSnapshot | QpumonError]] = []
    for (vendor, _), found in zip(sessions, runner.run(every()) if sessions else [], strict=True):
        if isinstance(found, QpumonError):
            failures[vendor.name] = str(found)
        else:
            entries.extend(found[0])
            fetched.extend(found[1])
    return FleetResult(tuple(entries), failures), fetched
