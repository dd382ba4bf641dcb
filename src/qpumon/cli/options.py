"""Option bundles shared by commands, so that a flag means the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..reports.formats import FORMATS, RenderOptions

F = TypeVar("F", bound=Callable[..., Any])


def output_options(function: F) -> F:
    """``--format`` (from the format registry) and ``-o/--output``."""
    function = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of standard output.",
    )(function)
    function = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="table",
        show_default=True,
        help="table: Rich on a terminal, aligned text when piped; legacy: the text of Qiskit's "
        "removed backend_monitor/backend_overview.",
    )(function)
    return function


def source_options(function: F) -> F:
    """``--conf``: the configuration JSON going with an IBM properties file."""
    return click.option(
        "--conf",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="IBM configuration JSON for a properties file (default: conf_<x>.json beside "
        "props_<x>.json).",
    )(function)


def flag_options(function: F) -> F:
    """``--include-flagged``: count IBM's error = 1 flags in medians."""
    return click.option(
        "--include-flagged",
        is_flag=True,
        help="Count IBM's gate_error = 1 flags (failed benchmarks) in medians.",
    )(function)


def render_options(fmt: str, output: Path | None) -> RenderOptions:
    """Rich rendering only for the table format written to a terminal."""
    terminal = output is None and sys.stdout.isatty()
    return RenderOptions(rich=fmt == "table" and terminal)


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` (atomically) or to standard output."""
    if output is None:
        click.echo(text, nl=False)
        return
    from ..errors import QpumonError

    temporary = output.with_name(f".{output.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(output)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise QpumonError(f"{output}: cannot write ({exc.strerror})") from None
