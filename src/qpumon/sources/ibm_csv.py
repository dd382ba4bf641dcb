"""IBM Quantum's calibration CSV (the platform's "Download calibrations": one row per qubit), read
into the model, and the columns of the format IBM writes today (:data:`CURRENT_COLUMNS`), which
the ``ibm-csv`` output format writes.

The format has changed many times (19 header dialects 2019-2026), so columns are mapped by name,
never by position, and units come from the headers (``T1 (µs)``, ``T1 (us)``, ``Gate time (ns)``).
A column qpumon cannot read is refused by name (``ignore`` lets a caller go on without it).

- Qubit label: ``Q0``, ``0``, or blank for qubit 0 (2020-21); no Qubit column only for a 1-qubit
  device.
- Gate errors: ``<GATE> error`` (``ID``, ``RX``, ``MEASURE``, ``CZ``...) and the old names (``√x
  (sx) error``, ``Single-qubit U3 error rate``, ``CNOT error``). A cell is a number (a one-qubit
  gate on the row's qubit) or coupler entries, in any of IBM's four syntaxes: ``cx0_1: 9.5e-3 ,
  cx0_2: ...``, ``0_14:9.5e-3; 0_1:1.3e-2``, ``0_1:0.0048;0_14:0.0100`` and the neighbour only,
  ``1:0.0015;10:0.0013``; each entry is the gate from the row's qubit to the other.
- Lengths: ``Single-qubit gate length (ns)`` belongs to the row's physical pulses (id, sx, x, rx);
  ``Gate length (ns)`` / ``Gate time (ns)`` to the native entangler (the first two-qubit error
  column that is not fractional: CZ, ECR or CNOT, never RZZ).
- Values are the file's cells as written (a spreadsheet's shortened digits too); an empty cell,
  or a coupler the cell leaves out, is missing; IBM's failed value ``1`` is kept, which the model
  reads as its ``error == 1`` flag (:data:`~qpumon.model.FAILED`).
- ``Operational``: ``true``/``Yes``/``1`` or ``false``/``No``/``0`` in any case.

The device and the time come from IBM's file name
(``ibm_fez_calibrations_2026-01-30T12_25_55Z.csv``, `` (1)`` or ``-2`` after a re-download),
from a dated folder (``01-05-2021 11-17-00/``, ``2019-10-01/``) or from the caller, never from
the file's modification time. The coupling map is the bundled configuration's when the device
has one that agrees with the file, else the couplers the cells list.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError, InputTooLargeError, QpumonError, UsageError
from ..model import FRACTIONAL_GATES, DeviceSnapshot, GateCalibration, QubitCalibration
from ..model import validate as v
from ..model.consistency import MAX_NAME, check_snapshot
from ..model.units import Dimension, convert, same_unit
from ..util.bounded import read_bounded
from ..util.times import in_range

#: The largest CSV qpumon reads (IBM's file of a 156-qubit device is about 60 KB).
MAX_CSV_BYTES = 64 * 1024 * 1024

#: The longest number (and half the longest header or coupler entry) read: IBM writes at most
#: about 25 characters, and the patterns they are matched with take time growing with the square
#: of the length of text that does not match.
MAX_TEXT = 64

#: Per-qubit columns: the name before the unit, lower case -> (model field, dimension).
QUBIT_COLUMNS: dict[str, tuple[str, Dimension]] = {
    "t1": ("t1_us", "time_us"),
    "t2": ("t2_us", "time_us"),
    "frequency": ("frequency_ghz", "frequency_ghz"),
    "frecuency": ("frequency_ghz", "frequency_ghz"),  # sic, IBM's 2019 header
    "anharmonicity": ("anharmonicity_ghz", "frequency_ghz"),
    "readout error": ("readout_error", "dimensionless"),
    "readout assignment error": ("readout_error", "dimensionless"),
    "prob meas0 prep1": ("prob_meas0_prep1", "dimensionless"),
    "prob meas1 prep0": ("prob_meas1_prep0", "dimensionless"),
    "readout length": ("readout_length_ns", "time_ns"),
}
#: Gate-error columns whose names do not follow ``<GATE> error``.
GATE_COLUMNS: dict[str, str] = {
    "sqrt-x (sx) error": "sx",
    "\u221ax (sx) error": "sx",
    "pauli-x error": "x",
    "single-qubit pauli-x error": "x",
    "z-axis rotation (rz) error": "rz",
    "single-qubit u3 error rate": "u3",
    "single-qubit u2 error": "u2",
    "cnot error": "cx",
    "cnot error rate": "cx",
}
_GATE_ERROR = re.compile(r"([a-z][a-z0-9_]*) error(?: rate)?")
QUBIT, OPERATIONAL, LENGTH_1Q, LENGTH_2Q = "qubit", "operational", "length_1q", "length_2q"
_SPECIAL: dict[str, str] = {
    "qubit": QUBIT,
    "operational": OPERATIONAL,
    "single-qubit gate length": LENGTH_1Q,
    "gate length": LENGTH_2Q,
    "gate time": LENGTH_2Q,
}
#: The one-qubit gates that are physical pulses: ``Single-qubit gate length`` is theirs (RZ is
#: virtual, MEASURE takes the readout length).
PULSE_GATES = ("id", "sx", "x", "rx")
#: Two-qubit gates: their cells must list couplers.
TWO_QUBIT_GATES = frozenset({"cx", "cz", "ecr", "rzz"})
_PROBABILITY_FIELDS = frozenset({"readout_error", "prob_meas0_prep1", "prob_meas1_prep0"})
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?"
_NUMBER_RE = re.compile(_NUMBER, re.ASCII)  # \d: ASCII digits only, as IBM writes
_ENTRY = re.compile(
    rf"\s*([A-Za-z]+)?\s*(\d{{1,9}})(?:_(\d{{1,9}}))?\s*:\s*({_NUMBER})\s*", re.ASCII
)
_UNIT = re.compile(r"(.*?)\s*\(([^()]*)\)")
_QUBIT_LABEL = re.compile(r"[Qq]?(\d{1,9})", re.ASCII)

#: IBM's file name: ``<device>_calibrations[_<time>][ (n)|-n].csv``.
_IBM_NAME = re.compile(
    r"(?P<device>.+?)_calibrations(?:_(?P<when>[^ ]*?))?(?P<copy> \(\d+\)|-\d+)?", re.IGNORECASE
)
#: A bare device name as a file name (2019: ``ibmq_ourense.csv`` in a dated folder), perhaps
#: shown name first and backend name second (``ibmq_5_yorktown - ibmqx2.csv``: ``ibmqx2``, as
#: IBM's later files of that device are named).
_DEVICE_STEM = re.compile(
    r"(?P<shown>ibm[a-z0-9_]*)(?: - (?P<device>ibm[a-z0-9_]*))?(?P<copy> \(\d+\)|-\d+)?",
    re.IGNORECASE,
)
_IBM_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2})_(\d{2})_(\d{2})(?:\.(\d{1,6}))?Z", re.ASCII
)
_FOLDER_TIMES = (
    re.compile(
        r"(?P<m>\d{2})-(?P<d>\d{2})-(?P<y>\d{4}) (?P<H>\d{2})-(?P<M>\d{2})-(?P<S>\d{2})", re.ASCII
    ),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})", re.ASCII),
)

#: The columns of the format IBM writes today (2026, Heron and Nighthawk), in its order; ``{2q}``
#: stands for the native entangler's error column. Frequency and anharmonicity follow T2 where a
#: device has them (as in IBM's 2024-25 files of Eagle devices).
CURRENT_COLUMNS = (
    "Qubit",
    "T1 (us)",
    "T2 (us)",
    "Frequency (GHz)",
    "Anharmonicity (GHz)",
    "Readout assignment error",
    "Prob meas0 prep1",
    "Prob meas1 prep0",
    "Readout length (ns)",
    "ID error",
    "Single-qubit gate length (ns)",
    "RX error",
    "Z-axis rotation (rz) error",
    "\u221ax (sx) error",
    "Pauli-X error",
    "{2q}",
    "Gate length (ns)",
    "RZZ error",
    "MEASURE error",
    "MEASURE_2 error",
    "Operational",
)
#: How the current format names a gate's error column (others: ``<GATE> error``).
CURRENT_GATE_HEADERS = {
    "id": "ID error",
    "rx": "RX error",
    "rz": "Z-axis rotation (rz) error",
    "sx": "\u221ax (sx) error",
    "x": "Pauli-X error",
    "cx": "CNOT error",
}


@dataclass(frozen=True)
class CsvOptions:
    """What the caller says about a CSV: ``device`` and ``calibrated_at`` (else from the file
    name), column headers to ``ignore`` (as written, spaces around them aside), ``conf``, an
    IBM configuration JSON whose coupling map to use, and ``stem_names``: a file whose name
    does not say the device is named by its stem (to look at it; a history needs the device)."""

    device: str | None = None
    calibrated_at: datetime | None = None
    ignore: frozenset[str] = frozenset()
    conf: Path | None = None
    stem_names: bool = False


def is_csv(path: Path | str) -> bool:
    """True if ``path`` names a CSV file (by its suffix, in any case)."""
    return str(path).lower().endswith(".csv")


def read_csv(path: Path, options: CsvOptions | None = None) -> DeviceSnapshot:
    """The snapshot in IBM's calibration CSV at ``path`` (see the module's description)."""
    options = options or CsvOptions()
    raw = _read(path)
    device, when = name_and_time(path, options)
    conf = _conf_snapshot(options.conf) if options.conf is not None else None
    return parse_csv(
        raw, str(path), device=device, calibrated_at=when, ignore=options.ignore, conf=conf
    )


def name_and_time(path: Path, options: CsvOptions | None = None) -> tuple[str, datetime | None]:
    """The device and calibration time of the CSV at ``path``: the options' if given, else
    IBM's file name's (or its dated folder's). No device is a :class:`UsageError`; an impossible
    date an :class:`InputError` naming the file."""
    options = options or CsvOptions()
    device, when = options.device, options.calibrated_at
    if device is not None and when is not None:
        return device, when
    found_device, found_when = _from_name(path, need_time=when is None)
    if device is None:
        if found_device is None and options.stem_names:
            found_device = path.name[: -len(".csv")] if is_csv(path) else path.name
        if found_device is None:
            raise UsageError(
                f"{path}: the file name does not say which device it describes (IBM names its "
                "downloads <device>_calibrations_<time>.csv); give --device"
            )
        device = found_device
    return device, when if when is not None else found_when


def _from_name(path: Path, need_time: bool) -> tuple[str | None, datetime | None]:
    stem = path.name[: -len(".csv")] if is_csv(path) else path.name
    match = _IBM_NAME.fullmatch(stem)
    if match is None:
        bare = _DEVICE_STEM.fullmatch(stem)
        device = (bare.group("device") or bare.group("shown")) if bare else None
        return device, _folder_time(path) if need_time else None
    when = match.group("when")
    if not need_time:
        return match.group("device"), None
    if when is None:
        return match.group("device"), _folder_time(path)
    return match.group("device"), _name_time(when, path)


def _name_time(text: str, path: Path) -> datetime:
    found = _IBM_TIME.fullmatch(text)
    if found is None:
        raise InputError(
            f"{path}: the file name's time {text!r} is not IBM's YYYY-MM-DDTHH_MM_SSZ; give "
            "--calibrated-at"
        )
    y, mo, d, h, mi, s = (int(g) for g in found.groups()[:6])
    micro = int((found.group(7) or "0").ljust(6, "0"))
    return _date(path, text, y, mo, d, h, mi, s, micro)


def _folder_time(path: Path) -> datetime | None:
    folder = path.parent.name
    for pattern in _FOLDER_TIMES:
        found = pattern.fullmatch(folder)
        if found is not None:
            parts = found.groupdict()
            y, mo, d = int(parts["y"]), int(parts["m"]), int(parts["d"])
            h, mi, s = (int(parts.get(k) or 0) for k in ("H", "M", "S"))
            return _date(path, f"folder {folder!r}", y, mo, d, h, mi, s, 0)
    return None


def _date(path: Path, shown: str, *parts: int) -> datetime:
    """The time ``parts`` give; an impossible date, or one no calibration can have (before 1990,
    after tomorrow: :func:`~qpumon.util.times.in_range`), is an :class:`InputError`."""
    try:
        y, mo, d, h, mi, s, micro = parts
        when = datetime(y, mo, d, h, mi, s, micro, tzinfo=timezone.utc)
    except ValueError as exc:
        raise InputError(f"{path}: {shown} is not a possible date ({exc})") from exc
    return in_range(when, f"{path}: {shown}")


def _read(path: Path) -> str:
    try:
        raw = read_bounded(path, MAX_CSV_BYTES)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a CSV file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if raw is None:
        raise InputTooLargeError(
            f"{path}: larger than {MAX_CSV_BYTES // 2**20} MiB, more than any calibration CSV"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


# -- columns --------------------------------------------------------------------------------


@dataclass
class _Column:
    """One column of the file: what it holds and how its values scale to the model's unit."""

    index: int
    header: str
    kind: str  # QUBIT, OPERATIONAL, LENGTH_1Q, LENGTH_2Q, "field" or "gate"
    target: str = ""  # the model field or the gate name
    scale: Callable[[float], float] | None = None
    unit: str = ""


def columns_of(header: Sequence[str], where: str, ignore: Iterable[str] = ()) -> list[_Column]:
    """The readable columns of ``header``, each mapped by its name; a header qpumon cannot read
    (unless in ``ignore``), an unknown unit, or two columns giving one quantity is an
    :class:`InputError` naming the file and the column."""
    skip = {" ".join(name.split()).lower() for name in ignore}
    found: list[_Column] = []
    seen: dict[tuple[str, str], str] = {}
    for index, raw in enumerate(header):
        name = " ".join(raw.split())
        if name.lower() in skip:
            continue
        column = _column(index, name, f"{where}: column {index + 1} {name[:MAX_TEXT]!r}")
        key = (column.kind, column.target)
        if key in seen:
            raise InputError(
                f"{where}: columns {seen[key]!r} and {name!r} both give "
                f"{column.target or column.kind}; --ignore-column one of them"
            )
        seen[key] = name
        found.append(column)
    return found


def _column(index: int, name: str, where: str) -> _Column:
    found = _UNIT.fullmatch(name) if len(name) <= 2 * MAX_TEXT else None
    base, unit = (found.group(1), found.group(2).strip()) if found else (name, None)
    key = base.lower()
    if key in _SPECIAL:
        kind = _SPECIAL[key]
        if kind in (LENGTH_1Q, LENGTH_2Q):
            return _Column(index, name, kind, "", _scale(unit, "time_ns", where), unit or "")
        _no_unit(unit, where)
        return _Column(index, name, kind)
    if key in QUBIT_COLUMNS:
        target, dimension = QUBIT_COLUMNS[key]
        return _Column(index, name, "field", target, _scale(unit, dimension, where), unit or "")
    matched = _GATE_ERROR.fullmatch(key)
    gate = GATE_COLUMNS.get(key) or (matched.group(1) if matched else None)
    if gate is None or len(gate) > MAX_NAME:
        raise InputError(
            f"{where}: not a column qpumon can read (not in IBM's calibration CSV); "
            f"--ignore-column {name[:MAX_TEXT]!r} to go on without it"
        )
    _no_unit(unit, where)
    return _Column(index, name, "gate", gate)


def _no_unit(unit: str | None, where: str) -> None:
    if unit:
        raise InputError(f"{where}: unknown unit {unit!r} for a value without a unit")


def _scale(unit: str | None, dimension: Dimension, where: str) -> Callable[[float], float] | None:
    """None when values are already in the model's unit; else the conversion. A column that
    needs a unit and has none, or an unknown unit, is refused here, before any row is read."""
    if unit is None:
        if dimension == "dimensionless":
            return None
        raise InputError(f"{where}: the header gives no unit (IBM writes one, e.g. 'T1 (us)')")
    convert(1.0, unit, dimension, where)  # an unknown unit: a UnitError naming the column
    if same_unit(unit, dimension):
        return None
    return lambda value: convert(value, unit, dimension, where)


# -- rows -----------------------------------------------------------------------------------


def parse_csv(
    text: str,
    where: str,
    *,
    device: str,
    calibrated_at: datetime | None = None,
    ignore: Iterable[str] = (),
    conf: DeviceSnapshot | None = None,
) -> DeviceSnapshot:
    """The snapshot in IBM calibration CSV ``text`` (``where`` names it in errors); ``conf``: a
    configuration to take the coupling map from (else the bundled one of ``device``, when it
    agrees with the file, else the couplers the cells list)."""
    lines, rows = _rows(text, where)
    if not rows:
        raise InputError(f"{where}: the file is empty")
    header, body = rows[0], rows[1:]
    columns = columns_of(header, where, ignore)
    _require_ibm(columns, header, body, lines[1:], where)
    reader = _Reader(where, columns, body, lines[1:])
    reader.read()
    return reader.snapshot(device, calibrated_at, conf)


def _rows(text: str, where: str) -> tuple[list[int], list[list[str]]]:
    """The rows that are not blank, and the line each ends on (what errors call its row)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines, rows = [], []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                lines.append(reader.line_num)
                rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{where}: row {reader.line_num}: not valid CSV ({exc})") from exc
    return lines, rows


def _require_ibm(
    columns: Sequence[_Column],
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    lines: Sequence[int],
    where: str,
) -> None:
    if not any(c.kind in ("field", "gate") for c in columns):
        raise InputError(
            f"{where}: not IBM's calibration CSV: no column gives a calibration value "
            f"(T1, T2, readout error, gate errors); the header is {', '.join(header)[:120]!r}"
        )
    if not body:
        raise InputError(f"{where}: the file has a header but no qubit rows")
    if len(body) > 1 and not any(c.kind == QUBIT for c in columns):
        raise InputError(
            f"{where}: not IBM's calibration CSV: no Qubit column (only a 1-qubit device's file "
            "goes without one)"
        )
    for number, row in zip(lines, body, strict=True):
        if len(row) != len(header):
            raise InputError(
                f"{where}: row {number} has {len(row)} cells, the header {len(header)} columns"
            )


class _Reader:
    """The rows of one file, read column by column into qubits and gates."""

    def __init__(
        self,
        where: str,
        columns: Sequence[_Column],
        body: Sequence[Sequence[str]],
        lines: Sequence[int],
    ):
        self.where = where
        self.columns = columns
        self.body = body
        self.lines = lines
        self.qubits: list[int] = []
        self.values: list[dict[str, Any]] = [{} for _ in body]
        self.gates: dict[tuple[str, tuple[int, ...]], list[float | None]] = {}
        self.origin: dict[tuple[str, tuple[int, ...]], tuple[int, str]] = {}
        self.placeholders: dict[str, list[int]] = {}
        self.units: dict[str, str] = {}

    def at(self, row: int, column: _Column) -> str:
        """Where a cell is: the file, its row (its line; the header is row 1) and its column."""
        return f"{self.where}: row {self.lines[row]}, column {column.header!r}"

    def read(self) -> None:
        """Read every column: qubit labels first, then values, gates, lengths, flags."""
        label = next((c for c in self.columns if c.kind == QUBIT), None)
        self.qubits = self._labels(label)
        gate_columns = [c for c in self.columns if c.kind == "gate"]
        for column in self.columns:
            if column.kind == "field":
                self._field(column)
            elif column.kind == OPERATIONAL:
                self._operational(column)
        for column in gate_columns:
            self._gate_column(column)
        for column in self.columns:
            if column.kind == LENGTH_1Q:
                self._lengths_1q(column, [c.target for c in gate_columns])
            elif column.kind == LENGTH_2Q:
                self._lengths_2q(column, gate_columns)

    def _labels(self, column: _Column | None) -> list[int]:
        if column is None:
            return [0]  # a 1-qubit device's file (armonk) has no Qubit column
        labels = []
        seen: dict[int, int] = {}
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip()
            if not text and row == 0:
                qubit = 0  # 2020-21 files leave qubit 0's label blank
            else:
                found = _QUBIT_LABEL.fullmatch(text)
                if found is None:
                    raise InputError(
                        f"{self.at(row, column)}: {text[:40]!r} is not a qubit label "
                        "(Q0, 0, or blank for qubit 0 on the first row)"
                    )
                qubit = int(found.group(1))
            if qubit in seen:
                raise InputError(
                    f"{self.at(row, column)}: qubit {qubit} is also on row "
                    f"{self.lines[seen[qubit]]}"
                )
            seen[qubit] = row
            labels.append(qubit)
        return labels

    def _number(self, text: str, row: int, column: _Column) -> float:
        if len(text) > MAX_TEXT or _NUMBER_RE.fullmatch(text) is None:
            raise InputError(f"{self.at(row, column)}: {text[:40]!r} is not a number")
        value = float(text)
        if value - value != 0.0:
            raise InputError(f"{self.at(row, column)}: {text[:40]!r} is beyond any number")
        return value

    def _field(self, column: _Column) -> None:
        target = column.target
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip()
            if not text:
                continue
            value = self._number(text, row, column)
            if column.scale is not None:
                value = column.scale(value)
            if target == "anharmonicity_ghz":
                if value == 0.0:  # IBM's placeholder for "not measured", as in its JSON
                    self.placeholders.setdefault(target, []).append(self.qubits[row])
                    continue
            elif value < 0.0 or (target in _PROBABILITY_FIELDS and value > 1.0):
                v.at_least(value, 0.0, self.at(row, column))
                v.probability(value, self.at(row, column))
            self.values[row][target] = value
            self.units.setdefault(target, column.unit)

    def _operational(self, column: _Column) -> None:
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip().lower()
            if not text:
                continue
            if text not in _TRUE and text not in _FALSE:
                raise InputError(
                    f"{self.at(row, column)}: {text[:40]!r} is not true/false, Yes/No or 1/0"
                )
            self.values[row]["operational"] = text in _TRUE

    def _gate_column(self, column: _Column) -> None:
        couplers = column.target in TWO_QUBIT_GATES or any(
            ":" in cells[column.index] for cells in self.body
        )
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip()
            if not text:
                continue
            if couplers:
                for pair, value in self._entries(text, row, column, column.target):
                    self._gate(column.target, pair, 0, self._error(value, row, column), row, column)
            else:
                error = self._error(self._number(text, row, column), row, column)
                self._gate(column.target, (self.qubits[row],), 0, error, row, column)

    def _error(self, value: float, row: int, column: _Column) -> float:
        if not 0.0 <= value <= 1.0:
            v.probability(value, self.at(row, column))
        return value

    def _entries(
        self, text: str, row: int, column: _Column, gate: str | None
    ) -> list[tuple[tuple[int, int], float]]:
        """The couplers of one cell: ``(row's qubit, other) -> value``, in the cell's order; an
        entry naming a gate (``cx0_1``) must name ``gate``."""
        qubit = self.qubits[row]
        found: dict[tuple[int, int], float] = {}
        for part in re.split(r"[;,]", text):
            if not part.strip():
                continue
            entry = _ENTRY.fullmatch(part) if len(part) <= 2 * MAX_TEXT else None
            if entry is None:
                raise InputError(
                    f"{self.at(row, column)}: cannot read the coupler entry {part.strip()[:40]!r} "
                    "(IBM writes 0_1:0.0048, 1:0.0015 or cx0_1: 4.8e-3)"
                )
            prefix, first, second, number = entry.groups()
            if prefix is not None and prefix.lower() != gate:
                raise InputError(
                    f"{self.at(row, column)}: the entry {part.strip()[:40]!r} names gate "
                    f"{prefix!r} in a column of {gate or 'lengths'}"
                )
            pair = (qubit, int(first)) if second is None else (int(first), int(second))
            if qubit not in pair or pair[0] == pair[1]:
                raise InputError(
                    f"{self.at(row, column)}: the entry {part.strip()[:40]!r} is not a coupler "
                    f"of qubit {qubit}, the row's qubit"
                )
            if pair in found:
                raise InputError(
                    f"{self.at(row, column)}: coupler {pair[0]}_{pair[1]} is listed twice"
                )
            found[pair] = self._number(number, row, column)
        return list(found.items())

    def _gate(
        self,
        gate: str,
        qubits: tuple[int, ...],
        slot: int,
        value: float,
        row: int,
        column: _Column,
    ) -> None:
        key = (gate, qubits)
        entry = self.gates.get(key)
        if entry is None:
            entry = self.gates[key] = [None, None]
            self.origin[key] = (row, column.header)
        entry[slot] = value

    def _length(self, text: str, row: int, column: _Column) -> float:
        value = self._number(text, row, column)
        if column.scale is not None:
            value = column.scale(value)
        return v.at_least(value, 0.0, self.at(row, column)) if value < 0.0 else value

    def _lengths_1q(self, column: _Column, gates: Sequence[str]) -> None:
        pulses = [g for g in PULSE_GATES if g in gates]
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip()
            if text:
                length = self._length(text, row, column)
                for gate in pulses:
                    self._gate(gate, (self.qubits[row],), 1, length, row, column)

    def _lengths_2q(self, column: _Column, gate_columns: Sequence[_Column]) -> None:
        native = native_gate([c.target for c in gate_columns if self._is_2q(c)])
        for row, cells in enumerate(self.body):
            text = cells[column.index].strip()
            if not text:
                continue
            if native is None:
                raise InputError(
                    f"{self.at(row, column)}: a two-qubit gate length, but no column gives a "
                    f"two-qubit gate's errors to say which gate; --ignore-column {column.header!r}"
                )
            for pair, value in self._entries(text, row, column, None):
                length = value if column.scale is None else column.scale(value)
                if length < 0.0:
                    v.at_least(length, 0.0, self.at(row, column))
                self._gate(native, pair, 1, length, row, column)

    def _is_2q(self, column: _Column) -> bool:
        return column.target in TWO_QUBIT_GATES or any(
            ":" in cells[column.index] for cells in self.body
        )

    def snapshot(
        self, device: str, calibrated_at: datetime | None, conf: DeviceSnapshot | None
    ) -> DeviceSnapshot:
        """The snapshot the file describes, checked; the coupling map, coordinates and processor
        are ``conf``'s (which must agree with the file), else the bundled configuration's when
        it agrees, else the map is the couplers the cells list."""
        num_qubits = max(self.qubits) + 1
        self._check_reach(num_qubits)
        order = sorted(range(len(self.qubits)), key=self.qubits.__getitem__)
        gates = tuple(
            GateCalibration(gate, pair, error, length)
            for (gate, pair), (error, length) in self.gates.items()
        )
        pairs = tuple(dict.fromkeys((g.qubits[0], g.qubits[1]) for g in gates if g.arity == 2))
        layout = self._layout(device, conf, num_qubits, pairs)
        snapshot = DeviceSnapshot(
            name=device,
            num_qubits=num_qubits,
            source=f"file:{self.where}",
            processor_family=layout.processor_family if layout else None,
            processor_revision=layout.processor_revision if layout else None,
            coupling_edges=layout.coupling_edges if layout else pairs,
            coords=layout.coords if layout else None,
            calibrated_at=calibrated_at,
            qubits=tuple(QubitCalibration(index=self.qubits[r], **self.values[r]) for r in order),
            gates=gates,
            unit_labels=dict(self.units),
            placeholders={k: tuple(q) for k, q in self.placeholders.items()},
        )
        return check_snapshot(snapshot, self.where)

    def _check_reach(self, num_qubits: int) -> None:
        """A coupler to a qubit the file does not have is refused, naming its cell."""
        for key, (row, header) in self.origin.items():
            if any(q >= num_qubits for q in key[1]):
                raise InputError(
                    f"{self.where}: row {self.lines[row]}, column {header!r}: {key[0]} on "
                    f"{'_'.join(map(str, key[1]))} reaches beyond the file's qubits "
                    f"(0-{num_qubits - 1})"
                )

    def _layout(
        self,
        device: str,
        conf: DeviceSnapshot | None,
        num_qubits: int,
        pairs: Sequence[tuple[int, int]],
    ) -> DeviceSnapshot | None:
        if conf is not None:
            if not _agrees(conf, num_qubits, pairs):
                raise InputError(
                    f"{self.where}: the configuration {conf.source.removeprefix('file:')} is "
                    f"not this file's device ({conf.num_qubits} qubits, the file {num_qubits}; "
                    "or a coupler the file lists is not in its coupling map)"
                )
            return conf
        bundled = bundled_configuration(device)
        return bundled if bundled is not None and _agrees(bundled, num_qubits, pairs) else None


def native_gate(two_qubit: Sequence[str]) -> str | None:
    """The native entangler among two-qubit gate names (the first that is not fractional, else
    the first), which ``Gate length (ns)`` times."""
    plain = [g for g in two_qubit if g not in FRACTIONAL_GATES] or list(two_qubit)
    return plain[0] if plain else None


def _agrees(config: DeviceSnapshot, num_qubits: int, pairs: Sequence[tuple[int, int]]) -> bool:
    """True if ``config`` can be the file's device: as many qubits, and every coupler the
    file lists is one of its couplers (either way round)."""
    if config.num_qubits != num_qubits or not config.coupling_edges:
        return False
    edges = set(config.coupling_edges)
    return all((a, b) in edges or (b, a) in edges for a, b in pairs)


@functools.lru_cache(maxsize=64)
def bundled_configuration(device: str) -> DeviceSnapshot | None:
    """The bundled configuration (no calibration) of the device IBM calls ``device``
    (``ibm_fez``, ``ibmq_16_melbourne``), or None when there is none."""
    from . import default_bundled  # the package imports this module's loader

    bundled = default_bundled()
    try:
        canonical = bundled.resolve(device) or bundled.resolve(_without_size(device))
        if canonical is None:
            return None
        return _conf_snapshot(bundled.files(canonical)[0])
    except QpumonError:  # no qiskit-ibm-runtime, or an unreadable bundled file
        return None


def _without_size(device: str) -> str:
    """``ibmq_16_melbourne`` -> ``melbourne`` (the bundled folder has no qubit count)."""
    return re.sub(r"^(?:ibmq?_)?\d+_", "", device.lower())


def _conf_snapshot(path: Path) -> DeviceSnapshot:
    from .files import read_json
    from .ibm_json import snapshot_from_ibm

    return snapshot_from_ibm(read_json(path), None, source=f"file:{path}", conf_where=str(path))
