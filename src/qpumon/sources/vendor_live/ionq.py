"""IonQ live, over its REST API v0.4: ``ionq:forte-1`` (or ``ionq:qpu.forte-1``).

Credentials as qiskit-ionq finds them in the environment: the key is ``QISKIT_IONQ_API_TOKEN``,
else ``IONQ_API_KEY``, else ``IONQ_API_TOKEN`` and signs every request (``Authorization: apiKey
KEY``); ``QISKIT_IONQ_API_URL`` or ``IONQ_API_URL`` replaces ``https://api.ionq.co/v0.4``.

Routes: ``GET /backends`` (each backend's ``status``, ``average_queue_time`` in milliseconds,
``degraded``, ``qubits``) and ``GET /backends/{backend}/characterizations?end&limit`` (the newest
characterizations up to ``end``; at most 10 a page). The characterization is read by
:func:`qpumon.sources.vendors.ionq.snapshot_from_ionq`, the file reader, so a value means the
same live and from a file: 1q and 2q are RB average gate infidelities (1 − median fidelity),
SPAM an error of state preparation and measurement, each with its ``stderr`` as uncertainty; T1,
T2 and gate times are device-level. ``--at`` picks the newest characterization dated at or
before it.

Odd values are suspects, never truths: a missing fidelity, a median outside what a working
trapped-ion QPU shows (:data:`PLAUSIBLE`), a characterization dated after the ``end`` asked
for, or one whose every number repeats the one before under a new date (a gap filled by copying)
is listed in ``configuration["suspect"]``; an implausible median is left out of the values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ...errors import DeviceNotFoundError, InputError, NoCalibrationError
from ...model import DeviceSnapshot, DeviceStatus
from ...model import validate as v
from ...util.times import document_time, iso
from ..ibm_live.options import LiveOptions
from ..vendors.ionq import snapshot_from_ionq
from . import LIVE_VENDORS, FleetEntry
from .credentials import TokenCredentials, env_value
from .http import VendorHTTP, segment

VENDOR = LIVE_VENDORS["ionq"]
DEFAULT_URL = "https://api.ionq.co/v0.4"
#: Where qiskit-ionq looks for the key and the URL, first found first.
KEY_VARIABLES = ("QISKIT_IONQ_API_TOKEN", "IONQ_API_KEY", "IONQ_API_TOKEN")
URL_VARIABLES = ("QISKIT_IONQ_API_URL", "IONQ_API_URL")
#: The medians a working QPU's fidelities lie in; outside, a value is a suspect (left out).
PLAUSIBLE = {"1q": (0.9, 1.0), "2q": (0.5, 1.0), "spam": (0.5, 1.0)}
#: The characterizations asked for at once: the one shown and the one before (gap-fill check).
PAGE = 2


def find_credentials(environ: Mapping[str, str]) -> TokenCredentials | None:
    """The key and URL as qiskit-ionq's ``resolve_credentials`` reads them from the environment;
    None when no key is set."""
    for variable in KEY_VARIABLES:
        key = env_value(environ, variable)
        if key is not None:
            break
    else:
        return None
    url = next((u for u in map(lambda n: env_value(environ, n), URL_VARIABLES) if u), None)
    return TokenCredentials((url or DEFAULT_URL).rstrip("/"), key, variable)


def open_session(credentials: TokenCredentials, options: LiveOptions) -> IonQSession:
    """A session signed with ``credentials``."""
    return IonQSession(credentials, options)


def backend_name(device: str) -> str:
    """IonQ's backend name for ``forte-1`` or ``qpu.forte-1`` (any case)."""
    device = device.strip().lower()
    return device if device.startswith(("qpu.", "simulator")) else f"qpu.{device}"


def qpumon_name(backend: str) -> str:
    """qpumon's name of IonQ backend ``qpu.forte-1``: ``ionq:forte-1``."""
    return f"ionq:{backend.removeprefix('qpu.')}"


class IonQSession:
    """IonQ's backends and characterizations for one API key."""

    def __init__(self, credentials: TokenCredentials, options: LiveOptions) -> None:
        self.http = VendorHTTP(
            VENDOR,
            credentials.url,
            {"Authorization": f"apiKey {credentials.token}"},
            options,
            credentials.secrets,
        )

    async def close(self) -> None:
        """Close the connections."""
        await self.http.close()

    async def backends(self) -> list[Mapping[str, Any]]:
        """``GET /backends``, each entry checked."""
        path = "/backends"
        found = await self.http.get(path, "the backend list")
        with self.http.reading("the backend list", path) as where:
            items = v.sequence(found, f"{where}: $")
            return [_backend(item, f"{where}: $[{i}]") for i, item in enumerate(items)]

    async def devices(self) -> list[FleetEntry]:
        """Every backend, with status and average queue time."""
        return [
            FleetEntry(
                qpumon_name(b["backend"]),
                b["qubits"],
                _status(b),
                b["queue_s"],
                calibrated=str(b["backend"]).startswith("qpu."),
            )
            for b in await self.backends()
        ]

    async def snapshot(self, device: str, at: datetime | None) -> DeviceSnapshot:
        """The newest characterization of ``device`` (up to ``at``), with its status."""
        backend = backend_name(device)
        listed, page = await asyncio.gather(
            self.backends(), self._characterizations(backend, at), return_exceptions=True
        )
        if isinstance(listed, BaseException):
            raise listed
        entry = next((b for b in listed if b["backend"] == backend), None)
        if entry is None:  # checked first: an unknown backend's characterizations are a 404
            known = ", ".join(qpumon_name(b["backend"]) for b in listed)
            raise DeviceNotFoundError(f"IonQ has no backend {backend} (it lists: {known})")
        if isinstance(page, BaseException):
            raise page
        path = f"/backends/{segment(backend)}/characterizations"
        with self.http.reading("the characterizations", path) as where:
            return _snapshot(page, where, backend, entry, at)

    async def _characterizations(self, backend: str, at: datetime | None) -> Any:
        params = {"limit": str(PAGE)}
        if at is not None:
            params["end"] = iso(at)
        path = f"/backends/{segment(backend)}/characterizations"
        return await self.http.get(path, f"the characterizations of {backend}", params)


