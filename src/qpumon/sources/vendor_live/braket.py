"""Amazon Braket live, through boto3: ``braket:Garnet``, ``braket:Ankaa-3``, ``braket:Forte-1``
or a device ARN (``braket:arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet``).

Credentials and region are boto3's own: its credential chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``, ``AWS_PROFILE`` in ``~/.aws/credentials`` and
``~/.aws/config``, SSO, ``credential_process``, container and web-identity roles) and its
endpoint settings (``AWS_ENDPOINT_URL_BRAKET``, ``AWS_ENDPOINT_URL``, the config file's
``services`` section), which boto3 applies itself. Braket is configured when one of those sources
is present; an EC2 instance role alone is not probed for (that probe waits on the network in every
command): set ``AWS_PROFILE`` or a config file there. Requests are signed with AWS Signature
Version 4 and retried by botocore's standard retry mode (``--timeout`` per connection and read).
The session and clients are botocore's, which boto3's ``Session.client`` makes: ``import boto3``
itself would also load its resource layer and S3's transfer manager (0.1 s a command, unused).

Devices live in regions: an ARN carries its region (``eu-north-1`` for IQM Garnet), and a short
name is found with ``SearchDevices`` in each Braket region (:data:`REGIONS`, the Braket SDK's
list). ``GetDevice`` gives the status, the queue sizes (``deviceQueueInfo``: quantum tasks at
normal and priority, hybrid jobs) and ``deviceCapabilities``, a JSON string read by
:func:`qpumon.sources.vendors.braket.snapshot_from_braket` (the file reader: units from the
document, a missing fidelity stays missing, never a zero error), or, for a Rigetti device whose
capabilities carry no standardized calibration, its ``provider.specs`` ISA by
:mod:`qpumon.sources.vendors.rigetti`. ``pending_jobs`` is the quantum tasks waiting (normal and
priority queues); each queue is kept in ``configuration["braket_queue"]``. Braket keeps no
calibration history, so ``--at`` is refused.

boto3 answers a 200 whose body is not JSON with an empty result: a field missing from it is the
service's fault (exit 3), named with the operation, the region and the field.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ...errors import (
    AccountError,
    DeviceNotFoundError,
    InputError,
    MalformedAnswerError,
    QpumonError,
    ServiceAnswerError,
    TokenRejectedError,
    UnreachableError,
    UsageError,
    missing_extra,
    pip_extra,
)
from ...model import DeviceSnapshot, DeviceStatus, GateCalibration
from ...model import validate as v
from ...util.times import document_time
from ..ibm_live.faults import redact
from ..ibm_live.options import LiveOptions
from ..vendors import braket as braket_reader
from ..vendors import rigetti as rigetti_reader
from . import LIVE_VENDORS, FleetEntry, registered_secrets

VENDOR = LIVE_VENDORS["braket"]
#: The regions Amazon Braket's devices are in (the Braket SDK's ``AwsDevice.REGIONS``).
REGIONS = ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")
#: What makes boto3's credential chain worth asking (the variables and files it reads first).
CHAIN_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)
#: The physical single-qubit gates of Braket's QPUs that RB benchmarks (the others are virtual).
NATIVE_ONE_QUBIT = ("prx", "rx")
#: Error codes that mean the credentials were refused (exit 2: the user's to fix).
REFUSED = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "MissingAuthenticationTokenException",
    }
)

T = TypeVar("T")


@dataclass(frozen=True)
class BraketCredentials:
    """The keys boto3's chain resolved (never shown by ``repr``), where it found them, and the
    configured region (None: none configured)."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    method: str = ""
    region: str | None = None
    #: Where boto3 sends Braket's requests when the environment says (a session per endpoint).
    endpoint: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential string, for redaction."""
        return tuple(s for s in (self.access_key, self.secret_key, self.token) if s)


def _chain_present(environ: Mapping[str, str]) -> bool:
    """Whether any source of boto3's chain (but the EC2 instance role) is there."""
    if any(environ.get(name, "").strip() for name in CHAIN_VARIABLES):
        return True
    home = Path(environ.get("HOME") or Path.home())
    files = (
        environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials",
        environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config",
    )
    return any(Path(f).expanduser().is_file() for f in files)


