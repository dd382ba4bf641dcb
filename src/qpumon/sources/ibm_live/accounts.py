"""Which IBM Quantum account a live command uses, read from where the official client keeps them.

The order of precedence: ``--token`` (with ``--instance``/``--channel``/``--url`` or the
environment's ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``, ``QISKIT_IBM_URL``), ``--account
NAME``, ``QISKIT_IBM_TOKEN``, then the default saved account. Saved accounts are the official
client's file, ``~/.qiskit/qiskit-ibm.json``: a JSON object of named accounts, each with
``channel``, ``token``, ``url``, ``instance``, ``proxies``, ``verify``, ``private_endpoint``,
``region``, ``plans_preference`` and ``tags``, read here without the client, and the default one
chosen as the client chooses it (``AccountManager.get``). :mod:`.logins` writes the same format.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import AccountError
from ...util.redaction import register_secret
from .options import CHANNELS, LiveOptions

DEFAULT_CHANNEL = "ibm_quantum_platform"
ENV = {
    "token": "QISKIT_IBM_TOKEN",
    "instance": "QISKIT_IBM_INSTANCE",
    "channel": "QISKIT_IBM_CHANNEL",
    "url": "QISKIT_IBM_URL",
}
HOW_TO_ADD = "save one with `qpumon login`, or set QISKIT_IBM_TOKEN (or pass --token)"


@dataclass(frozen=True)
class LiveAccount:
    """The account a live command uses; ``origin`` says where it came from (for messages).

    ``instance`` is a CRN, an instance name, or None (every instance of the account, filtered by
    ``region``, ``plans_preference`` and ``tags``). ``proxies`` pairs ``https``, ``http``,
    ``all`` or ``scheme://host`` with a proxy URL, as the client's ``ProxyConfiguration.urls``
    maps them.
    """

    token: str = field(repr=False)
    channel: str = DEFAULT_CHANNEL
    instance: str | None = None
    url: str | None = None
    origin: str = "the given token"
    verify: bool = True
    private_endpoint: bool = False
    proxies: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    region: str | None = None
    plans_preference: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        register_secret(self.token)  # never shown, whatever a service echoes
        for _, url in self.proxies:
            register_secret(urlsplit(url).password)


def account_file(options: LiveOptions | None = None) -> Path:
    """The client's account file (``~/.qiskit/qiskit-ibm.json`` unless ``options`` name one)."""
    if options is not None and options.account_file is not None:
        return options.account_file
    return Path(os.path.expanduser("~")) / ".qiskit" / "qiskit-ibm.json"


