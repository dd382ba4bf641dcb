"""Which IBM Quantum account to use, and ``qpumon login``'s saving of one.

Accounts live where qiskit-ibm-runtime keeps them (``~/.qiskit/qiskit-ibm.json``); qpumon reads
and writes them only through the client (``AccountManager``, ``QiskitRuntimeService.save_account``)
and keeps the file readable by its owner only. The order of precedence: ``--token`` (with the
environment's instance, channel and URL), ``--account NAME``, ``QISKIT_IBM_TOKEN``, then the
client's default saved account.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QpumonError
from .faults import HOW_TO_SET_TOKEN, redact
from .options import CHANNELS, LiveOptions
from .private import ensure_private

DEFAULT_CHANNEL = "ibm_quantum_platform"
#: The IBM Cloud URL the client uses when an account names none.
IBM_CLOUD_URL = "https://cloud.ibm.com"
_ENV = {
    "token": "QISKIT_IBM_TOKEN",
    "instance": "QISKIT_IBM_INSTANCE",
    "channel": "QISKIT_IBM_CHANNEL",
    "url": "QISKIT_IBM_URL",
}


@dataclass(frozen=True)
class LiveAccount:
    """The account a live command uses; ``origin`` says where it came from (for messages)."""

    channel: str
    token: str = field(repr=False)
    instance: str | None
    url: str | None
    origin: str
    verify: bool = True


def account_file(options: LiveOptions | None = None) -> Path:
    """The client's account file (``~/.qiskit/qiskit-ibm.json`` unless ``options`` name one)."""
    if options is not None and options.account_file is not None:
        return options.account_file
    return Path(os.path.expanduser("~")) / ".qiskit" / "qiskit-ibm.json"


def has_account(options: LiveOptions) -> bool:
    """True if a token is given or an account is saved; cheap: does not import the client."""
    if options.token or options.account or os.environ.get(_ENV["token"]):
        return True
    try:
        saved = json.loads(account_file(options).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(saved, dict) and any(
        isinstance(a, dict) and a.get("channel") in CHANNELS for a in saved.values()
    )


def find_account(options: LiveOptions) -> LiveAccount | None:
    """The account to use, or None when no token is given and none is saved."""
    env = {key: os.environ.get(name) or None for key, name in _ENV.items()}
    if options.token:
        return _given(options.token, "--token", options, env)
    if options.account:
        return _saved(options, options.account)
    if env["token"]:
        return _given(env["token"], _ENV["token"], options, env)
    if not has_account(options):
        return None
    return _saved(options, None)


def _given(
    token: str, origin: str, options: LiveOptions, env: dict[str, str | None]
) -> LiveAccount:
    channel = options.channel or env["channel"] or DEFAULT_CHANNEL
    _check_channel(channel)
    return LiveAccount(
        channel=channel,
        token=token,
        instance=options.instance or env["instance"],
        url=options.url or env["url"],
        origin=origin,
    )


def _saved(options: LiveOptions, name: str | None) -> LiveAccount:
    from qiskit_ibm_runtime.accounts import AccountManager, AccountNotFoundError

    path = account_file(options)
    try:
        found = AccountManager.get(filename=str(path), name=name, channel=options.channel)
    except AccountNotFoundError:
        raise QpumonError(_not_saved(path, name)) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise QpumonError(f"{path}: cannot read the saved IBM Quantum accounts ({exc})") from None
    if found is None:
        raise QpumonError(_not_saved(path, name))
    origin = f"saved account {name!r}" if name else f"the default saved account in {path}"
    return LiveAccount(
        channel=found.channel or DEFAULT_CHANNEL,
        token=found.token,
        instance=options.instance or found.instance,
        url=options.url or found.url,
        origin=origin,
        verify=found.verify is not False,
    )


def _not_saved(path: Path, name: str | None) -> str:
    names = saved_names(path)
    listed = f" (saved: {', '.join(names)})" if names else ""
    wanted = f"no IBM Quantum account named {name!r}" if name else "no saved IBM Quantum account"
    return f"{wanted} in {path}{listed}; save one with `qpumon login`"


def saved_names(path: Path) -> list[str]:
    """The names of the accounts saved in ``path`` (empty if none or unreadable)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(saved) if isinstance(saved, dict) else []


def _default_name(channel: str) -> str:
    """The name the client saves an unnamed account under."""
    return f"default-{channel.replace('_', '-')}"


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise QpumonError(
            f"channel: {channel!r} is not an IBM Quantum channel; "
            f"choose one of {', '.join(CHANNELS)}"
        )


def require_instance(account: LiveAccount) -> str:
    """The account's instance CRN; a clear error when it has none or gives a bare name."""
    instance = account.instance
    if not instance:
        raise QpumonError(
            f"the IBM Quantum account ({account.origin}) names no instance: pass --instance CRN, "
            "set QISKIT_IBM_INSTANCE or save it with `qpumon login --instance CRN`"
        )
    if not instance.startswith("crn:"):
        raise QpumonError(
            f"instance {instance!r} is a name; give the instance's CRN (crn:v1:...), shown on "
            "the IBM Quantum Platform's Instances page"
        )
    return instance


def save_login(
    token: str,
    *,
    name: str | None = None,
    instance: str | None = None,
    channel: str | None = None,
    url: str | None = None,
    set_as_default: bool = True,
    overwrite: bool = False,
    path: Path | None = None,
) -> Path:
    """Save an account with the client's own ``save_account``; the file is made owner-only."""
    from qiskit_ibm_runtime import QiskitRuntimeService
    from qiskit_ibm_runtime.accounts import AccountAlreadyExistsError, InvalidAccountError

    channel = channel or os.environ.get(_ENV["channel"]) or DEFAULT_CHANNEL
    _check_channel(channel)
    target = path or account_file()
    ensure_private(target)
    arguments: dict[str, Any] = {
        "token": token,
        "url": url,
        "instance": instance,
        "channel": channel,
        "filename": str(target),
        "name": name,
        "set_as_default": set_as_default,
        "overwrite": overwrite,
    }
    try:
        QiskitRuntimeService.save_account(**arguments)
    except AccountAlreadyExistsError:
        raise QpumonError(
            f"{target}: an account named {name or _default_name(channel)!r} is already saved; "
            "pass --overwrite to replace it"
        ) from None
    except InvalidAccountError as exc:
        raise QpumonError(f"login: {redact(str(exc), token)}; {HOW_TO_SET_TOKEN}") from None
    finally:
        ensure_private(target)
    return target