def find_credentials(environ: Mapping[str, str]) -> BraketCredentials | None:
    """The credentials boto3's chain finds (None: no source of it is present, or none gives
    credentials); a profile that does not exist or a broken config is an :class:`AccountError`."""
    if not _chain_present(environ):
        return None
    botocore_session, botocore_exceptions = _botocore("finding Amazon Braket credentials")
    try:
        session = botocore_session.Session()
        found = session.get_credentials()
        frozen = None if found is None else found.get_frozen_credentials()
    except botocore_exceptions.BotoCoreError as exc:
        raise AccountError(
            f"Amazon Braket: boto3 cannot read the AWS configuration ({exc}); "
            f"{VENDOR.how_to_configure}"
        ) from None
    if frozen is None or not frozen.access_key or not frozen.secret_key:
        return None
    return BraketCredentials(
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
        getattr(found, "method", ""),
        session.get_config_variable("region"),
        environ.get("AWS_ENDPOINT_URL_BRAKET") or environ.get("AWS_ENDPOINT_URL"),
    )


def open_session(credentials: BraketCredentials, options: LiveOptions) -> BraketSession:
    """A session with ``credentials`` (clients are made per region when first used)."""
    return BraketSession(credentials, options)


def _botocore(what: str) -> tuple[Any, Any]:
    """boto3's core (credential chain, regions, endpoints, retries, SigV4): the session and
    client boto3 itself makes, without the resource layer and S3 transfer manager boto3's own
    module imports (a tenth of a second a command, and never used here)."""
    from importlib.util import find_spec

    try:
        if find_spec("boto3") is None:  # the dependency qpumon declares, which brings botocore
            raise ImportError("No module named 'boto3'", name="boto3")
        import botocore.exceptions
        import botocore.session
    except ImportError as exc:
        raise missing_extra(what, "boto3", pip_extra("braket"), exc, package="boto3") from exc
    return botocore.session, botocore.exceptions


def short_name(arn: str) -> str:
    """``Garnet`` for ``arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet``."""
    return arn.rsplit("/", 1)[-1]


