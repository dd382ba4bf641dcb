"""``json``: a report's data in full (a monitor report's snapshot part reloads losslessly), as
indented UTF-8 JSON; NaN and infinities are refused, never written."""

from __future__ import annotations

import math
from typing import Any

import orjson

from ...errors import InputError
from ..document import Report
from . import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    """``report.document()`` as JSON text."""
    return dumps(report.document())


def dumps(data: Any) -> str:
    """``data`` as indented JSON text ending in a newline (orjson: fast, exact floats)."""
    _check_finite(data)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"


def _check_finite(data: Any) -> None:
    """orjson writes NaN as null; a report never holds one, and saying null would hide it."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise InputError(f"a report value is {item}; JSON cannot hold it")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
