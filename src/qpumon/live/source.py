"""Live device snapshots: configuration, calibration and status fetched from IBM Quantum.

Each device takes up to three requests: its status and calibration at once, then its
configuration unless the cache holds the version the status announced. A live overview runs
them for every device on a bounded thread pool; one device that fails becomes a
:class:`DeviceResult` carrying its error, and the others carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import DeviceNotFoundError, NoCalibrationError, QpumonError, ServiceAnswerError
from ..gc_pause import paused_gc
from ..model import DeviceSnapshot, DeviceStatus
from ..sources.ibm_json import snapshot_from_ibm
from ..times import iso
from .cache import ConfigCache, default_cache_dir
from .client import LiveClient
from .options import LiveOptions

#: The version the client reports when the status names none: not a cache key.
_UNKNOWN_VERSION = "0.0.0"


@dataclass(frozen=True)
class DeviceResult:
    """One device of a live overview: its snapshot, or the error that prevented it."""

    name: str
    snapshot: DeviceSnapshot | None = None
    failure: QpumonError | None = field(default=None, compare=False)

    @property
    def error(self) -> str | None:
        """The failure as one line (None when the snapshot was fetched)."""
        return None if self.failure is None else str(self.failure)


def device_status(raw: dict[str, Any]) -> DeviceStatus:
    """The model's status from the client's status dictionary."""
    pending = raw.get("pending_jobs")
    return DeviceStatus(
        operational=bool(raw.get("operational", False)),
        message=str(raw.get("status_msg") or ""),
        pending_jobs=pending if isinstance(pending, int) and pending >= 0 else None,
    )


class LiveSource:
    """Snapshots of the devices an IBM Quantum account can use."""

    def __init__(self, client: LiveClient, options: LiveOptions) -> None:
        self.client = client
        self.options = options
        self.cache = ConfigCache(options.cache_dir or default_cache_dir(), client.url)

    def names(self) -> list[str]:
        """The account's device names, sorted."""
        return sorted(d["name"] for d in self.client.devices())

    def snapshot(self, name: str, at: datetime | None = None) -> DeviceSnapshot:
        """The snapshot of device ``name`` (the calibration in force at ``at`` if given); lists
        the account's devices if it has no such one."""
        result = self.fetch([name], at=at)[0]
        if result.failure is not None:
            raise result.failure
        assert result.snapshot is not None
        return result.snapshot

    def fetch(self, names: Sequence[str], at: datetime | None = None) -> list[DeviceResult]:
        """Every device of ``names`` (in that order, repeats dropped), fetched concurrently;
        with ``at``, the calibrations in force at that time.

        The cyclic garbage collector is paused meanwhile, as for the bundled files: decoding and
        parsing the answers makes hundreds of thousands of small acyclic objects.
        """
        if at is not None and at != self.options.at:
            from dataclasses import replace

            return LiveSource(self.client, replace(self.options, at=at)).fetch(names)
        pool = ThreadPoolExecutor(
            max_workers=self.options.workers, thread_name_prefix="qpumon-live"
        )
        with paused_gc(), pool:
            results = _Fetch(self, pool, list(dict.fromkeys(names))).run()
        return self._explain_unknown(results)

    def _explain_unknown(self, results: list[DeviceResult]) -> list[DeviceResult]:
        """Devices the service did not find (404) become errors listing the account's devices."""
        if not any(_status(r.failure) == 404 for r in results):
            return results
        try:
            available = self.names()
        except QpumonError:
            return results  # keep the service's own answers
        listed = ", ".join(available) or "none"
        return [
            DeviceResult(
                r.name,
                failure=DeviceNotFoundError(
                    f"{r.name}: not a device of this IBM Quantum account (it has: {listed}); use "
                    "--offline for the bundled snapshots"
                ),
            )
            if _status(r.failure) == 404 and r.name not in available
            else r
            for r in results
        ]

    def build(self, name: str, parts: dict[str, Any]) -> DeviceSnapshot:
        """The snapshot from the raw answers, parsed by qpumon's one IBM JSON parser.

        With ``at`` the status (which is always the present one) is left out.
        """
        at = self.options.at
        status = device_status(parts["status"]) if at is None else None
        return snapshot_from_ibm(
            parts["conf"],
            parts["props"],
            name=name,
            status=status,
            source=f"ibm:{name}" if at is None else f"ibm:{name}@{iso(at)}",
            conf_where=f"{name} configuration",
            props_where=f"{name} properties",
        )

    def cached_configuration(self, name: str, version: str) -> dict[str, Any] | None:
        """The cached configuration of ``name`` at ``version`` (None: fetch it)."""
        if self.options.refresh or version == _UNKNOWN_VERSION:
            return None
        return self.cache.get(name, version)

    def remember(self, name: str, version: str, conf: dict[str, Any]) -> None:
        """Cache ``conf`` if it is the version the status announced."""
        if version != _UNKNOWN_VERSION and str(conf.get("backend_version")) == version:
            self.cache.put(name, version, conf)


