"""``qpumon best`` and ``qpumon place``: where to run, from today's calibration."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..choose.candidates import QubitChoice
    from ..choose.results import Placement
    from ..reports.tables import Table

COST_MODEL_HELP = (
    "default: estimated success probability = product of (1 - error) over the gates, product of "
    "(1 - readout error) over the measured qubits, times exp(-t/T1)·exp(-t/T2) for each qubit's "
    "idle time t in an as-soon-as-possible schedule built from the calibrated gate lengths "
    "(a one-way gate may run reversed for two extra sx per qubit). mapomatic: mapomatic's default "
    "cost, 1 - product of (1 - error) over 2q gates, sx/x and measure/reset readout, with 2q "
    "gates in the device's direction only."
)
FORMAT_OPTION = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
TOP_OPTION = click.option(
    "-k",
    "--top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="How many candidates to show per device.",
)
MODEL_OPTION = click.option(
    "--cost-model",
    type=click.Choice(["default", "mapomatic"]),
    default="default",
    show_default=True,
    help=COST_MODEL_HELP,
)


@click.command()
@click.argument("device")
@click.option(
    "-n", "--qubits", "num_qubits", type=int, required=True, help="How many connected qubits."
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
@FORMAT_OPTION
def best(device: str, num_qubits: int, shape: str, top: int, cost_model: str, fmt: str) -> None:
    """The best connected sets of N qubits on DEVICE, by estimated success probability.

    Each set is scored with the canonical circuit of its shape (for a line, a GHZ chain:
    h, a CX along the line, measure all) translated to the device's native gates: the product of
    (1 - error) over those gates, the readout errors, and idle decoherence from T1/T2 over the
    circuit's duration from the calibrated gate lengths. Gates flagged by IBM (error = 1) and
    qubits with a flagged single-qubit gate are not used.
    """
    from ..choose.candidates import best_qubits
    from ..sources import resolve as load

    choice = best_qubits(load(device), num_qubits, shape, top, cost_model)
    click.echo(json.dumps(choice.as_dict(), indent=2) if fmt == "json" else _best_text(choice))


@click.command()
@click.argument("circuit", type=click.Path(dir_okay=False))
@click.argument("devices", nargs=-1)
@click.option("--all", "all_devices", is_flag=True, help="Every bundled device.")
@TOP_OPTION
@MODEL_OPTION
@FORMAT_OPTION
def place(
    circuit: str, devices: tuple[str, ...], all_devices: bool, top: int, cost_model: str, fmt: str
) -> None:
    """The best layouts and device for CIRCUIT (OpenQASM 2, OpenQASM 3 or QPY).

    The circuit is translated once per basis family (ECR, CZ, CX...), the layouts of its
    interaction graph are found in each device's coupling graph (rustworkx VF2), without flagged
    gates or dead qubits, and all of them are scored with the calibration.
    """
    from ..choose.place import place as place_circuit
    from ..errors import QpumonError
    from ..sources import BundledSource
    from ..sources import resolve as load

    if all_devices == bool(devices):
        raise QpumonError("place: name one or more devices, or give --all (not both)")
    names = BundledSource().names() if all_devices else list(devices)
    snapshots = [load(n) for n in names]
    result = place_circuit(
        circuit, snapshots, top=top, cost_model=cost_model, skip_uncalibrated=all_devices
    )
    click.echo(json.dumps(result.as_dict(), indent=2) if fmt == "json" else _place_text(result))


def _render(table: Table) -> str:
    from ..reports.formats.plain import table as plain_table

    return "\n".join(plain_table(table))


def _cells(*values: tuple[str, Any]) -> tuple[Any, ...]:
    from ..reports.tables import Cell

    return tuple(Cell(text, value) for text, value in values)


def _best_text(choice: QubitChoice) -> str:
    from ..reports.tables import Column, Table

    rows = tuple(
        _cells(
            (str(i + 1), i + 1),
            (" ".join(map(str, s.qubits)), list(s.qubits)),
            (f"{s.fidelity:.4f}", s.fidelity),
        )
        for i, s in enumerate(choice.top)
    )
    notes = (
        f"{choice.candidates} orderings scored ({choice.cost_model} cost model); "
        f"{len(choice.dead_qubits)} dead qubits and {choice.flagged_gates} flagged gates "
        "left out",
    )
    return _render(
        Table(
            f"{choice.device}: best {choice.num_qubits} qubits, shape {choice.shape}",
            (
                Column("rank", "Rank"),
                Column("qubits", "Qubits", numeric=False),
                Column("fidelity", "Est. fidelity"),
            ),
            rows,
            notes,
        )
    )


def _place_text(result: Placement) -> str:
    blocks = [_device_table(result, d) for d in result.ranked]
    failed = [
        f"{d.device}: no usable layout ({'; '.join(d.notes)})"
        for d in result.devices
        if d.best is None
    ]
    skipped = [f"{name}: skipped, {reason}" for name, reason in result.skipped]
    best = result.best
    summary = (
        f"Best device: {best.device}, qubits {best.initial_layout()} "
        f"(est. fidelity {best.top[0].fidelity:.4f})"
        if best and best.top
        else "No device has a usable layout."
    )
    return "\n\n".join([*blocks, "\n".join([*failed, *skipped, summary]).strip()])


def _device_table(result: Placement, device: Any) -> str:
    from ..reports.tables import Column, Table

    rows = tuple(
        _cells(
            (str(i + 1), i + 1),
            (" ".join(map(str, s.qubits)), list(s.qubits)),
            (f"{s.fidelity:.4f}", s.fidelity),
            (f"{s.cost:.4f}", s.cost),
        )
        for i, s in enumerate(device.top)
    )
    notes = [
        f"{device.found} layouts found, {device.unscorable} unscorable "
        f"({result.cost_model} cost model, basis {' '.join(device.family)}); "
        f"{len(device.dead_qubits)} dead qubits and {device.flagged_gates} flagged gates "
        "left out",
        *device.notes,
    ]
    if device.truncated:
        notes.append("layout search stopped at its limit; better layouts may exist")
    return _render(
        Table(
            f"{device.device}: circuit {result.circuit!r} ({result.active_qubits} active qubits)",
            (
                Column("rank", "Rank"),
                Column("qubits", "Qubits", numeric=False),
                Column("fidelity", "Est. fidelity"),
                Column("cost", "Cost"),
            ),
            rows,
            tuple(notes),
        )
    )


COMMANDS: list[click.Command] = [best, place]
