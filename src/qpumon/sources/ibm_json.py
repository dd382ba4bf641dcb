"""IBM's configuration and properties JSON, parsed into the model.

This is the only module that knows IBM's raw layout; the bundled snapshots, calibration files and
the live IBM service all come through here. ``where`` prefixes (usually a file name) make every
error name the file and the JSON path of the bad field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError
from ..model import (
    DeviceSnapshot,
    DeviceStatus,
    GateCalibration,
    LayerFidelity,
    QubitCalibration,
)
from ..model import validate as v
from ..model.consistency import check_snapshot
from ..model.units import Dimension, convert
from ..util.times import EARLIEST, FUTURE_SLACK, parse_iso

#: IBM's per-qubit property name -> (model field, dimension, lowest allowed value).
QUBIT_PROPERTIES: dict[str, tuple[str, Dimension, float | None]] = {
    "T1": ("t1_us", "time_us", 0.0),
    "T2": ("t2_us", "time_us", 0.0),
    "frequency": ("frequency_ghz", "frequency_ghz", 0.0),
    "anharmonicity": ("anharmonicity_ghz", "frequency_ghz", None),
    "readout_error": ("readout_error", "dimensionless", 0.0),
    "prob_meas0_prep1": ("prob_meas0_prep1", "dimensionless", 0.0),
    "prob_meas1_prep0": ("prob_meas1_prep0", "dimensionless", 0.0),
    "readout_length": ("readout_length_ns", "time_ns", 0.0),
}
_PROBABILITIES = {"readout_error", "prob_meas0_prep1", "prob_meas1_prep0"}
#: Per-qubit fields where IBM writes exactly this value for "not measured" (DATA-NOTES: 90
#: anharmonicities of 0 on five devices): read as missing and recorded as a placeholder.
PLACEHOLDERS: dict[str, float] = {"anharmonicity_ghz": 0.0}

#: Configuration keys the typed fields of the snapshot carry.
TYPED_CONFIG_KEYS = frozenset(
    {"backend_name", "backend_version", "n_qubits", "basis_gates", "coupling_map"}
    | {"processor_type", "dt", "coords", "simulator"}
)

# conf.dt is documented in ns, but one old device states it in seconds: anything below a
# picosecond cannot be a real ns sample time, so it is read as seconds.
_DT_SECONDS_BELOW = 1e-3

_LAYER_FIDELITY_NAME = re.compile(r"lf_([0-9]{1,9})$")

_INT_ONLY = {int}
_INF = float("inf")


class NotIbmLayoutError(InputError):
    """A document without a key IBM's layout always has. ``detail`` says what is missing and
    where; the message adds the question a reader of a file needs (a live answer has no use
    for it)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}; is this an IBM properties file?")
        self.detail = detail


class _Unusual(Exception):
    """Raised by a fast path to hand an entry to the careful, path-naming parser."""


# (unit as written, dimension) -> factor to the canonical unit, for the units real data uses.
_FACTORS: dict[tuple[Any, Dimension], float] = {
    ("", "dimensionless"): 1.0,
    (None, "dimensionless"): 1.0,
    ("us", "time_us"): 1.0,
    ("\u00b5s", "time_us"): 1.0,
    ("\u03bcs", "time_us"): 1.0,
    ("ns", "time_ns"): 1.0,
    ("GHz", "frequency_ghz"): 1.0,
}


