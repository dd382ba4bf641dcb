"""IQM Resonance live, over IQM Server API v1 (the contract of iqm-client 36): ``iqm:garnet``.

Credentials as iqm-client finds them: ``IQM_SERVER_URL`` (the server's root, e.g.
``https://resonance.iqm.tech``) and either ``IQM_TOKEN`` (a long-lived token) or
``IQM_TOKENS_FILE`` (a JSON file whose ``access_token`` is read for each request, as iqm-client
reads it), never both; each request carries ``Authorization: Bearer TOKEN``.

Routes (under ``/api/v1``): ``quantum-computers`` (the aliases: ``garnet``),
``calibration-sets/{qc}/{default|id}`` (the calibration set: gate durations, its time),
``.../metrics`` (its quality-metric set), ``.../dynamic-quantum-architecture`` (qubits, gates,
their loci and default implementations) and ``quantum-computers/{qc}/health`` (status). The
three calibration-set routes of one device are fetched at once.

What the numbers mean (each an observation ``{dut_field, value, unit, uncertainty,
created_timestamp}``; ``invalid`` ones are left out):

- ``characterization.model.QB1.t1_time`` / ``t2_time``: T1 and T2 (unit ``s``; shown in µs);
- ``metrics.rb.prx.<impl>.QB1.fidelity:par=d2``: PRX's average gate fidelity from randomized
  benchmarking, shown as the average infidelity 1 − F (``AVERAGE``) with its uncertainty;
- ``metrics.irb.cz.<impl>.QB1__QB2.fidelity:par=d2``: CZ's average gate fidelity from
  interleaved RB, 1 − F (``AVERAGE``). CZ is symmetric: a pair keyed both ways is one coupler,
  read in the direction the DQA lists it (the other key kept only if that one is missing, the
  disagreement noted in ``configuration["notes"]``);
- ``metrics.ssro.measure.<impl>.QB1.error_0_to_1`` / ``error_1_to_0``: P(1|0) and P(0|1) of
  single-shot readout; the readout (assignment) error is their mean, as for the bundled IQM
  devices (:mod:`qpumon.sources.vendors.iqm`);
- ``gates.<gate>.<impl>.<locus>.duration`` in the calibration set: gate lengths (s; shown in ns).

A gate has several implementations; qpumon reads the DQA's ``default_implementation`` (or its
``override_default_implementation`` for a locus) and says which in
``configuration["implementations"]``. Timestamps without a zone are UTC. A unit other than the
ones above, a fidelity outside 0-1, a negative time, or a route missing an expected field is the
service's fault (exit 3), named by route and field.

``--at``: a time picks the newest calibration set created at or before it among those the
account has seen (the default set and the ones named ``iqm:garnet@<id>``, qpumon's name for a
past calibration set by id); a set id is given as ``iqm:garnet@<calibration set id>``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...errors import AccountError, DeviceNotFoundError, InputError
from ...model import DeviceSnapshot, DeviceStatus, GateCalibration, QubitCalibration
from ...model import validate as v
from ...model.consistency import check_snapshot
from ...model.definitions import AVERAGE, from_fidelity
from ...util.times import document_time, iso
from ..ibm_live.options import LiveOptions
from ..vendors.iqm import component_order
from . import LIVE_VENDORS, FleetEntry, register_secrets
from .credentials import env_value, tokens_file_token
from .http import VendorHTTP, segment

VENDOR = LIVE_VENDORS["iqm"]
API = "/api/v1"
#: Seconds per unit of a time observation.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
#: The units a dimensionless observation (a fidelity, a probability) may carry.
NO_UNIT = ("", "1", "dimensionless", None)
#: The health statuses read as in service.
OPERATIONAL = frozenset({"operational", "online", "available", "ok", "healthy", "up"})


@dataclass(frozen=True)
class IQMCredentials:
    """The server root and how requests are signed (never shown by ``repr``)."""

    url: str
    token: str | None = field(default=None, repr=False)
    tokens_file: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The token (the tokens file's is registered each time it is read)."""
        return (self.token,) if self.token else ()

    def bearer(self) -> str:
        """The token to send: ``IQM_TOKEN``, or the tokens file's ``access_token`` now."""
        if self.token:
            return self.token
        assert self.tokens_file is not None
        return tokens_file_token(self.tokens_file, "IQM_TOKENS_FILE", VENDOR.how_to_configure)


