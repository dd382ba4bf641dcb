"""Rigetti QCS live, over its REST API: ``rigetti:Ankaa-3``, ``rigetti:Aspen-M-3`` (any case).

Credentials where the QCS clients (qcs-api-client, pyQuil, the QCS CLI) find them: the settings
file ``~/.qcs/settings.toml`` (``QCS_SETTINGS_FILE_PATH`` or ``QCS_SETTINGS_PATH`` elsewhere)
and the secrets file ``~/.qcs/secrets.toml`` (``QCS_SECRETS_FILE_PATH`` or
``QCS_SECRETS_PATH``). The profile is ``QCS_PROFILE_NAME``, else the settings'
``default_profile_name``, else ``default``; its ``api_url`` (``QCS_SETTINGS_APPLICATIONS_API_URL``
overrides it; default ``https://api.qcs.rigetti.com``) and its ``credentials_name`` pick the
``[credentials.<name>.token_payload]`` of the secrets file, whose ``access_token`` signs every
request (``Authorization: Bearer``). When QCS refuses it and the payload has a
``refresh_token``, a new access token is asked once from the profile's authorization server
(``{issuer}/v1/token``, OAuth 2 ``refresh_token`` grant, as the clients do) and kept in memory:
qpumon never writes the secrets file.

Routes: ``GET /v1/quantumProcessors`` (the processors the account may use, paged by
``pageToken``) and ``GET /v1/quantumProcessors/{id}/instructionSetArchitecture``, read by
:mod:`qpumon.sources.vendors.rigetti` (what each number means is said there). QCS publishes no
status, queue or calibration history: the status is left unknown and ``--at`` is refused.
qpumon bundles no Rigetti data, so without credentials a Rigetti name is refused, saying what to
set.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ...errors import AccountError, DeviceNotFoundError, TokenRejectedError, UsageError
from ...model import DeviceSnapshot
from ...model import validate as v
from ..ibm_live.faults import Route
from ..ibm_live.options import LiveOptions
from ..ibm_live.transport import Transport
from ..vendors.rigetti import snapshot_from_isa
from . import LIVE_VENDORS, FleetEntry, registered_secrets
from .credentials import env_value
from .http import VendorHTTP, segment

VENDOR = LIVE_VENDORS["rigetti"]
DEFAULT_API_URL = "https://api.qcs.rigetti.com"
#: The QCS clients' default authorization server.
DEFAULT_ISSUER = "https://auth.qcs.rigetti.com/oauth2/aus8jcovzG0gW2TUG355"
DEFAULT_CLIENT_ID = "0oa3ykoirzDKpkfzk357"
SETTINGS_VARIABLES = ("QCS_SETTINGS_FILE_PATH", "QCS_SETTINGS_PATH")
SECRETS_VARIABLES = ("QCS_SECRETS_FILE_PATH", "QCS_SECRETS_PATH")
API_URL_VARIABLE = "QCS_SETTINGS_APPLICATIONS_API_URL"
PAGE_SIZE = 100


@dataclass(frozen=True)
class QCSCredentials:
    """The profile's API URL and tokens (never shown by ``repr``), and where they came from."""

    url: str
    token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    issuer: str = DEFAULT_ISSUER
    client_id: str = DEFAULT_CLIENT_ID
    origin: str = ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """The tokens, for redaction."""
        return tuple(s for s in (self.token, self.refresh_token) if s)


def _path(environ: Mapping[str, str], variables: tuple[str, ...], default: str) -> tuple[Path, str]:
    for variable in variables:
        value = env_value(environ, variable)
        if value is not None:
            return Path(value).expanduser(), variable
    home = Path(environ.get("HOME") or Path.home())
    return home / ".qcs" / default, f"~/.qcs/{default}"


