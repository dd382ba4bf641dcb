"""Option bundles shared by commands, so that a flag means the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ..live.options import CHANNELS, DEFAULT_TIMEOUT, LiveOptions, parse_at
from ..reports.formats import FORMATS, RenderOptions

F = TypeVar("F", bound=Callable[..., Any])


def output_file_option(function: F) -> F:
    """``-o/--output``: write to a file instead of standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of standard output.",
    )(function)


def output_options(function: F) -> F:
    """``--format`` (from the format registry) and ``-o/--output``."""
    function = output_file_option(function)
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


#: The parameters :func:`live_options` adds, as click passes them to the command.
LIVE_PARAMS = ("token", "account", "instance", "channel", "timeout", "refresh", "at")


def live_options(function: F) -> F:
    """``--token``, ``--account``, ``--instance``, ``--channel``, ``--timeout``, ``--refresh``,
    ``--at``: how to reach IBM Quantum and which calibration to show."""
    decorators = [
        click.option(
            "--at",
            metavar="TIME",
            help="The calibration in force at TIME (ISO-8601, e.g. 2026-03-01T12:00Z; "
            "UTC unless an offset is given).",
        ),
        click.option(
            "--refresh",
            is_flag=True,
            help="Fetch device configurations again instead of using the local cache.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Wait at most this long for IBM Quantum to answer each request.",
        ),
        click.option(
            "--channel",
            type=click.Choice(CHANNELS),
            help="IBM Quantum channel (default: QISKIT_IBM_CHANNEL or the account's).",
        ),
        click.option(
            "--instance",
            metavar="CRN",
            help="IBM Quantum instance CRN (default: QISKIT_IBM_INSTANCE or the account's).",
        ),
        click.option(
            "--account",
            metavar="NAME",
            help="Use the account saved under NAME (see `qpumon login`).",
        ),
        click.option(
            "--token",
            metavar="KEY",
            help="IBM Quantum API key (default: QISKIT_IBM_TOKEN, then the saved "
            "account). Prefer the environment or `qpumon login`: a command line "
            "is visible to other users.",
        ),
    ]
    for decorate in decorators:
        function = decorate(function)
    return function


def live_options_from(params: Mapping[str, Any], **overrides: Any) -> LiveOptions:
    """:class:`LiveOptions` from the parameters :func:`live_options` added (others ignored)."""
    chosen = {key: params[key] for key in LIVE_PARAMS if key in params}
    at = chosen.pop("at", None)
    if at is not None and not hasattr(at, "tzinfo"):
        at = parse_at(str(at))
    chosen.setdefault("timeout", DEFAULT_TIMEOUT)
    chosen["refresh"] = bool(chosen.get("refresh", False))
    return LiveOptions(at=at, **chosen, **overrides)
