"""Live device snapshots: configuration, calibration and status fetched from IBM Quantum.

Each device takes up to three requests, sent at once: its status, its calibration, and its
configuration unless the cache may hold it (then the version the status announces picks the
cached file, or the configuration is fetched once that version is known). Every device of a
fetch runs concurrently on the shared event loop (:mod:`.runner`); a device that fails becomes a
:class:`DeviceResult` carrying its error, and the others carry on. With several instances (an
account without one), each device is asked of the first instance that lists it, with that
instance's CRN.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ...errors import (
    AccountError,
    DeviceNotFoundError,
    InputError,
    MalformedAnswerError,
    NoCalibrationError,
    QpumonError,
    ServiceAnswerError,
)
from ...model import DeviceSnapshot, DeviceStatus
from ...util.gc_pause import paused_gc
from ...util.printable import printable
from ...util.times import iso
from ..ibm_json import NotIbmLayoutError, snapshot_from_ibm
from . import runner
from .cache import ConfigCache, default_cache_dir
from .client import LiveClient, device_status, status_version
from .faults import clean
from .instances import Instance
from .options import LiveOptions

T = TypeVar("T")

#: The most devices taken from the account's lists (in the order the service lists them); the
#: rest are left out, said in one line. An account has tens.
MAX_LISTED = 100
#: The most instances whose devices are listed (the best first); an account has a few.
MAX_INSTANCES = 50
#: The longest device name, in UTF-8 bytes (as for a file name): a longer one is no device.
MAX_NAME_BYTES = 255
#: The most names of the account shown in an error that lists them.
_SHOWN_NAMES = 20


@dataclass(frozen=True)
class DeviceResult:
    """One device of a fetch: its snapshot, or the error that prevented it (whose message names
    the device once)."""

    name: str
    snapshot: DeviceSnapshot | None = None
    failure: QpumonError | None = field(default=None, compare=False)

    @property
    def error(self) -> str | None:
        """The failure as one line (None when the snapshot was fetched)."""
        return None if self.failure is None else str(self.failure)


@dataclass(frozen=True)
class StatusResult:
    """One device's status, or the error that prevented it."""

    name: str
    status: DeviceStatus | None = None
    failure: QpumonError | None = field(default=None, compare=False)


R = TypeVar("R", DeviceResult, StatusResult)


def _raise_rejected(results: Sequence[DeviceResult | StatusResult]) -> None:
    """A rejected token is raised once rather than repeated on every device."""
    rejected = next((r.failure for r in results if isinstance(r.failure, AccountError)), None)
    if rejected is not None:
        raise rejected


