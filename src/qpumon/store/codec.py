"""A snapshot as compact stored parts (and back): a shared *shape*, per-metric *sections*, a
small *meta* document. Standard library and orjson only, so that the SQLite reader needs no
SQLAlchemy.

A snapshot's dictionary (:func:`qpumon.model.serialize.snapshot_to_dict`) is split three ways:

- the **shape**: everything that stays the same from one calibration of a device to the next (the
  configuration, coupling map, qubit indices, each gate's name, qubits and definition), stored
  once per distinct content in the ``shapes`` table and shared by the snapshots that have it;
- the **sections**: the values, one section per per-qubit field (``q:t1_us``) and per gate name
  (``g:cz``: error, length, uncertainty), each a zlib-compressed block of IEEE float64 columns
  (bit-exact: what the model holds is what comes back; a missing value is NaN inside a section and
  None outside, so a non-finite value cannot be stored; a column equal to one stored earlier in the
  snapshot, as IBM's ``id``, ``sx`` and ``x`` errors are, is a reference to it) and the values'
  measurement times: a section with at most :data:`LOCAL_TIMES` distinct times keeps them, others
  number them in the snapshot's time table (section ``t``, a JSON list of ISO strings);
- the **meta**: what changes with every fetch but is small: the source, status, calibration
  time, device-level values with their uncertainties, layer fidelities, resonators, provenance,
  and which qubits and gates are out of service (zlib-compressed JSON).

Reading one metric of one qubit over two years reads one section per snapshot (a kilobyte or two
for 156 qubits; 8 bytes of it are decoded) and the device's shape once. :func:`decode` gives back
the snapshot dictionary exactly (tests compare it with ``snapshot_to_dict`` on every bundled
device). The content hash covers the shape, the sections and the meta without source and status.

Section layout (before zlib), little-endian: ``b"S"``, format byte 1, uint32 entry count, uint8
column count, uint8 flags (1: the float64 bytes are shuffled, all first bytes then all second
bytes..., which compresses similar values better), uint8 time index width (0, 1, 2 or 4 bytes);
one kind byte per column (0 inline, 1 all missing, 2 a reference); the inline columns' float64s;
the time indexes (0: no time, k: the k-th time); a JSON object ``{"r": {column: [section,
column]}, "t": [own times]}``.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from functools import lru_cache
from operator import attrgetter
from typing import Any

import orjson

from ..errors import InputError
from ..model import (
    QUBIT_FIELDS,
    DeviceSnapshot,
    GateCalibration,
    QubitCalibration,
    same_calibration,
)
from ..model.vocabulary import qubits_text

#: The codec's version, written in every shape; a reader refuses one it does not know.
CODEC_VERSION = 1
#: Top-level keys of the snapshot dictionary kept per snapshot (meta), not in the shape.
VOLATILE = (
    "source",
    "status",
    "calibrated_at",
    "layer_fidelities",
    "resonators",
    "device_values",
    "provenance",
)
#: The value columns of a gate section, in order.
GATE_COLUMNS = ("error", "length_ns", "uncertainty")
#: Model fields that are values (in sections or the meta), not shape.
_QUBIT_VALUES = frozenset({*QUBIT_FIELDS, "measured_at", "operational"})
_GATE_VALUES = frozenset({*GATE_COLUMNS, "measured_at", "operational"})
_HEADER = struct.Struct("<cBIBBB")
_INLINE, _ABSENT, _REF = 0, 1, 2
_DOUBLE = struct.Struct("<d")
_SHUFFLED = 1
_INDEX = {1: "B", 2: "H", 4: "I"}
#: The section that holds a snapshot's distinct measurement times (JSON list of ISO strings).
TIMES = "t"
#: A section with at most this many distinct times keeps them itself.
LOCAL_TIMES = 8
_NAN = math.nan
_BIG_ENDIAN = sys.byteorder == "big"
_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Encoded:
    """A snapshot's stored parts: its shape (compressed JSON and digest), its sections by name,
    its compressed meta, and the content hash (the same calibration, whatever the source or
    status, has the same hash)."""

    shape: bytes
    shape_digest: str
    sections: dict[str, bytes]
    meta: bytes
    content_hash: str


class Shape:
    """A decoded shape: the static document and where each subject sits in the sections."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._qubits: dict[int, int] | None = None
        self._qubit_keys: tuple[str, ...] | None = None
        self._gates: dict[str, list[str]] = {}

    def qubit_positions(self) -> dict[int, int]:
        """Qubit index -> its entry in a ``q:`` section."""
        if self._qubits is None:
            self._qubits = {int(q["index"]): i for i, q in enumerate(self.document["qubits"])}
        return self._qubits

    def qubit_keys(self) -> tuple[str, ...]:
        """The qubit index (``"12"``) of each entry of a ``q:`` section, in order."""
        if self._qubit_keys is None:
            self._qubit_keys = tuple(str(int(q["index"])) for q in self.document["qubits"])
        return self._qubit_keys

    def section_subjects(self, section: str) -> Sequence[str]:
        """The subject of each entry of ``section``: qubit indices for a ``q:`` section, a
        gate's qubits (``3-4``) for a ``g:`` one."""
        if section.startswith("g:"):
            return self.gate_subjects(section[2:])
        return self.qubit_keys()

    def gate_subjects(self, gate: str) -> list[str]:
        """The qubits (``3-4``) of each entry of section ``g:<gate>``, in order."""
        found = self._gates.get(gate)
        if found is None:
            found = self._gates[gate] = [
                qubits_text(tuple(g["qubits"])) for g in self.document["gates"] if g["gate"] == gate
            ]
        return found


