"""``qpumon monitor``, ``qpumon overview`` and ``qpumon list``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .. import api
from ..reports.formats import render_monitor, render_overview
from ..reports.monitor import MonitorOptions
from ..reports.overview import SORT_KEYS
from .options import (
    emit,
    flag_options,
    live_options,
    live_options_from,
    output_options,
    render_options,
    source_options,
)


@click.command()
@click.argument("device")
@source_options
@output_options
@flag_options
@click.option("--qubits", metavar="RANGES", help="Only these qubits, e.g. 0-9,12.")
@click.option(
    "--sort",
    metavar="METRIC",
    help="Order qubits worst first by a metric: t1, t2, freq, readout, p01, p10, sx_error, ...",
)
@click.option(
    "--worst",
    type=click.IntRange(min=0),
    metavar="N",
    help="Only the N worst qubits (by --sort, default readout error).",
)
@click.option("--all-config", is_flag=True, help="Show every configuration key in full.")
@live_options
@click.option(
    "--offline", is_flag=True, help="Use the bundled snapshot even when an IBM account is set."
)
def monitor(
    device: str,
    conf: Path | None,
    fmt: str,
    output: Path | None,
    include_flagged: bool,
    qubits: str | None,
    sort: str | None,
    worst: int | None,
    all_config: bool,
    offline: bool,
    **live: Any,
) -> None:
    """Calibration report of one DEVICE: a bundled device (fake_fez), a JSON file, or an IBM
    Quantum device (ibm_fez) when an account is set (`qpumon login`)."""
    options = MonitorOptions(
        qubits=qubits,
        sort=sort,
        worst=worst,
        all_config=all_config,
        include_flagged=include_flagged,
    )
    live_options = None if offline else live_options_from(live)
    report = api.monitor_report(device, options, conf=conf, live=live_options)
    emit(render_monitor(report, fmt, render_options(fmt, output)), output)


@click.command()
@click.argument("devices", nargs=-1)
@output_options
@flag_options
@click.option(
    "--sort",
    type=click.Choice(list(SORT_KEYS)),
    default="name",
    show_default=True,
    help="Order of the rows (best first).",
)
@click.option("--live", is_flag=True, help="Every device of the IBM Quantum account, live.")
@click.option(
    "--watch",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="With --live: refresh in place every SECONDS, highlighting changes (Ctrl-C stops).",
)
@live_options
def overview(
    devices: tuple[str, ...],
    fmt: str,
    output: Path | None,
    include_flagged: bool,
    sort: str,
    live: bool,
    watch: float | None,
    **account: Any,
) -> None:
    """One row per device (default: every bundled device; with --live, the account's devices):
    status, queue, medians, flags, and the least busy and best devices marked."""
    if live or watch is not None or account.get("at"):
        from .live import run_live_overview

        run_live_overview(
            devices,
            live_options_from(account),
            fmt=fmt,
            output=output,
            sort=sort,
            include_flagged=include_flagged,
            watch=watch,
        )
        return
    with _progress() as progress:
        report = api.overview_report(
            devices or None, sort=sort, include_flagged=include_flagged, progress=progress
        )
    emit(render_overview(report, fmt, render_options(fmt, output)), output)


@contextmanager
def _progress() -> Iterator[api.Progress | None]:
    """A transient progress bar on a terminal's stderr; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("loading devices", total=None)

        def advance(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"loading {name}")

        yield advance


@click.command(name="list")
def list_command() -> None:
    """Every bundled device: name, qubits, processor and snapshot date."""
    rows = [
        (
            d.name,
            str(d.num_qubits),
            d.processor or "—",
            d.calibrated_at.strftime("%Y-%m-%d") if d.calibrated_at else "—",
        )
        for d in api.list_devices()
    ]
    header = ("Device", "Qubits", "Processor", "Snapshot")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                (cell.rjust(w) if i == 1 else cell.ljust(w))
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )


COMMANDS: list[click.Command] = [monitor, overview, list_command]
