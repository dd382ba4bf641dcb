"""``qpumon login``, ``qpumon fetch`` and the ``--watch`` board of ``qpumon overview --live``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import api
from ..model.serialize import dumps
from ..sources.ibm_live.accounts import account_file
from ..sources.ibm_live.options import CHANNELS
from ..util.output import shown_path, write_output
from ..util.printable import printable
from ..util.words import count
from .options import (
    output_file_option,
    source_options,
    terminal_width,
    timeout_option,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ..model import DeviceSnapshot
    from ..sources import SourceOptions


# -- login --------------------------------------------------------------------------------------


@click.command()
@click.option(
    "--token",
    metavar="KEY",
    help="The API key (default: QISKIT_IBM_TOKEN, else asked for without echo).",
)
@click.option(
    "--instance",
    metavar="CRN|NAME",
    help="The instance to use by default, by CRN or name (default: every instance).",
)
@click.option("--channel", type=click.Choice(CHANNELS), help="Default: ibm_quantum_platform.")
@click.option("--url", help="IBM Cloud URL (default: https://cloud.ibm.com).")
@click.option("--name", help="Save under NAME (default: the client's default account).")
@click.option("--overwrite", is_flag=True, help="Replace an account saved under the same name.")
@click.option("--no-check", is_flag=True, help="Save without signing in first.")
@timeout_option("Time allowed for the sign-in check.")
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
    """Save an IBM Quantum account in the client's own file (~/.qiskit/qiskit-ibm.json,
    owner-only), after signing in and listing its instances and devices (--no-check skips it)."""
    from ..sources.ibm_live import login as save_login

    token = (
        token
        or os.environ.get("QISKIT_IBM_TOKEN")
        or click.prompt("IBM Quantum API key", hide_input=True)
    )
    done = save_login(
        token,
        name=name,
        instance=instance,
        channel=channel,
        url=url,
        overwrite=overwrite,
        check=not no_check,
        timeout=timeout,
        path=account_file(),
    )
    if done.checked:
        found = ", ".join(done.devices) or "none"
        click.echo(f"Signed in to IBM Quantum: {count(len(done.devices), 'device')} ({found}).")
        for instance_found in done.instances:
            plan = (
                f" ({instance_found.plan} plan, {instance_found.region})"
                if instance_found.plan
                else ""
            )
            click.echo(f"  instance {printable(instance_found.name or instance_found.crn)}{plan}")
    label = "the default account" if done.default else done.name
    click.echo(f"Saved {label} in {done.path} (readable by you only).")


# -- fetch --------------------------------------------------------------------------------------


@click.command()
@click.argument("device")
@output_file_option(required=True, help="The snapshot file to write (qpumon snapshot JSON).")
@source_options
def fetch(device: str, output: Path, source: SourceOptions) -> None:
    """Save the live snapshot of DEVICE (e.g. ibm_fez; --at for a past calibration) to a file
    readable by you only, to monitor it offline later (`qpumon monitor FILE`)."""
    snapshot = source.resolve(device, require_live=True)
    write_output(output, dumps(snapshot), private=True)
    click.echo(f"Saved {_describe(snapshot)} to {shown_path(output)}.", err=True)


def _describe(snapshot: DeviceSnapshot) -> str:
    when = snapshot.calibrated_at
    calibrated = when.strftime("%Y-%m-%d %H:%M UTC") if when else "no calibration date"
    return f"{snapshot.name} ({count(snapshot.num_qubits, 'qubit')}, calibrated {calibrated})"


# -- the --watch board --------------------------------------------------------------------------


def watch_overview(
    devices: list[str],
    source: SourceOptions,
    sort: str,
    include_flagged: bool,
    seconds: float,
    console: Console | None = None,
    refreshes: int | None = None,
) -> None:
    """Redraw the live overview every ``seconds`` in place (Rich Live) until Ctrl-C or SIGTERM
    (which go on up: exit 130 or 143, the last table left on screen) or after ``refreshes``
    refreshes, highlighting the cells that changed."""
    from rich.live import Live

    from .board import Board

    source.require_accounts(devices, "--live lists the account's devices")
    board = Board(
        lambda: api.overview_report(devices or None, sort, include_flagged, source, live=True),
        seconds,
    )
    board.refresh()
    width = terminal_width()
    with Live(board.renderable(width), console=console, auto_refresh=False) as live:
        while refreshes is None or board.refreshes < refreshes:
            time.sleep(seconds)
            board.refresh()
            live.update(board.renderable(terminal_width()), refresh=True)


COMMANDS: list[click.Command] = [login, fetch]
