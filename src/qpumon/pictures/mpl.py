"""matplotlib, imported lazily and without a display (the ``Agg`` backend, no ``pyplot``).

matplotlib is an optional extra; :func:`matplotlib_module` names the fix when it is missing.
Figures are built as ``matplotlib.figure.Figure`` objects, never through ``pyplot``: no global
state, no GUI, and a faster import.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import ModuleType
from typing import Any

from ..errors import MissingExtraError, QpumonError

#: Output formats :func:`save` accepts (by file suffix).
FORMATS = ("svg", "png", "pdf")


def matplotlib_module() -> ModuleType:
    """The ``matplotlib`` package, switched to the non-interactive ``Agg`` backend."""
    try:
        import matplotlib
    except ImportError:
        raise MissingExtraError(
            "pictures need matplotlib, which is not installed: pip install qpumon[plots]"
        ) from None
    matplotlib.use("Agg")
    return matplotlib


def new_figure(width: float, height: float, constrained: bool = True) -> Any:
    """A new ``Figure`` of ``width`` x ``height`` inches (not registered with pyplot)."""
    matplotlib_module()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained" if constrained else None)


def svg_style() -> AbstractContextManager[Any]:
    """rc settings that make SVG output small, parseable and reproducible."""
    mpl = matplotlib_module()
    context: AbstractContextManager[Any] = mpl.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "qpumon"}
    )
    return context


def output_format(path: str) -> str:
    """The image format named by ``path``'s suffix; a :class:`QpumonError` if unsupported."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise QpumonError(
            f"{path}: cannot tell the image format from the file name; "
            f"end it with one of: {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


def save(figure: Any, path: str) -> None:
    """Write ``figure`` to ``path`` in the format its suffix names."""
    fmt = output_format(path)
    try:
        with svg_style():
            figure.savefig(
                path, format=fmt, dpi=150 if fmt == "png" else None, metadata=_metadata(fmt)
            )
    except OSError as exc:
        raise QpumonError(f"{path}: cannot write the picture: {exc.strerror or exc}") from None


def svg_text(figure: Any) -> str:
    """``figure`` as SVG markup (for inlining in HTML: no XML prolog or DOCTYPE)."""
    import io

    buffer = io.StringIO()
    with svg_style():
        figure.savefig(buffer, format="svg", metadata=_metadata("svg"))
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _metadata(fmt: str) -> dict[str, Any] | None:
    """No creation date: the same data gives the same file."""
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None