def snapshot_from_ibm(
    conf: Mapping[str, Any] | None,
    props: Mapping[str, Any] | None,
    *,
    source: str,
    name: str | None = None,
    status: DeviceStatus | None = None,
    conf_where: str = "configuration",
    props_where: str = "properties",
) -> DeviceSnapshot:
    """Build a :class:`DeviceSnapshot` from IBM's configuration and properties dictionaries.

    Either may be None (a device without calibration has no properties; a bare properties file has
    no configuration). ``name`` overrides the backend name the data carries.
    """
    if conf is None and props is None:
        raise InputError(f"{source}: neither a configuration nor properties were given")
    config = dict(_configuration(conf, conf_where)) if conf is not None else {}
    calibration = _Calibration.parse(props, props_where) if props is not None else _Calibration()
    num_qubits = _num_qubits(config, calibration, conf_where)
    edges = config.get("coupling_map")
    snapshot = DeviceSnapshot(
        name=name or config.get("backend_name") or calibration.backend_name or "unnamed",
        num_qubits=num_qubits,
        source=source,
        backend_version=config.get("backend_version") or calibration.backend_version,
        processor_family=config.get("processor_family"),
        processor_revision=config.get("processor_revision"),
        basis_gates=config.get("basis_gates", ()),
        coupling_edges=edges if edges is not None else calibration.edges(),
        dt_ns=config.get("dt_ns"),
        coords=config.get("coords"),
        simulator=bool(config.get("simulator", False)),
        configuration=config.get("rest", {}),
        status=status,
        calibrated_at=calibration.updated_at,
        qubits=calibration.qubits,
        gates=calibration.gates,
        layer_fidelities=calibration.layer_fidelities,
        unit_labels=calibration.unit_labels,
        placeholders={k: tuple(v) for k, v in calibration.placeholders.items()},
    )
    return check_snapshot(snapshot, props_where if props is not None else conf_where)


def _num_qubits(config: Mapping[str, Any], calibration: _Calibration, where: str) -> int:
    if "n_qubits" in config:
        count: int = config["n_qubits"]
        if len(calibration.qubits) > count:
            raise InputError(
                f"{where}: n_qubits is {count} but the properties list "
                f"{len(calibration.qubits)} qubits"
            )
        return count
    return len(calibration.qubits)


def _configuration(conf: Any, where: str) -> dict[str, Any]:
    """The typed fields of a configuration, plus ``rest``: every other key, ``"None"`` as None."""
    conf = v.mapping(conf, where)
    out: dict[str, Any] = {}
    if conf.get("backend_name") is not None:
        out["backend_name"] = v.text(conf["backend_name"], f"{where}: $.backend_name")
    if conf.get("backend_version") is not None:
        out["backend_version"] = str(conf["backend_version"])
    if "n_qubits" in conf:
        out["n_qubits"] = int(
            v.at_least(
                v.integer(conf["n_qubits"], f"{where}: $.n_qubits"), 0, f"{where}: $.n_qubits"
            )
        )
    if conf.get("basis_gates") is not None:
        gates = v.sequence(conf["basis_gates"], f"{where}: $.basis_gates")
        out["basis_gates"] = tuple(
            v.text(g, f"{where}: $.basis_gates[{i}]") for i, g in enumerate(gates)
        )
    if conf.get("coupling_map") is not None:
        out["coupling_map"] = _edges(conf["coupling_map"], f"{where}: $.coupling_map")
    processor = conf.get("processor_type")
    if isinstance(processor, Mapping):
        if processor.get("family") is not None:
            out["processor_family"] = str(processor["family"])
        if processor.get("revision") is not None:
            out["processor_revision"] = str(processor["revision"])
    if _present(conf.get("dt")):
        dt = v.at_least(v.number(conf["dt"], f"{where}: $.dt"), 0.0, f"{where}: $.dt")
        out["dt_ns"] = dt * 1e9 if dt < _DT_SECONDS_BELOW else dt
    if conf.get("coords") is not None:
        out["coords"] = _coords(conf["coords"], f"{where}: $.coords")
    out["simulator"] = bool(conf.get("simulator", False))
    out["rest"] = {
        key: (None if value == "None" else value)
        for key, value in conf.items()
        if key not in TYPED_CONFIG_KEYS
    }
    return out


def operational_flag(value: Any, where: str) -> bool:
    """IBM's ``operational`` parameter (1/0, true/false) as a bool; anything else is refused."""
    if value.__class__ is bool or (value.__class__ in (int, float) and value in (0, 1)):
        return bool(value)
    raise InputError(f"{where}: operational must be 0, 1, true or false, got {value!r:.40}")


def _present(value: Any) -> bool:
    return value is not None and value != "None"


