"""Where qpumon keeps files of its own: the user's cache and data folders.

On Linux these are the XDG folders (``$XDG_CACHE_HOME/qpumon`` else ``~/.cache/qpumon``;
``$XDG_DATA_HOME/qpumon`` else ``~/.local/share/qpumon``), computed here because importing
``platformdirs`` costs more than a bundled overview's whole lookup; elsewhere ``platformdirs``
(installed with the ``[store]`` extra) gives the platform's convention, falling back to the same
XDG layout. Nothing here creates a folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _xdg(variable: str, *default: str) -> Path:
    base = os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *default)
    return Path(base) / "qpumon"


def user_cache_dir() -> Path:
    """The user's cache folder for qpumon (safe to delete: everything in it is derived)."""
    if not sys.platform.startswith("linux"):
        try:
            from platformdirs import user_cache_dir as platform_cache
        except ImportError:
            pass
        else:
            return Path(platform_cache("qpumon", appauthor=False))
    return _xdg("XDG_CACHE_HOME", ".cache")


def user_data_dir() -> Path:
    """The user's data folder for qpumon (the default history database lives there)."""
    if not sys.platform.startswith("linux"):
        try:
            from platformdirs import user_data_dir as platform_data
        except ImportError:
            pass
        else:
            return Path(platform_data("qpumon", appauthor=False))
    return _xdg("XDG_DATA_HOME", ".local", "share")