def _toml(path: Path, origin: str, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise AccountError(
                f"Rigetti QCS: {origin}={path}: no such file; {VENDOR.how_to_configure}"
            )
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccountError(
            f"Rigetti QCS: {path} cannot be read as TOML ({exc}); {VENDOR.how_to_configure}"
        ) from None


def find_credentials(environ: Mapping[str, str]) -> QCSCredentials | None:
    """The profile's URL and access token as the QCS clients resolve them; None when neither
    file is there and no ``QCS_*`` variable names one."""
    settings_path, settings_origin = _path(environ, SETTINGS_VARIABLES, "settings.toml")
    secrets_path, secrets_origin = _path(environ, SECRETS_VARIABLES, "secrets.toml")
    named = settings_origin.startswith("QCS_") or secrets_origin.startswith("QCS_")
    if not named and not settings_path.is_file() and not secrets_path.is_file():
        return None
    settings = _toml(settings_path, settings_origin, settings_origin.startswith("QCS_"))
    secrets = _toml(secrets_path, secrets_origin, True)
    profile_name = env_value(environ, "QCS_PROFILE_NAME") or str(
        settings.get("default_profile_name", "default")
    )
    profiles = settings.get("profiles", {})
    profile = profiles.get(profile_name) if isinstance(profiles, Mapping) else None
    if profile is None and (profile_name != "default" or profiles):
        raise AccountError(
            f"Rigetti QCS: {settings_path} has no profile {profile_name!r} "
            f"(QCS_PROFILE_NAME or default_profile_name); {VENDOR.how_to_configure}"
        )
    profile = profile if isinstance(profile, Mapping) else {}
    credentials_name = str(profile.get("credentials_name", "default"))
    payload = _payload(secrets, credentials_name, secrets_path)
    url = env_value(environ, API_URL_VARIABLE) or str(profile.get("api_url") or DEFAULT_API_URL)
    issuer, client_id = _auth_server(settings, str(profile.get("auth_server_name", "default")))
    return QCSCredentials(
        url.rstrip("/"),
        str(payload["access_token"]),
        payload.get("refresh_token") or None,
        issuer,
        client_id,
        f"{secrets_path} [credentials.{credentials_name}]",
    )


def _payload(secrets: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any]:
    found = secrets.get("credentials", {})
    entry = found.get(name) if isinstance(found, Mapping) else None
    payload = entry.get("token_payload") if isinstance(entry, Mapping) else None
    token = payload.get("access_token") if isinstance(payload, Mapping) else None
    if not isinstance(token, str) or not token.strip():
        raise AccountError(
            f"Rigetti QCS: {path} has no [credentials.{name}.token_payload] access_token; "
            f"{VENDOR.how_to_configure}"
        )
    assert isinstance(payload, Mapping)
    return payload


def _auth_server(settings: Mapping[str, Any], name: str) -> tuple[str, str]:
    servers = settings.get("auth_servers", {})
    server = servers.get(name) if isinstance(servers, Mapping) else None
    if not isinstance(server, Mapping):
        return DEFAULT_ISSUER, DEFAULT_CLIENT_ID
    issuer = str(server.get("issuer") or DEFAULT_ISSUER).rstrip("/")
    return issuer, str(server.get("client_id") or DEFAULT_CLIENT_ID)


def open_session(credentials: QCSCredentials, options: LiveOptions) -> RigettiSession:
    """A session signed with ``credentials``."""
    return RigettiSession(credentials, options)


class RigettiSession:
    """QCS's processors and instruction set architectures for one profile."""

    def __init__(self, credentials: QCSCredentials, options: LiveOptions) -> None:
        self.credentials, self.options = credentials, options
        self.http = self._http(credentials.token)
        self._refreshed = False
        self._listed: list[str] | None = None

    def _http(self, token: str) -> VendorHTTP:
        secrets = (token, *self.credentials.secrets)
        headers = {"Authorization": f"Bearer {token}"}
        return VendorHTTP(VENDOR, self.credentials.url, headers, self.options, secrets)

    async def close(self) -> None:
        """Close the connections."""
        await self.http.close()

    async def _get(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        """``GET path``; a refused token is refreshed once when there is a refresh token."""
        try:
            return await self.http.get(path, what, params)
        except TokenRejectedError:
            if self._refreshed or not self.credentials.refresh_token:
                raise
        self._refreshed = True
        token = await self._refresh()
        await self.http.close()
        self.http = self._http(token)
        return await self.http.get(path, what, params)

    async def _refresh(self) -> str:
        """A new access token from the authorization server (OAuth 2 refresh grant)."""
        url = f"{self.credentials.issuer}/v1/token"
        secrets = (*self.credentials.secrets, *registered_secrets())
        transport = Transport(self.options, tls=url.startswith("https:"), secrets=lambda: secrets)
        route = Route(
            "a new access token",
            service=VENDOR.service,
            sign_in=True,
            credentials=f"the refresh token was refused: {VENDOR.how_to_configure}",
        )
        form = {
            "grant_type": "refresh_token",
            "client_id": self.credentials.client_id,
            "refresh_token": self.credentials.refresh_token or "",
        }
        try:
            answer = await transport.request(route, "POST", url, data=form)
        finally:
            await transport.close()
        try:
            token = orjson.loads(answer.body).get("access_token")
        except (orjson.JSONDecodeError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise TokenRejectedError(
                f"Rigetti QCS: the authorization server gave no access token ({url}); "
                f"{VENDOR.how_to_configure}"
            )
        return token

    async def processors(self) -> list[str]:
        """The ids of every processor the account may use (every page)."""
        if self._listed is not None:
            return self._listed
        found: list[str] = []
        token = ""
        path = "/v1/quantumProcessors"
        while True:
            params = {"pageSize": str(PAGE_SIZE), **({"pageToken": token} if token else {})}
            page = await self._get(path, "the processor list", params)
            with self.http.reading("the processor list", path) as where:
                page = v.mapping(page, f"{where}: $")
                items = v.sequence(page.get("quantumProcessors"), f"{where}: $.quantumProcessors")
                for i, item in enumerate(items):
                    at = f"{where}: $.quantumProcessors[{i}]"
                    found.append(v.text(v.mapping(item, at).get("id"), f"{at}.id"))
                token = str(page.get("nextPageToken") or "")
            if not token:
                self._listed = found
                return found

    async def devices(self) -> list[FleetEntry]:
        """Every processor (QCS states no status or queue)."""
        return [FleetEntry(f"rigetti:{p}") for p in await self.processors()]

    async def snapshot(self, device: str, at: datetime | None) -> DeviceSnapshot:
        """The processor's current instruction set architecture."""
        if at is not None:
            raise UsageError(
                f"rigetti:{device}: Rigetti QCS keeps no calibration history, so --at cannot "
                "ask it for a past calibration"
            )
        listed = await self.processors()
        wanted = device.strip().lower()
        found = next((p for p in listed if p.lower() == wanted), None)
        if found is None:
            known = ", ".join(f"rigetti:{p}" for p in listed) or "none"
            raise DeviceNotFoundError(
                f"Rigetti QCS has no processor {device!r} for this account (it lists: {known})"
            )
        path = f"/v1/quantumProcessors/{segment(found)}/instructionSetArchitecture"
        isa = await self._get(path, f"the instruction set architecture of {found}")
        with self.http.reading(f"the instruction set architecture of {found}", path) as where:
            snapshot = snapshot_from_isa(isa, where, source=f"live:rigetti:{found}")
        return replace(
            snapshot,
            name=f"rigetti:{found}",
            configuration={**snapshot.configuration, "api_url": self.credentials.url},
        )
