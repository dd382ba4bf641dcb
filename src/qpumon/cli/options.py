"""Option bundles shared by commands, so that a flag means the same thing everywhere.

``@source_options`` adds the device-source flags (``--conf``, ``--offline``, ``--at`` and the
IBM Quantum account flags) and hands the command one ``source``
(:class:`~qpumon.sources.SourceOptions`); ``@output_options(kind)`` adds ``-f``, ``-o`` and
``--columns`` and hands it one ``out`` (:class:`Output`), which draws any report through the one
formats registry and writes it. ``@store_options`` (``--db``), ``rules_option``,
``top_option`` and ``timeout_option`` are the other flags more than one command takes.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import InputError
from ..model.validate import INDEX_DIGITS, index_text
from ..model.vocabulary import unknown_text
from ..reports.formats import FORMATS, RenderOptions, formats_for, render
from ..sources import SourceOptions
from ..sources.ibm_live.options import CHANNELS, DEFAULT_TIMEOUT, LiveOptions
from ..util.output import write_output
from ..util.printable import printable
from ..util.times import parse_time

F = TypeVar("F", bound=Callable[..., Any])


def notice(message: str) -> None:
    """A one-line notice on stderr (a bundled fallback, a skipped device)."""
    from ..util.redaction import redact  # on the way to a notice only: most commands give none

    click.echo(f"qpumon: {redact(printable(redact(message)))}", err=True)


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` if set, as :func:`shutil.get_terminal_size`
    does; asked of standard output, else 80)."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return 80


@dataclass(frozen=True)
class Output:
    """Where and how a command's report goes: ``-f``, ``-o`` and ``--columns``."""

    fmt: str
    path: Path | None
    columns: tuple[str, ...] | None

    def options(self) -> RenderOptions:
        """Rich, fitted and coloured for the table format on a terminal; plain otherwise."""
        terminal = self.path is None and sys.stdout.isatty()
        width = terminal_width() if terminal else None
        return RenderOptions(
            rich=self.fmt == "table" and terminal,
            width=width,
            color=terminal,
            columns=self.columns,
        )

    def emit(self, report: Any) -> None:
        """Draw ``report`` in the chosen format and write it (atomically to ``-o``)."""
        self.write(render(report, self.fmt, self.options()))

    def write(self, text: str) -> None:
        """Write ready text to ``-o`` (atomically) or standard output."""
        if self.path is None:
            click.echo(text, nl=False)
            return

        write_output(self.path, text)


class Key(click.ParamType[str]):
    """One of a few known keys (any case); otherwise exit 2 with the nearest ones
    (:func:`qpumon.model.vocabulary.unknown`), where :class:`click.Choice` would list them all."""

    name = "key"

    def __init__(self, choices: Sequence[str], what: str) -> None:
        self.choices = tuple(choices)
        self.what = what

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """``[device|qubits|...]`` in the usage line and ``--help``."""
        return f"[{'|'.join(self.choices)}]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """``value`` as the key it names; a usage error naming the nearest keys otherwise."""
        key = str(value).strip().lower()
        if key in self.choices:
            return key

        self.fail(unknown_text(self.what, str(value), self.choices), param, ctx)


class Index(click.ParamType[int]):
    """A whole number written as ASCII digits, at most :data:`~qpumon.model.validate.INDEX_DIGITS`
    of them (:func:`~qpumon.model.validate.index_text`), and at least ``low``: a qubit or a
    count. ``click.INT`` takes ``99999999999999999999``, which no query can hold, and Python's
    ``int`` takes digits such as ``٣``; anything else is a usage error (exit 2), one line."""

    name = "integer"

    def __init__(self, low: int = 0) -> None:
        self.low = low

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """``value`` as an int; a usage error saying what is accepted otherwise."""
        if isinstance(value, int) and not isinstance(value, bool):  # a default
            number = value
        else:
            try:
                number = index_text(str(value), "")
            except InputError:
                self.fail(
                    f"{printable(str(value))[:40]!r} is not a whole number of at most "
                    f"{INDEX_DIGITS} digits",
                    param,
                    ctx,
                )
        if number < self.low:
            self.fail(f"{number} is below {self.low}", param, ctx)
        return number


def output_file_option(
    required: bool = False, help: str = "Write to this file."
) -> Callable[[F], F]:
    """``-o/--output``: the one output option of every command that writes a file (``-``:
    standard output)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required,
        help=f"{help} '-' means standard output.",
    )


