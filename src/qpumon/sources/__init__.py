"""Sources: each turns one kind of input into a :class:`~qpumon.model.DeviceSnapshot`, and
:func:`resolve`, the one way a name, a path or an object becomes one.

- :mod:`.bundled`: the IBM snapshots shipped inside qiskit-ibm-runtime (the offline default);
- :mod:`.backend`: any Qiskit ``BackendV2`` object;
- :mod:`.files`: IBM properties/configuration JSON and qpumon's own snapshot JSON;
- :mod:`.ibm_json`: the parser of IBM's raw layout that the others share;
- :mod:`qpumon.sources.ibm_live`: IBM Quantum devices of an account (``ibm_fez``), fetched over
  its REST API;
- :mod:`qpumon.sources.vendor_live`: other vendors' devices (``iqm:garnet``, ``ionq:forte-1``)
  fetched live when the vendor's credentials are configured, else their bundled data.

Every command and API function resolves what the user named through :func:`resolve`, so a name
means the same device everywhere.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AccountError, DeviceNotFoundError, QpumonError, UsageError
from ..model import DeviceSnapshot
from ..util.printable import printable
from .bundled import BundledSource
from .files import load_file, looks_like_file
from .ibm_live.options import is_live_name
from .vendor_live import is_live_vendor_name

if TYPE_CHECKING:
    from .ibm_live.options import LiveOptions

__all__ = [
    "BundledFallbackWarning",
    "BundledSource",
    "Resolution",
    "SourceOptions",
    "default_bundled",
    "is_live_name",
    "load_file",
    "require_live",
    "resolve",
    "resolve_many",
]

#: ``notify(message)``: how :func:`resolve` tells the user something they should know (the CLI
#: writes it to stderr; without one, a :class:`BundledFallbackWarning` is issued).
Notify = Callable[[str], None]

#: The longest device name, in UTF-8 bytes (as a file name's).
MAX_NAME_BYTES = 255
#: What an IBM Quantum name needs to be fetched live.
HOW_TO_ADD_ACCOUNT = "save one with `qpumon login`, or set QISKIT_IBM_TOKEN (or pass --token)"


#: Said when no account of any vendor is configured for a listing.
_OTHER_VENDORS = "; other vendors: see the README's live sections (IQM_TOKEN, IONQ_API_KEY ...)"


class BundledFallbackWarning(UserWarning):
    """An IBM Quantum name was answered with the bundled snapshot, for want of an account."""


@functools.cache
def default_bundled() -> BundledSource:
    """The bundled snapshots of the installed qiskit-ibm-runtime (listed once per process)."""
    return BundledSource()


def resolve(
    spec: Any,
    *,
    live: LiveOptions | None = None,
    offline: bool = False,
    at: datetime | None = None,
    conf: str | Path | None = None,
    require_live: bool = False,
    notify: Notify | None = None,
) -> DeviceSnapshot:
    """The snapshot ``spec`` names: a snapshot, a Qiskit ``BackendV2``, a file path or a name.

    - An IBM Quantum name (``ibm_fez``) with an account (``live``, else the environment and the
      saved accounts) is fetched live, at ``at`` if given. Without an account it is the bundled
      snapshot of that device, with a notice naming it and its date (``offline`` silences the
      notice and never goes online); ``require_live`` refuses instead (recording a frozen
      snapshot under a live name would corrupt a history), and so does ``at``.
    - A file path is read as a calibration file (``conf``: the configuration beside IBM
      properties); any other name is a bundled snapshot (``fake_fez``, ``fez``, ``FEZ``).
    """
    if isinstance(spec, DeviceSnapshot):
        return spec
    if isinstance(spec, str):
        check_name_length(spec)
    if isinstance(spec, Path) or (isinstance(spec, str) and _is_file_name(spec)):
        _refuse_at(at, spec)
        return load_file(Path(spec), Path(conf) if conf is not None else None)
    if isinstance(spec, str):
        return _resolve_name(spec, live, offline, at, require_live, notify)
    if _looks_like_backend(spec):
        _refuse_at(at, type(spec).__name__)
        from .backend import snapshot_from_backend

        return snapshot_from_backend(spec)
    raise UsageError(
        f"cannot read a device from a {type(spec).__name__}: give a device name, a file path or "
        "a Qiskit BackendV2"
    )


@dataclass(frozen=True)
class SourceOptions:
    """Where devices come from, as one bundle: the command line's ``--offline``, ``--at``,
    ``--conf`` and account options, and how to tell the user a notice. Its methods are
    :func:`resolve` and :func:`resolve_many` with these options."""

    live: LiveOptions | None = None
    offline: bool = False
    at: datetime | None = None
    conf: Path | None = None
    notify: Notify | None = None

    def resolve(self, spec: Any, *, require_live: bool = False) -> DeviceSnapshot:
        """The snapshot ``spec`` names (see :func:`resolve`)."""
        return resolve(
            spec,
            live=self.live,
            offline=self.offline,
            at=self.at,
            conf=self.conf,
            require_live=require_live,
            notify=self.notify,
        )

    def require_accounts(self, specs: Sequence[str], doing: str) -> None:
        """Refuse at once, before any work, when one of ``specs`` is an IBM Quantum name that
        cannot be fetched live (no account, or ``--offline``) or, with no ``specs``, when there
        is no account to list devices from: an :class:`AccountError`."""
        if not specs and (self.offline or not (_has_account(self.live) or _any_vendor())):
            why = "--offline was given" if self.offline else "no IBM Quantum account"
            raise AccountError(f"{doing}, but {why}: {HOW_TO_ADD_ACCOUNT}{_OTHER_VENDORS}")
        for spec in specs:
            if is_live_vendor_name(spec):
                _require_vendor(spec, self.offline, doing)
            elif is_live_name(spec) and (self.offline or not _has_account(self.live)):
                _refuse_offline(spec.strip(), self.offline, doing)

    def resolve_many(self, specs: Sequence[Any]) -> list[Resolution]:
        """Each spec's snapshot or error (see :func:`resolve_many`)."""
        return resolve_many(
            specs, live=self.live, offline=self.offline, at=self.at, notify=self.notify
        )