def arn_region(arn: str, where: str) -> str:
    """The region of a device ARN (empty for regionless simulators); an :class:`UsageError`
    for text that is no Braket device ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "braket"] or "/" not in parts[5]:
        raise UsageError(
            f"{where}: not an Amazon Braket device ARN "
            "(arn:aws:braket:<region>::device/<type>/<provider>/<name>)"
        )
    return parts[3]


def _normal(name: str) -> str:
    return name.strip().lower().replace(" ", "-")


class BraketSession:
    """Braket's ``SearchDevices`` and ``GetDevice`` for one set of credentials."""

    def __init__(self, credentials: BraketCredentials, options: LiveOptions) -> None:
        self.credentials, self.options = credentials, options
        self._clients: dict[str, Any] = {}
        self._boto_session: Any = None
        self._lock = threading.Lock()
        self._listed: list[Mapping[str, Any]] | None = None

    def _client(self, region: str) -> Any:
        """The region's client: one boto3 session for all (its service model is loaded once;
        a client per region after the first costs a few ms)."""
        with self._lock:
            client = self._clients.get(region)
            if client is None:
                if self._boto_session is None:
                    botocore_session, _ = _botocore("an Amazon Braket device")
                    self._boto_session = botocore_session.Session()
                from botocore.config import Config

                config = Config(
                    connect_timeout=self.options.timeout,
                    read_timeout=self.options.timeout,
                    retries={"total_max_attempts": self.options.retries + 1, "mode": "standard"},
                    user_agent_extra="qpumon",
                )
                client = self._clients[region] = self._boto_session.create_client(
                    "braket",
                    region_name=region,
                    config=config,
                    aws_access_key_id=self.credentials.access_key,
                    aws_secret_access_key=self.credentials.secret_key,
                    aws_session_token=self.credentials.token,
                )
            return client

    async def _call(self, operation: str, region: str, **kwargs: Any) -> Mapping[str, Any]:
        """``operation`` of the region's client in a thread; boto3's faults as one line."""
        what = f"Amazon Braket {operation} ({region})"
        guard = self.options.timeout * (self.options.retries + 1) + 2 * self.options.backoff_cap

        def call() -> Mapping[str, Any]:
            method: Callable[..., Mapping[str, Any]] = getattr(
                self._client(region), _snake(operation)
            )
            return method(**kwargs)

        try:
            async with asyncio.timeout(guard):
                return await _in_daemon_thread(call)
        except TimeoutError:
            raise UnreachableError(f"{what}: no answer within {guard:g} s") from None
        except QpumonError:
            raise
        except Exception as exc:  # botocore's ClientError, BotoCoreError
            raise self._fault(what, exc) from None

    def _fault(self, what: str, exc: Exception) -> QpumonError:
        secrets = (*self.credentials.secrets, *registered_secrets())
        response = getattr(exc, "response", None)
        if not isinstance(response, Mapping):
            text = redact(f"{what}: {type(exc).__name__}: {exc}", *secrets)
            return UnreachableError(text)
        error = response.get("Error", {})
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = str(error.get("Code", ""))
        line = redact(f"{what}: {code} (HTTP {status}): {error.get('Message', '')}", *secrets)
        if code in REFUSED or status in (401, 403):
            return TokenRejectedError(f"{line}; {VENDOR.how_to_configure}")
        if status == 404 or code == "ResourceNotFoundException":
            return DeviceNotFoundError(line)
        return ServiceAnswerError(line, status)

    async def close(self) -> None:
        """Close the clients' connections."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    # -- listing -----------------------------------------------------------------------------

    async def _search(self, region: str) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"filters": []}
            if token:
                kwargs["nextToken"] = token
            answer = await self._call("SearchDevices", region, **kwargs)
            where = f"Amazon Braket SearchDevices ({region})"
            devices = _field(answer, "devices", where)
            for i, item in enumerate(v.sequence(devices, f"{where}: $.devices")):
                found.append(_summary(item, f"{where}: $.devices[{i}]"))
            token = answer.get("nextToken")
            if not token:
                return found

    async def listed(self) -> list[Mapping[str, Any]]:
        """Every device of every Braket region, once per ARN (retired ones left out)."""
        if self._listed is None:
            pages = await asyncio.gather(*(self._search(r) for r in REGIONS))
            unique = {d["deviceArn"]: d for page in pages for d in page}
            self._listed = [d for d in unique.values() if d["deviceStatus"] != "RETIRED"]
        return self._listed

    async def devices(self) -> list[FleetEntry]:
        """Every device the account sees, with its status (queues come with the snapshot)."""
        return [
            FleetEntry(
                f"braket:{short_name(d['deviceArn'])}",
                None,
                DeviceStatus(d["deviceStatus"] == "ONLINE", d["deviceStatus"]),
                calibrated=d["deviceType"] == "QPU",
            )
            for d in await self.listed()
        ]

    # -- one device --------------------------------------------------------------------------

    async def snapshot(self, device: str, at: datetime | None) -> DeviceSnapshot:
        """``device`` (a short name or an ARN) as ``GetDevice`` answers now."""
        if at is not None:
            raise UsageError(
                f"braket:{device}: Amazon Braket keeps no calibration history, so --at cannot "
                "ask it for a past calibration"
            )
        arn = await self._arn(device)
        region = arn_region(arn, f"braket:{device}") or self.credentials.region or REGIONS[0]
        answer = await self._call("GetDevice", region, deviceArn=arn)
        where = f"Amazon Braket GetDevice {arn} ({region})"
        try:
            return snapshot_from_device(answer, where, region)
        except MalformedAnswerError:
            raise
        except InputError as exc:
            secrets = (*self.credentials.secrets, *registered_secrets())
            raise MalformedAnswerError(redact(str(exc), *secrets)) from None

    async def _arn(self, device: str) -> str:
        if device.strip().lower().startswith("arn:"):
            arn_region(device.strip(), f"braket:{device}")
            return device.strip()
        wanted = _normal(device)
        listed = await self.listed()
        for d in listed:
            if wanted in (_normal(short_name(d["deviceArn"])), _normal(d["deviceName"])):
                return str(d["deviceArn"])
        known = ", ".join(sorted(f"braket:{short_name(d['deviceArn'])}" for d in listed))
        raise DeviceNotFoundError(
            f"Amazon Braket has no device {device!r} in {', '.join(REGIONS)} (it lists: {known})"
        )


async def _in_daemon_thread(call: Callable[[], T]) -> T:
    """``call()`` in a daemon thread: boto3 is blocking, and a call left behind by Ctrl-C or a
    deadline must not hold the process's exit (the default executor's threads are joined at
    exit, up to the read timeout)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    outcome: list[Any] = []

    def settle() -> None:
        if future.done():
            return
        if isinstance(outcome[0], BaseException):
            future.set_exception(outcome[0])
        else:
            future.set_result(outcome[0])

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome.append(exc)
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(settle)

    threading.Thread(target=run, name="qpumon-braket", daemon=True).start()
    return await future


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _field(answer: Mapping[str, Any], name: str, where: str) -> Any:
    """``answer[name]``, or the service's fault naming it (boto3's empty result of a body that
    was not JSON lands here)."""
    if name not in answer:
        raise MalformedAnswerError(
            f"{where}: the answer has no field {name!r} (HTTP "
            f"{answer.get('ResponseMetadata', {}).get('HTTPStatusCode', '?')}: a body that is not "
            "the documented JSON)"
        )
    return answer[name]