def find_credentials(environ: Mapping[str, str]) -> IQMCredentials | None:
    """``IQM_SERVER_URL`` with ``IQM_TOKEN`` or ``IQM_TOKENS_FILE``, as iqm-client reads them;
    None when none of them is set."""
    url = env_value(environ, "IQM_SERVER_URL")
    token = env_value(environ, "IQM_TOKEN")
    tokens_file = env_value(environ, "IQM_TOKENS_FILE")
    if url is None and token is None and tokens_file is None:
        return None
    how = VENDOR.how_to_configure
    if url is None:
        raise AccountError(f"IQM_TOKEN or IQM_TOKENS_FILE is set but IQM_SERVER_URL is not; {how}")
    if not re.match(r"^https?://[^/\s]+", url):
        raise AccountError(f"IQM_SERVER_URL={url!r} is not an http(s) URL; {how}")
    if token and tokens_file:
        raise AccountError(
            "both IQM_TOKEN and IQM_TOKENS_FILE are set (iqm-client refuses that too); unset one"
        )
    if not token and not tokens_file:
        raise AccountError(
            f"IQM_SERVER_URL is set but neither IQM_TOKEN nor IQM_TOKENS_FILE; {how}"
        )
    credentials = IQMCredentials(url.rstrip("/"), token, tokens_file)
    if tokens_file:
        credentials.bearer()  # an unreadable file is a configuration error now, not mid-fetch
    return credentials


def open_session(credentials: IQMCredentials, options: LiveOptions) -> IQMSession:
    """A session for ``credentials``."""
    return IQMSession(credentials, options)