@dataclass(frozen=True)
class Resolution:
    """One spec of :func:`resolve_many`: its snapshot, or the error that prevented it."""

    spec: str
    snapshot: DeviceSnapshot | None = None
    error: QpumonError | None = None


def resolve_many(
    specs: Sequence[Any],
    *,
    live: LiveOptions | None = None,
    offline: bool = False,
    at: datetime | None = None,
    notify: Notify | None = None,
) -> list[Resolution]:
    """:func:`resolve` for each spec, in order; the live ones fetched concurrently. A spec that
    fails becomes a :class:`Resolution` carrying its error; the others carry on."""
    for spec in specs:
        if isinstance(spec, str):
            check_name_length(spec)
    out: dict[int, Resolution] = {}
    live_specs = [] if offline else [(i, s) for i, s in enumerate(specs) if _live_name(s)]
    if live_specs and _has_account(live):
        from .ibm_live import connect

        source = connect(_options(live))
        for (i, spec), result in zip(
            live_specs, source.fetch([s.strip() for _, s in live_specs], at=at), strict=True
        ):
            out[i] = Resolution(spec, result.snapshot, result.failure)
    if not offline:
        out |= _fetch_vendors(specs, live, at)
    for i, spec in enumerate(specs):
        if i in out:
            continue
        try:
            snapshot = resolve(spec, live=live, offline=offline, at=at, notify=notify)
        except QpumonError as exc:
            out[i] = Resolution(str(spec), error=exc)
        else:
            out[i] = Resolution(str(spec), snapshot)
    return [out[i] for i in range(len(specs))]


def check_name_length(spec: str) -> None:
    """A :class:`UsageError` for a device name (no ``/`` in it) longer than
    :data:`MAX_NAME_BYTES`: no device has one, and no file either."""
    size = len(spec.encode("utf-8", "surrogatepass"))
    if "/" not in spec and size > MAX_NAME_BYTES:
        raise UsageError(
            f"{printable(spec[:40])}...: not a device name or a file: {size} bytes long, longer "
            f"than the {MAX_NAME_BYTES} bytes a name may have"
        )


def _resolve_name(
    name: str,
    live: LiveOptions | None,
    offline: bool,
    at: datetime | None,
    require_live: bool,
    notify: Notify | None,
) -> DeviceSnapshot:
    if is_live_vendor_name(name):  # iqm:garnet, ionq:forte-1: live with the vendor's credentials
        from .vendor_live import resolve_live_vendor

        return resolve_live_vendor(
            name, live=live, offline=offline, at=at, require_live=require_live, notify=notify
        )
    if ":" in name:  # google:weber ...: the vendors' bundled names (unknown ones listed)
        from .vendors import resolve_vendor

        _refuse_at(at, name)
        return resolve_vendor(name)
    if not _live_name(name):
        _refuse_at(at, name)
        return default_bundled().load(name)
    if not offline and _has_account(live):
        from .ibm_live import connect

        return connect(_options(live)).snapshot(name.strip(), at=at)
    if require_live or at is not None:
        doing = "--at asks for a past calibration" if at is not None else "this command fetches it"
        _refuse_offline(name, offline, doing)
    bundled = default_bundled()
    if name not in bundled:
        raise DeviceNotFoundError(
            f"{name}: no IBM Quantum account is configured and there is no bundled snapshot "
            f"of that name; {HOW_TO_ADD_ACCOUNT}"
        )
    snapshot = bundled.load(name)
    if not offline:
        _tell(notify, _fallback_notice(name, snapshot))
    return snapshot


