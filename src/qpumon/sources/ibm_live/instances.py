"""The account's IBM Quantum instances, found as the official client finds them.

IBM Cloud Global Search (``POST /v3/resources/search``, ``service_name:quantum-computing``, paged
with a search cursor) lists the account's instances; those without a device allocation
(``doc.extensions``) are left out. The Global Catalog (``GET /{service_plan_unique_id}``) names
each plan and its pricing type. Without an instance the account uses all of them that match its
``tags``, ``region`` and ``plans_preference`` (in that order of preference), else all of them,
free and trial plans first. An instance may be named by its CRN or by its name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from ...errors import AccountError, MalformedAnswerError, QpumonError
from ...util.printable import printable
from .endpoints import api_url, crn_region, global_catalog_url, global_search_url, is_crn
from .faults import Route

if TYPE_CHECKING:
    from .accounts import LiveAccount
    from .auth import IamToken
    from .transport import Transport

#: The pricing types in the official client's order of preference.
PRICING_ORDER = ("free", "trial", "paygo", "paid", "subscription", "unknown")
SEARCH = Route("the list of instances", service="IBM Cloud Global Search")
_QUERY = "service_name:quantum-computing"
_FIELDS = ["crn", "service_plan_unique_id", "name", "doc", "tags"]
#: Pages of 100 instances read at most (the first 1,000 instances, then the listing stops).
_MAX_PAGES = 10


@dataclass(frozen=True)
class Instance:
    """An IBM Quantum instance: its CRN, what Global Search and the Catalog say of it, and the
    base URL of the Quantum API that serves it."""

    crn: str
    api_url: str
    name: str | None = None
    plan: str | None = None
    pricing_type: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def region(self) -> str | None:
        """The CRN's location (``us-east``, ``eu-de``)."""
        return crn_region(self.crn)


async def account_instances(
    account: LiveAccount, transport: Transport, token: IamToken
) -> list[Instance]:
    """The instances the account uses, best first (see the module docstring)."""
    instance = account.instance
    if instance and is_crn(instance):
        return [Instance(instance, api_url(account.url, instance, account.private_endpoint))]
    found = await discover(account, transport, token)
    if instance:
        named = [i for i in found if i.name == instance]
        if not named:
            names = printable(", ".join(sorted({i.name for i in found if i.name}))) or "none"
            raise AccountError(
                f"instance {instance!r}: the IBM Quantum account has no instance of that name "
                f"(it has: {names}); pass its name or CRN with --instance"
            )
        return named
    return choose(found, account)


def choose(found: Sequence[Instance], account: LiveAccount) -> list[Instance]:
    """``found`` filtered by the account's tags and region, ordered by its plan preference."""
    chosen = [i for i in found if all(t.lower() in i.tags for t in account.tags)]
    if account.region:
        chosen = [i for i in chosen if account.region in i.crn]
    if account.plans_preference:
        plans = [p.lower() for p in account.plans_preference]
        chosen = sorted(
            (i for i in chosen if i.plan in plans), key=lambda i: plans.index(i.plan or "")
        )
    else:
        chosen = sorted(chosen, key=_pricing_rank)
    if not chosen:
        raise AccountError(_none_left(found, account))
    return chosen


def _pricing_rank(instance: Instance) -> int:
    kind = instance.pricing_type or "unknown"
    return PRICING_ORDER.index(kind) if kind in PRICING_ORDER else len(PRICING_ORDER)


def _none_left(found: Sequence[Instance], account: LiveAccount) -> str:
    if not found:
        return (
            "the IBM Quantum account has no instance (IBM Cloud Global Search found none); "
            "create one on quantum.cloud.ibm.com, or pass --instance CRN"
        )
    filters = [
        f"tags {', '.join(account.tags)}" if account.tags else "",
        f"region {account.region}" if account.region else "",
        f"plans {', '.join(account.plans_preference)}" if account.plans_preference else "",
    ]
    names = printable(", ".join(f"{i.name} ({i.plan}, {i.region})" for i in found))
    return (
        f"no instance of the IBM Quantum account matches {'; '.join(f for f in filters if f)} "
        f"(it has: {names}); change the saved account's preferences or pass --instance"
    )


