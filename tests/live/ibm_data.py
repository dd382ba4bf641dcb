"""The data the IBM stand-in serves: the snapshots bundled with qiskit-ibm-runtime, renamed
``ibm_<name>`` and encoded once, and the unsigned JWTs its IAM hands out."""

from __future__ import annotations

import base64
import functools
import gzip
import importlib.util
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def bundled_root() -> Path:
    """The folder of the snapshots bundled with qiskit-ibm-runtime (found without importing it)."""
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


def read_raw(stem: str, kind: str) -> dict[str, Any]:
    """The raw ``conf`` or ``props`` JSON of bundled device ``stem`` (a fresh copy)."""
    data: dict[str, Any] = json.loads(_file_text(stem, kind))
    return data


@functools.cache
def _file_text(stem: str, kind: str) -> str:
    return (bundled_root() / stem / f"{kind}_{stem}.json").read_text(encoding="utf-8")


@functools.cache
def _facts(stem: str) -> dict[str, Any]:
    conf = read_raw(stem, "conf")
    return {k: conf.get(k) for k in ("n_qubits", "backend_version", "processor_type")}


@functools.cache
def _renamed(stem: str, kind: str, name: str) -> tuple[datetime | None, bytes]:
    """Bundled JSON under device ``name``, encoded once: (its calibration date, the bytes)."""
    doc = read_raw(stem, kind)
    doc["backend_name"] = name
    return (_when(doc) if kind == "props" else None), json.dumps(doc).encode("utf-8")


@functools.lru_cache(maxsize=128)
def gzipped(data: bytes) -> bytes:
    """``data`` gzip-compressed (once per distinct answer)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def _when(props: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(props["last_update_date"]).astimezone(UTC)


def utc(text: str) -> datetime:
    """A time as the clients send it; no offset means UTC."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def jwt(lifetime: float) -> str:
    """An unsigned JWT with ``iat``/``exp``: the IBM Cloud SDK decodes it without a signature."""

    def part(data: dict[str, Any] | bytes) -> str:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    now = time.time()
    claims = {"iat": int(now), "exp": int(now + lifetime), "jti": f"{now:.9f}"}
    return ".".join([part({"alg": "RS256", "typ": "JWT"}), part(claims), part(b"stand-in")])


@dataclass
class Device:
    """A device the stand-in serves: its configuration's snapshot and its calibrations."""

    name: str
    stem: str
    calibrations: list[str]  # bundled stems whose properties are this device's calibrations

    def configuration(self) -> bytes:
        """The bundled configuration under this device's name (JSON bytes)."""
        return _renamed(self.stem, "conf", self.name)[1]

    def properties(self, before: datetime | None) -> bytes | None:
        """The newest calibration at or before ``before`` (the latest when None), JSON bytes."""
        dated = sorted(_renamed(stem, "props", self.name) for stem in self.calibrations)
        if before is not None:
            dated = [(when, data) for when, data in dated if when is not None and when <= before]
        return dated[-1][1] if dated else None

    def facts(self) -> dict[str, Any]:
        """The configuration keys the status and listing routes report."""
        return _facts(self.stem)
