"""Secrets never shown: every error message and log line passes :func:`redact` on its way out.

A layer that holds a secret (the IBM API key, an access token, a vendor's key) registers it with
:func:`register_secret`; the command line's error printing (``--debug`` tracebacks included),
its notices, and the server's log, pages and JSON error text redact every registered secret.

A careless service may echo a secret back in any encoding, so the text is searched in several
*views*: as it is, and decoded again and again (up to :data:`_DEPTH` times) where it holds
escapes: ``%XX`` in either case, ``\\uXXXX`` (surrogate pairs too), ``\\xXX``, ``\\U...``, the
JSON and C escapes (``\\/``, ``\\"``, ``\\n``), HTML character references; and with the
invisible characters that could split a secret dropped (controls, ANSI sequences, zero-width
characters). A form-encoded space (``+``) is matched by a form of the secret with ``+`` for its
spaces. In each view qpumon looks for any :data:`WINDOW` consecutive characters of the secret (so
a shortened echo such as ``'qpumon-te...'`` is caught too), and for the secret's bytes
base64-encoded (standard and URL-safe alphabets) at each of the three alignments it can have
inside a larger encoded blob: there, the whole base64 run is hidden. Every stretch found is
mapped back to the original text and replaced by :data:`REDACTED`.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

#: What replaces a secret.
REDACTED = "***"
#: Consecutive characters of a secret that are hidden wherever they appear.
WINDOW = 8
#: Secrets shorter than this are not registered: hiding them would hide ordinary words.
MIN_SECRET_CHARS = 4
#: The most secrets kept (renewed access tokens replace the oldest).
MAX_SECRETS = 64
#: Decoding passes at most (a secret %-encoded inside JSON inside a URL is three).
_DEPTH = 4
#: The longest base64 form of a secret looked for is hidden if at least this long.
_MIN_BASE64 = 8

_registered: dict[str, None] = {}
_lock = threading.Lock()

_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
_SIMPLE = {"/": "/", "\\": "\\", '"': '"', "'": "'", "b": "\b", "f": "\f", "n": "\n"}
_SIMPLE |= {"r": "\r", "t": "\t"}
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "sol": "/"}
_ESCAPE = re.compile(
    r"%(?P<pct>[0-9A-Fa-f]{2})"
    r"|\\u(?P<hi>[dD][89abAB][0-9A-Fa-f]{2})\\u(?P<lo>[dD][c-fC-F][0-9A-Fa-f]{2})"
    r"|\\u(?P<u4>[0-9A-Fa-f]{4})"
    r"|\\U(?P<u8>[0-9A-Fa-f]{8})"
    r"|\\x(?P<x2>[0-9A-Fa-f]{2})"
    r"|\\(?P<simple>[/\\\"'bfnrt])"
    r"|&#(?P<dec>[0-9]{1,7});|&#[xX](?P<hex>[0-9A-Fa-f]{1,6});"
    r"|&(?P<named>amp|lt|gt|quot|apos|sol);"
)
_HIDDEN = re.compile(
    r"(?P<ansi>\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?)"
    r"|(?P<invisible>[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff])"
)


def register_secret(value: str | None) -> None:
    """Never show ``value`` (nor any :data:`WINDOW` characters of it, in any encoding) in an
    error message or a log line from now on. None, empty and short values are ignored."""
    if not value or len(value) < MIN_SECRET_CHARS:
        return
    with _lock:
        _registered.pop(value, None)
        _registered[value] = None
        while len(_registered) > MAX_SECRETS:
            _registered.pop(next(iter(_registered)))


def registered() -> tuple[str, ...]:
    """The secrets registered so far, the most recent last."""
    with _lock:
        return tuple(_registered)


def forget_secrets() -> None:
    """Forget every registered secret (for tests)."""
    with _lock:
        _registered.clear()


def redact(text: str, *extra: str | None) -> str:
    """``text`` with every registered secret (and each of ``extra``) hidden, in any encoding
    (see the module docstring)."""
    secrets = tuple(dict.fromkeys(s for s in (*registered(), *extra) if s))
    secrets = tuple(s for s in secrets if len(s) >= MIN_SECRET_CHARS)
    if not secrets or not text:
        return text
    spans = _found(text, _needles(secrets))
    if not spans:
        return text
    parts, start = [], 0
    for begin, end in _merged(spans):
        parts += [text[start:begin], REDACTED]
        start = end
    return "".join([*parts, text[start:]])


# -- what is looked for ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Needles:
    """The windows of the secrets' text forms, and of their base64 forms, by window length."""

    text: dict[int, frozenset[str]]
    base64: dict[int, frozenset[str]]


@lru_cache(maxsize=16)
def _needles(secrets: tuple[str, ...]) -> _Needles:
    text: dict[int, set[str]] = {}
    coded: dict[int, set[str]] = {}
    for secret in secrets:
        for form in {secret, secret.replace(" ", "+")}:
            _windows(form, text)
        data = secret.encode("utf-8")
        for form in _base64_forms(data):
            _windows(form, coded)
        for form in (data.hex(), data.hex().upper()):
            _windows(form, text)
    return _Needles(
        {n: frozenset(w) for n, w in text.items()}, {n: frozenset(w) for n, w in coded.items()}
    )


def _windows(form: str, into: dict[int, set[str]]) -> None:
    size = min(WINDOW, len(form))
    into.setdefault(size, set()).update(form[i : i + size] for i in range(len(form) - size + 1))


