"""``csv``: a report's rows (``records()``) at full precision; a missing value is an empty cell.

Text cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) are neutralised with a leading apostrophe, as OWASP advises; numbers are
written as numbers, so a negative anharmonicity stays ``-0.3201...``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from ...util.printable import printable
from ..document import Report
from . import RenderOptions

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report, options: RenderOptions) -> str:
    """``report.records()`` as CSV text."""
    return write_rows(report.records())


def write_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as CSV text (header first), each cell made safe by :func:`cell`."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def cell(value: Any) -> Any:
    """One CSV cell: empty for None, ``repr`` for floats (every digit), safe text otherwise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    text = printable(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text