def _edges(raw: Any, where: str) -> tuple[tuple[int, int], ...]:
    if raw.__class__ is list and all(  # the common case in one pass; else name what is wrong
        p.__class__ is list and len(p) == 2 and p[0].__class__ is int and p[1].__class__ is int
        for p in raw
    ):
        return tuple((a, b) for a, b in raw)
    edges = []
    for i, pair in enumerate(v.sequence(raw, where)):
        pair = v.sequence(pair, f"{where}[{i}]")
        if len(pair) != 2:
            raise InputError(f"{where}[{i}]: a coupling must join two qubits, got {list(pair)}")
        edges.append(
            (v.integer(pair[0], f"{where}[{i}][0]"), v.integer(pair[1], f"{where}[{i}][1]"))
        )
    return tuple(edges)


def _coords(raw: Any, where: str) -> tuple[tuple[float, float], ...]:
    if raw.__class__ is list and all(  # the common case in one pass; else name what is wrong
        p.__class__ is list
        and len(p) == 2
        and p[0].__class__ is float
        and p[1].__class__ is float
        and p[0] - p[0] == 0.0  # finite
        and p[1] - p[1] == 0.0
        for p in raw
    ):
        return tuple((x, y) for x, y in raw)
    points = []
    for i, point in enumerate(v.sequence(raw, where)):
        point = v.sequence(point, f"{where}[{i}]")
        if len(point) != 2:
            raise InputError(f"{where}[{i}]: expected two coordinates, got {list(point)}")
        points.append(
            (v.number(point[0], f"{where}[{i}][0]"), v.number(point[1], f"{where}[{i}][1]"))
        )
    return tuple(points)