async def discover(account: LiveAccount, transport: Transport, token: IamToken) -> list[Instance]:
    """Every instance Global Search lists for the account, with its plan from the Catalog."""
    items = await _search(account, transport, token)
    plan_ids = sorted(
        {str(i["service_plan_unique_id"]) for i in items if i.get("service_plan_unique_id")}
    )
    plans = await asyncio.gather(*(_plan(account, transport, token, p) for p in plan_ids))
    by_id = dict(zip(plan_ids, plans, strict=True))
    return [_instance(item, by_id, account) for item in items]


def _instance(
    item: dict[str, Any], plans: dict[str, tuple[str, str]], account: LiveAccount
) -> Instance:
    plan, pricing = plans.get(str(item.get("service_plan_unique_id")), ("unknown", "unknown"))
    name = item.get("name")
    return Instance(
        crn=item["crn"],
        api_url=api_url(account.url, item["crn"], account.private_endpoint),
        name=name if isinstance(name, str) else None,
        plan=plan,
        pricing_type=pricing,
        tags=tuple(t for t in item.get("tags") or () if isinstance(t, str)),
    )


async def _search(
    account: LiveAccount, transport: Transport, token: IamToken
) -> list[dict[str, Any]]:
    url = f"{global_search_url(account.url)}/v3/resources/search"
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        body: dict[str, Any] = {"query": _QUERY, "fields": _FIELDS}
        if cursor:
            body["search_cursor"] = cursor
        answer = await transport.request(
            SEARCH, "POST", url, params={"limit": "100"}, json=body, auth=token
        )
        page = _document(answer.body, SEARCH, url)
        found = page.get("items")
        if not isinstance(found, list):
            raise MalformedAnswerError(
                f"IBM Cloud Global Search's answer has no items list ({url})"
            )
        items += [i for i in found if _allocated(i)]
        cursor = page.get("search_cursor") if isinstance(page.get("search_cursor"), str) else None
        if not found or not cursor:
            break
    return items


def _allocated(item: Any) -> bool:
    """An instance with a device allocation (the client skips the others)."""
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("crn"), str)
        or not is_crn(item["crn"])
    ):
        return False
    doc = item.get("doc")
    return isinstance(doc, dict) and bool(doc.get("extensions"))


async def _plan(
    account: LiveAccount, transport: Transport, token: IamToken, plan_id: str
) -> tuple[str, str]:
    """(plan name, pricing type) of a service plan, lower case; unknown if the Catalog fails."""
    from urllib.parse import quote

    url = f"{global_catalog_url(account.url)}/{quote(plan_id, safe='')}"
    route = Route(f"the plan {plan_id}", service="IBM Cloud Global Catalog")
    try:
        answer = await transport.request(route, "GET", url, auth=token)
        entry = _document(answer.body, route, url)
    except QpumonError:
        return "unknown", "unknown"  # the Catalog refuses archived plans: as the client does
    overview = entry.get("overview_ui")
    english = overview.get("en") if isinstance(overview, dict) else None
    name = english.get("display_name") if isinstance(english, dict) else None
    metadata = entry.get("metadata")
    pricing = metadata.get("pricing") if isinstance(metadata, dict) else None
    kind = pricing.get("type") if isinstance(pricing, dict) else None
    return (
        name.lower() if isinstance(name, str) and name else "unknown",
        kind.lower() if isinstance(kind, str) and kind else "unknown",
    )


def _document(body: bytes, route: Route, url: str) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedAnswerError(
            f"{route.service}'s answer to {route.what} is not JSON ({url})"
        ) from exc
    if not isinstance(document, dict):
        raise MalformedAnswerError(
            f"{route.service}'s answer to {route.what} is not a JSON object ({url})"
        )
    return document
