"""Picture commands: ``map``, ``plot``, ``compare`` and ``report``.

Each resolves its device(s) through the one resolver, draws with :mod:`qpumon.pictures` and
writes one file through the one writer. matplotlib is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import api
from ..pictures import compare_figure, distribution_figure, map_figure
from ..pictures.mpl import output_format, save
from ..util.output import shown_path, write_output
from .options import notice, output_file_option, source_options, store_options

if TYPE_CHECKING:
    from ..sources import SourceOptions

_KINDS = click.Choice(["hist", "cdf", "box"])
_IMAGE_HELP = "The picture to write; its suffix picks the format: .svg, .png or .pdf."


@click.command("map")
@click.argument("device")
@output_file_option(required=True, help=_IMAGE_HELP)
@click.option(
    "--qubit-metric",
    default="readout",
    show_default=True,
    help="Qubit colour: t1, t2, readout, p01, p10, freq, sx_error, x_error, ...",
)
@click.option(
    "--edge-metric",
    default="2q_error",
    show_default=True,
    help="Coupler colour: 2q_error (the native CZ/ECR/CX error) or length (ns).",
)
@source_options
def map_command(
    device: str, output: Path, qubit_metric: str, edge_metric: str, source: SourceOptions
) -> None:
    """Draw DEVICE's error map, laid out like the chip."""
    output_format(str(output))
    save(map_figure(source.resolve(device), qubit_metric, edge_metric), str(output))
    notice(f"wrote {shown_path(output)}")


@click.command("plot")
@click.argument("device")
@click.option(
    "--metric",
    default="t1",
    show_default=True,
    help="t1, t2, readout, sx_error, ..., 2q_error or 2q_length.",
)
@click.option("--kind", type=_KINDS, default="hist", show_default=True)
@output_file_option(required=True, help=_IMAGE_HELP)
@source_options
def plot_command(device: str, metric: str, kind: str, output: Path, source: SourceOptions) -> None:
    """Plot the distribution of one metric over DEVICE's qubits or couplers."""
    output_format(str(output))
    save(distribution_figure(source.resolve(device), metric, kind), str(output))
    notice(f"wrote {shown_path(output)}")


@click.command("compare")
@click.argument("devices", nargs=-1, required=True)
@click.option(
    "--metric",
    default="2q_error",
    show_default=True,
    help="t1, t2, readout, sx_error, ..., 2q_error or 2q_length.",
)
@click.option("--kind", type=_KINDS, default="cdf", show_default=True)
@output_file_option(required=True, help=_IMAGE_HELP)
@source_options
def compare_command(
    devices: tuple[str, ...], metric: str, kind: str, output: Path, source: SourceOptions
) -> None:
    """Overlay the distributions of one metric over several DEVICES in one figure."""
    output_format(str(output))
    save(compare_figure([source.resolve(d) for d in devices], metric, kind), str(output))
    notice(f"wrote {shown_path(output)}")


@click.command("report")
@click.argument("device")
@output_file_option(required=True, help="The HTML file to write.")
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Add DEVICE's health over time (the T1 timeline and the episodes of qpumon events over "
    "the last 90 days) when the history store holds it.",
)
@store_options
@source_options
def report_command(
    device: str, output: Path, history: bool, db: str | None, source: SourceOptions
) -> None:
    """Write a self-contained HTML report of DEVICE: `monitor DEVICE -f html`, and its health
    over time when the history store holds the device."""
    write_output(output, api.html_report(device, source, db, history))
    notice(f"wrote {shown_path(output)}")


COMMANDS: list[click.Command] = [map_command, plot_command, compare_command, report_command]