def _status(error: BaseException | None) -> int | None:
    return error.status if isinstance(error, ServiceAnswerError) else None


class _Fetch:
    """The requests of one fetch, handled in whatever order their answers arrive."""

    def __init__(self, source: LiveSource, pool: ThreadPoolExecutor, names: list[str]) -> None:
        self.source, self.pool, self.names = source, pool, names
        self.parts: dict[str, dict[str, Any]] = {n: {} for n in names}
        self.errors: dict[str, dict[str, QpumonError]] = {n: {} for n in names}
        self.pending: dict[Future[Any], tuple[str, str]] = {}
        self.built: dict[str, DeviceResult] = {}

    def run(self) -> list[DeviceResult]:
        client = self.source.client
        for name in self.names:
            self._submit(name, "status", client.status, name)
            self._submit(name, "props", client.properties, name, self.source.options.at)
        while self.pending:
            done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future, *self.pending.pop(future))
        return [self._result(name) for name in self.names]

    def _submit(self, name: str, part: str, call: Callable[..., Any], *args: Any) -> None:
        self.pending[self.pool.submit(call, *args)] = (name, part)

    def _collect(self, future: Future[Any], name: str, part: str) -> None:
        error = future.exception()
        if error is not None:
            if not isinstance(error, QpumonError):
                raise error
            self.errors[name][part] = error
            return
        answer = self.parts[name][part] = future.result()
        if part == "status":
            version = self.parts[name]["version"] = str(
                answer.get("backend_version") or _UNKNOWN_VERSION
            )
            cached = self.source.cached_configuration(name, version)
            if cached is None:
                self._submit(name, "conf", self.source.client.configuration, name)
            else:
                self.parts[name]["conf"] = cached
        elif part == "conf":
            self.source.remember(name, self.parts[name]["version"], answer)
        if {"status", "props", "conf"} <= self.parts[name].keys():
            self.built[name] = self._build(name)  # parse while other answers are on the way

    def _build(self, name: str) -> DeviceResult:
        if not self.parts[name]["props"]:
            return DeviceResult(
                name, failure=NoCalibrationError(_no_calibration(name, self.source.options.at))
            )
        try:
            return DeviceResult(name, snapshot=self.source.build(name, self.parts[name]))
        except QpumonError as exc:
            return DeviceResult(name, failure=exc)

    def _result(self, name: str) -> DeviceResult:
        if name in self.built:
            return self.built[name]
        errors, at = self.errors[name], self.source.options.at
        if "props" in errors and "status" not in errors and _status(errors["props"]) == 404:
            errors["props"] = NoCalibrationError(_no_calibration(name, at))
        failure = next(errors[p] for p in ("status", "props", "conf") if p in errors)
        return DeviceResult(name, failure=failure)


def _no_calibration(name: str, at: datetime | None) -> str:
    if at is None:
        return f"{name}: IBM Quantum has no calibration for this device"
    return f"{name}: IBM Quantum has no calibration of this device at or before {iso(at)}"