def _base64_forms(data: bytes) -> Iterable[str]:
    """What base64 shows of ``data`` inside any larger blob: the groups wholly within it, at
    each of the three alignments, in both alphabets."""
    import base64  # only once a secret is registered

    for skip in range(3):
        whole = (len(data) - skip) // 3 * 3
        if whole <= 0:
            continue
        inner = data[skip : skip + whole]
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            form = encode(inner).decode("ascii")
            if len(form) >= _MIN_BASE64:
                yield form


# -- where it is found ---------------------------------------------------------------------------


@dataclass
class _View:
    """Text as decoded so far: each character with the span of the original text it came from."""

    chars: list[str]
    starts: list[int]
    ends: list[int]

    @property
    def text(self) -> str:
        return "".join(self.chars)


def _found(text: str, needles: _Needles) -> list[tuple[int, int]]:
    """The spans of ``text`` that show a secret in some view: as it is, then with invisible
    characters dropped and escapes decoded in turn (in separate steps, so that a backslash
    decoded in one step is not taken for the start of an escape with the next character)."""
    view = _View(list(text), list(range(len(text))), list(range(1, len(text) + 1)))
    spans = _spans(view, needles)
    for step in (_HIDDEN, _ESCAPE) * _DEPTH:
        decoded = _decoded(view, step)
        if decoded is not None:
            view = decoded
            spans += _spans(view, needles)
    return spans


def _spans(view: _View, needles: _Needles) -> list[tuple[int, int]]:
    """The original spans of the stretches of ``view`` that show a secret."""
    text = view.text
    covered = bytearray(len(text))
    for size, windows in needles.text.items():
        for at in range(len(text) - size + 1):
            if text[at : at + size] in windows:
                covered[at : at + size] = b"\1" * size
    for size, windows in needles.base64.items():
        for at in range(len(text) - size + 1):
            if not covered[at] and text[at : at + size] in windows:
                begin, end = _run(text, at, at + size)
                covered[begin:end] = b"\1" * (end - begin)
    spans, at = [], 0
    while (begin := covered.find(1, at)) >= 0:
        end = covered.find(0, begin)
        end = len(text) if end < 0 else end
        spans.append((view.starts[begin], view.ends[end - 1]))
        at = end
    return spans


def _run(text: str, begin: int, end: int) -> tuple[int, int]:
    """The whole base64 run around ``text[begin:end]`` (its padding included)."""
    while begin > 0 and text[begin - 1] in _B64:
        begin -= 1
    while end < len(text) and text[end] in _B64:
        end += 1
    while end < len(text) and text[end] == "=":
        end += 1
    return begin, end


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


# -- decoding ----------------------------------------------------------------------------------


def _decoded(view: _View, pattern: re.Pattern[str]) -> _View | None:
    """``view`` with what ``pattern`` finds decoded (escapes) or dropped (invisible
    characters); None if it finds nothing."""
    text = view.text
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    out = _View([], [], [])
    pending = _Bytes(out, view)
    at = 0
    for match in matches:
        for i in range(at, match.start()):
            pending.flush()
            out.chars.append(text[i])
            out.starts.append(view.starts[i])
            out.ends.append(view.ends[i])
        begin, end = match.span()
        byte = match.groupdict().get("pct")
        if byte is not None:
            pending.add(int(byte, 16), begin, end)
        else:
            pending.flush()
            char = _char(match)
            if char:
                out.chars.append(char)
                out.starts.append(view.starts[begin])
                out.ends.append(view.ends[end - 1])
        at = end
    pending.flush()
    for i in range(at, len(text)):
        out.chars.append(text[i])
        out.starts.append(view.starts[i])
        out.ends.append(view.ends[i])
    return out


def _char(match: re.Match[str]) -> str:
    """The character an escape other than ``%XX`` stands for ('' for what is dropped)."""
    group = match.lastgroup
    value = match.group(group) if group else ""
    if group == "hi":
        high, low = int(match.group("hi"), 16), int(match.group("lo"), 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    if group in ("u4", "u8", "x2", "hex"):
        code = int(value, 16)
    elif group == "dec":
        code = int(value)
    elif group == "simple":
        return _SIMPLE[value]
    elif group == "named":
        return _ENTITIES[value]
    else:  # ansi, invisible
        return ""
    return chr(code) if code <= 0x10FFFF else "\ufffd"


class _Bytes:
    """``%XX`` bytes in a row, decoded as UTF-8 into characters of the view being built."""

    def __init__(self, out: _View, view: _View) -> None:
        self.out, self.view = out, view
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.begin: int | None = None

    def add(self, byte: int, begin: int, end: int) -> None:
        if self.begin is None:
            self.begin = begin
        chars = self.decoder.decode(bytes([byte]))
        for char in chars:
            self._put(char, end)
        if not self.decoder.getstate()[0]:
            self.begin = None
        elif chars:  # what is still pending starts with this byte
            self.begin = begin

    def flush(self) -> None:
        if self.begin is None:
            return
        for char in self.decoder.decode(b"", final=True):
            self._put(char, None)
        self.decoder.reset()
        self.begin = None

    def _put(self, char: str, end: int | None) -> None:
        assert self.begin is not None
        self.out.chars.append(char)
        self.out.starts.append(self.view.starts[self.begin])
        last = end if end is not None else self.begin + 1
        self.out.ends.append(self.view.ends[last - 1])