def output_options(kind: str) -> Callable[[F], F]:
    """``-f/--format`` (the formats that draw a ``kind`` report), ``-o/--output`` and
    ``--columns``, given to the command as ``out``."""
    choices = formats_for(kind)
    described = "; ".join(f"{name}: {FORMATS[name].description}" for name in choices)

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(
            *args: Any, fmt: str, output: Path | None, columns: str | None, **kw: Any
        ) -> Any:
            chosen = tuple(c for c in (columns or "").split(",") if c.strip()) or None
            return function(*args, out=Output(fmt, output, chosen), **kw)

        wrapper = click.option(
            "--columns",
            metavar="KEYS",
            help="Only these table columns, by the keys CSV and JSON show (t1_us,prob_meas0_prep1,"
            "...; aliases such as t1 and p01 work; an unknown key is refused); the first column "
            "always stays.",
        )(wrapper)
        wrapper = output_file_option(help="Write to this file instead of standard output.")(wrapper)
        wrapper = click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(choices),
            default="table",
            show_default=True,
            help=described + ".",
        )(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate


def source_options(function: F) -> F:
    """The device-source flags, given to the command as ``source``: ``--conf``, ``--offline``,
    ``--at`` and the IBM Quantum account flags."""

    @functools.wraps(function)
    def wrapper(
        *args: Any,
        conf: Path | None,
        offline: bool,
        at: str | None,
        token: str | None,
        account: str | None,
        instance: str | None,
        channel: str | None,
        timeout: float,
        refresh: bool,
        **kw: Any,
    ) -> Any:
        flags = (token, account, instance, channel, timeout, refresh)
        defaults = (None, None, None, None, DEFAULT_TIMEOUT, False)
        # With every account flag at its default, the resolver builds the options itself, and
        # only if a live name needs them (so `monitor fake_fez` does not import the live code).
        live = None if flags == defaults else live_options(*flags)
        when = None
        if at is not None:
            when = parse_time(at, "--at")
        source = SourceOptions(live=live, offline=offline, at=when, conf=conf, notify=notice)
        return function(*args, source=source, **kw)

    for option in reversed(_SOURCE_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def timeout_option(help_text: str) -> Callable[[F], F]:
    """``--timeout SECONDS``: how long a request to IBM Quantum may take (``help_text`` says
    which)."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True, max=3600),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help=help_text,
    )


def top_option(
    default: int, help_text: str, *, short: bool = False, most: int | None = None
) -> Callable[[F], F]:
    """``--top N`` (also ``-k`` if ``short``): how many of the best or largest to show, at
    least 1 and at most ``most``."""
    return click.option(
        *(("-k", "--top") if short else ("--top",)),
        type=click.IntRange(min=1, max=most),
        default=default,
        show_default=True,
        help=help_text,
    )


def store_options(function: F) -> F:
    """``--db``: the history database (a URL or a SQLite file; default ``QPUMON_DB``, then a
    SQLite file in the user's data directory)."""
    return click.option(
        "--db",
        metavar="URL",
        help="History database: a SQLite file or a URL such as "
        "postgresql+psycopg://user@host/qpumon (default: $QPUMON_DB, else history.db in the "
        "user data directory).",
    )(function)


def rules_option(required: bool = False) -> Callable[[F], F]:
    """``--rules FILE``: alert rules checked on what is recorded."""
    return click.option(
        "--rules",
        required=required,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Alert rules (TOML) checked on every record; see `qpumon check --help`.",
    )


def live_options(
    token: str | None,
    account: str | None,
    instance: str | None,
    channel: str | None,
    timeout: float,
    refresh: bool,
) -> LiveOptions:
    """:class:`~qpumon.sources.ibm_live.options.LiveOptions` from the account flags."""
    return LiveOptions(
        token=token,
        account=account,
        instance=instance,
        channel=channel,
        timeout=timeout,
        refresh=refresh,
    )


_SOURCE_OPTIONS = (
    click.option(
        "--conf",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="IBM configuration JSON for a properties file (default: conf_<x>.json beside "
        "props_<x>.json).",
    ),
    click.option(
        "--offline",
        is_flag=True,
        help="Never go online: an ibm_* name means its bundled snapshot, without a notice.",
    ),
    click.option(
        "--at",
        metavar="TIME",
        help="The calibration in force at TIME, from IBM Quantum (ISO-8601 such as "
        "2026-03-01T12:00Z, UTC unless an offset is given, or an age such as 7d).",
    ),
    click.option(
        "--token",
        metavar="KEY",
        help="IBM Quantum API key (default: QISKIT_IBM_TOKEN, then the saved account). Prefer "
        "the environment or `qpumon login`: a command line is visible to other users.",
    ),
    click.option(
        "--account", metavar="NAME", help="Use the account saved under NAME (`qpumon login`)."
    ),
    click.option(
        "--instance",
        metavar="CRN|NAME",
        help="IBM Quantum instance (default: QISKIT_IBM_INSTANCE, the account's, else every "
        "instance of the account).",
    ),
    click.option(
        "--channel",
        type=click.Choice(CHANNELS),
        help="IBM Quantum channel (default: QISKIT_IBM_CHANNEL or the account's).",
    ),
    timeout_option("The most any one request to IBM Quantum may take, start to end."),
    click.option(
        "--refresh",
        is_flag=True,
        help="Fetch device configurations again instead of using the local cache.",
    ),
)


def flag_options(function: F) -> F:
    """``--include-flagged``: count IBM's error = 1 flags in medians."""
    return click.option(
        "--include-flagged",
        is_flag=True,
        help="Count IBM's gate_error = 1 flags (failed benchmarks) in medians.",
    )(function)
