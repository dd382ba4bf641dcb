"""A local cache of device configurations, one file per device and configuration version.

Configurations change rarely and are the largest answers after calibrations, so a second look at a
device skips them. The version comes from the device's status (never cached itself). Files are
owner-only and hold only the configuration the service sent (no account data).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from ...errors import QpumonError
from ...util.output import write_output

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_cache_dir() -> Path:
    """qpumon's cache folder: ``$XDG_CACHE_HOME/qpumon``, else ``~/.cache/qpumon``
    (``platformdirs``' folder when it is installed)."""
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "qpumon"
    return Path(user_cache_dir("qpumon", appauthor=False))


class ConfigCache:
    """Configurations of the devices behind one API URL, under ``root``."""

    def __init__(self, root: Path, api_url: str) -> None:
        parts = urlsplit(api_url)
        self.folder = root / "ibm-configurations" / _safe(f"{parts.hostname}-{parts.port or ''}")

    def path(self, name: str, version: str) -> Path:
        """The file holding configuration ``version`` of device ``name``."""
        return self.folder / f"{_safe(name)}@{_safe(version)}.json"

    def has_any(self, name: str) -> bool:
        """True if some version of ``name``'s configuration is cached."""
        try:
            return any(self.folder.glob(f"{_safe(name)}@*.json"))
        except OSError:
            return False

    def get(self, name: str, version: str) -> dict[str, Any] | None:
        """The cached configuration, or None (missing, unreadable or not this version)."""
        try:
            data = orjson.loads(self.path(name, version).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or str(data.get("backend_version")) != version:
            return None
        return data

    def put(self, name: str, version: str, configuration: dict[str, Any]) -> None:
        """Store ``configuration`` (atomically, owner-only); a cache that cannot be written is
        skipped silently: it only saves time."""
        path = self.path(name, version)
        try:
            data = orjson.dumps(configuration)
            if path.is_file() and path.read_bytes() == data:
                return  # --refresh fetched what is cached already
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_output(path, data, private=True)
        except (OSError, QpumonError, TypeError):
            pass


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("._") or "_"
