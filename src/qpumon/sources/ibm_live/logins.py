"""``qpumon login``: sign in, find the account's instances and devices, save the account.

The account is saved in the official client's file and format (what
``QiskitRuntimeService.save_account`` writes: ``channel``, ``token``, ``url``, ``instance``,
``private_endpoint`` and, when given, ``proxies``, ``verify``, ``region``, ``plans_preference``,
``tags``, plus ``is_default_account``), so the client reads it and qpumon reads the client's. The
file is replaced atomically and readable by its owner only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import AccountError, UsageError
from ...util.output import write_output
from .accounts import (
    DEFAULT_CHANNEL,
    ENV,
    account_file,
    check_channel,
    default_name,
    read_saved,
)
from .endpoints import IBM_CLOUD_URL
from .instances import Instance
from .options import DEFAULT_TIMEOUT, LiveOptions

REGIONS = ("us-east", "eu-de")


@dataclass(frozen=True)
class LoginResult:
    """What :func:`login` found and saved: the file, the account's name in it, whether it is the
    default, and (when it signed in) the instances and devices the account reaches."""

    path: Path
    name: str
    default: bool
    checked: bool
    instances: tuple[Instance, ...] = ()
    devices: tuple[str, ...] = ()


def login(
    token: str,
    *,
    name: str | None = None,
    instance: str | None = None,
    channel: str | None = None,
    url: str | None = None,
    region: str | None = None,
    plans_preference: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    proxies: Mapping[str, Any] | None = None,
    verify: bool | None = None,
    private_endpoint: bool = False,
    set_as_default: bool | None = None,
    overwrite: bool = False,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    path: Path | None = None,
) -> LoginResult:
    """Sign in with ``token`` (unless ``check`` is false), list the instances and devices it
    reaches, and save the account under ``name`` (default: the client's default name, which is
    then the default account) in ``path`` (default: ``~/.qiskit/qiskit-ibm.json``).

    ``proxies`` is the client's form: ``{"urls": {"https": "http://proxy:8080"}}``. Nothing is
    saved when the sign-in fails, or when ``name`` is taken and ``overwrite`` is false.
    """
    import os

    channel = check_channel(channel or os.environ.get(ENV["channel"]) or DEFAULT_CHANNEL)
    entry = saved_entry(
        token, channel=channel, url=url, instance=instance, region=region,
        plans_preference=plans_preference, tags=tags, proxies=proxies, verify=verify,
        private_endpoint=private_endpoint,
    )  # fmt: skip
    target = path or account_file()
    chosen = name or default_name(channel)
    default = set_as_default if set_as_default is not None else name is None
    _check_free(read_saved(target), chosen, default, overwrite, target)
    instances: tuple[Instance, ...] = ()
    devices: tuple[str, ...] = ()
    if check:
        instances, devices = _sign_in(entry, timeout)
    save_account(entry, chosen, target, set_as_default=default, overwrite=overwrite)
    return LoginResult(target, chosen, default, check, instances, devices)


def _sign_in(entry: dict[str, Any], timeout: float) -> tuple[tuple[Instance, ...], tuple[str, ...]]:
    from . import connect
    from .accounts import account_from_saved

    account = account_from_saved(entry, "the account being saved", "login")
    with connect(LiveOptions(timeout=timeout), account=account) as source:
        devices = tuple(source.names())
        return tuple(source.instances()), devices


def saved_entry(
    token: str,
    *,
    channel: str = DEFAULT_CHANNEL,
    url: str | None = None,
    instance: str | None = None,
    region: str | None = None,
    plans_preference: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    proxies: Mapping[str, Any] | None = None,
    verify: bool | None = None,
    private_endpoint: bool = False,
) -> dict[str, Any]:
    """One account as the client saves it (its ``Account.to_saved_format``), validated as the
    client validates it."""
    if not isinstance(token, str) or not token.strip():
        raise UsageError("login: the API key is empty; pass --token or set QISKIT_IBM_TOKEN")
    if region is not None and region not in REGIONS:
        raise UsageError(f"region: expected one of {', '.join(REGIONS)}, got {region!r}")
    values: dict[str, Any] = {
        "channel": check_channel(channel),
        "token": token.strip(),
        "url": url or IBM_CLOUD_URL,
        "instance": instance,
        "proxies": dict(proxies) if proxies else None,
        "verify": verify,
        "private_endpoint": bool(private_endpoint),
        "region": region,
        "plans_preference": list(plans_preference) if plans_preference else None,
        "tags": list(tags) if tags else None,
    }
    return {k: v for k, v in values.items() if v is not None}


def _check_free(
    saved: Mapping[str, Any], name: str, default: bool, overwrite: bool, path: Path
) -> None:
    if overwrite:
        return
    if name in saved:
        raise AccountError(
            f"{path}: an account named {name!r} is already saved; pass --overwrite to replace it"
        )
    other = next((n for n, a in saved.items() if n != name and a.get("is_default_account")), None)
    if default and other is not None:
        raise AccountError(
            f"{path}: {other!r} is the default account; pass --overwrite to make {name!r} the "
            "default instead, or save it under --name without making it the default"
        )


def save_account(
    entry: Mapping[str, Any],
    name: str,
    path: Path,
    *,
    set_as_default: bool = False,
    overwrite: bool = False,
) -> None:
    """Add ``entry`` to the accounts in ``path`` under ``name`` (as the client's
    ``save_config``: sorted keys, four-space indent), owner-only."""
    saved = read_saved(path)
    _check_free(saved, name, set_as_default, overwrite, path)
    saved[name] = dict(entry)
    if set_as_default:
        saved[name]["is_default_account"] = True
        for other, account in saved.items():
            if other != name:
                account.pop("is_default_account", None)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_output(path, json.dumps(saved, sort_keys=True, indent=4), private=True)