def qubit_section(field: str) -> str:
    """The section of a per-qubit field: ``q:t1_us``."""
    return f"q:{field}"


def gate_section(gate: str) -> str:
    """The section of a gate's values: ``g:cz``."""
    return f"g:{gate}"


# -- encoding ---------------------------------------------------------------------------------


class Encoder:
    """Encodes snapshots; remembers the last shapes it built, so that a device's next snapshot
    (same configuration, qubits and gates) costs only its values."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[Any, ...], tuple[bytes, str]] = {}
        self._last: dict[str, tuple[DeviceSnapshot, Encoded]] = {}

    def encode(self, snapshot: DeviceSnapshot) -> Encoded:
        """The stored parts of ``snapshot``."""
        from ..model.serialize import snapshot_to_dict

        light = snapshot_to_dict(_without_values(snapshot))
        last = self._last.get(snapshot.name)
        if (
            last is not None
            and last[0].calibrated_at == snapshot.calibrated_at
            and same_calibration(last[0], snapshot)
        ):  # the same calibration fetched again (backfill, watch): only the meta can differ
            meta = zlib.compress(orjson.dumps(_meta(snapshot, light)), _LEVEL)
            return replace(last[1], meta=meta)
        found = self._encode(snapshot, light)
        self._last[snapshot.name] = (snapshot, found)
        if len(self._last) > 256:
            self._last.clear()
        return found

    def _encode(self, snapshot: DeviceSnapshot, light: dict[str, Any]) -> Encoded:
        from ..model.serialize import snapshot_to_dict

        key = _static_key(snapshot, light)
        found = self._shapes.get(key)
        packed = _sections(snapshot)
        sections = {name: raw for name, (raw, _) in packed.items()}
        meta = _meta(snapshot, light)
        if found is None:
            full = snapshot_to_dict(snapshot)
            document = _shape_document(full)
            found = _pack_shape(document)
            self._check(full, document, sections, meta)
            if len(self._shapes) > 64:
                self._shapes.clear()
            self._shapes[key] = found
        shape, digest = found
        return Encoded(
            shape,
            digest,
            {name: small for name, (_, small) in packed.items()},
            zlib.compress(orjson.dumps(meta), _LEVEL),
            _content_hash(digest, sections, meta),
        )

    @staticmethod
    def _check(
        full: dict[str, Any],
        document: dict[str, Any],
        sections: dict[str, bytes],
        meta: dict[str, Any],
    ) -> None:
        """A new shape is checked once: decoding gives back the snapshot's dictionary."""
        decoded = {k: _unpack(v) for k, v in sections.items() if k != TIMES}
        for section in decoded.values():
            section.resolve(decoded, "check")
        texts = orjson.loads(sections[TIMES]) if TIMES in sections else []
        again = assemble(document, decoded, [None, *texts], meta)
        if orjson.dumps(again, option=orjson.OPT_SORT_KEYS) != orjson.dumps(
            full, option=orjson.OPT_SORT_KEYS
        ):
            raise InputError(f"{full.get('name')}: the snapshot cannot be stored losslessly")


