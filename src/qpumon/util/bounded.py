"""Reading an input file under a size limit, for every file a user names (calibrations,
circuits, alert rules, tokens), and the one JSON parser every reader of a document uses.

:func:`parse_json` bounds what a document can make the parser and its readers do, before and
while it is parsed: nesting deeper than :data:`MAX_DEPTH` and more values than
:data:`MAX_VALUES` are refused by a linear scan before any parser recurses or allocates; an
integer literal longer than :data:`MAX_INT_DIGITS` digits is refused before it is converted
(Python refuses to convert more than 4,300 digits with a ``ValueError``); NaN, ``Infinity`` and
numbers beyond a double are refused. Each refusal names the JSON path.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError, InputTooLargeError

#: The deepest nesting of arrays and objects a document may have: calibration documents nest
#: about 8 deep; a recursive reader must never meet Python's recursion limit (about 1,000).
MAX_DEPTH = 64
#: The most digits an integer literal in a document may have: more than any count, index or
#: identifier needs (a 128-bit integer has 39), and far fewer than Python converts (4,300).
MAX_INT_DIGITS = 40
#: The most values (numbers, strings, arrays, objects) a document may hold: a 10,000-qubit IBM
#: properties file has about 3 million; 16 million parsed values take about 1 GB of memory.
MAX_VALUES = 2**24
#: The most arrays and objects a document may hold, counted apart from the values (nested
#: one-key objects hold no comma): each costs ten times a number (an object of one key about
#: 230 bytes), and 38 million of them in a 230 MB file made orjson crash (exit 139) under a 4 GB
#: address space; a 10,000-qubit IBM properties file has under a million.
MAX_CONTAINERS = 2**21

_STRUCTURE = b'"[]{},'
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_STRINGS = re.compile(rb'"[^"]*"')
_SQUARE = bytes.maketrans(b"{}", b"[]")
#: Quotes left after empty strings are dropped beyond which strings are removed with NumPy.
_REGEX_STRINGS = 100_000


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None if it holds more than ``limit`` bytes. At most one byte
    past the limit is read, so ``/dev/zero`` or a huge file costs no more than the limit.
    :class:`OSError` is the caller's to report."""
    with path.open("rb") as handle:
        raw = handle.read(limit + 1)
    return None if len(raw) > limit else raw


def structure(raw: bytes) -> bytes:
    """The brackets and commas of the JSON text ``raw`` outside its strings (``{}`` written as
    ``[]``), at C speed: escapes are dropped, then everything but quotes, brackets and commas,
    then strings (empty ones first: most strings hold no bracket or comma)."""
    skeleton = raw
    if b"\\" in raw:  # one memchr; the replacements cost more, and most documents have none
        skeleton = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = skeleton.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if skeleton.count(b'"') > _REGEX_STRINGS:
        skeleton = _outside_strings(skeleton)
    else:
        skeleton = _STRINGS.sub(b"", skeleton).replace(b'"', b"")
    return skeleton.translate(_SQUARE)


def _outside_strings(skeleton: bytes) -> bytes:
    """``skeleton`` without its quoted parts, vectorised (a regular expression takes seconds
    for millions of strings): a byte is inside a string where the count of quotes up to it is
    odd (counted modulo 256, which keeps the parity in one byte per byte)."""
    import numpy as np

    data = np.frombuffer(skeleton, dtype=np.uint8)
    quote = data == ord('"')
    inside = np.cumsum(quote, dtype=np.uint8) & 1
    return bytes(data[~quote & (inside == 0)].tobytes())


def nesting_exceeds(brackets: bytes, limit: int) -> bool:
    """True if ``brackets`` (of :func:`structure`, commas removed) nest more than ``limit`` deep:
    each of at most ``limit`` passes removes the innermost pairs, so a pair left sits deeper."""
    for _ in range(limit):
        if b"[]" not in brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return b"[]" in brackets


def count_values(skeleton: bytes) -> tuple[int, int]:
    """The arrays and objects, and the values (one more than the commas: a container's elements
    but its first), of a document whose :func:`structure` is ``skeleton``. Commas alone miss
    nested one-element containers, which cost the most memory: they are bounded on their own."""
    return skeleton.count(b"["), skeleton.count(b",") + 1


def check_structure(raw: bytes, where: str) -> None:
    """Refuse the JSON text ``raw`` before it is parsed if it nests deeper than
    :data:`MAX_DEPTH` or holds more than :data:`MAX_VALUES` values or :data:`MAX_CONTAINERS`
    arrays and objects."""
    skeleton = structure(raw)
    containers, values = count_values(skeleton)
    if values > MAX_VALUES or containers > MAX_CONTAINERS:
        raise InputTooLargeError(
            f"{where}: the JSON holds about {values:,} values and {containers:,} arrays and "
            f"objects, more than any calibration document ({MAX_VALUES:,} values, "
            f"{MAX_CONTAINERS:,} arrays and objects)"
        )
    if nesting_exceeds(skeleton.replace(b",", b""), MAX_DEPTH):
        raise InputError(
            f"{where}: the JSON nests more than {MAX_DEPTH} levels deep, deeper than any "
            "calibration document"
        )


def parse_json(raw: bytes | str, where: str) -> Any:
    """The JSON document ``raw`` (from ``where``, a file name or a JSON path), parsed within the
    bounds of the module docstring; any failure is an :class:`InputError` naming ``where``."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "replace")
    check_structure(data, where)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    # orjson is strict: the standard parser, with hooks that mark what is refused, names the
    # JSON path of a NaN or an overlong number, and the position of a real syntax error.
    try:
        document = json.loads(raw, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError as exc:  # unreachable after the depth check; kept as a guard
        raise InputError(f"{where}: the JSON is nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not a UTF-8 text file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    for path, refused in _refused(document, "$"):
        raise InputError(f"{where}: {path}: {refused.reason}")
    return document


class _Refused:
    """What the parser put where a number qpumon refuses was: the reason, for the message."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Refused(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 20 else f"{text[:17]}..."
        return _Refused(f"expected a finite number, got {shown} (beyond about 1.8e308)")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"expected a finite number, got {name}")


def _refused(value: Any, path: str) -> Iterator[tuple[str, _Refused]]:
    """Every refused number in the parsed ``value`` with its JSON path (depth is bounded)."""
    if isinstance(value, _Refused):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list | _Refused):
                yield from _refused(item, _key_path(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list | _Refused):
                yield from _refused(item, f"{path}[{index}]")


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)[:60]}]"
