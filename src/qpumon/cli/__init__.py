"""The ``qpumon`` command: a thin layer over the library.

Each command parses its options, makes one library call and hands the result to one renderer.
Errors are caught once, here: a :class:`~qpumon.errors.QpumonError` becomes one line on stderr
and the exit code of its class (see :mod:`qpumon.errors`); ``--debug`` (anywhere on the line)
adds the traceback and never changes the code. Ctrl-C exits 130 and SIGTERM 143, after the same
clean shutdown.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

import click

from ..errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED, QpumonError, Terminated
from ..util.printable import printable

#: Command name -> the module under ``qpumon.cli`` that defines it (in its ``COMMANDS``).
#: Modules are imported only when one of their commands runs (or for ``--help``).
COMMAND_MODULES: dict[str, str] = {
    "list": "core",
    "monitor": "core",
    "overview": "core",
    "login": "live",
    "fetch": "live",
    "best": "choose",
    "place": "choose",
    "map": "pictures",
    "plot": "pictures",
    "compare": "pictures",
    "report": "pictures",
    "record": "history",
    "import": "history",
    "backfill": "history",
    "watch": "history",
    "history": "history",
    "drift": "history",
    "events": "history",
    "diff": "history",
    "check": "history",
    "demo-history": "history",
    "serve": "serve",
    "grafana-dashboard": "serve",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None:
            return None
        commands = importlib.import_module(f"{__name__}.{module}").COMMANDS
        return next((c for c in commands if c.name == cmd_name), None)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(package_name="qpumon")
def cli(debug: bool) -> None:
    """qpumon: a monitor for quantum processors.

    Which device, and which qubits on it, are good right now, and what changed: calibration
    reports of IBM Quantum devices (live, or the snapshots bundled with qiskit-ibm-runtime),
    Google, Quantinuum and IQM devices, Amazon Braket and IonQ documents, calibration files and
    any Qiskit backend; a history with drift and alerts; maps; layouts; a web dashboard.
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``qpumon`` console script: runs the command in ``argv`` (default
    ``sys.argv[1:]``) and exits with its code."""
    _run(sys.argv[1:] if argv is None else list(argv))


def _run(args: list[str]) -> NoReturn:
    """Run one command; never returns (every outcome is ``sys.exit`` with its code)."""
    args, debug = _debug_first(args)
    with _terminate_as_interrupt():
        try:
            cli.main(args=args, prog_name="qpumon", standalone_mode=False)
        except QpumonError as exc:
            _fail(str(exc), exc.exit_code, debug)
        except click.exceptions.Abort as exc:  # click's name for a Ctrl-C (or SIGTERM)
            _stopped(exc.__context__, debug)
        except click.ClickException as exc:
            _fail(_click_message(exc), exc.exit_code, debug)
        except KeyboardInterrupt as exc:
            _stopped(exc, debug)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Exception as exc:
            name = type(exc).__name__
            message = f"internal error: {name}: {exc} (--debug shows the traceback)"
            _fail(message, EXIT_INTERNAL, debug)
    sys.exit(0)


def _stopped(cause: BaseException | None, debug: bool) -> None:
    """Exit 143 after SIGTERM, 130 after Ctrl-C (or click's own abort)."""
    if isinstance(cause, Terminated):
        _fail("terminated (SIGTERM)", EXIT_TERMINATED, debug)
    _fail("interrupted", EXIT_INTERRUPTED, debug)


def _debug_first(args: list[str]) -> tuple[list[str], bool]:
    """``args`` with ``--debug`` moved to the front, wherever it was given before ``--`` (click
    knows it only before the command's name), and whether it was."""
    end = args.index("--") if "--" in args else len(args)
    rest = [a for a in args[:end] if a != "--debug"]
    if len(rest) == end:
        return args, False
    return ["--debug", *rest, *args[end:]], True


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`~qpumon.errors.Terminated` (a
    KeyboardInterrupt) in the main thread, so it unwinds through the same clean shutdown as
    Ctrl-C (transactions rolled back, partial files removed) and exits 143. Left alone where
    SIGTERM is ignored or handled already, or off the main thread."""
    previous = None
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def _fail(message: str, code: int, debug: bool) -> None:
    """One line on stderr (after the traceback with ``--debug``), then the exit code; every
    secret hidden from both (:func:`~qpumon.util.redaction.redact`)."""
    from ..util.redaction import redact, register_secret  # only on the way to an error line

    register_secret(os.environ.get("QISKIT_IBM_TOKEN"))  # even if no command read it yet
    if debug:
        import traceback  # only with --debug: ~2 ms kept off every command's start

        sys.stderr.write(redact(traceback.format_exc()))
    text = redact(message).strip()
    first = text.splitlines()[0] if text else "error"
    click.echo(f"qpumon: error: {redact(printable(first))}", err=True)
    sys.exit(code)


def _click_message(exc: click.ClickException) -> str:
    """A usage error as one line, saying where to read more (click would print the usage)."""
    message = exc.format_message()
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        where = f"{context.command_path}: " if context.parent is not None else ""
        return f"{where}{message} (see {context.command_path} --help)"
    return message


def _quiet_broken_pipe() -> None:
    """``qpumon monitor fake_fez | head``: the reader left; exit quietly, without Python's own
    complaint when it flushes standard output at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)