def _summary(item: Any, where: str) -> Mapping[str, Any]:
    entry = v.mapping(item, where)
    for key in ("deviceArn", "deviceName", "deviceType", "deviceStatus"):
        v.text(entry.get(key), f"{where}.{key}")
    return entry


def snapshot_from_device(answer: Mapping[str, Any], where: str, region: str) -> DeviceSnapshot:
    """The snapshot of one ``GetDevice`` answer (``where``: operation, ARN and region)."""
    arn = v.text(_field(answer, "deviceArn", where), f"{where}: $.deviceArn")
    status = v.text(_field(answer, "deviceStatus", where), f"{where}: $.deviceStatus")
    text = v.text(_field(answer, "deviceCapabilities", where), f"{where}: $.deviceCapabilities")
    try:
        capabilities = v.mapping(json.loads(text), f"{where}: $.deviceCapabilities")
    except json.JSONDecodeError as exc:
        raise MalformedAnswerError(
            f"{where}: $.deviceCapabilities is not complete JSON ({exc.msg} at {exc.pos})"
        ) from None
    name = short_name(arn)
    queue = _queue(answer.get("deviceQueueInfo", []), where)
    document = {k: answer[k] for k in answer if k != "ResponseMetadata"}
    if isinstance(capabilities.get("standardized"), Mapping):
        snapshot = braket_reader.snapshot_from_braket(
            {**document, "deviceCapabilities": capabilities}, where
        )
    elif rigetti_reader.is_rigetti_document(capabilities):
        snapshot = rigetti_reader.snapshot_from_rigetti(capabilities, where)
    else:
        snapshot = _uncalibrated(capabilities, answer, where)
    snapshot = _native_one_qubit_gate(snapshot)
    configuration = {
        **snapshot.configuration,
        "device_arn": arn,
        "region": region,
        "provider": answer.get("providerName"),
        "braket_queue": queue,
    }
    return replace(
        snapshot,
        name=f"braket:{name}",
        source=f"live:braket:{name}",
        vendor="braket",
        status=_status(status, answer.get("deviceStatusReason"), queue, where),
        configuration=configuration,
    )


