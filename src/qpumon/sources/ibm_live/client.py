"""IBM Quantum Platform's REST API for devices, spoken directly over httpx.

Every request carries ``Authorization: Bearer <IAM access token>``, the ``Service-CRN`` of the
instance it is about and ``IBM-API-Version`` pinned to :data:`API_VERSION`. The routes:

- ``GET /backends``: the instance's devices, ``{"devices": [{"name": ...}, ...]}`` since API version
  2025-01-01, a list of names before (both are read);
- ``GET /backends/{name}/configuration``, ``/properties[?updated_before=ISO-8601]`` (the newest
  calibration at or before that time) and ``/status`` (``state``, ``status``, ``length_queue``,
  ``backend_version``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import orjson

from ...errors import MalformedAnswerError
from ...model import DeviceStatus
from .accounts import LiveAccount
from .auth import IamToken
from .endpoints import IBM_CLOUD_URL, global_catalog_url, global_search_url, iam_url, is_crn
from .faults import Route
from .instances import Instance, account_instances
from .options import LiveOptions
from .transport import MAX_ANSWER_BYTES, Sleep, Transport

#: The API version qpumon speaks (the one qiskit-ibm-runtime 0.51 pins).
API_VERSION = "2026-04-15"
LISTING = Route("the list of devices")
#: The most a list of devices may hold (an account's list of tens of devices is kilobytes).
MAX_LISTING_BYTES = 32 * 1024 * 1024


class LiveClient:
    """One signed-in connection to IBM Quantum; its coroutines run on one event loop."""

    def __init__(
        self, account: LiveAccount, options: LiveOptions, sleep: Sleep | None = None
    ) -> None:
        self.account, self.options = account, options
        iam = iam_url(account.url, account.instance, account.private_endpoint)
        self.transport = Transport(
            options,
            verify=account.verify,
            proxies=dict(account.proxies),
            tls=any(u.lower().startswith("https:") for u in _urls(account, iam)),
            secrets=self._secrets,
            **({"sleep": sleep} if sleep is not None else {}),
        )
        self.token = IamToken(account.token, iam, self.transport)

    def _secrets(self) -> tuple[str | None, ...]:
        return self.account.token, self.token.token

    async def sign_in(self) -> None:
        """Exchange the API key for an access token now, so a bad key is reported as such."""
        await self.token.get()

    async def instances(self) -> list[Instance]:
        """The instances the account uses, best first."""
        return await account_instances(self.account, self.transport, self.token)

    async def devices(self, instance: Instance) -> list[dict[str, Any]]:
        """The devices of ``instance`` as ``/backends`` lists them (a name list becomes
        ``[{"name": ...}]``); mock devices are left out."""
        url = f"{instance.api_url}/backends"
        listing = await self._json(LISTING, instance, url, max_bytes=MAX_LISTING_BYTES)
        devices = listing.get("devices") if isinstance(listing, dict) else None
        if not isinstance(devices, list):
            raise MalformedAnswerError(f"IBM Quantum's list of devices has no devices ({url})")
        named = [{"name": d} if isinstance(d, str) else d for d in devices]
        return [
            d
            for d in named
            if isinstance(d, dict) and isinstance(d.get("name"), str) and d.get("class") != "mock"
        ]

    async def configuration(self, instance: Instance, name: str) -> dict[str, Any]:
        """The configuration document of device ``name``."""
        route = Route(f"the configuration of {name}", device=name)
        url = self.route_url(instance, name, "configuration")
        return await self._document(route, instance, url)

    async def properties(
        self, instance: Instance, name: str, at: datetime | None = None
    ) -> dict[str, Any] | None:
        """The calibration of ``name`` (the newest at or before ``at``); None if it has none."""
        route = Route(f"the calibration of {name}", device=name)
        params = {"updated_before": at.astimezone(timezone.utc).isoformat()} if at else None
        url = self.route_url(instance, name, "properties")
        answer = await self._json(route, instance, url, params)
        if answer is None or answer == {}:
            return None
        return _object(answer, route, url)

    async def status(self, instance: Instance, name: str) -> dict[str, Any]:
        """The status document of ``name`` (``state``, ``status``, ``length_queue``, ...)."""
        route = Route(f"the status of {name}", device=name)
        return await self._document(route, instance, self.route_url(instance, name, "status"))

    @staticmethod
    def route_url(instance: Instance, name: str, route: str) -> str:
        """The URL of ``route`` of device ``name``."""
        return f"{instance.api_url}/backends/{quote(name, safe='')}/{route}"

    async def _document(self, route: Route, instance: Instance, url: str) -> dict[str, Any]:
        return _object(await self._json(route, instance, url), route, url)

    async def _json(
        self,
        route: Route,
        instance: Instance,
        url: str,
        params: dict[str, str] | None = None,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> Any:
        headers = {"Service-CRN": instance.crn, "IBM-API-Version": API_VERSION}
        answer = await self.transport.request(
            route, "GET", url, headers=headers, params=params, auth=self.token, max_bytes=max_bytes
        )
        try:
            return orjson.loads(answer.body)
        except orjson.JSONDecodeError as exc:
            raise MalformedAnswerError(
                f"IBM Quantum's answer to {route.what} is not JSON ({url}): {exc}"
            ) from exc

    async def close(self) -> None:
        """Close the pooled connections."""
        await self.transport.close()


def _urls(account: LiveAccount, iam: str) -> list[str]:
    """Every URL the account's requests may go to (or through)."""
    urls = [iam, account.url or IBM_CLOUD_URL, *(url for _, url in account.proxies)]
    if not (account.instance and is_crn(account.instance)):
        urls += [global_search_url(account.url), global_catalog_url(account.url)]
    return urls


def _object(answer: Any, route: Route, url: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise MalformedAnswerError(
            f"IBM Quantum's answer to {route.what} is not a JSON object ({url})"
        )
    return answer


def device_status(raw: dict[str, Any]) -> DeviceStatus:
    """The model's status from the ``/status`` document (as the official client reads it)."""
    queue = raw.get("length_queue")
    message = raw.get("status")
    return DeviceStatus(
        operational=bool(raw.get("state", False)),
        message=str(message) if message is not None else "",
        pending_jobs=max(queue, 0) if type(queue) is int else None,
    )


def status_version(raw: dict[str, Any]) -> str | None:
    """The configuration version a status announces (None when it names none)."""
    version = raw.get("backend_version")
    return str(version) if version not in (None, "", "0.0.0") else None
