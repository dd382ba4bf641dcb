"""Secrets as a careless service might echo them, and an independent check that none survives.

:func:`encoded` draws a secret in one of the encodings a service could use (raw, %-encoded in
either case, form-encoded, JSON-escaped, base64 at any alignment in either alphabet, split by
escapes and invisible characters). :func:`leaks` decodes a text with the standard library's
decoders in every order and reports any :data:`WINDOW` consecutive characters of the secret it
finds, raw or inside a base64 run at any offset.
"""

from __future__ import annotations

import base64
import html
import json
import re
import string
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from hypothesis import strategies as st

#: Characters of a secret hidden wherever they appear together (qpumon's redaction window).
WINDOW = 8

#: IBM API keys and tokens are letters, digits, ``-`` and ``_``; keys of other services may hold
#: more: punctuation that encodings change, a space, and letters beyond ASCII.
KEY_CHARS = string.ascii_letters + string.digits + "-_"
ODD_CHARS = "/+=&%\"\\' .:~!éß€"
keys = st.text(
    st.sampled_from(KEY_CHARS) | st.sampled_from(ODD_CHARS), min_size=16, max_size=64
).filter(lambda k: k.strip() == k and len(set(k)) > 4)

#: A character no page or message of qpumon holds, in every window of a :data:`marked_keys` key.
MARK = "Ω"
#: Keys whose every :data:`WINDOW` characters hold :data:`MARK`: a window found in a page or an
#: error line is the key's, never words of the page that a drawn key happens to contain.
marked_keys = keys.map(lambda k: "".join(c + MARK if i % 4 == 3 else c for i, c in enumerate(k)))

_FILLERS = ("", "", "\x1b[31m", "\u200b", "\x00", "\\x1b[0m", "\u00ad", "\n")


def _bytes_pct(text: str, upper: bool) -> str:
    coded = "".join(f"%{b:02X}" for b in text.encode())
    return coded if upper else coded.lower()


def _lower_hex(text: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), text)


@st.composite
def _base64(draw: st.DrawFn, key: str) -> str:
    before = draw(st.binary(max_size=5))
    after = draw(st.binary(max_size=5))
    encode = draw(st.sampled_from([base64.b64encode, base64.urlsafe_b64encode]))
    text = str(encode(before + key.encode() + after).decode("ascii"))
    return text.rstrip("=") if draw(st.booleans()) else text


@st.composite
def _split(draw: st.DrawFn, key: str) -> str:
    """Each character raw or escaped its own way, invisible characters between some."""
    out = []
    for char in key:
        kind = draw(st.sampled_from(["raw", "raw", "pct", "u", "x", "dec", "hex"]))
        code = ord(char)
        if kind == "pct":
            out.append(_bytes_pct(char, draw(st.booleans())))
        elif kind == "u" and code < 0x10000:
            out.append(f"\\u{code:04x}")
        elif kind == "x" and code < 0x80:
            out.append(f"\\x{code:02x}")
        elif kind == "dec":
            out.append(f"&#{code};")
        elif kind == "hex":
            out.append(f"&#x{code:X};")
        else:
            out.append(char)
        out.append(draw(st.sampled_from(_FILLERS)))
    return "".join(out)


def encoded(key: str) -> st.SearchStrategy[tuple[str, str]]:
    """``(name, text)``: ``key`` in one encoding a service could echo it in."""
    plain = {
        "raw": key,
        "percent upper": quote(key, safe=""),
        "percent lower": _lower_hex(quote(key, safe="")),
        "percent every byte": _bytes_pct(key, upper=False),
        "form": _lower_hex(quote_plus(key)),
        "json": json.dumps(key)[1:-1].replace("/", "\\/"),
        "json ascii": json.dumps(key, ensure_ascii=True)[1:-1],
        "json every char": "".join(f"\\u{ord(c):04x}" for c in key if ord(c) < 0x10000),
        "percent in json": json.dumps(quote(key, safe=""))[1:-1],
        "json in percent": quote(json.dumps(key), safe=""),
        "shortened": key[: len(key) // 2] + "...",
    }
    fixed = st.sampled_from(sorted(plain.items()))
    return (
        fixed
        | _base64(key).map(lambda t: ("base64", t))
        | _split(key).map(lambda t: ("split by escapes", t))
    )


# -- the check -----------------------------------------------------------------------------------

_INVISIBLE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]|[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060\ufeff]"
)


_BACKSLASHED = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[\\/\"'bfnrt])")
_SIMPLE = {"\\": "\\", "/": "/", '"': '"', "'": "'", "b": "\b", "f": "\f", "n": "\n"}
_SIMPLE |= {"r": "\r", "t": "\t"}


def _unescape(text: str) -> str:
    """Python's and JSON's backslash escapes decoded, left to right (a stray backslash kept)."""

    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE:
            return _SIMPLE[escape]
        code = int(escape[1:], 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _BACKSLASHED.sub(one, text)


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def _everything(text: str) -> str:
    """Every kind of escape at once, as text split by escapes needs."""
    return unquote(_visible(_unescape(html.unescape(text))))


_DECODERS = (unquote, unquote_plus, html.unescape, _unescape, _visible, _everything)


def decodings(text: str, depth: int = 3) -> set[str]:
    """``text`` decoded by every sequence of up to ``depth`` standard decoders."""
    found, frontier = {text}, {text}
    for _ in range(depth):
        frontier = {d(t) for t in frontier for d in _DECODERS} - found
        found |= frontier
    return found


def leaks(text: str, key: str) -> list[str]:
    """The windows of ``key`` that some decoding of ``text`` shows (empty: nothing survived)."""
    windows = {key[i : i + WINDOW] for i in range(len(key) - WINDOW + 1)}
    shown = []
    for view in decodings(text):
        shown += [w for w in windows if w in view]
        for run in re.findall(r"[A-Za-z0-9+/_-]{8,}", view):
            for data in _base64_decodings(run):
                shown += [w for w in windows if w.encode() in data]
    return sorted(set(shown))


def _base64_decodings(run: str) -> list[bytes]:
    out = []
    for alphabet in (run, run.replace("-", "+").replace("_", "/")):
        for offset in range(4):
            part = alphabet[offset:]
            part = part[: len(part) // 4 * 4]
            try:
                out.append(base64.b64decode(part, validate=True))
            except ValueError:
                continue
    return out
