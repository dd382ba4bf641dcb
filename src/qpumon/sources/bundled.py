"""The real IBM device snapshots that ``qiskit-ibm-runtime`` ships, read straight from its files.

``qiskit_ibm_runtime/fake_provider/backends/<dir>/{conf,props}_<dir>.json``: located with
``importlib.util.find_spec`` so neither qiskit nor qiskit-ibm-runtime is imported (that alone
would take a second). Devices are named ``fake_<dir>`` as the package names them; ``<dir>``,
``ibm_<dir>``, ``ibmq_<dir>`` and ``alt_<dir>`` are accepted too, in any case.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import DeviceNotFoundError, InputError, missing_extra
from ..model import DeviceSnapshot
from .files import read_ibm_files

_PREFIXES = ("fake_", "ibmq_", "ibm_", "alt_")


def default_root() -> Path:
    """The folder holding qiskit-ibm-runtime's device snapshots."""
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    if spec is None or not spec.submodule_search_locations:
        raise missing_extra(
            "reading the bundled device snapshots",
            "qiskit-ibm-runtime",
            "pip install qiskit-ibm-runtime",
            say_not_installed=True,
        )
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


@dataclass(frozen=True)
class BundledSource:
    """The bundled snapshots under ``root`` (default: the installed qiskit-ibm-runtime's)."""

    root: Path | None = None

    @cached_property
    def folder(self) -> Path:
        """The folder the snapshots are read from."""
        return self.root if self.root is not None else default_root()

    @cached_property
    def _folders(self) -> dict[str, Path]:
        """Canonical name (``fake_<dir>``) -> the device's folder, sorted by name."""
        found = {}
        try:
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"{self.folder}: cannot list bundled devices ({exc})") from exc
        for entry in entries:
            if entry.is_dir() and os.path.exists(
                os.path.join(entry.path, f"conf_{entry.name}.json")
            ):
                found[f"fake_{entry.name}"] = Path(entry.path)
        return found

    def names(self) -> list[str]:
        """Every bundled device's canonical name, sorted."""
        return list(self._folders)

    def resolve(self, name: str) -> str | None:
        """The canonical name ``name`` refers to, or None."""
        key = name.strip().lower()
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
                break
        canonical = f"fake_{key}"
        return canonical if canonical in self._folders else None

    def __contains__(self, name: str) -> bool:
        return self.resolve(name) is not None

    def load(self, name: str) -> DeviceSnapshot:
        """The snapshot of ``name``; :class:`DeviceNotFoundError` with suggestions if unknown."""
        canonical = self.resolve(name)
        if canonical is None:
            raise DeviceNotFoundError(self.not_found_message(name))
        folder = self._folders[canonical]
        stem = folder.name
        conf_path = folder / f"conf_{stem}.json"
        props_path = folder / f"props_{stem}.json"
        props = props_path if props_path.exists() else None
        return read_ibm_files(conf_path, props, name=canonical, source=f"bundled:{canonical}")

    def files(self, name: str) -> list[Path]:
        """The configuration and properties files of bundled device ``name``."""
        canonical = self.resolve(name)
        if canonical is None:
            raise DeviceNotFoundError(self.not_found_message(name))
        folder = self._folders[canonical]
        return [folder / f"conf_{folder.name}.json", folder / f"props_{folder.name}.json"]

    def not_found_message(self, name: str) -> str:
        """A one-line message naming the closest bundled devices."""
        import difflib  # only on the way to an error message: ~3 ms kept off every command

        close = difflib.get_close_matches(name.lower(), self.names(), n=3, cutoff=0.6)
        close += [
            n
            for n in difflib.get_close_matches(
                f"fake_{name.lower()}", self.names(), n=3, cutoff=0.6
            )
            if n not in close
        ]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        return f"unknown device {name!r}{hint} (`qpumon list` shows every bundled device)"