def require_live(
    name: str,
    live: LiveOptions | None = None,
    offline: bool = False,
    doing: str = "it is needed",
    history: bool = False,
) -> None:
    """Check that ``name`` can be fetched live: a :class:`UsageError` if it is not an IBM
    Quantum name or a live vendor's (or, with ``history``, a vendor's that keeps no dated past
    calibrations), an :class:`AccountError` (saying how to add one) if there is no account or
    credentials."""
    if is_live_vendor_name(name):
        from .vendor_live import require_configured

        require_configured(name, offline, doing, history)
        return
    if not _live_name(name):
        raise UsageError(
            f"{name}: not an IBM Quantum device name such as ibm_fez; {doing} from IBM Quantum"
        )
    if offline or not _has_account(live):
        _refuse_offline(name, offline, doing)


def _any_vendor() -> bool:
    """True when some live vendor's credentials are configured (a broken configuration counts:
    listing the vendors says what is wrong with it)."""
    from .vendor_live import configured_vendors

    try:
        return bool(configured_vendors())
    except QpumonError:
        return True


def _require_vendor(name: str, offline: bool, doing: str) -> None:
    """An :class:`AccountError` naming what to set, unless ``name``'s vendor is configured."""
    from .vendor_live import require_configured

    require_configured(name, offline, doing)


def _fetch_vendors(
    specs: Sequence[Any], live: LiveOptions | None, at: datetime | None
) -> dict[int, Resolution]:
    """The live vendor names among ``specs`` whose vendor is configured, fetched concurrently."""
    from .vendor_live import LIVE_VENDORS, credentials_of, fetch_live, split_name

    chosen: list[tuple[int, str]] = []
    for i, spec in enumerate(specs):
        if is_live_vendor_name(spec):
            try:
                configured = credentials_of(LIVE_VENDORS[split_name(spec)[0]]) is not None
            except QpumonError:
                configured = True  # the fetch says what is wrong, in this name's row
            if configured:
                chosen.append((i, spec))
    if not chosen:
        return {}
    found = fetch_live([s for _, s in chosen], live=live, at=at)
    return {
        i: Resolution(spec, error=result)
        if isinstance(result, QpumonError)
        else Resolution(spec, result)
        for (i, spec), result in zip(chosen, found, strict=True)
    }


def _refuse_offline(name: str, offline: bool, doing: str) -> None:
    why = "--offline was given" if offline else "no IBM Quantum account is configured"
    raise AccountError(f"{name}: {doing} from IBM Quantum, but {why}; {HOW_TO_ADD_ACCOUNT}")


def _fallback_notice(name: str, snapshot: DeviceSnapshot) -> str:
    when = snapshot.calibrated_at
    dated = f" of {when:%Y-%m-%d}" if when is not None else ""
    return (
        f"{name.strip()}: no IBM Quantum account; showing the bundled snapshot "
        f"{snapshot.name}{dated}"
    )


def _tell(notify: Notify | None, message: str) -> None:
    if notify is not None:
        notify(message)
    else:
        warnings.warn(message, BundledFallbackWarning, stacklevel=4)


def _refuse_at(at: datetime | None, what: object) -> None:
    if at is not None:
        raise UsageError(
            f"--at asks IBM Quantum for a past calibration; {what} is not an IBM Quantum device "
            "(ibm_*)"
        )


def _is_file_name(spec: str) -> bool:
    """A path rather than a device name (a live vendor's name may hold a ``/``: Braket ARNs)."""
    if is_live_vendor_name(spec) and not Path(spec).is_file():
        return False
    return looks_like_file(spec)


def _looks_like_backend(spec: Any) -> bool:
    """A Qiskit backend, recognised by its class (``hasattr(backend, "target")`` would build
    the whole target, as long again as reading the calibration)."""
    kind = type(spec)
    return hasattr(kind, "target") or hasattr(kind, "configuration")


def _live_name(spec: Any) -> bool:
    return isinstance(spec, str) and is_live_name(spec)


def _options(live: LiveOptions | None) -> LiveOptions:
    from .ibm_live.options import LiveOptions

    return live if live is not None else LiveOptions()


def _has_account(live: LiveOptions | None) -> bool:
    from .ibm_live.accounts import has_account

    return has_account(_options(live))
