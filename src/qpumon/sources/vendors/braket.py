"""Amazon Braket device-properties documents, recognised by their content: the whole
``aws braket get-device`` response, its ``deviceCapabilities`` (an object, or the JSON string
the API returns), or their ``standardized`` part alone.

The standardized part is validated with amazon-braket-schemas' own models
(``braket.device_schema.standardized_gate_model_qpu_device_properties_v1``, ``_v2``, ``_v3``,
chosen by its ``braketSchemaHeader.version``) and ``paradigm`` with
``GateModelQpuParadigmProperties``; a document that fails them is an :class:`InputError` naming
the field path and the reason.

What the numbers mean (the schemas' docstrings):

- v1/v2 ``oneQubitProperties[q]``: ``T1`` and ``T2`` with their unit (v1: a unit string, v2:
  ``s``), shown in µs; ``oneQubitFidelity`` entries by ``fidelityType.name``: ``READOUT`` is the
  readout fidelity, whose complement is shown as the readout (assignment) error;
  ``RANDOMIZED_BENCHMARKING`` and ``SIMULTANEOUS_RANDOMIZED_BENCHMARKING`` are RB fidelities,
  average gate fidelities, shown as errors 1 − F (``AVERAGE``) on the gates ``rb`` and
  ``simultaneous_rb`` (Braket does not name the benchmarked gate); other types keep their
  lower-case name and the definition ``OTHER``.
- v1/v2 ``twoQubitProperties["a-b"].twoQubitGateFidelity``: a fidelity per gate (``gateName``,
  lower-cased) and direction (``{"control": a, "target": b}``; none: the pair in its key's order),
  with its benchmark (``fidelityType``): RB-type benchmarks (interleaved or not) are average
  fidelities (``AVERAGE``), others ``OTHER``. Where a gate and direction have several, the
  interleaved RB one is shown.
- v3: ``T1``, ``T2``, ``readoutFidelity``, ``singleQubitFidelity`` and ``twoQubitGateFidelity``
  for the whole device (its ``fidelity``; the ``median`` is kept in the configuration), per-qubit
  RB fidelities in ``oneQubitProperties``, durations, and ``updatedAt``.
- Every ``standardError`` of a fidelity is the uncertainty of its error.

Qubits keep Braket's numbering when it is 0-based (Rigetti); otherwise (IQM's 1-based ids) they
are indexed in order and the ids kept as qubit names. The vendor is the provider
(``providerName``, or the capabilities schema's provider: ``rigetti``, ``iqm``, ``ionq``...).
``calibrated_at`` is v3's ``updatedAt`` or the capabilities' ``service.updatedAt``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ...errors import InputError, InputTooLargeError, UnitError
from ...model import (
    ALL_TO_ALL,
    GRAPH,
    DeviceSnapshot,
    DeviceValue,
    GateCalibration,
    QubitCalibration,
)
from ...model import validate as v
from ...model.consistency import check_snapshot
from ...model.definitions import ASSIGNMENT, AVERAGE, OTHER, from_fidelity
from ...model.units import convert
from ...util.bounded import parse_json
from ...util.times import document_time
from .registry import BRAKET, import_vendor

SCHEMA = "braket.device_schema."
STANDARDIZED = SCHEMA + "standardized_gate_model_qpu_device_properties"
#: One-qubit fidelity types -> (gate name, definition).
ONE_QUBIT_TYPES = {
    "RANDOMIZED_BENCHMARKING": ("rb", AVERAGE),
    "SIMULTANEOUS_RANDOMIZED_BENCHMARKING": ("simultaneous_rb", AVERAGE),
}
#: Two-qubit fidelity types, most preferred first.
TWO_QUBIT_PREFERENCE = ("INTERLEAVED_RANDOMIZED_BENCHMARKING", "RANDOMIZED_BENCHMARKING")
#: The most entries (fidelities per qubit and per pair, pairs and neighbours per qubit) a
#: document may hold for each qubit it describes, checked before the schema reads any of them:
#: real documents hold under 10 (an all-to-all device of n qubits lists n - 1 pairs per qubit).
ENTRIES_PER_QUBIT = 256
#: The most qubits a Braket document may describe: the schema's validation costs about a
#: millisecond per qubit (100,000 qubits took 96 s), and Braket's largest devices have ~100.
MAX_BRAKET_QUBITS = 4096


@dataclass
class Parts:
    """The pieces of a Braket document, wherever they sit, with their JSON paths."""

    standardized: Mapping[str, Any]
    at: str
    paradigm: Mapping[str, Any] | None = None
    paradigm_at: str = ""
    updated_at: Any = None
    provider: str | None = None
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def is_braket_document(data: Mapping[str, Any]) -> bool:
    """True for a get-device response, a device-capabilities or a standardized document."""
    if "deviceCapabilities" in data and ("deviceArn" in data or "deviceName" in data):
        return True
    header = data.get("braketSchemaHeader")
    return isinstance(header, Mapping) and str(header.get("name", "")).startswith(SCHEMA)


def snapshot_from_braket(data: Mapping[str, Any], path: str) -> DeviceSnapshot:
    """The snapshot of a Braket document read from ``path``."""
    parts = _parts(data, path)
    _check_entries(parts, path)
    header = _header(parts.standardized)
    version = str(header.get("version", ""))
    model = _standardized_model(version, path, parts.at)
    standardized = _validate(model, parts.standardized, path, parts.at)
    paradigm = None
    if parts.paradigm is not None:
        paradigm_model = import_vendor(
            "braket.device_schema.gate_model_qpu_paradigm_properties_v1",
            BRAKET,
            f"{path}: an Amazon Braket document",
        ).GateModelQpuParadigmProperties
        paradigm = _validate(paradigm_model, parts.paradigm, path, parts.paradigm_at)
        if not 0 <= paradigm.qubitCount <= MAX_BRAKET_QUBITS:
            raise InputError(
                f"{path}: {parts.paradigm_at}.qubitCount: {paradigm.qubitCount} is not a number "
                f"of qubits qpumon reads (0 to {MAX_BRAKET_QUBITS:,})"
            )
    builder = _Builder(path, parts, paradigm)
    snapshot = builder.build(standardized, version)
    return check_snapshot(snapshot, path)


def _check_entries(parts: Parts, path: str) -> None:
    """Refuse, before the schema reads it, a document with more entries than
    :data:`ENTRIES_PER_QUBIT` per qubit it describes (or more than :data:`MAX_BRAKET_QUBITS`):
    the schema's work and memory grow with the entries, so they stay bounded by the device."""
    one = parts.standardized.get("oneQubitProperties")
    two = parts.standardized.get("twoQubitProperties")
    one = one if isinstance(one, Mapping) else {}
    two = two if isinstance(two, Mapping) else {}
    graph: Any = None
    count: Any = None
    if parts.paradigm is not None:
        count = parts.paradigm.get("qubitCount")
        connectivity = parts.paradigm.get("connectivity")
        if isinstance(connectivity, Mapping):
            graph = connectivity.get("connectivityGraph")
    graph = graph if isinstance(graph, Mapping) else {}
    paired = {end for pair in two for end in str(pair).split("-", 1)}
    qubits = max(len(one), len(graph), len(paired), count if isinstance(count, int) else 0, 1)
    if qubits > MAX_BRAKET_QUBITS:
        raise InputTooLargeError(
            f"{path}: {parts.at}: {qubits:,} qubits, more than an Amazon Braket document qpumon "
            f"reads ({MAX_BRAKET_QUBITS:,}; Braket's largest devices have about 100)"
        )
    entries = len(one) + len(two) + len(graph)
    entries += sum(_length(p, "oneQubitFidelity") for p in one.values())
    entries += sum(_length(p, "twoQubitGateFidelity") for p in two.values())
    entries += sum(len(ends) for ends in graph.values() if isinstance(ends, list))
    for key in ("readoutFidelity", "singleQubitFidelity", "twoQubitGateFidelity"):
        entries += _length(parts.standardized, key)
    if entries > qubits * ENTRIES_PER_QUBIT:
        raise InputError(
            f"{path}: {parts.at}: {entries:,} entries for {qubits:,} qubits, more than "
            f"{ENTRIES_PER_QUBIT} per qubit; no device's calibration holds that many"
        )