def _without_values(snapshot: DeviceSnapshot) -> DeviceSnapshot:
    return replace(snapshot, qubits=(), gates=())


def _static_fields(cls: type, values: frozenset[str]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in values)


_QUBIT_STATIC = _static_fields(QubitCalibration, _QUBIT_VALUES)
_GATE_STATIC = _static_fields(GateCalibration, _GATE_VALUES)
_QUBIT_KEY = attrgetter(*_QUBIT_STATIC)
_GATE_KEY = attrgetter(*_GATE_STATIC)
_TZINFO = attrgetter("tzinfo")


def _static_key(snapshot: DeviceSnapshot, light: dict[str, Any]) -> tuple[Any, ...]:
    """Everything the shape is made of, as a hashable key (any model field that is not a known
    value counts, so a field added to the model later keeps the encoding lossless)."""
    top = orjson.dumps({k: v for k, v in light.items() if k not in VOLATILE}, default=str)
    qubits = tuple(map(_QUBIT_KEY, snapshot.qubits))
    extra = tuple(
        (i, k, q.measured_at[k].isoformat())
        for i, q in enumerate(snapshot.qubits)
        for k in q.measured_at
        if k not in QUBIT_FIELDS
    )
    gates = tuple(map(_GATE_KEY, snapshot.gates))
    return (top, qubits, extra, gates)


def _shape_document(full: dict[str, Any]) -> dict[str, Any]:
    """The static part of a snapshot dictionary."""
    top = {k: v for k, v in full.items() if k not in VOLATILE and k not in ("qubits", "gates")}
    qubits = []
    for q in full["qubits"]:
        static = {k: v for k, v in q.items() if k not in _QUBIT_VALUES}
        extra = {k: v for k, v in q.get("measured_at", {}).items() if k not in QUBIT_FIELDS}
        if extra:
            static["measured_at"] = extra
        qubits.append(static)
    gates = [{k: v for k, v in g.items() if k not in _GATE_VALUES} for g in full["gates"]]
    return {"codec": CODEC_VERSION, "top": top, "qubits": qubits, "gates": gates}


def _pack_shape(document: dict[str, Any]) -> tuple[bytes, str]:
    import hashlib  # only writers hash (OpenSSL takes ~10 ms to load)

    text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return zlib.compress(text, _LEVEL), hashlib.sha256(text).hexdigest()


def _meta(snapshot: DeviceSnapshot, light: dict[str, Any]) -> dict[str, Any]:
    meta = {k: light[k] for k in VOLATILE if k in light}
    off_qubits = [i for i, q in enumerate(snapshot.qubits) if not q.operational]
    off_gates = [i for i, g in enumerate(snapshot.gates) if not g.operational]
    if off_qubits:
        meta["off_qubits"] = off_qubits
    if off_gates:
        meta["off_gates"] = off_gates
    return meta


class _Times:
    """The distinct measurement times of a snapshot (its ``t`` section) and their numbers;
    ``shared``: whether a section refers to them (one with few times keeps its own)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.shared = False
        self._seen: dict[tuple[datetime, Any], int] = {}

    def numbers(self, dates: Sequence[datetime | None]) -> list[int]:
        """:meth:`number` of each of ``dates`` (each distinct time looked at once)."""
        present = [d for d in dates if d is not None]
        if len(set(map(_TZINFO, present))) > 1:  # equal instants may differ in their offset
            return [self.number(d) for d in dates]
        found: dict[datetime | None, int] = {None: 0}
        for when in dict.fromkeys(present):
            found[when] = self.number(when)
        return list(map(found.__getitem__, dates))

    def number(self, when: datetime | None) -> int:
        """0 for no time, else the time's 1-based number in :attr:`texts`."""
        if when is None:
            return 0
        key = (when, when.tzinfo)
        found = self._seen.get(key)
        if found is None:
            self.texts.append(when.isoformat())
            found = self._seen[key] = len(self.texts)
        return found


