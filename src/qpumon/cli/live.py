"""``qpumon login``, ``qpumon fetch`` and the live overview (``qpumon overview --live``).

The live overview and the live resolution of ``qpumon monitor ibm_fez`` are functions the core
commands call (:func:`run_live_overview`, :func:`resolve_live`); :func:`live_options` adds the
account flags to a command and :func:`live_options_from` turns them into
:class:`~qpumon.live.LiveOptions`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import QpumonError
from ..live import LiveOptions, connect
from ..live.accounts import account_file
from ..live.options import CHANNELS, DEFAULT_TIMEOUT
from ..model import DeviceSnapshot
from .options import live_options, live_options_from

if TYPE_CHECKING:
    from rich.console import Console

    from ..live.overview import LiveOverview
    from ..live.source import LiveSource

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["COMMANDS", "live_options", "live_options_from", "run_live_overview"]

NO_ACCOUNT = (
    "no IBM Quantum account: save one with `qpumon login`, or pass --token / set "
    "QISKIT_IBM_TOKEN (with the instance CRN in --instance or QISKIT_IBM_INSTANCE)"
)


def connected(options: LiveOptions) -> LiveSource:
    """A signed-in source, or the error saying how to give qpumon an account."""
    return connect(options)


# -- login --------------------------------------------------------------------------------------


@click.command()
@click.option(
    "--token",
    metavar="KEY",
    help="The API key (default: QISKIT_IBM_TOKEN, else asked for without echo).",
)
@click.option("--instance", metavar="CRN", help="The instance CRN to use by default.")
@click.option("--channel", type=click.Choice(CHANNELS), help="Default: ibm_quantum_platform.")
@click.option("--url", help="IBM Cloud URL (default: https://cloud.ibm.com).")
@click.option("--name", help="Save under NAME (default: the client's default account).")
@click.option("--overwrite", is_flag=True, help="Replace an account saved under the same name.")
@click.option("--no-check", is_flag=True, help="Save without signing in first.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for the sign-in check.",
)
def login(
    token: str | None,
    instance: str | None,
    channel: str | None,
    url: str | None,
    name: str | None,
    overwrite: bool,
    no_check: bool,
    timeout: float,
) -> None:
    """Save an IBM Quantum account (in qiskit-ibm-runtime's own store, owner-only)."""
    from ..live.accounts import save_login

    token = (
        token
        or os.environ.get("QISKIT_IBM_TOKEN")
        or click.prompt("IBM Quantum API key", hide_input=True)
    )
    if not no_check:
        options = LiveOptions(
            token=token, instance=instance, channel=channel, url=url, timeout=timeout
        )
        names = connected(options).names()
        click.echo(
            f"Signed in to IBM Quantum: {len(names)} device"
            f"{'' if len(names) == 1 else 's'} ({', '.join(names) or 'none'})."
        )
    path = save_login(
        token,
        name=name,
        instance=instance,
        channel=channel,
        url=url,
        set_as_default=name is None,
        overwrite=overwrite,
        path=account_file(),
    )
    label = name or "the default account"
    click.echo(f"Saved {label} in {path} (readable by you only).")


# -- fetch --------------------------------------------------------------------------------------


@click.command()
@click.argument("device")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot file to write (qpumon snapshot JSON).",
)
@live_options
def fetch(device: str, output: Path, **live: Any) -> None:
    """Save the live snapshot of DEVICE (e.g. ibm_fez) to a file, to monitor it offline."""
    from ..live.private import write_private
    from ..serialize import dumps

    snapshot = connected(live_options_from(live)).snapshot(device)
    write_private(output, dumps(snapshot))
    click.echo(f"Saved {_describe(snapshot)} to {output}.", err=True)


def _describe(snapshot: DeviceSnapshot) -> str:
    when = snapshot.calibrated_at
    calibrated = when.strftime("%Y-%m-%d %H:%M UTC") if when else "no calibration date"
    return f"{snapshot.name} ({snapshot.num_qubits} qubits, calibrated {calibrated})"


# -- the live overview --------------------------------------------------------------------------


def run_live_overview(
    devices: Sequence[str],
    options: LiveOptions,
    *,
    fmt: str = "table",
    output: Path | None = None,
    sort: str = "name",
    include_flagged: bool = False,
    watch: float | None = None,
) -> None:
    """``qpumon overview --live``: every device of the account (or ``devices``), once in any
    format, or refreshed in place every ``watch`` seconds until Ctrl-C."""
    from ..live.overview import live_overview

    source = connected(options)

    def fetch_overview() -> LiveOverview:
        return live_overview(source, devices or None, sort=sort, include_flagged=include_flagged)

    if watch is None:
        _emit_overview(fetch_overview(), fmt, output)
        return
    if fmt != "table" or output is not None:
        raise QpumonError(
            "--watch redraws the terminal: it cannot be combined with --format "
            "other than table or with --output"
        )
    watch_overview(fetch_overview, watch)


def _emit_overview(overview: LiveOverview, fmt: str, output: Path | None) -> None:
    from ..reports.formats import render_overview
    from .options import emit, render_options

    text = render_overview(overview.report, fmt, render_options(fmt, output))
    if fmt == "json":  # the JSON format lists summaries only: add the devices that failed
        data = json.loads(text)
        data["failed"] = [{"device": n, "error": e} for n, e in overview.failures.items()]
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    emit(text, output)


def watch_overview(
    fetch_overview: Callable[[], LiveOverview],
    seconds: float,
    console: Console | None = None,
    refreshes: int | None = None,
) -> None:
    """Redraw the overview every ``seconds`` in place (Rich Live) until Ctrl-C (or after
    ``refreshes`` refreshes), highlighting the cells that changed."""
    from rich.live import Live

    from ..live.board import Board

    if not seconds > 0:
        raise QpumonError(f"--watch: must be a positive number of seconds, got {seconds:g}")
    board = Board(fetch_overview, seconds)
    board.refresh()
    with Live(board.renderable(), console=console, auto_refresh=False) as live:
        try:
            while refreshes is None or board.refreshes < refreshes:
                time.sleep(seconds)
                board.refresh()
                live.update(board.renderable(), refresh=True)
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the watch; the last table stays on screen


COMMANDS: list[click.Command] = [login, fetch]