def _length(entry: Any, key: str) -> int:
    found = entry.get(key) if isinstance(entry, Mapping) else None
    return len(found) if isinstance(found, list | Mapping) else 0


def _parts(data: Mapping[str, Any], path: str) -> Parts:
    if "deviceCapabilities" in data:
        capabilities = data["deviceCapabilities"]
        if isinstance(capabilities, str):
            capabilities = parse_json(capabilities, f"{path}: $.deviceCapabilities (a JSON string)")
        if not isinstance(capabilities, Mapping):
            raise InputError(f"{path}: $.deviceCapabilities: expected an object")
        parts = _from_capabilities(capabilities, path, "$.deviceCapabilities")
        parts.provider = str(data.get("providerName") or parts.provider or "braket")
        parts.name = str(data.get("deviceName") or str(data.get("deviceArn", "")).split("/")[-1])
        parts.extra.update(
            {k: data[k] for k in ("deviceArn", "deviceStatus", "deviceType") if k in data}
        )
        return parts
    name = str(_header(data).get("name", ""))
    if name == STANDARDIZED:
        return Parts(standardized=data, at="$")
    return _from_capabilities(data, path, "$")


def _from_capabilities(capabilities: Mapping[str, Any], path: str, at: str) -> Parts:
    standardized = capabilities.get("standardized")
    if not isinstance(standardized, Mapping):
        raise InputError(
            f"{path}: {at}.standardized: the device's capabilities carry no standardized "
            "calibration (Braket gives it for gate-model QPUs)"
        )
    schema = str(_header(capabilities).get("name", ""))
    provider = schema.removeprefix(SCHEMA).split(".")[0] if schema.startswith(SCHEMA) else None
    paradigm = capabilities.get("paradigm")
    service = capabilities.get("service")
    return Parts(
        standardized=standardized,
        at=f"{at}.standardized",
        paradigm=paradigm if isinstance(paradigm, Mapping) else None,
        paradigm_at=f"{at}.paradigm",
        updated_at=service.get("updatedAt") if isinstance(service, Mapping) else None,
        provider=provider,
    )


