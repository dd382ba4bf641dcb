"""``qpumon best`` and ``qpumon place``: where to run, from today's calibration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import api
from ..errors import UsageError
from ..util.times import parse_duration
from .options import Output, output_options, source_options, store_options, top_option

if TYPE_CHECKING:
    from ..sources import SourceOptions

COST_MODEL_HELP = (
    "default: estimated success probability = product of (1 - error) over the gates, product of "
    "(1 - readout error) over the measured qubits, times (3 + exp(-t/T1) + 2·exp(-t/T2))/6 for "
    "each qubit's idle time t (the average fidelity of thermal relaxation over t) in an "
    "as-late-as-possible schedule built from the calibrated gate lengths; barriers take no time "
    "(a one-way gate may run reversed for two extra sx per qubit). mapomatic: mapomatic's default "
    "cost, 1 - product of (1 - error) over 2q gates, sx/x and measure/reset readout, on the "
    "circuit as transpiled to the device (as mapomatic's own workflow scores it), 2q gates in "
    "the device's direction."
)
TOP_OPTION = top_option(5, "How many candidates to show per device.", short=True, most=1000)
MODEL_OPTION = click.option(
    "--cost-model",
    type=click.Choice(["default", "mapomatic"]),
    default="default",
    show_default=True,
    help=COST_MODEL_HELP,
)
MAX_SECONDS_OPTION = click.option(
    "--max-seconds",
    type=click.FloatRange(min=0, min_open=True, max=86_400),
    metavar="S",
    help="Stop the layout search after S seconds.",
)

AVOID_OPTION = click.option(
    "--avoid-recent-dips",
    "avoid",
    metavar="DURATION",
    help="Leave out the qubits with a dip (qpumon events: T1, T2, readout or a coupler's error "
    "far off its trailing median) in the stored history within DURATION before now (7d, 36h); "
    "a device without history: nothing left out, and the notes say so.",
)


def _duration(text: str | None) -> timedelta | None:
    return None if text is None else parse_duration(text, "--avoid-recent-dips")


@click.command()
@click.argument("device")
@click.option(
    "-n",
    "--qubits",
    "num_qubits",
    type=click.IntRange(min=1),
    required=True,
    help="How many connected qubits.",
)
@click.option(
    "--shape",
    type=click.Choice(["line", "ring", "any"]),
    default="line",
    show_default=True,
    help="line: a GHZ chain; ring: the chain closed by one more CX; any: every "
    "connected set, with a GHZ along a breadth-first spanning tree.",
)
@TOP_OPTION
@MODEL_OPTION
@MAX_SECONDS_OPTION
@AVOID_OPTION
@store_options
@source_options
@output_options("best")
def best(
    device: str,
    num_qubits: int,
    shape: str,
    top: int,
    cost_model: str,
    max_seconds: float | None,
    avoid: str | None,
    db: str | None,
    source: SourceOptions,
    out: Output,
) -> None:
    """The best connected sets of N qubits on DEVICE, by estimated success probability.

    Each set is scored with the canonical circuit of its shape (for a line, a GHZ chain:
    h, a CX along the line, measure all) translated to the device's native gates: the product of
    (1 - error) over those gates, the readout errors, and idle decoherence from T1/T2 over the
    circuit's duration from the calibrated gate lengths. Gates flagged by IBM (error = 1) and
    qubits with a flagged single-qubit gate are not used.
    """
    report = api.best_report(
        device, num_qubits, shape, top, cost_model, max_seconds, source, _duration(avoid), db
    )
    out.emit(report)


@click.command()
@click.argument("circuit", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("devices", nargs=-1)
@click.option("--all", "all_devices", is_flag=True, help="Every bundled device.")
@TOP_OPTION
@MODEL_OPTION
@MAX_SECONDS_OPTION
@AVOID_OPTION
@store_options
@source_options
@output_options("place")
def place(
    circuit: Path,
    devices: tuple[str, ...],
    all_devices: bool,
    top: int,
    cost_model: str,
    max_seconds: float | None,
    avoid: str | None,
    db: str | None,
    source: SourceOptions,
    out: Output,
) -> None:
    """The best layouts and device for CIRCUIT (OpenQASM 2, OpenQASM 3 or QPY).

    The circuit is translated once per basis family (ECR, CZ, CX...), the layouts of its
    interaction graph are found in each device's coupling graph (rustworkx VF2), without flagged
    gates or dead qubits, and all of them are scored with the calibration.
    """
    if all_devices == bool(devices):
        raise UsageError("place: name one or more devices, or give --all (not both)")
    chosen = None if all_devices else list(devices)
    report = api.place_report(
        circuit, chosen, top, cost_model, max_seconds, source, _duration(avoid), db
    )
    out.emit(report)


COMMANDS: list[click.Command] = [best, place]