class _Calibration:
    """The parsed content of a properties dictionary."""

    def __init__(self) -> None:
        self.backend_name: str | None = None
        self.backend_version: str | None = None
        self.updated_at: datetime | None = None
        self.qubits: tuple[QubitCalibration, ...] = ()
        self.gates: tuple[GateCalibration, ...] = ()
        self.layer_fidelities: tuple[LayerFidelity, ...] = ()
        self.unit_labels: dict[str, str] = {}
        self.placeholders: dict[str, list[int]] = {}
        self._dates: dict[str, datetime] = {}
        self._latest = datetime.now(timezone.utc) + FUTURE_SLACK

    @classmethod
    def parse(cls, props: Any, where: str) -> _Calibration:
        props = v.mapping(props, where)
        self = cls()
        for key in ("qubits", "gates"):
            if key not in props:
                raise NotIbmLayoutError(f"{where}: $.{key} is missing")
        if props.get("backend_name") is not None:
            self.backend_name = v.text(props["backend_name"], f"{where}: $.backend_name")
        if props.get("backend_version") is not None:
            self.backend_version = str(props["backend_version"])
        if props.get("last_update_date") is not None:
            self.updated_at = v.timestamp(props["last_update_date"], f"{where}: $.last_update_date")
        qubits = v.sequence(props["qubits"], f"{where}: $.qubits")
        self.qubits = tuple(
            self._qubit(i, entries, f"{where}: $.qubits[{i}]") for i, entries in enumerate(qubits)
        )
        self.gates = self._gates(v.sequence(props["gates"], f"{where}: $.gates"), where)
        self.layer_fidelities = self._layer_fidelities(props, where)
        return self

    def edges(self) -> tuple[tuple[int, int], ...]:
        """Coupling edges implied by the two-qubit gates (when there is no configuration)."""
        pairs = (g.qubits for g in self.gates if g.arity == 2)
        return tuple(dict.fromkeys((a, b) for a, b in pairs))

    def _when(
        self, entry: Mapping[str, Any], where: str, part: str = "", index: int | None = None
    ) -> datetime | None:
        """The entry's date; the JSON path ``{where}{part}[{index}]`` is built only on error."""
        raw = entry.get("date")
        if raw is None:
            return None
        hit = self._dates.get(raw) if raw.__class__ is str else None  # dates repeat a lot
        if hit is not None:
            return hit
        path = where if index is None else f"{where}{part}[{index}]"
        return v.timestamp(raw, f"{path}.date", self._dates)

    # The two methods below run ~30,000 times for a large device, so they check types inline and
    # only build an error's JSON path when a check has failed.

    def _qubit(self, index: int, entries: Any, where: str) -> QubitCalibration:
        values: dict[str, Any] = {}
        dates: dict[str, datetime] = {}
        if entries.__class__ is not list:
            v.sequence(entries, where)
        for j, entry in enumerate(entries):
            if entry.__class__ is not dict:
                v.mapping(entry, f"{where}[{j}]")
            name = entry.get("name")
            if name.__class__ is dict or name.__class__ is list:  # unhashable: no lookup
                v.text(name, f"{where}[{j}].name")
            spec = QUBIT_PROPERTIES.get(name)
            if spec is None:
                if name == "operational":
                    values["operational"] = operational_flag(
                        entry.get("value"), f"{where}[{j}].value"
                    )
                continue  # IBM adds new per-qubit properties from time to time
            field, dimension, low = spec
            unit = entry.get("unit")
            value = _scaled(entry.get("value"), unit, dimension, where, "", j)
            if (low is not None and value < low) or (field in _PROBABILITIES and value > 1.0):
                path = f"{where}[{j}].value"
                v.at_least(value, low or 0.0, path)
                v.probability(value, path)
            if PLACEHOLDERS.get(field) == value:
                self.placeholders.setdefault(field, []).append(index)
                continue
            values[field] = value
            if field not in self.unit_labels:
                self.unit_labels[field] = unit or ""
            when = self._when(entry, where, "", j)
            if when is not None:
                dates[field] = when
        return QubitCalibration(index=index, measured_at=dates, **values)

    def _gates(self, gates: Sequence[Any], where: str) -> tuple[GateCalibration, ...]:
        plain, out = self._plain_gate, list[GateCalibration]()
        append = out.append
        for index, raw in enumerate(gates):
            try:
                append(plain(raw))
            except _Unusual:
                append(self._checked_gate(raw, f"{where}: $.gates[{index}]"))
        return tuple(out)

    def _plain_gate(self, raw: Any) -> GateCalibration:
        """The common case, checked inline: any surprise raises :class:`_Unusual`, and the gate
        is parsed again by :meth:`_checked_gate`, which names the JSON path of what is wrong."""
        try:
            name, qubits, params = raw["gate"], raw["qubits"], raw["parameters"]
        except (KeyError, TypeError):
            raise _Unusual from None
        if name.__class__ is not str or qubits.__class__ is not list:
            raise _Unusual
        for qubit in qubits:
            if qubit.__class__ is not int:
                raise _Unusual
        error = length = when = None
        dates = self._dates
        try:
            for param in params:
                kind, value = param["name"], param["value"]
                if kind == "gate_error":
                    if value.__class__ is not float:
                        value = _plain_float(value)
                    if param["unit"] or not 0.0 <= value <= 1.0:  # NaN fails the range too
                        raise _Unusual
                    date = param["date"]
                    error, when = value, dates.get(date) or self._new_date(date)
                elif kind == "gate_length":
                    if value.__class__ is not float:
                        value = _plain_float(value)
                    if param["unit"] != "ns" or not 0.0 <= value < _INF:  # NaN, inf fail
                        raise _Unusual
                    date = param["date"]
                    measured = dates.get(date) or self._new_date(date)
                    length, when = value, when or measured
                elif kind == "operational":
                    raise _Unusual  # rare: the careful parser reads and checks it
        except (KeyError, TypeError):  # a missing key, or an entry that is not an object
            raise _Unusual from None
        return GateCalibration(name, tuple(qubits), error, length, when)

    def _new_date(self, raw: Any) -> datetime:
        """Parse and remember a date string not seen before; :class:`_Unusual` if it is bad."""
        if raw.__class__ is not str or len(raw) > 64:
            raise _Unusual
        try:
            result = parse_iso(raw)
        except ValueError:
            raise _Unusual from None
        if not EARLIEST <= result <= self._latest:
            raise _Unusual  # the careful parser names the date and the range
        self._dates[raw] = result
        return result

    def _checked_gate(self, raw: Any, where: str) -> GateCalibration:
        """Parse one gate entry checking everything; errors name the JSON path."""
        raw = v.mapping(raw, where)
        name = v.text(raw.get("gate"), f"{where}.gate")
        qubits = tuple(
            v.integer(q, f"{where}.qubits[{k}]")
            for k, q in enumerate(v.sequence(raw.get("qubits"), f"{where}.qubits"))
        )
        error = length = when = None
        operational = True
        for j, param in enumerate(v.sequence(raw.get("parameters", []), f"{where}.parameters")):
            path = f"{where}.parameters[{j}]"
            param = v.mapping(param, path)
            if param.get("name") == "operational":
                operational = operational_flag(param.get("value"), f"{path}.value")
            if param.get("name") not in ("gate_error", "gate_length"):
                continue
            value = v.number(param.get("value"), f"{path}.value")
            if param.get("name") == "gate_error":
                error = v.probability(
                    convert(value, param.get("unit"), "dimensionless", path), f"{path}.value"
                )
                when = self._when(param, path) or when
            else:
                length = v.at_least(
                    convert(value, param.get("unit"), "time_ns", path), 0.0, f"{path}.value"
                )
                when = when or self._when(param, path)
        return GateCalibration(name, qubits, error, length, when, operational=operational)

    def _layer_fidelities(self, props: Mapping[str, Any], where: str) -> tuple[LayerFidelity, ...]:
        chains: dict[str, tuple[int, ...]] = {}
        for i, entry in enumerate(_list(props.get("general_qlists"), f"{where}: $.general_qlists")):
            entry = v.mapping(entry, f"{where}: $.general_qlists[{i}]")
            qubits = v.sequence(entry.get("qubits"), f"{where}: $.general_qlists[{i}].qubits")
            if set(map(type, qubits)) != _INT_ONLY:
                qubits = [v.integer(q, f"{where}: $.general_qlists[{i}].qubits") for q in qubits]
            chains[str(entry.get("name"))] = tuple(qubits)
        found = []
        for i, entry in enumerate(_list(props.get("general"), f"{where}: $.general")):
            name = entry.get("name") if entry.__class__ is dict else None
            match = _LAYER_FIDELITY_NAME.match(name) if name.__class__ is str else None
            if not match:
                continue  # jq_/zz_ couplings and other general entries are not modelled
            path = f"{where}: $.general[{i}]"
            fidelity = v.probability(v.number(entry.get("value"), f"{path}.value"), f"{path}.value")
            found.append(
                LayerFidelity(
                    num_qubits=int(match.group(1)),
                    fidelity=fidelity,
                    qubits=chains.get(match.group(0), ()),
                    measured_at=self._when(entry, path),
                )
            )
        return tuple(sorted(found, key=lambda lf: lf.num_qubits))


def _scaled(
    value: Any, unit: Any, dimension: Dimension, where: str, part: str, index: int
) -> float:
    """``value`` as a finite float in the canonical unit of ``dimension``.

    The JSON path ``{where}{part}[{index}]`` is only built for an error message.
    """
    cls = value.__class__
    number: float
    if cls is float and value - value == 0.0:  # x - x is NaN for NaN and inf
        number = value
    elif cls is int and -(2**53) <= value <= 2**53:
        number = float(value)
    else:  # an integer beyond any float, or not a number at all
        number = v.number(value, f"{where}{part}[{index}].value")
    factor = _FACTORS.get((unit, dimension)) if unit.__class__ is str or unit is None else None
    if factor is None:
        return convert(number, unit, dimension, f"{where}{part}[{index}]")
    return number if factor == 1.0 else number * factor


def _plain_float(value: Any) -> float:
    """An int within a float's exact range as a float; anything else :class:`_Unusual`."""
    if value.__class__ is int and -(2**53) <= value <= 2**53:
        return float(value)
    raise _Unusual


def _list(value: Any, where: str) -> Sequence[Any]:
    return () if value is None else v.sequence(value, where)