def _backend(item: Any, where: str) -> dict[str, Any]:
    entry = v.mapping(item, where)
    queue = entry.get("average_queue_time")
    queue_ms = (
        None
        if queue is None
        else v.at_least(
            v.number(queue, f"{where}.average_queue_time"), 0, f"{where}.average_queue_time"
        )
    )
    qubits = entry.get("qubits")
    degraded = entry.get("degraded", False)
    if not isinstance(degraded, bool):
        raise InputError(f"{where}.degraded: expected true or false, got {degraded!r}")
    return {
        "backend": v.text(entry.get("backend"), f"{where}.backend"),
        "status": v.text(entry.get("status"), f"{where}.status"),
        "queue_s": None if queue_ms is None else queue_ms / 1000,
        "qubits": None if qubits is None else v.integer(qubits, f"{where}.qubits"),
        "degraded": degraded,
        "last_updated": entry.get("last_updated"),
    }


def _status(entry: Mapping[str, Any]) -> DeviceStatus:
    message = str(entry["status"]) + (" (degraded)" if entry["degraded"] else "")
    if entry["queue_s"] is not None:
        message += f"; average queue {_duration(entry['queue_s'])}"
    return DeviceStatus(entry["status"] == "available", message)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _snapshot(
    page: Any, where: str, backend: str, entry: Mapping[str, Any], at: datetime | None
) -> DeviceSnapshot:
    document = v.mapping(page, f"{where}: $")
    items = list(v.sequence(document.get("characterizations"), f"{where}: $.characterizations"))
    suspect: list[str] = []
    dated = _dated(items, where, at, suspect)
    if not dated:
        when = f" dated at or before {iso(at)}" if at is not None else ""
        raise NoCalibrationError(f"IonQ has no characterization of {backend}{when} ({where})")
    (_, position, chosen), rest = dated[0], dated[1:]
    at_where = f"{where}: $.characterizations[{position}]"
    cleaned = _plausible(chosen, at_where, suspect)
    if rest and _same_numbers(chosen, rest[0][2]):
        suspect.append(
            f"characterization {chosen.get('id')} repeats every number of the one dated "
            f"{rest[0][2].get('date')}: possibly a gap filled by copying"
        )
    snapshot = snapshot_from_ionq(cleaned, at_where)
    if str(chosen.get("backend", backend)) != backend:
        raise InputError(f"{at_where}.backend: {chosen.get('backend')!r}, asked for {backend}")
    configuration = dict(snapshot.configuration)
    configuration |= {"average_queue_time_s": entry["queue_s"], "degraded": entry["degraded"]}
    if suspect:
        configuration["suspect"] = suspect
    return replace(
        snapshot,
        name=qpumon_name(backend),
        source=f"live:{qpumon_name(backend)}",
        status=_status(entry),
        configuration=configuration,
    )


def _dated(
    items: Sequence[Any], where: str, at: datetime | None, suspect: list[str]
) -> list[tuple[datetime, int, Mapping[str, Any]]]:
    """The characterizations with their dates, newest first; any dated after ``at`` is a
    suspect (the service ignored ``end``) and left out."""
    dated = []
    for i, item in enumerate(items):
        entry = v.mapping(item, f"{where}: $.characterizations[{i}]")
        when = document_time(entry.get("date"), f"{where}: $.characterizations[{i}].date")
        if at is not None and when > at:
            suspect.append(f"characterization {entry.get('id')} is dated {iso(when)}, after --at")
            continue
        dated.append((when, i, entry))
    return sorted(dated, key=lambda d: (d[0], -d[1]), reverse=True)


def _plausible(entry: Mapping[str, Any], where: str, suspect: list[str]) -> Mapping[str, Any]:
    """``entry`` without the fidelities a working QPU cannot have (each one noted)."""
    fidelity = dict(v.mapping(entry.get("fidelity", {}), f"{where}.fidelity"))
    for name, (low, high) in PLAUSIBLE.items():
        stats = fidelity.get(name)
        if stats is None:
            suspect.append(f"fidelity.{name} is missing")
            continue
        stats = v.mapping(stats, f"{where}.fidelity.{name}")
        value = stats.get("median", stats.get("mean"))
        if value is None:
            suspect.append(f"fidelity.{name} has no median or mean")
            continue
        number = v.number(value, f"{where}.fidelity.{name}.median")
        if not low <= number <= high or number == 1.0:
            suspect.append(
                f"fidelity.{name} median {number:g} is implausible (outside {low:g}-{high:g} "
                "or exactly 1); left out"
            )
            del fidelity[name]
    return {**entry, "fidelity": fidelity}


def _same_numbers(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("fidelity") == b.get("fidelity") and a.get("timing") == b.get("timing")