class LiveSource:
    """Snapshots of the devices an IBM Quantum account can use (see
    :func:`qpumon.sources.ibm_live.connect`).

    It holds pooled connections; :meth:`close` (or ``with``) releases them, as does dropping it.
    """

    def __init__(self, client: LiveClient, options: LiveOptions) -> None:
        self.client, self.options, self.account = client, options, client.account
        self.root = options.cache_dir or default_cache_dir()
        self.skipped: list[tuple[Instance, QpumonError]] = []
        #: What the last listing left out, one line each (too many devices, bad names).
        self.notices: list[str] = []
        self._instances: list[Instance] | None = None
        self._too_many_instances: str | None = None
        self._where: dict[str, Instance] = {}
        self._configurations = _SharedRequests()
        self._close = weakref.finalize(self, _close_later, client)
        self._close.atexit = False  # an exiting process's sockets close with it (see runner)

    def __enter__(self) -> LiveSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections now (a later call opens new ones)."""
        runner.run(self.client.close())

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return runner.run(coroutine)

    def instances(self) -> list[Instance]:
        """The instances this account uses, best first (one, when it names a CRN)."""
        return self._run(self._get_instances())

    def names(self) -> list[str]:
        """The devices of every instance the account uses, sorted (listed afresh each call): at
        most :data:`MAX_LISTED`, names longer than :data:`MAX_NAME_BYTES` left out; what was
        left out is in :attr:`notices`."""
        return sorted(self._run(self._listing()))

    def fetch_listed(self, at: datetime | None = None) -> list[DeviceResult]:
        """Every device the account lists (:meth:`names`), fetched as IBM Quantum devices: a
        listed name is only ever a name, never a file or a bundled snapshot."""
        return self.fetch(self.names(), at=at)

    def snapshot(self, name: str, at: datetime | None = None) -> DeviceSnapshot:
        """The snapshot of device ``name`` (the calibration in force at ``at`` if given); an error
        listing the account's devices if it has no such one."""
        result = self.fetch([name], at=at)[0]
        if result.failure is not None:
            raise result.failure
        assert result.snapshot is not None
        return result.snapshot

    def fetch(self, names: Sequence[str], at: datetime | None = None) -> list[DeviceResult]:
        """One result per name of ``names``, in order, fetched concurrently; with ``at``, the
        calibrations in force at that time (and no status, which is never historical).

        A rejected token is raised rather than repeated on every device. The cyclic garbage
        collector is paused meanwhile: decoding and parsing the answers makes hundreds of
        thousands of small acyclic objects.
        """
        with paused_gc():
            results = self._run(self._fetch(list(names), at))
        _raise_rejected(results)
        return results

    def statuses(self, names: Sequence[str]) -> list[StatusResult]:
        """The status of each of ``names``, in order: one ``/status`` request per device, all
        at once (a server refreshes queues often and calibrations seldom)."""
        results = self._run(self._statuses(list(names)))
        _raise_rejected(results)
        return results

    # -- the coroutines ----------------------------------------------------------------------

    async def _get_instances(self) -> list[Instance]:
        if self._instances is None:
            found = await self.client.instances()
            if len(found) > MAX_INSTANCES:
                self._too_many_instances = (
                    f"the IBM Quantum account has {len(found)} instances; the devices of the "
                    f"first {MAX_INSTANCES} are used and {len(found) - MAX_INSTANCES} left out"
                )
            self._instances = found[:MAX_INSTANCES]
        return self._instances

    async def _listing(self) -> dict[str, Instance]:
        instances = await self._get_instances()
        listings = await asyncio.gather(
            *(self.client.devices(i) for i in instances), return_exceptions=True
        )
        taken = _Taken()
        skipped: list[tuple[Instance, QpumonError]] = []
        for instance, listing in zip(instances, listings, strict=True):
            if isinstance(listing, QpumonError):
                skipped.append((instance, listing))
            elif isinstance(listing, BaseException):
                raise listing
            else:
                taken.add([device["name"] for device in listing], instance)
        if skipped and (len(skipped) == len(instances) or isinstance(skipped[0][1], AccountError)):
            raise skipped[0][1]
        self.skipped, self._where = skipped, taken.where
        self.notices = [n for n in (self._too_many_instances,) if n] + taken.notices()
        return taken.where

    async def _fetch(self, names: list[str], at: datetime | None) -> list[DeviceResult]:
        async def one(name: str, instance: Instance) -> DeviceResult:
            return DeviceResult(name, snapshot=await self._snapshot(name, instance, at))

        done = await self._each(names, one, DeviceResult)
        explained = await self._explain_unknown(done)
        by_name = {r.name: r for r in explained}
        return [by_name[n] for n in names]

    async def _statuses(self, names: list[str]) -> list[StatusResult]:
        async def one(name: str, instance: Instance) -> StatusResult:
            return StatusResult(name, device_status(await self.client.status(instance, name)))

        done = {r.name: r for r in await self._each(names, one, StatusResult)}
        return [done[n] for n in names]

    async def _each(
        self,
        names: list[str],
        one: Callable[[str, Instance], Awaitable[R]],
        failed: Callable[..., R],
    ) -> list[R]:
        """``one(name, instance)`` for each distinct name at once, on the instance that lists
        it; a failure becomes ``failed(name, failure=error)``, naming the device."""
        unique = list(dict.fromkeys(names))
        instances = await self._get_instances()
        if len(instances) > 1 and any(n not in self._where for n in unique):
            await self._listing()

        async def guarded(name: str) -> R:
            instance = instances[0] if len(instances) == 1 else self._where.get(name)
            if _too_long(name):
                return failed(name, failure=DeviceNotFoundError(_too_long_text(name)))
            try:
                if instance is None:
                    raise self._not_found(name, self._where)
                return await one(name, instance)
            except AccountError as exc:
                return failed(name, failure=exc)  # about the account: raised by the caller
            except QpumonError as exc:
                return failed(name, failure=_named(name, exc))

        return list(await asyncio.gather(*(guarded(n) for n in unique)))

    async def _snapshot(self, name: str, instance: Instance, at: datetime | None) -> DeviceSnapshot:
        client, cache = self.client, ConfigCache(self.root, instance.api_url)
        props_task = asyncio.ensure_future(client.properties(instance, name, at))
        status_task = asyncio.ensure_future(client.status(instance, name))
        held: list[asyncio.Future[dict[str, Any]]] = []

        def configuration() -> asyncio.Future[dict[str, Any]]:
            held.append(self._configurations.hold(instance, name, client.configuration))
            return held[-1]

        conf_task = None
        if self.options.refresh or not cache.has_any(name):
            conf_task = configuration()
        try:
            status = await status_task
            props = await _calibration(props_task, name, at)
            version = status_version(status)
            conf = cache.get(name, version) if conf_task is None and version else None
            if conf is None:
                conf = await asyncio.shield(conf_task or configuration())
        finally:
            _settle([props_task, status_task])
            for task in held:
                self._configurations.let_go(task)
        if held and version and str(conf.get("backend_version")) == version:
            cache.put(name, version, conf)  # fetched, not read from the cache
        return self._build(name, instance, conf, props, status, at)

    def _build(
        self,
        name: str,
        instance: Instance,
        conf: dict[str, Any],
        props: dict[str, Any],
        status: dict[str, Any],
        at: datetime | None,
    ) -> DeviceSnapshot:
        url = self.client.route_url
        try:
            return snapshot_from_ibm(
                conf,
                props,
                name=name,
                status=device_status(status) if at is None else None,
                source=f"ibm:{name}" if at is None else f"ibm:{name}@{iso(at)}",
                conf_where=f"the configuration of {name} ({url(instance, name, 'configuration')})",
                props_where=f"the calibration of {name} ({url(instance, name, 'properties')})",
            )
        except InputError as exc:
            secrets = self.client.account.token, self.client.token.token
            what = exc.detail if isinstance(exc, NotIbmLayoutError) else str(exc)
            detail = clean(what, secrets)
            raise MalformedAnswerError(
                f"IBM Quantum's answer to {detail}; it is not a document qpumon can read"
            ) from exc

    async def _explain_unknown(self, results: list[DeviceResult]) -> list[DeviceResult]:
        """Devices the service did not find (404) become errors listing the account's devices."""
        if not any(_not_found_answer(r) for r in results):
            return results
        try:
            where = await self._listing()
        except QpumonError:
            return results  # keep the service's own answers
        return [
            DeviceResult(r.name, failure=self._not_found(r.name, where))
            if _not_found_answer(r) and r.name not in where
            else r
            for r in results
        ]

    @staticmethod
    def _not_found(name: str, where: dict[str, Instance]) -> DeviceNotFoundError:
        names = sorted(where)
        more = f" and {len(names) - _SHOWN_NAMES} more" if len(names) > _SHOWN_NAMES else ""
        listed = printable(", ".join(names[:_SHOWN_NAMES]) + more) or "none"  # the service's
        return DeviceNotFoundError(
            f"{name}: not a device of this IBM Quantum account (it has: {listed}); use "
            "--offline for the bundled snapshots"
        )