class IQMSession:
    """IQM Resonance's quantum computers and calibration sets for one token."""

    def __init__(self, credentials: IQMCredentials, options: LiveOptions) -> None:
        self.credentials = credentials
        self.http = VendorHTTP(VENDOR, credentials.url, self._headers, options)
        #: Calibration sets seen in this process: id -> created time (for ``--at``).
        self.seen: dict[str, dict[str, datetime]] = {}

    def _headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` with ``IQM_TOKEN``, or the tokens file's token now (read
        for each request, as iqm-client does; registered for redaction)."""
        token = self.credentials.bearer()
        if self.credentials.tokens_file:
            register_secrets(token)
        return {"Authorization": f"Bearer {token}"}

    async def close(self) -> None:
        """Close the connections."""
        await self.http.close()

    async def computers(self) -> list[Mapping[str, Any]]:
        """``GET /api/v1/quantum-computers``: each computer's ``alias`` and ``display_name``."""
        path = f"{API}/quantum-computers"
        found = await self.http.get(path, "the quantum computers")
        with self.http.reading("the quantum computers", path) as where:
            items = v.sequence(
                v.mapping(found, f"{where}: $").get("quantum_computers"),
                f"{where}: $.quantum_computers",
            )
            return [
                _computer(item, f"{where}: $.quantum_computers[{i}]")
                for i, item in enumerate(items)
            ]

    async def health(self, qc: str) -> DeviceStatus:
        """``GET /api/v1/quantum-computers/{qc}/health`` as a status."""
        path = f"{API}/quantum-computers/{segment(qc)}/health"
        found = await self.http.get(path, f"the health of {qc}")
        with self.http.reading(f"the health of {qc}", path) as where:
            return _health(found, where)

    async def devices(self) -> list[FleetEntry]:
        """Every quantum computer, with its health."""
        computers = await self.computers()
        statuses = await asyncio.gather(*(self.health(c["alias"]) for c in computers))
        return [
            FleetEntry(f"iqm:{c['alias']}", None, status)
            for c, status in zip(computers, statuses, strict=True)
        ]

    async def snapshot(self, device: str, at: datetime | None) -> DeviceSnapshot:
        """The calibration set of ``device`` (``garnet`` or ``garnet@<set id>``; at ``at``)."""
        typed, _, set_id = device.strip().partition("@")
        return await self._snapshot(typed.lower(), typed, set_id.strip() or "default", at)

    async def _snapshot(
        self, qc: str, typed: str, wanted: str, at: datetime | None
    ) -> DeviceSnapshot:
        """The computer list and the set's documents asked for at once (one round trip): an
        unknown computer is told from the list, whatever its documents' answers were."""
        found = await asyncio.gather(
            self.computers(),
            self._get(qc, wanted, ""),
            self._get(qc, wanted, "/metrics"),
            self._get(qc, wanted, "/dynamic-quantum-architecture"),
            self.health(qc),
            return_exceptions=True,
        )
        computers = found[0]
        if isinstance(computers, BaseException):
            raise computers
        alias = next((c["alias"] for c in computers if c["alias"].lower() == qc.lower()), None)
        if alias is None:
            known = ", ".join(f"iqm:{c['alias']}" for c in computers)
            raise DeviceNotFoundError(f"IQM Resonance has no quantum computer {typed!r} ({known})")
        if alias != qc:  # an alias not in lower case: ask again under its own spelling
            return await self._snapshot(alias, typed, wanted, at)
        for result in found[1:]:
            if isinstance(result, BaseException):
                raise result
        calibration, metrics, architecture, status = found[1:]
        snapshot = self._read(qc, wanted, calibration, metrics, architecture, status)
        if at is not None and snapshot.calibrated_at is not None and snapshot.calibrated_at > at:
            return await self._at(qc, at, snapshot)
        return snapshot

    async def _at(self, qc: str, at: datetime, current: DeviceSnapshot) -> DeviceSnapshot:
        """The newest calibration set created at or before ``at`` among those seen."""
        older = sorted(
            ((when, set_id) for set_id, when in self.seen.get(qc, {}).items() if when <= at),
            reverse=True,
        )
        if not older:
            raise DeviceNotFoundError(
                f"iqm:{qc}: IQM Resonance's default calibration set is from "
                f"{iso(current.calibrated_at) if current.calibrated_at else 'an unknown time'}, "
                f"after --at {iso(at)}, and IQM lists no older sets; name one by id: "
                f"iqm:{qc}@<calibration set id>"
            )
        return await self.snapshot(f"{qc}@{older[0][1]}", None)

    async def _get(self, qc: str, set_id: str, tail: str) -> Any:
        path = f"{API}/calibration-sets/{segment(qc)}/{segment(set_id)}{tail}"
        return path, await self.http.get(path, _what(tail, qc, set_id))

    def _read(
        self,
        qc: str,
        wanted: str,
        calibration: tuple[str, Any],
        metrics: tuple[str, Any],
        architecture: tuple[str, Any],
        status: DeviceStatus,
    ) -> DeviceSnapshot:
        with self.http.reading(_what("", qc, wanted), calibration[0]) as where:
            cal = _observation_set(calibration[1], where)
        with self.http.reading(_what("/metrics", qc, wanted), metrics[0]) as where:
            quality = _observation_set(metrics[1], where)
        dqa_what = _what("/dynamic-quantum-architecture", qc, wanted)
        with self.http.reading(dqa_what, architecture[0]) as where:
            dqa = _architecture(architecture[1], where)
        set_id = cal.set_id
        if cal.created is not None:
            self.seen.setdefault(qc, {})[set_id] = cal.created
        where = f"IQM Resonance calibration set {set_id} of {qc}"
        with self.http.reading(_what("/metrics", qc, wanted), metrics[0]):
            return build_snapshot(qc, cal, quality, dqa, status, where)


def _what(tail: str, qc: str, set_id: str) -> str:
    kind = {
        "": "calibration set",
        "/metrics": "quality metrics of calibration set",
        "/dynamic-quantum-architecture": "dynamic quantum architecture of calibration set",
    }[tail]
    return f"the {kind} {set_id} of {qc}"


def _computer(item: Any, where: str) -> Mapping[str, Any]:
    entry = v.mapping(item, where)
    return {
        "alias": v.text(entry.get("alias"), f"{where}.alias"),
        "display_name": entry.get("display_name"),
        "id": entry.get("id"),
    }


def _health(found: Any, where: str) -> DeviceStatus:
    document = v.mapping(found, f"{where}: $")
    status = v.text(document.get("status"), f"{where}: $.status")
    message = document.get("message")
    operational = status.strip().lower() in OPERATIONAL
    text = "" if operational else status
    if isinstance(message, str) and message.strip():
        text = f"{text}: {message.strip()}" if text else message.strip()
    return DeviceStatus(operational, text)


@dataclass(frozen=True)
class Observation:
    """One valid observation: value in the field's unit converted (times in s)."""

    field: str
    value: float
    uncertainty: float | None
    measured_at: datetime | None


@dataclass(frozen=True)
class ObservationSet:
    """A calibration set or a quality-metric set: its id, time and valid observations."""

    set_id: str
    created: datetime | None
    observations: Mapping[str, Observation]


def _observation_set(found: Any, where: str) -> ObservationSet:
    document = v.mapping(found, f"{where}: $")
    set_id = v.text(
        document.get("describes_id") or document.get("observation_set_id"),
        f"{where}: $.observation_set_id",
    )
    created = document.get("created_timestamp")
    when = None if created is None else document_time(created, f"{where}: $.created_timestamp")
    items = v.sequence(document.get("observations"), f"{where}: $.observations")
    read: dict[str, Observation] = {}
    for i, item in enumerate(items):
        observation = _observation(item, f"{where}: $.observations[{i}]")
        if observation is not None:
            read[observation.field] = observation
    return ObservationSet(set_id, when, read)


def _observation(item: Any, where: str) -> Observation | None:
    entry = v.mapping(item, where)
    if entry.get("invalid") is True:
        return None
    name = v.text(entry.get("dut_field"), f"{where}.dut_field")
    at = f"{where} ({name})"
    raw = entry.get("value")
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        return None  # a setting that is not a number (a waveform name): not a metric
    value = v.number(raw, f"{at}.value")
    unit = entry.get("unit")
    scale = _scale(name, unit, at)
    uncertainty = entry.get("uncertainty")
    spread = None if uncertainty is None else v.number(uncertainty, f"{at}.uncertainty")
    if spread is not None:
        v.at_least(spread, 0, f"{at}.uncertainty")
    stamp = entry.get("modified_timestamp") or entry.get("created_timestamp")
    when = None if stamp is None else document_time(stamp, f"{at}.created_timestamp")
    return Observation(name, value * scale, None if spread is None else spread * scale, when)


def _scale(name: str, unit: Any, where: str) -> float:
    """What to multiply a value by: times to seconds; an unknown unit for a field qpumon reads
    is an error (one it does not read is left as it is)."""
    if _is_time(name):
        if unit not in TIME_UNITS:
            raise InputError(f"{where}.unit: {unit!r} is not a unit of time qpumon knows")
        return TIME_UNITS[str(unit)]
    if _is_ratio(name) and unit not in NO_UNIT:
        raise InputError(f"{where}.unit: {unit!r}; a fidelity or probability has no unit")
    return 1.0


def _is_time(name: str) -> bool:
    return name.endswith(("_time", ".duration"))


def _is_ratio(name: str) -> bool:
    return ".fidelity" in name or ".error_" in name


@dataclass(frozen=True)
class Architecture:
    """The DQA: qubits in order, and per gate its default implementation, per-locus overrides
    and loci."""

    qubits: tuple[str, ...]
    resonators: tuple[str, ...]
    defaults: Mapping[str, str]
    overrides: Mapping[str, Mapping[tuple[str, ...], str]]
    loci: Mapping[str, tuple[tuple[str, ...], ...]]


def _architecture(found: Any, where: str) -> Architecture:
    document = v.mapping(found, f"{where}: $")
    qubits = tuple(
        v.text(q, f"{where}: $.qubits[{i}]")
        for i, q in enumerate(v.sequence(document.get("qubits"), f"{where}: $.qubits"))
    )
    if not qubits:
        raise InputError(f"{where}: $.qubits is empty")
    resonators = tuple(str(r) for r in document.get("computational_resonators") or ())
    gates = v.mapping(document.get("gates"), f"{where}: $.gates")
    defaults: dict[str, str] = {}
    overrides: dict[str, dict[tuple[str, ...], str]] = {}
    loci: dict[str, tuple[tuple[str, ...], ...]] = {}
    for gate, info in gates.items():
        at = f"{where}: $.gates.{gate}"
        info = v.mapping(info, at)
        defaults[gate] = v.text(info.get("default_implementation"), f"{at}.default_implementation")
        implementations = v.mapping(info.get("implementations"), f"{at}.implementations")
        found_loci: dict[tuple[str, ...], None] = {}
        for name, implementation in implementations.items():
            listed = v.sequence(
                v.mapping(implementation, f"{at}.implementations.{name}").get("loci"),
                f"{at}.implementations.{name}.loci",
            )
            for locus in listed:
                found_loci[tuple(str(c) for c in v.sequence(locus, f"{at}.loci"))] = None
        loci[gate] = tuple(found_loci)
        raw = info.get("override_default_implementation") or {}
        overrides[gate] = {
            tuple(re.split(r"__|,\s*|\s+", str(k).strip("()[] ").replace("'", ""))): str(impl)
            for k, impl in v.mapping(raw, f"{at}.override_default_implementation").items()
        }
    return Architecture(qubits, resonators, defaults, overrides, loci)


def build_snapshot(
    qc: str,
    calibration: ObservationSet,
    quality: ObservationSet,
    dqa: Architecture,
    status: DeviceStatus,
    where: str,
) -> DeviceSnapshot:
    """The snapshot of one calibration set of ``qc`` (see the module's docstring)."""
    names = sorted(dqa.qubits, key=component_order)
    index = {name: i for i, name in enumerate(names)}
    notes: list[str] = []
    values = {**calibration.observations, **quality.observations}
    qubits = tuple(_qubit(i, name, values, dqa) for i, name in enumerate(names))
    gates = [*_one_qubit(values, dqa, index), *_cz(values, dqa, index, notes)]
    edges = sorted(
        {(index[a], index[b]) for a, b in dqa.loci.get("cz", ()) if a in index and b in index}
    )
    name = f"iqm:{qc}"
    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=len(names),
        source=f"live:{name}",
        vendor="iqm",
        basis_gates=tuple(g for g in ("prx", "cz", "measure") if g in dqa.defaults),
        coupling_edges=tuple(edges),
        qubits=qubits,
        gates=tuple(gates),
        qubit_names=tuple(names),
        status=status,
        calibrated_at=calibration.created,
        configuration={
            "calibration_set_id": calibration.set_id,
            "quality_metric_set_of": quality.set_id,
            "implementations": {
                g: dqa.defaults[g] for g in ("prx", "cz", "measure") if g in dqa.defaults
            },
            "implementation_overrides": {
                g: {"__".join(k): impl for k, impl in o.items()}
                for g, o in dqa.overrides.items()
                if o
            },
            "computational_resonators": list(dqa.resonators),
            "gate_error": "1 - the RB (PRX) or interleaved RB (CZ) average gate fidelity",
            **({"notes": notes} if notes else {}),
        },
    )
    return check_snapshot(snapshot, where)


def _implementation(dqa: Architecture, gate: str, locus: tuple[str, ...]) -> str | None:
    overrides = dqa.overrides.get(gate, {})
    return overrides.get(locus) or overrides.get(locus[::-1]) or dqa.defaults.get(gate)


def _qubit(
    i: int, name: str, values: Mapping[str, Observation], dqa: Architecture
) -> QubitCalibration:
    def get(key: str) -> Observation | None:
        return values.get(key)

    t1, t2 = (
        get(f"characterization.model.{name}.t1_time"),
        get(f"characterization.model.{name}.t2_time"),
    )
    for found, label in ((t1, "t1_time"), (t2, "t2_time")):
        if found is not None:
            v.at_least(found.value, 0, f"characterization.model.{name}.{label}")
    measure = _implementation(dqa, "measure", (name,)) or "constant"
    e01 = get(f"metrics.ssro.measure.{measure}.{name}.error_0_to_1")
    e10 = get(f"metrics.ssro.measure.{measure}.{name}.error_1_to_0")
    p10 = None if e01 is None else v.probability(e01.value, e01.field)
    p01 = None if e10 is None else v.probability(e10.value, e10.field)
    length = get(f"gates.measure.{measure}.{name}.duration")
    measured = {
        key: obs.measured_at
        for key, obs in (("t1_us", t1), ("t2_us", t2), ("readout_error", e01 or e10))
        if obs is not None and obs.measured_at is not None
    }
    return QubitCalibration(
        index=i,
        t1_us=None if t1 is None else t1.value * 1e6,
        t2_us=None if t2 is None else t2.value * 1e6,
        readout_error=None if p10 is None or p01 is None else (p10 + p01) / 2,
        prob_meas0_prep1=p01,
        prob_meas1_prep0=p10,
        readout_length_ns=None if length is None else length.value * 1e9,
        measured_at=measured,
    )


def _gate(
    gate: str, qubits: tuple[int, ...], fidelity: Observation, length: Observation | None
) -> GateCalibration:
    f = v.probability(fidelity.value, fidelity.field)
    return GateCalibration(
        gate,
        qubits,
        from_fidelity(f),
        None if length is None else length.value * 1e9,
        fidelity.measured_at,
        AVERAGE,
        fidelity.uncertainty,
    )


def _one_qubit(
    values: Mapping[str, Observation], dqa: Architecture, index: Mapping[str, int]
) -> list[GateCalibration]:
    gates = []
    for locus in dqa.loci.get("prx", ()):
        impl = _implementation(dqa, "prx", locus)
        found = values.get(f"metrics.rb.prx.{impl}.{locus[0]}.fidelity:par=d2")
        if found is None or locus[0] not in index:
            continue
        length = values.get(f"gates.prx.{impl}.{locus[0]}.duration")
        gates.append(_gate("prx", (index[locus[0]],), found, length))
    return sorted(gates, key=lambda g: g.qubits)


def _cz(
    values: Mapping[str, Observation],
    dqa: Architecture,
    index: Mapping[str, int],
    notes: list[str],
) -> list[GateCalibration]:
    gates = []
    for locus in dqa.loci.get("cz", ()):
        if len(locus) != 2 or not all(q in index for q in locus):
            continue  # a coupler to a computational resonator: not between qubits
        impl = _implementation(dqa, "cz", locus)
        forward = values.get(f"metrics.irb.cz.{impl}.{locus[0]}__{locus[1]}.fidelity:par=d2")
        backward = values.get(f"metrics.irb.cz.{impl}.{locus[1]}__{locus[0]}.fidelity:par=d2")
        found = forward or backward
        if found is None:
            continue
        if forward is not None and backward is not None and forward.value != backward.value:
            notes.append(
                f"CZ {locus[0]}-{locus[1]} is keyed both ways with different fidelities "
                f"({forward.value:g}, {backward.value:g}); the DQA's direction is shown"
            )
        length = values.get(f"gates.cz.{impl}.{locus[0]}__{locus[1]}.duration") or values.get(
            f"gates.cz.{impl}.{locus[1]}__{locus[0]}.duration"
        )
        gates.append(_gate("cz", (index[locus[0]], index[locus[1]]), found, length))
    return sorted(gates, key=lambda g: g.qubits)
