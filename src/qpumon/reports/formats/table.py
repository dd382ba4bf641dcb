"""``table``, the default: Rich tables fitted to the terminal when the output is one, else the
``plain`` text (every column at full width)."""

from __future__ import annotations

from ..document import Report
from . import RenderOptions, plain


def render(report: Report, options: RenderOptions) -> str:
    """``report`` for a person to read."""
    if options.rich:
        from .rich_render import render as rich

        return rich(report, options)
    return plain.draw(report, options.width, options.columns)
