"""Picture commands: ``map``, ``plot``, ``compare`` and ``report``.

Each loads the device(s) with :func:`qpumon.sources.load`, draws with :mod:`qpumon.pictures` and
writes one file. matplotlib and the drawing code are imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

_KINDS = click.Choice(["hist", "cdf", "box"])
_OUTPUT_HELP = "Output file; its suffix picks the format: .svg, .png or .pdf."


@click.command("map")
@click.argument("device")
@click.option("-o", "--output", required=True, help=_OUTPUT_HELP)
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
def map_command(device: str, output: str, qubit_metric: str, edge_metric: str) -> None:
    """Draw DEVICE's error map, laid out like the chip."""
    from ..pictures.errormap import error_map
    from ..pictures.mpl import output_format, save
    from ..sources import resolve as load

    output_format(output)
    save(error_map(load(device), qubit_metric, edge_metric), output)
    click.echo(f"wrote {output}", err=True)


@click.command("plot")
@click.argument("device")
@click.option(
    "--metric",
    default="t1",
    show_default=True,
    help="t1, t2, readout, sx_error, ..., 2q_error or 2q_length.",
)
@click.option("--kind", type=_KINDS, default="hist", show_default=True)
@click.option("-o", "--output", required=True, help=_OUTPUT_HELP)
def plot_command(device: str, metric: str, kind: str, output: str) -> None:
    """Plot the distribution of one metric over DEVICE's qubits or couplers."""
    from ..pictures.distributions import distribution
    from ..pictures.mpl import output_format, save
    from ..sources import resolve as load

    output_format(output)
    save(distribution([load(device)], metric, kind), output)
    click.echo(f"wrote {output}", err=True)


@click.command("compare")
@click.argument("devices", nargs=-1, required=True)
@click.option(
    "--metric",
    default="2q_error",
    show_default=True,
    help="t1, t2, readout, sx_error, ..., 2q_error or 2q_length.",
)
@click.option("--kind", type=_KINDS, default="cdf", show_default=True)
@click.option("-o", "--output", required=True, help=_OUTPUT_HELP)
def compare_command(devices: tuple[str, ...], metric: str, kind: str, output: str) -> None:
    """Overlay the distributions of one metric over several DEVICES in one figure."""
    from ..pictures.distributions import distribution
    from ..pictures.mpl import output_format, save
    from ..sources import resolve as load

    output_format(output)
    save(distribution([load(d) for d in devices], metric, kind), output)
    click.echo(f"wrote {output}", err=True)


@click.command("report")
@click.argument("device")
@click.option("-o", "--output", required=True, help="Output HTML file.")
def report_command(device: str, output: str) -> None:
    """Write a self-contained HTML report of DEVICE (opens offline, no external asset)."""
    from ..errors import QpumonError
    from ..pictures.report import render_report
    from ..sources import resolve as load

    html = render_report(load(device))
    try:
        Path(output).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise QpumonError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)


COMMANDS: list[click.Command] = [map_command, plot_command, compare_command, report_command]