def _sections(snapshot: DeviceSnapshot) -> dict[str, tuple[bytes, bytes]]:
    """Every section's bytes, raw and compressed: the qubit fields, the gates, the times."""
    times, inline = _Times(), dict[bytes, tuple[str, int]]()
    out: dict[str, tuple[bytes, bytes]] = {}
    for name in QUBIT_FIELDS:
        values = [getattr(q, name) for q in snapshot.qubits]
        dates = times.numbers([q.measured_at.get(name) for q in snapshot.qubits])
        if any(v is not None for v in values) or any(dates):
            out[qubit_section(name)] = _pack(qubit_section(name), [values], dates, inline, times)
    groups: dict[str, list[GateCalibration]] = {}
    for gate in snapshot.gates:
        groups.setdefault(gate.gate, []).append(gate)
    for gate_name, gates in groups.items():
        name = gate_section(gate_name)
        columns = [
            [g.error for g in gates],
            [g.length_ns for g in gates],
            [g.uncertainty for g in gates],
        ]
        dates = times.numbers([g.measured_at for g in gates])
        out[name] = _pack(name, columns, dates, inline, times)
    if times.shared:
        text = orjson.dumps(times.texts)
        out[TIMES] = (text, zlib.compress(text, _LEVEL))
    return out


def _pack(
    name: str,
    columns: Sequence[Sequence[float | None]],
    dates: Sequence[int],
    inline: dict[bytes, tuple[str, int]],
    times: _Times,
) -> tuple[bytes, bytes]:
    """A section, raw and compressed: each column inline (float64), absent (all missing) or a
    reference to an equal column stored earlier in the snapshot (IBM's id, sx and x share their
    errors)."""
    count = len(columns[0])
    kinds, data, refs = bytearray(), [], {}
    for c, column in enumerate(columns):
        present = [v for v in column if v is not None]
        if not present:
            kinds.append(_ABSENT)
            continue
        if not all(map(math.isfinite, present)):
            raise InputError(f"{name}: a non-finite value cannot be stored")
        numbers = array("d", [_NAN if v is None else v for v in column])
        if _BIG_ENDIAN:
            numbers.byteswap()
        block = numbers.tobytes()
        found = inline.get(block)
        if found is not None:
            kinds.append(_REF)
            refs[str(c)] = found
            continue
        inline[block] = (name, c)
        kinds.append(_INLINE)
        data.append(block)
    used = [n for n in dict.fromkeys(dates) if n]
    tail: dict[str, Any] = {"r": refs}
    if 0 < len(used) <= LOCAL_TIMES:  # few times: the section keeps its own (read without ``t``)
        renumber = {n: k for k, n in enumerate(used, start=1)}
        dates = [renumber.get(n, 0) for n in dates]
        tail["t"] = [times.texts[n - 1] for n in used]
    elif used:
        times.shared = True
    width = _width(max(dates, default=0))
    text = orjson.dumps(tail)
    if width:
        indexes = array(_INDEX[width], dates)
        if _BIG_ENDIAN:
            indexes.byteswap()
        text = indexes.tobytes() + text
    values = b"".join(data)
    best: tuple[bytes, bytes] | None = None
    for flags, payload in ((0, values), (_SHUFFLED, _shuffle(values))):
        head = _HEADER.pack(b"S", 1, count, len(columns), flags, width) + bytes(kinds)
        whole = head + payload + text
        small = zlib.compress(whole, _LEVEL)
        if best is None or len(small) < len(best[1]):
            best = (whole, small)
        if not values:
            break
    assert best is not None
    return best


def _shuffle(values: bytes) -> bytes:
    """The bytes of the float64s grouped by position (all first bytes, then all second...):
    the sign and exponent bytes of similar values then compress."""
    return b"".join(values[i::8] for i in range(8))


def _unshuffle(values: bytes) -> bytes:
    count = len(values) // 8
    out = bytearray(len(values))
    for i in range(8):
        out[i::8] = values[i * count : (i + 1) * count]
    return bytes(out)


def _width(count: int) -> int:
    if count == 0:
        return 0
    return 1 if count < 256 else 2 if count < 65_536 else 4


