"""``qpumon list``, ``qpumon monitor`` and ``qpumon overview``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from .. import api
from ..errors import UsageError
from ..reports.overview import DEFAULT_SORT, SORT_KEYS
from .options import Key, Output, flag_options, output_options, source_options

if TYPE_CHECKING:
    from ..sources import SourceOptions


@click.command(name="list")
@click.option(
    "--vendor",
    default="ibm",
    metavar="VENDOR",
    show_default=True,
    help="Whose devices: ibm (the bundled snapshots), google, quantinuum or iqm (their "
    "packages' devices, with their extras), or all.",
)
@output_options("list")
def list_command(vendor: str, out: Output) -> None:
    """Every device available offline: name, qubits, processor and snapshot date."""
    out.emit(api.list_report(vendor.lower()))


@click.command()
@click.argument("device")
@source_options
@output_options("monitor")
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
    help="Only the N worst qubits (by --sort, default readout error) and their couplers.",
)
@click.option("--all-config", is_flag=True, help="Show every configuration key in full.")
@click.option(
    "--all-gates",
    is_flag=True,
    help="Show every gate entry (past 1,000 the table shows the worst; CSV and JSON hold all).",
)
def monitor(
    device: str,
    source: SourceOptions,
    out: Output,
    include_flagged: bool,
    qubits: str | None,
    sort: str | None,
    worst: int | None,
    all_config: bool,
    all_gates: bool,
) -> None:
    """Calibration report of one DEVICE: a bundled device (fake_fez), another vendor's
    (google:weber, quantinuum:h2-1, iqm:garnet; `qpumon list --vendor all`), a JSON file, or an
    IBM Quantum device (ibm_fez: live with an account, else its bundled snapshot)."""
    from ..reports.monitor import MonitorOptions  # (list and overview build no monitor report)

    options = MonitorOptions(qubits, sort, worst, all_config, include_flagged, all_gates)
    out.emit(api.monitor_report(device, options, source))


@click.command()
@click.argument("devices", nargs=-1)
@source_options
@output_options("overview")
@flag_options
@click.option(
    "--sort",
    type=Key(list(SORT_KEYS), "sort key"),
    default=DEFAULT_SORT,
    show_default=True,
    help="Order of the rows, best first, by the key of a column (as CSV and JSON name it).",
)
@click.option(
    "--live",
    is_flag=True,
    help="Every device of the IBM Quantum account and of each vendor configured (IQM, IonQ, "
    "Braket, Rigetti), live.",
)
@click.option(
    "--watch",
    type=click.FloatRange(min=1, max=86_400),
    metavar="SECONDS",
    help="Live: redraw in place every SECONDS, changes highlighted (Ctrl-C stops).",
)
def overview(
    devices: tuple[str, ...],
    source: SourceOptions,
    out: Output,
    include_flagged: bool,
    sort: str,
    live: bool,
    watch: float | None,
) -> None:
    """One row per device (default: every bundled device; with --live, the accounts' devices):
    status, queue, medians, flags, and the least busy and best devices marked."""
    if watch is not None:
        if out.fmt != "table" or out.path is not None:
            raise UsageError("--watch redraws the terminal: use it without -f and -o")
        from .live import watch_overview  # (the board: rich and the live client)

        watch_overview(list(devices), source, sort, include_flagged, watch)
        return
    with _progress() as progress:
        report = api.overview_report(
            list(devices) or None, sort, include_flagged, source, progress, live
        )
    out.emit(report)


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


COMMANDS: list[click.Command] = [monitor, overview, list_command]
