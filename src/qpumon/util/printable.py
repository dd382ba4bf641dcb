"""Text from data or services made safe to show: control characters are written as escapes.

A device name, a unit or a status message comes from a file or a server that qpumon does not
control. Written raw to a terminal, an escape sequence in it could clear the screen, retitle the
window or write to the clipboard (OSC 52); in a Markdown table a newline ends the table. Every text
format and every error message shows such text through :func:`printable`: C0 controls, DEL and C1
controls become ``\\x1b``-style escapes, and the bidirectional overrides that reorder what a
reader sees become ``\\u202e``-style escapes. Everything else, ``µ`` and ``—`` included, is kept.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (see the module docstring)."""
    if text.isprintable() or _UNSAFE.search(text) is None:  # isprintable: a fast C check
        return text
    return _UNSAFE.sub(_escape, text)


def is_printable(text: str) -> bool:
    """True if ``text`` holds no character that :func:`printable` would escape."""
    return _UNSAFE.search(text) is None