def _content_hash(digest: str, sections: dict[str, bytes], meta: dict[str, Any]) -> str:
    """SHA-256 of the shape, the values and the meta without ``source`` and ``status``: equal
    exactly when :func:`~qpumon.model.same_calibration` holds."""
    import hashlib

    hasher = hashlib.sha256(digest.encode())
    for name in sorted(sections):
        hasher.update(name.encode() + b"\0" + struct.pack("<I", len(sections[name])))
        hasher.update(sections[name])
    kept = {k: v for k, v in meta.items() if k not in ("source", "status")}
    hasher.update(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS))
    return hasher.hexdigest()


# -- decoding ---------------------------------------------------------------------------------


class Section:
    """A stored section, read lazily: a single value is taken from the stored bytes as it is
    (a time series of one qubit reads 8 bytes per snapshot), a whole column decoded when asked.
    A column that refers to another section's has no values until :meth:`resolve`."""

    __slots__ = (
        "_blocks",
        "_columns",
        "_raw",
        "_shuffled",
        "_times_at",
        "_total",
        "_values_at",
        "_width",
        "count",
        "local",
        "refs",
    )

    def __init__(self, raw: bytes) -> None:
        magic, version, count, ncols, flags, width = _HEADER.unpack_from(raw)
        if magic != b"S" or version != 1:
            raise ValueError(f"unknown section format {magic!r} {version}")
        kinds = raw[_HEADER.size : _HEADER.size + ncols]
        blocks, inline = [], 0
        for kind in kinds:
            blocks.append(inline if kind == _INLINE else -1)
            inline += kind == _INLINE
        self.count, self._raw, self._width = count, raw, width
        self._blocks, self._total = blocks, inline * count
        self._values_at = _HEADER.size + ncols
        self._times_at = self._values_at + 8 * self._total
        self._shuffled = bool(flags & _SHUFFLED)
        self._columns: dict[int, array[float] | None] = {}
        tail = orjson.loads(raw[self._times_at + width * count :])
        self.refs = {int(c): (str(n), int(k)) for c, (n, k) in tail["r"].items()}
        self.local: list[str | None] | None = None if "t" not in tail else [None, *tail["t"]]
        if self._times_at + width * count > len(raw):
            raise ValueError("truncated section")

    def column(self, c: int) -> array[float] | None:
        """Column ``c`` decoded (None: every value missing)."""
        if c in self._columns:
            return self._columns[c]
        block = self._blocks[c]
        found = None
        if block >= 0 and c not in self.refs:
            values = self._raw[self._values_at : self._times_at]
            if self._shuffled:
                values = _unshuffle(values)
            found = array("d")
            found.frombytes(values[8 * block * self.count : 8 * (block + 1) * self.count])
            if _BIG_ENDIAN:
                found.byteswap()
        self._columns[c] = found
        return found

    def value(self, c: int, i: int) -> float | None:
        """Entry ``i`` of column ``c`` (None: missing)."""
        if c in self._columns or self._blocks[c] < 0:
            found = self.column(c)
            v = None if found is None else found[i]
        else:
            j = self._blocks[c] * self.count + i
            if self._shuffled:  # byte k of value j is at k * total + j: a strided slice
                at, step = self._values_at + j, self._total
                v = _DOUBLE.unpack(self._raw[at : at + 7 * step + 1 : step])[0]
            else:
                v = _DOUBLE.unpack_from(self._raw, self._values_at + 8 * j)[0]
        return None if v is None or v != v else v

    def values(self, c: int) -> list[float | None]:
        """Every entry of column ``c``."""
        found = self.column(c)
        if found is None:
            return [None] * self.count
        return [None if v != v else v for v in found]

    def time(self, i: int) -> int:
        """Entry ``i``'s time number (0: none)."""
        if not self._width:
            return 0
        at = self._times_at + i * self._width
        return int.from_bytes(self._raw[at : at + self._width], "little")

    @property
    def shared_times(self) -> bool:
        """True if the section's times are numbers in the snapshot's ``t`` section."""
        return bool(self._width) and self.local is None

    def drop_times(self) -> None:
        """Forget the times (a reader that did not ask for them)."""
        self._width = 0

    def time_text(self, i: int, table: Sequence[str | None] | None) -> str | None:
        """Entry ``i``'s time (ISO text), from the section's own times or ``table`` (the
        snapshot's time table; None: not read)."""
        number = self.time(i)
        if number == 0:
            return None
        found = self.local if self.local is not None else table
        return None if found is None else found[number]

    def check_times(self, table: Sequence[str | None] | None, where: str) -> None:
        """A clear error if an entry's time number is past its time table (the section's own
        times, else ``table``: the snapshot's; None: not read, nothing to check)."""
        found = self.local if self.local is not None else table
        if not self._width or found is None:
            return
        if self._largest_time() >= len(found):
            raise InputError(f"{where}: the stored values are damaged (a time past its table)")

    def _largest_time(self) -> int:
        packed = self._raw[self._times_at : self._times_at + self._width * self.count]
        if self._width == 1:
            return max(packed, default=0)
        numbers = array(_INDEX[self._width])
        numbers.frombytes(packed)
        if _BIG_ENDIAN:
            numbers.byteswap()
        return max(numbers, default=0)

    def resolve(self, others: Mapping[str, Section], where: str) -> None:
        """Fill the columns that refer to columns of ``others``."""
        for column, (name, c) in self.refs.items():
            found = others.get(name)
            values = None if found is None else found.column(c)
            if values is None:
                raise InputError(f"{where}: the stored values are damaged (no {name} column {c})")
            self._columns[column] = values
        self.refs = {}