def read_saved(path: Path) -> dict[str, Any]:
    """The accounts saved in ``path`` (empty if there is no file); an error if it is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise AccountError(
            f"{path}: cannot read the saved IBM Quantum accounts ({exc.strerror})"
        ) from exc
    try:
        saved = json.loads(text)
    except ValueError as exc:
        raise AccountError(
            f"{path}: the saved IBM Quantum accounts are not valid JSON ({exc}); fix or remove "
            "the file and run `qpumon login`"
        ) from exc
    if not isinstance(saved, dict):
        raise AccountError(f"{path}: expected a JSON object of named accounts")
    return {k: v for k, v in saved.items() if isinstance(v, dict)}


def has_account(options: LiveOptions) -> bool:
    """True if a token is given or an account is saved; cheap: no network, no client."""
    if options.token or options.account or os.environ.get(ENV["token"]):
        return True
    try:
        saved = read_saved(account_file(options))
    except AccountError:
        return True  # connect() reports what is wrong with the file
    return any(a.get("channel") in CHANNELS for a in saved.values())


def find_account(options: LiveOptions) -> LiveAccount | None:
    """The account to use, or None when no token is given and none is saved."""
    env = {key: os.environ.get(name) or None for key, name in ENV.items()}
    if options.token:
        return _given(options.token, "--token", options, env)
    if options.account:
        return _saved(options, options.account)
    if env["token"]:
        return _given(env["token"], ENV["token"], options, env)
    if not has_account(options):
        return None
    return _saved(options, None)


def _instance(value: str | None) -> str | None:
    """The client's ``instance="auto"`` means: choose among the account's instances."""
    return None if not value or value == "auto" else value


def _given(
    token: str, origin: str, options: LiveOptions, env: dict[str, str | None]
) -> LiveAccount:
    channel = check_channel(options.channel or env["channel"] or DEFAULT_CHANNEL)
    return LiveAccount(
        token=token,
        channel=channel,
        instance=_instance(options.instance or env["instance"]),
        url=options.url or env["url"],
        origin=origin,
    )


def _saved(options: LiveOptions, name: str | None) -> LiveAccount:
    path = account_file(options)
    saved = {k: v for k, v in read_saved(path).items() if v.get("channel") in CHANNELS}
    if name is not None:
        chosen = saved.get(name)
        origin = f"saved account {name!r}"
    else:
        name = default_saved_name(saved, options.channel)
        chosen = saved.get(name) if name is not None else None
        origin = f"the default saved account in {path}"
    if chosen is None:
        raise AccountError(_not_saved(path, name if options.account else None))
    account = account_from_saved(chosen, origin, f"{path}: account {name!r}")
    overrides = {"instance": _instance(options.instance), "url": options.url}
    return _replace(account, {k: v for k, v in overrides.items() if v})


def _replace(account: LiveAccount, changes: dict[str, Any]) -> LiveAccount:
    from dataclasses import replace

    return replace(account, **changes) if changes else account


def default_saved_name(saved: Mapping[str, Mapping[str, Any]], channel: str | None) -> str | None:
    """The name of the account the client would load by default (``AccountManager.get``)."""
    found = _default_of(saved, channel)
    if found is None:
        found = _default_of(saved, channel or os.environ.get(ENV["channel"]) or DEFAULT_CHANNEL)
    if found is None:
        found = next((default_name(c) for c in CHANNELS if default_name(c) in saved), None)
    return found


def _default_of(saved: Mapping[str, Mapping[str, Any]], channel: str | None) -> str | None:
    if channel is None:
        return next((n for n, a in saved.items() if a.get("is_default_account")), None)
    of_channel = [n for n, a in saved.items() if a.get("channel") == channel]
    marked = [n for n in of_channel if saved[n].get("is_default_account")]
    if marked:
        return marked[0]
    if default_name(channel) in of_channel:
        return default_name(channel)
    return of_channel[-1] if of_channel else None


def account_from_saved(data: Mapping[str, Any], origin: str, where: str) -> LiveAccount:
    """A saved account entry as a :class:`LiveAccount`; an error naming ``where`` if unusable."""
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise AccountError(f"{where} has no token; save it again with `qpumon login`")
    return LiveAccount(
        token=token,
        channel=check_channel(str(data.get("channel") or DEFAULT_CHANNEL)),
        instance=_instance(_text(data, "instance", where)),
        url=_text(data, "url", where),
        origin=origin,
        verify=data.get("verify", True) is not False,
        private_endpoint=bool(data.get("private_endpoint") or False),
        proxies=proxy_urls(data.get("proxies"), where),
        region=_text(data, "region", where),
        plans_preference=_texts(data, "plans_preference", where),
        tags=_texts(data, "tags", where),
    )


def _text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise AccountError(f"{where}: {key} must be a string, got {type(value).__name__}")
    return value or None


def _texts(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AccountError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def proxy_urls(proxies: Any, where: str) -> tuple[tuple[str, str], ...]:
    """The proxy URLs of a saved ``proxies`` entry (the client's ``ProxyConfiguration``)."""
    if not proxies:
        return ()
    if not isinstance(proxies, dict):
        raise AccountError(f"{where}: proxies must be an object with urls")
    if proxies.get("username_ntlm") or proxies.get("password_ntlm"):
        raise AccountError(
            f"{where}: NTLM proxy authentication is not supported by qpumon; put the proxy's "
            "credentials in its URL (http://user:password@host:port) instead"
        )
    urls = proxies.get("urls") or {}
    if not isinstance(urls, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in urls.items()
    ):
        raise AccountError(f"{where}: proxies.urls must map protocols to proxy URLs")
    return tuple(sorted(urls.items()))


def _not_saved(path: Path, name: str | None) -> str:
    names = saved_names(path)
    listed = f" (saved: {', '.join(names)})" if names else ""
    wanted = f"no IBM Quantum account named {name!r}" if name else "no saved IBM Quantum account"
    return f"{wanted} in {path}{listed}; save one with `qpumon login`"


def saved_names(path: Path) -> list[str]:
    """The names of the accounts saved in ``path`` (empty if none or unreadable)."""
    try:
        return sorted(read_saved(path))
    except AccountError:
        return []


def default_name(channel: str) -> str:
    """The name the client saves an unnamed account of ``channel`` under."""
    return "default-ibm-cloud" if channel == "ibm_cloud" else "default-ibm-quantum-platform"


def check_channel(channel: str) -> str:
    """``channel`` if the official client knows it; an error listing the channels otherwise."""
    if channel not in CHANNELS:
        raise AccountError(
            f"channel: {channel!r} is not an IBM Quantum channel; "
            f"choose one of {', '.join(CHANNELS)}"
        )
    return channel
