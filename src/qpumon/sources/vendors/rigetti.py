"""Rigetti QCS instruction set architectures (ISA), recognised by their content: the answer of
QCS's ``GET /v1/quantumProcessors/{id}/instructionSetArchitecture``, or the same ISA embedded as
``specs`` in Amazon Braket's Rigetti provider properties (``provider.specs`` of a Rigetti
device's capabilities, or the provider document alone).

The shape (qcs-api-client's ``InstructionSetArchitecture``): ``name``, ``architecture``
(``nodes`` by ``node_id``, ``edges`` by ``node_ids``), ``instructions`` and ``benchmarks``, each
an operation with ``sites`` (``node_ids``) whose ``characteristics`` are
``{name, value, error, timestamp, parameter_values}``.

What each number means (the names pyQuil's ISA conversion gives them: fRB is the fidelity of
the RX gates, fRO of MEASURE, fCZ / fXY / fCPHASE of those gates):

- ``T1`` (benchmark ``FreeInversionRecovery``) and ``T2`` (``FreeInductionDecay``, a Ramsey
  T2*) in seconds, shown in µs.
- ``fRB`` of ``randomized_benchmark_1q``: the qubit's randomized-benchmarking average gate
  fidelity of its RX gates (RZ is virtual), shown as the average gate infidelity 1 − F on the gate
  ``rx`` (``AVERAGE``); that of ``randomized_benchmark_simultaneous_1q`` (every qubit at once)
  on ``simultaneous_rb``.
- ``fRO`` of ``MEASURE``: the readout assignment fidelity, whose complement is the readout
  (assignment) error.
- ``fAR`` of ``RESET``: the active-reset fidelity, kept as the error 1 − F of the ``reset``
  operation (``OTHER``: Rigetti does not define it as a gate fidelity).
- ``fCZ``, ``fXY``, ``fCPHASE`` (and ``fISWAP``) of the two-qubit instructions: average gate
  fidelities from interleaved randomized benchmarking, shown as 1 − F (``AVERAGE``) on an
  undirected pair listed both ways. XY(θ) and CPHASE(θ) are calibrated at the angle in
  ``parameter_values`` (π: XY(π) is iSWAP, CPHASE(π) is CZ).
- Every characteristic's ``error`` is the standard error of its value, kept as the uncertainty.
- A ``timestamp`` is when the value was measured; the epoch (``1970-01-01``, which published
  ISAs carry in place of a date) is no date and is shown as missing.

A node the architecture lists with no operation on it is out of service. Node ids that are
0 … n−1 are the qubit indices; otherwise (Aspen's 0–7, 10–17, …) the qubits are indexed in
node order and the node ids kept as qubit names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ...errors import InputError
from ...model import (
    GRAPH,
    DeviceSnapshot,
    DeviceStatus,
    GateCalibration,
    QubitCalibration,
)
from ...model import validate as v
from ...model.consistency import check_snapshot
from ...model.definitions import AVERAGE, OTHER, from_fidelity
from ...util.times import parse_iso

#: The ISA's timestamps are no date when they are this (upstream fixtures zero them).
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: One-qubit operation -> (characteristic, gate name, definition).
ONE_QUBIT = {
    "randomized_benchmark_1q": ("fRB", "rx", AVERAGE),
    "randomized_benchmark_simultaneous_1q": ("fRB", "simultaneous_rb", AVERAGE),
    "RESET": ("fAR", "reset", OTHER),
}
#: Coherence benchmarks -> (characteristic, qubit field).
COHERENCE = {"FreeInversionRecovery": ("T1", "t1_us"), "FreeInductionDecay": ("T2", "t2_us")}
#: Instructions that are gates a circuit can use (in Rigetti's names).
GATES = ("RX", "RZ", "CZ", "XY", "CPHASE", "ISWAP")
#: Braket's name of the Rigetti provider properties schema.
BRAKET_PROVIDER = "braket.device_schema.rigetti.rigetti_provider_properties"


def is_rigetti_document(data: Mapping[str, Any]) -> bool:
    """True for an ISA, a Braket Rigetti provider document, or a Braket Rigetti capabilities
    document that carries ``provider.specs`` but no standardized calibration."""
    if _is_isa(data):
        return True
    if _is_isa(data.get("specs")):
        return True
    provider = data.get("provider")
    return (
        isinstance(provider, Mapping)
        and _is_isa(provider.get("specs"))
        and not isinstance(data.get("standardized"), Mapping)
    )


def _is_isa(data: Any) -> bool:
    return isinstance(data, Mapping) and "architecture" in data and "instructions" in data


def snapshot_from_rigetti(data: Mapping[str, Any], path: str) -> DeviceSnapshot:
    """The snapshot of the ISA in ``data`` (an ISA or a Braket document embedding one)."""
    if _is_isa(data):
        return snapshot_from_isa(data, path, source=f"file:{path}")
    if _is_isa(data.get("specs")):
        return snapshot_from_isa(data["specs"], path, source=f"file:{path}", at="$.specs")
    return snapshot_from_isa(
        data["provider"]["specs"], path, source=f"file:{path}", at="$.provider.specs"
    )


def snapshot_from_isa(
    isa: Mapping[str, Any],
    where: str,
    *,
    source: str,
    at: str = "$",
    name: str | None = None,
    status: DeviceStatus | None = None,
) -> DeviceSnapshot:
    """The snapshot of one ISA read from ``where`` (``at``: its JSON path there)."""
    reader = _Reader(where, at)
    snapshot = reader.read(isa, source, name)
    if status is not None:
        snapshot = replace(snapshot, status=status)
    return check_snapshot(snapshot, where)


@dataclass
class _Site:
    """One value of one characteristic on one site, with where it was read."""

    nodes: tuple[int, ...]
    value: float
    error: float | None
    when: datetime | None
    at: str


@dataclass
class _Reader:
    """Reads one ISA; every failure names the JSON path of the bad value."""

    where: str
    at: str
    index: dict[int, int] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)

    def read(self, isa: Mapping[str, Any], source: str, name: str | None) -> DeviceSnapshot:
        isa = v.mapping(isa, self._here(""))
        arch = v.mapping(isa.get("architecture"), self._here(".architecture"))
        nodes = self._nodes(arch)
        edges = self._edges(arch)
        self._number(nodes)
        operations = self._operations(isa)
        used = {n for op in operations.values() for s in op["sites"] for n in s}
        qubits = self._qubits(nodes, operations, used)
        gates = self._gates(operations)
        basis = tuple(g.lower() for g in GATES if operations.get(g, {}).get("sites"))
        when = max((g.measured_at for g in gates if g.measured_at), default=None)
        ordered = sorted(nodes)
        identity = ordered == list(range(len(ordered)))
        return DeviceSnapshot(
            name=name or v.text(isa.get("name"), self._here(".name")),
            num_qubits=len(nodes),
            source=source,
            processor_family=_family(arch),
            basis_gates=basis,
            coupling_edges=tuple(
                sorted(
                    {(self.index[a], self.index[b]) for a, b in edges}
                    | {(self.index[b], self.index[a]) for a, b in edges}
                )
            ),
            calibrated_at=when,
            qubits=qubits,
            gates=gates,
            vendor="rigetti",
            connectivity=GRAPH,
            qubit_names=() if identity else tuple(str(n) for n in ordered),
            configuration={"isa_name": isa.get("name"), "node_ids": ordered},
        )

    def _here(self, path: str) -> str:
        return f"{self.where}: {self.at}{path}"

    def _nodes(self, arch: Mapping[str, Any]) -> list[int]:
        nodes = v.sequence(arch.get("nodes"), self._here(".architecture.nodes"))
        ids = []
        for i, node in enumerate(nodes):
            at = self._here(f".architecture.nodes[{i}]")
            ids.append(self._node_id(v.mapping(node, at).get("node_id"), f"{at}.node_id"))
        if len(set(ids)) != len(ids):
            raise InputError(f"{self._here('.architecture.nodes')}: a node is listed twice")
        if not ids:
            raise InputError(f"{self._here('.architecture.nodes')}: the ISA lists no node")
        return ids

    def _edges(self, arch: Mapping[str, Any]) -> list[tuple[int, int]]:
        edges = v.sequence(arch.get("edges", []), self._here(".architecture.edges"))
        return [
            self._pair(v.mapping(e, at).get("node_ids"), f"{at}.node_ids")
            for i, e in enumerate(edges)
            for at in [self._here(f".architecture.edges[{i}]")]
        ]

    def _node_id(self, value: Any, at: str) -> int:
        node = v.integer(value, at)
        if node < 0:
            raise InputError(f"{at}: {node} is not a node id")
        return node

    def _pair(self, value: Any, at: str) -> tuple[int, int]:
        ids = v.sequence(value, at)
        if len(ids) != 2:
            raise InputError(f"{at}: an edge joins two nodes, got {len(ids)}")
        a, b = (self._node_id(x, f"{at}[{i}]") for i, x in enumerate(ids))
        if a == b:
            raise InputError(f"{at}: an edge joins two different nodes, got {a} twice")
        return a, b

    def _number(self, nodes: list[int]) -> None:
        self.index = {node: i for i, node in enumerate(sorted(nodes))}

    def _operations(self, isa: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Operation name -> its sites (node tuples) and its characteristics' values."""
        found: dict[str, dict[str, Any]] = {}
        for key in ("instructions", "benchmarks"):
            ops = v.sequence(isa.get(key, []), self._here(f".{key}"))
            for i, op in enumerate(ops):
                at = f".{key}[{i}]"
                op = v.mapping(op, self._here(at))
                name = v.text(op.get("name"), self._here(f"{at}.name"))
                entry = found.setdefault(name, {"sites": [], "values": []})
                for j, site in enumerate(v.sequence(op.get("sites", []), self._here(at))):
                    entry["sites"].append(self._site(site, f"{at}.sites[{j}]", entry["values"]))
        return found

    def _site(self, site: Any, at: str, values: list[tuple[str, _Site]]) -> tuple[int, ...]:
        site = v.mapping(site, self._here(at))
        nodes = self._nodes_of(site.get("node_ids"), f"{at}.node_ids")
        chars = v.sequence(site.get("characteristics", []), self._here(f"{at}.characteristics"))
        for k, char in enumerate(chars):
            where = f"{at}.characteristics[{k}]"
            char = v.mapping(char, self._here(where))
            own = char.get("node_ids")
            on = nodes if own is None else self._nodes_of(own, f"{where}.node_ids")
            values.append(
                (
                    v.text(char.get("name"), self._here(f"{where}.name")),
                    self._value(char, on, where),
                )
            )
        return nodes

    def _nodes_of(self, value: Any, at: str) -> tuple[int, ...]:
        ids = tuple(
            self._node_id(x, self._here(f"{at}[{i}]"))
            for i, x in enumerate(v.sequence(value, self._here(at)))
        )
        for node in ids:
            if node not in self.index:
                raise InputError(
                    f"{self._here(at)}: node {node} is not one of the architecture's nodes"
                )
        return ids

    def _value(self, char: Mapping[str, Any], nodes: tuple[int, ...], at: str) -> _Site:
        value = v.number(char.get("value"), self._here(f"{at}.value"))
        error = char.get("error")
        if error is not None:
            error = v.at_least(
                v.number(error, self._here(f"{at}.error")), 0.0, self._here(f"{at}.error")
            )
        return _Site(nodes, value, error, self._when(char.get("timestamp"), at), at)

    def _when(self, stamp: Any, at: str) -> datetime | None:
        if stamp is None or _is_epoch(stamp):
            return None
        return v.timestamp(stamp, self._here(f"{at}.timestamp"), self.dates)

    def _values(self, operations: Mapping[str, Any], op: str, char: str) -> Iterator[_Site]:
        for name, site in operations.get(op, {}).get("values", []):
            if name == char:
                yield site

    def _qubits(
        self, nodes: Sequence[int], operations: Mapping[str, Any], used: set[int]
    ) -> tuple[QubitCalibration, ...]:
        fields: dict[int, dict[str, Any]] = {n: {} for n in nodes}
        times: dict[int, dict[str, datetime]] = {n: {} for n in nodes}
        for op, (char, key) in COHERENCE.items():
            for site in self._values(operations, op, char):
                at_least = v.at_least(site.value, 0.0, self._here(f"{site.at}.value"))
                self._put(fields, times, site, key, at_least * 1e6)
        for site in self._values(operations, "MEASURE", "fRO"):
            self._put(fields, times, site, "readout_error", from_fidelity(self._fidelity(site)))
        return tuple(
            QubitCalibration(
                index=self.index[n],
                measured_at=times[n],
                operational=n in used,
                **fields[n],
            )
            for n in sorted(nodes)
        )

    def _put(
        self,
        fields: dict[int, dict[str, Any]],
        times: dict[int, dict[str, datetime]],
        site: _Site,
        key: str,
        value: float,
    ) -> None:
        if len(site.nodes) != 1:
            raise InputError(f"{self._here(site.at)}: a qubit's value is on one node")
        fields[site.nodes[0]][key] = value
        if site.when is not None:
            times[site.nodes[0]][key] = site.when

    def _fidelity(self, site: _Site) -> float:
        return v.probability(site.value, self._here(f"{site.at}.value"))

    def _gates(self, operations: Mapping[str, Any]) -> tuple[GateCalibration, ...]:
        gates: dict[tuple[str, tuple[int, ...]], GateCalibration] = {}
        for op, (char, gate, definition) in ONE_QUBIT.items():
            for site in self._values(operations, op, char):
                if len(site.nodes) != 1:
                    raise InputError(f"{self._here(site.at)}: {char} is a one-qubit value")
                qubits = (self.index[site.nodes[0]],)
                gates[(gate, qubits)] = self._gate(gate, qubits, site, definition)
        for op in GATES:
            for site in self._values(operations, op, f"f{op}"):
                if len(site.nodes) != 2:
                    raise InputError(f"{self._here(site.at)}: f{op} is a two-qubit value")
                a, b = (self.index[n] for n in site.nodes)
                for pair in ((a, b), (b, a)):
                    gates[(op.lower(), pair)] = self._gate(op.lower(), pair, site, AVERAGE)
        return tuple(sorted(gates.values(), key=lambda g: (g.gate, g.qubits)))

    def _gate(
        self, gate: str, qubits: tuple[int, ...], site: _Site, definition: str
    ) -> GateCalibration:
        error = from_fidelity(self._fidelity(site))
        return GateCalibration(gate, qubits, error, None, site.when, definition, site.error)


def _is_epoch(stamp: Any) -> bool:
    """The epoch written in place of a date (published ISAs zero every timestamp)."""
    if not isinstance(stamp, str) or len(stamp) > 64:
        return False
    try:
        return parse_iso(stamp) == EPOCH
    except ValueError:
        return False


def _family(arch: Mapping[str, Any]) -> str | None:
    family = arch.get("family")
    return family if isinstance(family, str) and family and family != "None" else None


def isa_from_text(body: bytes | str, where: str) -> Mapping[str, Any]:
    """An ISA parsed from JSON text (a :class:`InputError` naming ``where`` if it is not)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: not JSON ({exc})") from exc
    return v.mapping(data, where)
