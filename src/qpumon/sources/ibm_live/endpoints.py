"""Where each IBM service lives: the Quantum API, IAM, Global Search and the Global Catalog.

An account's ``url`` is either an IBM Cloud URL (``https://cloud.ibm.com``, the default, or
another ``*.cloud.ibm.com``), from which every service's host is derived as the official client
derives it, or any other URL, which is then the Quantum API base itself (a proxy, a test
server). The environment variables the official client and the IBM Cloud SDK honour override
the derived hosts: ``IAM_URL``, ``GLOBAL_SEARCH_URL`` and ``GLOBAL_CATALOG_URL``.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

#: The IBM Cloud URL an account without one uses.
IBM_CLOUD_URL = "https://cloud.ibm.com"
#: A Cloud Resource Name: ``crn:v1:<cname>:<ctype>:<service>:<location>:<scope>:...``.
_CRN = re.compile(r"^crn:v1:([^:]*):([^:]*):([^:]*):([^:]*):")


def is_crn(instance: str) -> bool:
    """True if ``instance`` is a CRN rather than an instance's name."""
    return _CRN.match(instance) is not None


def crn_region(crn: str) -> str | None:
    """The location field of a CRN (``us-east``, ``eu-de``), or None if it is not a CRN."""
    found = _CRN.match(crn)
    return found.group(4) if found else None


def is_ibm_cloud(url: str) -> bool:
    """True for ``https://cloud.ibm.com`` and the other IBM Cloud hosts (``*.cloud.ibm.com``)."""
    host = urlsplit(url).hostname or ""
    return host == "cloud.ibm.com" or host.endswith(".cloud.ibm.com")


def api_url(url: str | None, crn: str, private_endpoint: bool = False) -> str:
    """The Quantum API base for instance ``crn``.

    For an IBM Cloud URL this is the official client's ``default_runtime_url_resolver``:
    ``https://quantum.cloud.ibm.com/api/v1`` in us-east, ``https://eu-de.quantum.cloud.ibm.com
    /api/v1`` elsewhere, ``https://private.<region>.quantum.cloud.ibm.com/api/v1`` for a private
    endpoint; a URL containing ``experimental`` is kept as it is. Any other URL is the base.
    """
    base = url or IBM_CLOUD_URL
    region = crn_region(crn)
    if not is_ibm_cloud(base) or "experimental" in base or region is None:
        return base.rstrip("/")
    parts = urlsplit(base)
    if private_endpoint:
        return f"{parts.scheme}://private.{region}.quantum.{parts.hostname}/api/v1"
    prefix = "" if region == "us-east" else f"{region}."
    return f"{parts.scheme}://{prefix}quantum.{parts.hostname}/api/v1"


def _cloud_host(url: str | None) -> tuple[str, str]:
    """(scheme, host) of the IBM Cloud the account belongs to (cloud.ibm.com unless it says)."""
    base = url if url and is_ibm_cloud(url) else IBM_CLOUD_URL
    parts = urlsplit(base)
    return parts.scheme, parts.hostname or "cloud.ibm.com"


def iam_url(url: str | None, crn: str | None = None, private_endpoint: bool = False) -> str:
    """The IAM host that exchanges API keys for access tokens (``IAM_URL`` overrides it)."""
    override = os.environ.get("IAM_URL")
    if override:
        return override.rstrip("/").removesuffix("/identity/token")
    scheme, host = _cloud_host(url)
    found = _CRN.match(crn or "")
    if found and found.group(1) == "staging":
        host = "test.cloud.ibm.com"
    return f"{scheme}://{'private.' if private_endpoint else ''}iam.{host}"


def global_search_url(url: str | None) -> str:
    """IBM Cloud Global Search, which lists the account's instances (``GLOBAL_SEARCH_URL``)."""
    override = os.environ.get("GLOBAL_SEARCH_URL")
    if override:
        return override.rstrip("/")
    scheme, host = _cloud_host(url)
    return f"{scheme}://api.global-search-tagging.{host}"


def global_catalog_url(url: str | None) -> str:
    """IBM Cloud Global Catalog, which names an instance's plan (``GLOBAL_CATALOG_URL``)."""
    override = os.environ.get("GLOBAL_CATALOG_URL")
    if override:
        return override.rstrip("/")
    scheme, host = _cloud_host(url)
    return f"{scheme}://globalcatalog.{host}/api/v1"
