"""matplotlib through its object API only: no ``pyplot``, no backend switch, no lasting rc change.

matplotlib is an optional extra; :func:`matplotlib_module` names the fix when it is missing.
Figures are ``matplotlib.figure.Figure`` objects, rendered into memory by the format their file
name asks for and written with :func:`qpumon.util.output.write_output`, so a notebook keeps its own
backend and an existing good file survives any error.
"""

from __future__ import annotations

import io
import re
from contextlib import AbstractContextManager
from types import ModuleType
from typing import Any

from ..errors import MissingExtraError, OutputError, UsageError, missing_extra, pip_extra
from ..util.output import write_output
from ..util.printable import printable

#: Output formats :func:`save` accepts (by file suffix).
FORMATS = ("svg", "png", "pdf")
#: Resolution of PNG output (dots per inch).
PNG_DPI = 150


def matplotlib_module() -> ModuleType:
    """The ``matplotlib`` package (its backend is left as the caller set it)."""
    try:
        import matplotlib
    except ImportError as exc:
        raise no_matplotlib() from exc
    return matplotlib


def no_matplotlib() -> MissingExtraError:
    """What drawing a picture without matplotlib says."""
    return missing_extra(
        "drawing pictures", "matplotlib", pip_extra("plots"), say_not_installed=True
    )


def new_figure(width: float, height: float, constrained: bool = True) -> Any:
    """A new ``Figure`` of ``width`` x ``height`` inches (not registered with pyplot)."""
    matplotlib_module()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained" if constrained else None)


def drawn(text: str) -> str:
    """Text from data (a device or gate name) as matplotlib should draw it: control characters
    escaped (:func:`qpumon.util.printable.printable`) and ``$`` kept literal (not mathtext)."""
    return printable(text).replace("$", r"\$")


def svg_style() -> AbstractContextManager[Any]:
    """rc settings, for the duration of one save, that make SVG output small, parseable and
    reproducible (text as text, fixed ids)."""
    mpl = matplotlib_module()
    context: AbstractContextManager[Any] = mpl.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "qpumon"}
    )
    return context


def output_format(path: str) -> str:
    """The image format named by ``path``'s suffix (SVG, a text format, for ``-``: standard
    output); a :class:`UsageError` if unsupported."""
    if path == "-":
        return "svg"
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise UsageError(
            f"{printable(path)}: cannot tell the image format from the file name; "
            f"end it with one of: {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


def render(figure: Any, fmt: str) -> bytes:
    """``figure`` as the bytes of an ``fmt`` file (``svg``, ``png`` or ``pdf``)."""
    buffer = io.BytesIO()
    with svg_style():
        figure.savefig(
            buffer,
            format=fmt,
            dpi=PNG_DPI if fmt == "png" else None,
            metadata=_metadata(fmt),
        )
    return buffer.getvalue()


def save(figure: Any, path: str) -> None:
    """Write ``figure`` to ``path`` in the format its suffix names (atomically: on any error an
    existing file is left as it was)."""
    fmt = output_format(path)
    try:
        data = render(figure, fmt)
    except (ValueError, OverflowError, MemoryError) as exc:
        raise OutputError(f"{printable(path)}: cannot draw the picture ({exc})") from exc
    write_output(path, data)


#: The one ``<style>`` element matplotlib writes into an SVG (``*{stroke-linejoin: round; ...}``).
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)


def svg_text(figure: Any) -> str:
    """``figure`` as SVG markup for inlining in HTML: no XML prolog or DOCTYPE, and no
    ``<style>`` element: its rule would style the whole page, and a Content-Security-Policy that
    forbids inline style sheets would block it; the pages' style sheet carries it, scoped to
    SVG (:data:`qpumon.reports.formats.html_assets.CSS`)."""
    text = render(figure, "svg").decode("utf-8")
    return _STYLE_ELEMENT.sub("", text[text.index("<svg") :])


def _metadata(fmt: str) -> dict[str, Any] | None:
    """No creation date: the same data gives the same file."""
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None
