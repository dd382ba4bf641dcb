"""The notebook display hook: snapshots and reports show themselves as HTML in Jupyter
(``_repr_html_``) through the renderer the application layer registers (:mod:`qpumon.notebook`,
imported with :mod:`qpumon`), so that the model never imports the reports that draw it."""

from __future__ import annotations

from collections.abc import Callable

_renderer: Callable[[object], str] | None = None


def register_html(renderer: Callable[[object], str]) -> None:
    """Draw every snapshot and report shown in a notebook with ``renderer``."""
    global _renderer
    _renderer = renderer


def html(value: object) -> str:
    """``value`` as the registered renderer draws it (its ``repr``, escaped, when none is)."""
    if _renderer is None:
        from html import escape

        return f"<pre>{escape(repr(value))}</pre>"
    return _renderer(value)