def _standardized_model(version: str, path: str, at: str) -> Any:
    if version not in ("1", "2", "3"):
        raise InputError(
            f"{path}: {at}.braketSchemaHeader.version: {version!r} is not a standardized "
            "device-properties version qpumon reads (1, 2 or 3)"
        )
    module = import_vendor(
        f"braket.device_schema.standardized_gate_model_qpu_device_properties_v{version}",
        BRAKET,
        f"{path}: an Amazon Braket document",
    )
    return module.StandardizedGateModelQpuDeviceProperties


def _validate(model: Any, data: Mapping[str, Any], path: str, at: str) -> Any:
    """``data`` parsed by the schema ``model``; the first failure as field path and reason."""
    import pydantic.v1

    try:
        return model.parse_obj(data)
    except pydantic.v1.ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(
            f"{path}: {at}{_json_path(first['loc'])}: {first['msg']}{more} (Amazon Braket schema)"
        ) from exc


def _json_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).isidentifier():
            out += f".{part}"
        else:
            out += f"[{json.dumps(str(part))}]"
    return out


def _header(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``braketSchemaHeader`` of ``document``; an empty one if it is not an object (the
    version check then refuses the document, naming the header)."""
    header = document.get("braketSchemaHeader")
    return header if isinstance(header, Mapping) else {}


def _index(qid: str) -> int | None:
    """A qubit id as its number if it is one (ASCII digits, at most 9), else None."""
    try:
        return v.index_text(qid, "") if qid.strip() == qid else None
    except InputError:
        return None


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value))


class _Builder:
    """Turns validated schema objects into one snapshot."""

    def __init__(self, path: str, parts: Parts, paradigm: Any) -> None:
        self.path, self.parts, self.paradigm = path, parts, paradigm
        self.when: datetime | None = None
        if parts.updated_at is not None:
            self.when = document_time(parts.updated_at, f"{path}: service.updatedAt")
        self.index: dict[str, int] = {}
        self.names: tuple[str, ...] = ()
        self.num_qubits = 0

    def build(self, props: Any, version: str) -> DeviceSnapshot:
        """The snapshot of the validated standardized properties ``props``."""
        if version == "3" and props.updatedAt is not None:
            self.when = document_time(props.updatedAt, f"{self.path}: updatedAt")
        one = dict(props.oneQubitProperties or {})
        two = dict(getattr(props, "twoQubitProperties", None) or {})
        self._number(self._ids(one, two))
        qubits = tuple(self._qubit(qid, p) for qid, p in one.items()) if version != "3" else ()
        gates = self._one_qubit_gates(one) + self._two_qubit_gates(two)
        values, durations = self._device_values(props) if version == "3" else ((), {})
        connectivity, edges = self._connectivity(two)
        if self.paradigm is None and not two:
            self.parts.extra["connectivity_note"] = (
                "the document gives no connectivity (the whole get-device response has it)"
            )
        provider = (self.parts.provider or "braket").strip().lower().replace(" ", "-")
        return DeviceSnapshot(
            name=self.parts.name or Path(self.path).stem,
            num_qubits=self.num_qubits,
            source=f"file:{self.path}",
            vendor=provider,
            basis_gates=tuple(self.paradigm.nativeGateSet) if self.paradigm else (),
            coupling_edges=edges,
            connectivity=connectivity,
            calibrated_at=self.when,
            qubits=tuple(sorted(qubits, key=lambda q: q.index)),
            gates=gates,
            device_values=values,
            qubit_names=self.names,
            configuration=self._configuration(version, durations),
        )

    def _configuration(self, version: str, durations: Mapping[str, Any]) -> dict[str, Any]:
        configuration = {
            "braket_schema": f"{STANDARDIZED} v{version}",
            "provider": self.parts.provider,
            "qubit_count": None if self.paradigm is None else self.paradigm.qubitCount,
            **self.parts.extra,
            **durations,
        }
        return {k: v for k, v in configuration.items() if v is not None}

    def _ids(self, one: Mapping[str, Any], two: Mapping[str, Any]) -> list[str]:
        ids = list(one)
        for pair, props in two.items():
            ids.extend(self._pair_ids(pair))
            for fidelity in props.twoQubitGateFidelity:
                ids.extend(str(q) for q in (fidelity.direction or {}).values())
        if self.paradigm is not None:
            for a, bs in self.paradigm.connectivity.connectivityGraph.items():
                ids.extend([a, *bs])
        return list(dict.fromkeys(ids))

    def _pair_ids(self, pair: str) -> list[str]:
        ids = pair.split("-")
        if len(ids) != 2 or not all(ids):
            raise InputError(
                f"{self.path}: {self.parts.at}.twoQubitProperties[{json.dumps(pair)}]: a pair "
                "is named 'a-b'"
            )
        return ids

    def _number(self, ids: Sequence[str]) -> None:
        """Braket's 0-based integer ids are the indices; other ids are numbered in order."""
        count = self.paradigm.qubitCount if self.paradigm is not None else None
        numbers = {i: _index(i) for i in ids}
        indices = {i: n for i, n in numbers.items() if n is not None}
        numeric = bool(ids) and len(indices) == len(ids)
        if numeric and ("0" in ids or (count is not None and max(indices.values()) < count)):
            self.index = indices
            self.num_qubits = max([count or 0, *(n + 1 for n in indices.values())])
            return
        ordered = sorted(ids, key=lambda i: (numbers[i] is None, numbers[i] or 0, i))
        self.index = {i: n for n, i in enumerate(ordered)}
        self.names = tuple(ordered)
        self.num_qubits = len(ordered)
        if not ordered:
            if count is None:
                raise InputError(
                    f"{self.path}: {self.parts.at}: the document names no qubits and no qubit "
                    "count; give the whole `aws braket get-device` response"
                )
            self.num_qubits = count

    def _time_us(self, value: Any, unit: str, where: str, unit_at: str) -> float:
        """A time or its uncertainty at ``where`` (its unit at ``unit_at``) in µs: finite and
        not negative, before and after the conversion."""
        value = v.non_negative(value, where)
        try:
            converted = convert(value, unit, "time_us", unit_at)
        except UnitError:
            converted = convert(value, unit.strip().lower(), "time_us", unit_at)
        return v.finite(converted, where)

    def _coherence_time(self, quantity: Any, where: str) -> tuple[float, float | None]:
        """A T1 or T2 (``value``, ``standardError``, ``unit``) at ``where`` in µs."""
        unit = _enum(quantity.unit)
        error = quantity.standardError
        value = self._time_us(quantity.value, unit, f"{where}.value", f"{where}.unit")
        if error is None:
            return value, None
        return value, self._time_us(error, unit, f"{where}.standardError", f"{where}.unit")

    def _qubit(self, qid: str, props: Any) -> QubitCalibration:
        at = f"{self.path}: {self.parts.at}.oneQubitProperties[{json.dumps(qid)}]"
        t1, _ = self._coherence_time(props.T1, f"{at}.T1")
        t2, _ = self._coherence_time(props.T2, f"{at}.T2")
        readout = next(
            (
                from_fidelity(v.fraction(f.fidelity, f"{at}.oneQubitFidelity[{j}].fidelity"))
                for j, f in enumerate(props.oneQubitFidelity)
                if str(f.fidelityType.name).upper().startswith("READOUT")
            ),
            None,
        )
        present = {"t1_us": t1, "t2_us": t2, "readout_error": readout}
        return QubitCalibration(
            index=self.index[qid],
            t1_us=t1,
            t2_us=t2,
            readout_error=readout,
            measured_at={}
            if self.when is None
            else {k: self.when for k, v in present.items() if v is not None},
        )

    def _one_qubit_gates(self, one: Mapping[str, Any]) -> tuple[GateCalibration, ...]:
        gates: dict[tuple[str, tuple[int, ...]], GateCalibration] = {}
        for qid, props in one.items():
            for j, f in enumerate(props.oneQubitFidelity):
                at = f"{self.path}: {self.parts.at}.oneQubitProperties[{json.dumps(qid)}]"
                fidelity, error = _fidelity(f, f"{at}.oneQubitFidelity[{j}]")
                kind = _enum(f.fidelityType.name) if f.fidelityType is not None else "OTHER"
                if kind.upper().startswith("READOUT"):
                    continue
                gate, definition = ONE_QUBIT_TYPES.get(kind, (kind.lower()[:40], OTHER))
                key = (gate, (self.index[qid],))
                gates.setdefault(
                    key,
                    GateCalibration(
                        gate,
                        key[1],
                        from_fidelity(fidelity),
                        None,
                        self.when,
                        definition,
                        error,
                    ),
                )
        return tuple(sorted(gates.values(), key=lambda g: (g.gate, g.qubits)))

    def _two_qubit_gates(self, two: Mapping[str, Any]) -> tuple[GateCalibration, ...]:
        chosen: dict[tuple[str, tuple[int, ...]], tuple[int, GateCalibration]] = {}
        for pair, props in two.items():
            a, b = self._pair_ids(pair)
            at = f"{self.path}: {self.parts.at}.twoQubitProperties[{json.dumps(pair)}]"
            for j, fidelity in enumerate(props.twoQubitGateFidelity):
                rank, gate = self._two_qubit_gate(a, b, fidelity, f"{at}.twoQubitGateFidelity[{j}]")
                key = (gate.gate, gate.qubits)
                if key not in chosen or rank < chosen[key][0]:
                    chosen[key] = (rank, gate)
        return tuple(sorted((g for _, g in chosen.values()), key=lambda g: (g.gate, g.qubits)))

    def _two_qubit_gate(self, a: str, b: str, f: Any, at: str) -> tuple[int, GateCalibration]:
        """One fidelity of pair ``a-b`` (at JSON path ``at``) as a gate, and its benchmark's
        rank of preference."""
        fidelity, error = _fidelity(f, at)
        direction = {_enum(k): str(v) for k, v in (f.direction or {}).items()}
        ends = (direction.get("control", a), direction.get("target", b))
        kind = str(f.fidelityType.name).upper()
        rank = TWO_QUBIT_PREFERENCE.index(kind) if kind in TWO_QUBIT_PREFERENCE else 9
        gate = GateCalibration(
            f.gateName.lower()[:40],
            (self.index[ends[0]], self.index[ends[1]]),
            from_fidelity(fidelity),
            None,
            self.when,
            AVERAGE if "RANDOMIZED_BENCHMARKING" in kind else OTHER,
            error,
        )
        return rank, gate

    def _connectivity(self, two: Mapping[str, Any]) -> tuple[str, tuple[tuple[int, int], ...]]:
        if self.paradigm is not None and self.paradigm.connectivity.fullyConnected:
            return ALL_TO_ALL, ()
        edges: set[tuple[int, int]] = set()
        if self.paradigm is not None:
            for a, bs in self.paradigm.connectivity.connectivityGraph.items():
                edges.update((self.index[a], self.index[b]) for b in bs if b != a)
        else:
            for pair in two:
                a, b = self._pair_ids(pair)
                edges.add((self.index[a], self.index[b]))
        return GRAPH, tuple(sorted(edges))

    def _device_values(self, props: Any) -> tuple[tuple[DeviceValue, ...], dict[str, Any]]:
        """v3's device-level values, and its durations and medians for the configuration."""
        extra: dict[str, Any] = {}
        values = self._coherence(props) + self._fidelities(props, extra)
        for name, duration in (
            ("readout_duration_ns", props.readoutDuration),
            ("1q_gate_duration_ns", props.singleQubitGateDuration),
            ("2q_gate_duration_ns", props.twoQubitGateDuration),
            ("active_reset_duration_ns", props.activeResetDuration),
        ):
            if duration is not None:
                unit = _enum(duration.unit)
                at = f"{self.path}: {self.parts.at}.{_V3_DURATIONS[name]}"
                value = v.non_negative(duration.value, f"{at}.value")
                extra[name] = v.finite(convert(value, unit, "time_ns", f"{at}.unit"), at)
        return tuple(values), extra

    def _coherence(self, props: Any) -> list[DeviceValue]:
        values = []
        for key, duration in (("t1_us", props.T1), ("t2_us", props.T2)):
            if duration is None:
                continue
            where = f"{self.path}: {self.parts.at}.{key[:2].upper()}"
            value, error = self._coherence_time(duration, where)
            values.append(DeviceValue(key, value, None, error, self.when))
        return values

    def _fidelities(self, props: Any, extra: dict[str, Any]) -> list[DeviceValue]:
        """The first of each list of device fidelities as an error (RB ones: average)."""
        values = []
        for key, fidelities, fallback in (
            ("readout_error", props.readoutFidelity, ASSIGNMENT),
            ("1q_error", props.singleQubitFidelity, OTHER),
            ("2q_error", props.twoQubitGateFidelity, OTHER),
        ):
            if not fidelities:
                continue
            f = fidelities[0]
            at = f"{self.path}: {self.parts.at}.{_V3_FIDELITIES[key]}[0]"
            fidelity, error = _fidelity(f, at)
            rb = f.fidelityType is not None and key != "readout_error"
            definition = AVERAGE if rb else fallback
            values.append(DeviceValue(key, from_fidelity(fidelity), definition, error, self.when))
            if f.median is not None:
                median = v.fraction(f.median, f"{at}.median")
                extra[f"{key.removesuffix('_error')}_fidelity_median"] = median
        return values


_V3_DURATIONS = {
    "readout_duration_ns": "readoutDuration",
    "1q_gate_duration_ns": "singleQubitGateDuration",
    "2q_gate_duration_ns": "twoQubitGateDuration",
    "active_reset_duration_ns": "activeResetDuration",
}
_V3_FIDELITIES = {
    "readout_error": "readoutFidelity",
    "1q_error": "singleQubitFidelity",
    "2q_error": "twoQubitGateFidelity",
}


def _fidelity(entry: Any, at: str) -> tuple[float, float | None]:
    """A fidelity entry's fidelity (in [0, 1]) and standard error (finite, not negative)."""
    fidelity = v.fraction(entry.fidelity, f"{at}.fidelity")
    return fidelity, v.optional_non_negative(entry.standardError, f"{at}.standardError")