def _unpack(raw: bytes) -> Section:
    return Section(raw)


def read_section(blob: bytes, where: str) -> Section:
    """A stored (compressed) section."""
    try:
        return _unpack(zlib.decompress(blob))
    except (zlib.error, ValueError, TypeError, KeyError, struct.error) as exc:
        raise InputError(f"{where}: the stored values are damaged ({exc})") from exc


def read_times(blob: bytes | None, where: str) -> list[str | None]:
    """A stored time table, numbered from 1 (index 0 is None: no time)."""
    if blob is None:
        return [None]
    try:
        texts = orjson.loads(zlib.decompress(blob))
    except (zlib.error, orjson.JSONDecodeError) as exc:
        raise InputError(f"{where}: the stored times are damaged ({exc})") from exc
    return [None, *texts]


def read_shape(blob: bytes, where: str) -> Shape:
    """A stored (compressed) shape."""
    try:
        document = orjson.loads(zlib.decompress(blob))
    except (zlib.error, orjson.JSONDecodeError) as exc:
        raise InputError(f"{where}: the stored shape is damaged ({exc})") from exc
    if not isinstance(document, dict) or document.get("codec") != CODEC_VERSION:
        found = document.get("codec") if isinstance(document, dict) else None
        raise InputError(f"{where}: stored shape format {found!r} is not one this qpumon reads")
    return Shape(document)


def read_meta(blob: bytes, where: str) -> dict[str, Any]:
    """A stored (compressed) meta document."""
    try:
        found = orjson.loads(zlib.decompress(blob))
    except (zlib.error, orjson.JSONDecodeError) as exc:
        raise InputError(f"{where}: the stored snapshot is damaged ({exc})") from exc
    if not isinstance(found, dict):
        raise InputError(f"{where}: the stored snapshot is damaged (not a document)")
    return found


def decode(shape: bytes, blobs: Mapping[str, bytes], meta: bytes, where: str) -> dict[str, Any]:
    """The snapshot dictionary from its stored shape, sections (by name) and meta."""
    sections = {
        name: read_section(blob, f"{where} {name}") for name, blob in blobs.items() if name != TIMES
    }
    for section in sections.values():
        section.resolve(sections, where)
    times = read_times(blobs.get(TIMES), where)
    document = read_shape(shape, where).document
    _check_fit(document, sections, times, where)
    return assemble(document, sections, times, read_meta(meta, where))


