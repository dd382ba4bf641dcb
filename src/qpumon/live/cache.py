"""A local cache of device configurations, one file per device and configuration version.

Configurations change rarely and are the largest answers after calibrations, so a second look at a
device skips them. The version comes from the device's status (never cached itself). Files are
owner-only and hold only the configuration the service sent (no account data).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import QpumonError
from .private import write_private

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_cache_dir() -> Path:
    """The user's cache folder for qpumon (``platformdirs`` if installed, else ~/.cache/qpumon)."""
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        return Path(os.path.expanduser("~")) / ".cache" / "qpumon"
    return Path(user_cache_dir("qpumon", appauthor=False))


class ConfigCache:
    """Configurations of the devices behind one API URL, under ``root``."""

    def __init__(self, root: Path, api_url: str) -> None:
        parts = urlsplit(api_url)
        self.folder = root / "ibm-configurations" / _safe(f"{parts.hostname}-{parts.port or ''}")

    def path(self, name: str, version: str) -> Path:
        """The file holding configuration ``version`` of device ``name``."""
        return self.folder / f"{_safe(name)}@{_safe(version)}.json"

    def get(self, name: str, version: str) -> dict[str, Any] | None:
        """The cached configuration, or None (missing, unreadable or not this device's)."""
        try:
            data = json.loads(self.path(name, version).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or str(data.get("backend_version")) != version:
            return None
        return data

    def put(self, name: str, version: str, configuration: dict[str, Any]) -> None:
        """Store ``configuration`` (atomically, owner-only); a cache that cannot be written is
        skipped silently: it only saves time."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(self.path(name, version), json.dumps(configuration))
        except (OSError, QpumonError):
            pass


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("._") or "_"