class _SharedRequests:
    """Configuration requests in flight, each shared by the fetches of one device that need it at
    once (a backfill's first fetches all find the cache empty): a fetch holds the request while
    it may wait for it, and the last to let go cancels it if it is still running."""

    def __init__(self) -> None:
        self._running: dict[tuple[str, str, str], asyncio.Future[dict[str, Any]]] = {}
        self._holders: dict[asyncio.Future[dict[str, Any]], int] = {}

    def hold(
        self,
        instance: Instance,
        name: str,
        ask: Callable[[Instance, str], Coroutine[Any, Any, dict[str, Any]]],
    ) -> asyncio.Future[dict[str, Any]]:
        """The request for ``name``'s configuration running now, else ``ask(instance, name)``
        started; held until :meth:`let_go`."""
        key = (instance.crn, instance.api_url, name)
        task = self._running.get(key)
        if task is None or task.done():  # an answer in hand is not shared: ask again
            task = self._running[key] = asyncio.ensure_future(ask(instance, name))
            task.add_done_callback(_heard)
        self._holders[task] = self._holders.get(task, 0) + 1
        return task

    def let_go(self, task: asyncio.Future[dict[str, Any]]) -> None:
        """One holder of ``task`` no longer waits for it."""
        self._holders[task] -= 1
        if self._holders[task] == 0:
            del self._holders[task]
            self._running = {k: t for k, t in self._running.items() if t is not task}
            task.cancel()  # nothing when it is done