def _check_fit(
    document: Mapping[str, Any],
    sections: Mapping[str, Section],
    times: Sequence[str | None],
    where: str,
) -> None:
    """A clear error where the sections do not fit the shape (a damaged or altered store):
    a section with another number of entries than the shape has, a gate without its section,
    a time number past the time table."""
    wanted = {qubit_section(name): len(document["qubits"]) for name in QUBIT_FIELDS}
    for static in document["gates"]:
        name = gate_section(static["gate"])
        wanted[name] = wanted.get(name, 0) + 1
        if name not in sections:
            raise InputError(f"{where}: the stored values are damaged (no section {name})")
    for name, section in sections.items():
        if name in wanted:
            _check_count(section, wanted[name], f"{where} {name}")
        section.check_times(times, f"{where} {name}")


def _check_count(section: Section, entries: int, where: str) -> None:
    if section.count != entries:
        raise InputError(
            f"{where}: the stored values are damaged ({section.count} values for {entries} "
            "entries of its shape)"
        )


def check_series_fit(
    decoded: Sequence[tuple[int, int, Section, list[str | None] | None]],
    shapes: Shapes,
    section: str,
    where: str,
) -> None:
    """A clear error if a decoded ``section`` of a series (see :func:`decode_series`) has
    another number of entries than its snapshot's shape: what every series read checks once its
    shapes are loaded, before a value is taken by its position."""
    for snapshot_id, shape_id, decoded_section, _ in decoded:
        entries = len(shapes(shape_id).section_subjects(section))
        _check_count(decoded_section, entries, f"{where} #{snapshot_id}")