def _native_one_qubit_gate(snapshot: DeviceSnapshot) -> DeviceSnapshot:
    """The per-qubit RB errors also on the device's one physical single-qubit gate (IQM's PRX,
    Rigetti's RX: RB's Cliffords are made of it, the Z rotations being virtual), so placement
    can price the gates a circuit is translated to; the RB gates stay as they are."""
    natives = [g for g in snapshot.basis_gates if g in NATIVE_ONE_QUBIT]
    if len(natives) != 1 or any(g.gate == natives[0] for g in snapshot.gates):
        return snapshot
    chosen: dict[tuple[int, ...], GateCalibration] = {}
    for name in ("rb", "simultaneous_rb"):  # the qubit-by-qubit RB first, as the summaries
        for gate in snapshot.gates:
            if gate.gate == name and gate.arity == 1:
                chosen.setdefault(gate.qubits, gate)
    if not chosen:
        return snapshot
    added = tuple(replace(g, gate=natives[0]) for g in chosen.values())
    note = f"{natives[0]} errors: the per-qubit RB errors (Braket names no benchmarked gate)"
    return replace(
        snapshot,
        gates=tuple(sorted(snapshot.gates + added, key=lambda g: (g.gate, g.qubits))),
        configuration={**snapshot.configuration, "native_1q_gate": note},
    )


def _uncalibrated(
    capabilities: Mapping[str, Any], answer: Mapping[str, Any], where: str
) -> DeviceSnapshot:
    """A device without calibration (a simulator): its size only."""
    paradigm = v.mapping(capabilities.get("paradigm", {}), f"{where}: $.paradigm")
    count = paradigm.get("qubitCount")
    if count is None:
        raise InputError(f"{where}: $.deviceCapabilities carries no calibration and no qubitCount")
    return DeviceSnapshot(
        name=str(answer.get("deviceName")),
        num_qubits=v.integer(count, f"{where}: $.paradigm.qubitCount"),
        source="",
        simulator=answer.get("deviceType") == "SIMULATOR",
    )


def _queue(info: Any, where: str) -> dict[str, int]:
    """``QUANTUM_TASKS_QUEUE/Normal`` -> size, ... (sizes are decimal strings in the API)."""
    queue: dict[str, int] = {}
    for i, item in enumerate(v.sequence(info, f"{where}: $.deviceQueueInfo")):
        at = f"{where}: $.deviceQueueInfo[{i}]"
        entry = v.mapping(item, at)
        name = v.text(entry.get("queue"), f"{at}.queue")
        priority = entry.get("queuePriority")
        key = f"{name}/{priority}" if priority else name
        queue[key] = v.index_text(v.text(entry.get("queueSize"), f"{at}.queueSize"), at)
    return queue


def _status(status: str, reason: Any, queue: Mapping[str, int], where: str) -> DeviceStatus:
    tasks = [n for k, n in queue.items() if k.startswith("QUANTUM_TASKS_QUEUE")]
    message = status
    if isinstance(reason, Mapping) and reason.get("reason"):
        message += f" ({reason['reason']}"
        end = reason.get("estimatedEndAt")
        if end is not None:
            when = document_time(end, f"{where}: $.deviceStatusReason.estimatedEndAt")
            message += f" until {when:%Y-%m-%d %H:%M} UTC"
        message += ")"
    if "JOBS_QUEUE" in queue:
        message += f"; {queue['JOBS_QUEUE']} hybrid jobs queued"
    return DeviceStatus(status == "ONLINE", message, sum(tasks) if tasks else None)