class _Taken:
    """The names taken from the account's lists: the first :data:`MAX_LISTED` distinct ones
    of sensible length, each with the first instance that lists it; the others counted."""

    def __init__(self) -> None:
        self.where: dict[str, Instance] = {}
        self.left_out = 0
        self.too_long: list[str] = []

    def add(self, names: Sequence[str], instance: Instance) -> None:
        for name in names:
            if name in self.where:
                continue
            if not name.strip() or _too_long(name):
                self.too_long.append(name)
            elif len(self.where) < MAX_LISTED:
                self.where[name] = instance
            else:
                self.left_out += 1

    def notices(self) -> list[str]:
        """One line per kind of name left out."""
        lines = []
        if self.left_out:
            lines.append(
                f"IBM Quantum lists {len(self.where) + self.left_out} devices for this account; "
                f"the first {MAX_LISTED} are used and {self.left_out} left out"
            )
        if self.too_long:
            first = _shown_name(self.too_long[0])
            lines.append(
                f"IBM Quantum lists {len(self.too_long)} device name(s) that are empty or "
                f"longer than {MAX_NAME_BYTES} bytes, left out (the first: {first})"
            )
        return lines


def _too_long(name: str) -> bool:
    return len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES


def _too_long_text(name: str) -> str:
    size = len(name.encode("utf-8", "surrogatepass"))
    return (
        f"{_shown_name(name)}: not a device name: {size} bytes long, longer than the "
        f"{MAX_NAME_BYTES} a device name may have"
    )


def _shown_name(name: str) -> str:
    """``name`` for a message: printable, and its start only when it is long."""
    return printable(name if len(name) <= 40 else name[:40] + "...") or "''"


async def _calibration(
    task: asyncio.Future[dict[str, Any] | None], name: str, at: datetime | None
) -> dict[str, Any]:
    """The calibration, or the error saying there is none (absent, or a 404 beside a status)."""
    try:
        props = await task
    except ServiceAnswerError as exc:
        if exc.status != 404:
            raise
        raise NoCalibrationError(_no_calibration(name, at)) from exc
    if props is None:
        raise NoCalibrationError(_no_calibration(name, at))
    return props


def _no_calibration(name: str, at: datetime | None) -> str:
    if at is None:
        return f"{name}: IBM Quantum has no calibration for this device"
    return f"{name}: IBM Quantum has no calibration of this device at or before {iso(at)}"


def _settle(tasks: Sequence[asyncio.Future[Any] | None]) -> None:
    """Cancel the tasks still running; collect the errors of those done (none goes unheard)."""
    for task in tasks:
        if task is not None:
            task.cancel()
            task.add_done_callback(_heard)


def _heard(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _not_found_answer(result: DeviceResult) -> bool:
    failure = result.failure
    return isinstance(failure, ServiceAnswerError) and failure.status == 404


def _named(name: str, error: QpumonError) -> QpumonError:
    """``error`` if it names the device, else a new error of its kind whose message starts with
    the name, caused by it (every qpumon error but ServiceAnswerError takes just a message)."""
    if name in str(error):
        return error
    message = f"{name}: {error}"
    named = (
        ServiceAnswerError(message, error.status)
        if isinstance(error, ServiceAnswerError)
        else type(error)(message)
    )
    named.__cause__ = error
    return named


def _close_later(client: LiveClient) -> None:
    runner.run_later(client.close())