def assemble(
    document: Mapping[str, Any],
    sections: Mapping[str, Section],
    times: Sequence[str | None],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """The snapshot dictionary from its shape document, resolved sections, times and meta."""
    off_qubits = set(meta.get("off_qubits", ()))
    data: dict[str, Any] = dict(document["top"])
    data.update({k: v for k, v in meta.items() if k in VOLATILE})
    columns = {
        name: (found.values(0), found)
        for name in QUBIT_FIELDS
        if (found := sections.get(qubit_section(name))) is not None
    }
    qubits = []
    for i, static in enumerate(document["qubits"]):
        qubit = {k: v for k, v in static.items() if k != "measured_at"}
        dates = dict(static.get("measured_at", {}))
        for name in QUBIT_FIELDS:
            values, section = columns.get(name, (None, None))
            qubit[name] = None if values is None else values[i]
            when = None if section is None else section.time_text(i, times)
            if when is not None:
                dates[name] = when
        qubit["measured_at"] = dates
        if i in off_qubits:
            qubit["operational"] = False
        qubits.append(qubit)
    data["qubits"] = qubits
    data["gates"] = _gates(document["gates"], sections, times, set(meta.get("off_gates", ())))
    return data


def _gates(
    statics: Sequence[Mapping[str, Any]],
    sections: Mapping[str, Section],
    times: Sequence[str | None],
    off: set[int],
) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    columns = {
        name: [found.values(c) for c in range(len(GATE_COLUMNS))]
        for name, found in sections.items()
        if name.startswith("g:")
    }
    gates = []
    for i, static in enumerate(statics):
        name = gate_section(static["gate"])
        k = seen[name] = seen.get(name, -1) + 1
        gate = dict(static)
        for c, column in enumerate(GATE_COLUMNS):
            gate[column] = columns[name][c][k]
        gate["measured_at"] = sections[name].time_text(k, times)
        if i in off:
            gate["operational"] = False
        gates.append(gate)
    return gates


# -- series -----------------------------------------------------------------------------------

#: ``fetch(names, snapshot_ids) -> {(snapshot_id, name): blob}``: more sections of snapshots.
Fetch = Callable[[Sequence[str], Sequence[int]], Mapping[tuple[int, str], bytes]]


def decode_series(
    rows: Sequence[tuple[int, int, bytes]], fetch: Fetch, measured: bool, where: str
) -> list[tuple[int, int, Section, list[str | None] | None]]:
    """``(snapshot_id, shape_id, section, time table or None)`` for stored ``(snapshot_id,
    shape_id, section)`` rows of one section name; the columns it shares with other sections and
    (if ``measured``) the time tables are fetched with ``fetch`` in one go."""
    decoded = [(i, shape, read_section(blob, f"{where} #{i}")) for i, shape, blob in rows]
    needed = {name for _, _, s in decoded for name, _ in s.refs.values()}
    if measured and any(s.shared_times for _, _, s in decoded):
        needed.add(TIMES)
    more = fetch(sorted(needed), [i for i, _, _ in decoded]) if needed else {}
    out = []
    for i, shape, section in decoded:
        if section.refs:
            others = {
                name: read_section(more[i, name], f"{where} #{i}")
                for name, _ in section.refs.values()
                if (i, name) in more
            }
            section.resolve(others, f"{where} #{i}")
        if not measured:
            section.drop_times()  # the caller did not ask for times
        table = read_times(more.get((i, TIMES)), where) if section.shared_times else None
        section.check_times(table, f"{where} #{i}")
        out.append((i, shape, section, table))
    return out


@lru_cache(maxsize=4096)
def parse_time(text: str) -> datetime:
    """A stored ISO time as an aware UTC datetime (naive ones are UTC)."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _when(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


#: ``shape(shape_id) -> Shape``: the shapes of the snapshots being read.
Shapes = Callable[[int], Shape]


def qubit_points(
    decoded: Sequence[tuple[int, int, Section, list[str | None] | None]],
    shapes: Shapes,
    qubit: int | None,
) -> list[tuple[int, int, float, datetime | None]]:
    """``(snapshot_id, qubit, value, measured_at)`` from decoded ``q:`` sections (given as
    ``(snapshot_id, shape_id, section, time table)``); missing values have no point."""
    out = []
    for snapshot_id, shape_id, section, table in decoded:
        positions = shapes(shape_id).qubit_positions()
        if qubit is not None:
            pos = positions.get(qubit)
            value = None if pos is None else section.value(0, pos)
            if value is not None and pos is not None:
                out.append((snapshot_id, qubit, value, _when(section.time_text(pos, table))))
            continue
        values = section.values(0)
        for index, pos in positions.items():
            value = values[pos]
            if value is not None:
                out.append((snapshot_id, index, value, _when(section.time_text(pos, table))))
    return out


def gate_points(
    decoded: Sequence[tuple[int, int, Section, list[str | None] | None]],
    shapes: Shapes,
    gate: str,
    qubits: str | None,
) -> list[tuple[int, str, float | None, float | None, datetime | None]]:
    """``(snapshot_id, qubits, error, length_ns, measured_at)`` from decoded ``g:`` sections;
    an entry with neither an error nor a length has no point."""
    out = []
    for snapshot_id, shape_id, section, table in decoded:
        errors, lengths = section.values(0), section.values(1)
        for pos, subject in enumerate(shapes(shape_id).gate_subjects(gate)):
            if qubits is not None and subject != qubits:
                continue
            if errors[pos] is not None or lengths[pos] is not None:
                moment = _when(section.time_text(pos, table))
                out.append((snapshot_id, subject, errors[pos], lengths[pos], moment))
    return out


def value_columns(
    decoded: Sequence[tuple[int, int, Section, list[str | None] | None]],
    shapes: Shapes,
    section: str,
    column: int,
) -> list[tuple[int, Sequence[str], array[float] | None]]:
    """``(snapshot_id, subjects, values)``: column ``column`` of each decoded ``section`` (``q:``
    or ``g:``) as stored, NaN where a value is missing (None: all of them), with the subject of
    each entry (a qubit index ``"12"`` or a gate's qubits ``"3-4"``). Subject sequences are
    shared by the snapshots of one shape, so a reader can map them once per shape."""
    return [
        (snapshot_id, shapes(shape_id).section_subjects(section), found.column(column))
        for snapshot_id, shape_id, found, _ in decoded
    ]


def device_points(
    metas: Sequence[tuple[int, bytes]], key: str, measured: bool, where: str
) -> list[tuple[int, float, float | None, datetime | None]]:
    """``(snapshot_id, value, uncertainty, measured_at)`` of device-level value ``key`` from
    stored ``(snapshot_id, meta)`` rows."""
    out = []
    for snapshot_id, blob in metas:
        for item in read_meta(blob, f"{where} #{snapshot_id}").get("device_values") or ():
            if item.get("key") != key or item.get("value") is None:
                continue
            text = item.get("measured_at") if measured else None
            moment = None if text is None else parse_time(text)
            out.append((snapshot_id, float(item["value"]), item.get("uncertainty"), moment))
    return out
