"""``qpumon best`` and ``qpumon place`` as reports: ranked layouts per device and the best
device, from :mod:`qpumon.choose`'s results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.metrics import format_number
from .document import Notes, Section, TablesReport
from .tables import ESSENTIAL, USEFUL, Cell, Column, Table, cells

if TYPE_CHECKING:
    from ..choose.candidates import QubitChoice
    from ..choose.results import DevicePlacement, Placement

#: Significant digits of an estimated fidelity and of a cost.
FIDELITY_DIGITS = 4


def _fidelity(value: float) -> str:
    return format_number(value, FIDELITY_DIGITS)


def best_report(choice: QubitChoice) -> TablesReport:
    """The best qubit sets of one device."""
    columns = (
        Column("rank", "Rank", priority=ESSENTIAL),
        Column("qubits", "Qubits", numeric=False, priority=ESSENTIAL, wrap=True),
        Column("fidelity", "Est. fidelity", priority=ESSENTIAL),
    )
    rows = tuple(
        cells(
            (str(i + 1), i + 1),
            (" ".join(map(str, s.qubits)), s.qubits),
            (_fidelity(s.fidelity), s.fidelity),
        )
        for i, s in enumerate(choice.top)
    )
    notes = (
        f"{choice.candidates:,} orderings scored in full, {choice.pruned:,} ruled out by the "
        f"bound ({choice.cost_model} cost model); {len(choice.dead_qubits)} dead qubits and "
        f"{choice.flagged_gates} flagged gates left out",
        *choice.notes,
    )
    title = f"{choice.device}: best {choice.num_qubits} qubits, shape {choice.shape}"
    return TablesReport("best", "", (Table(title, columns, rows, notes),), choice.as_dict())


def place_report(result: Placement) -> TablesReport:
    """The best layouts of one circuit on each device, best device first."""
    parts: list[Section] = [_device_table(result, d) for d in result.ranked]
    lines = [
        f"{d.device}: no usable layout ({'; '.join(d.notes)})"
        for d in result.devices
        if d.best is None
    ]
    lines += [f"{name}: skipped, {reason}" for name, reason in result.skipped]
    lines.append(_verdict(result))
    parts.append(Notes(tuple(lines)))
    return TablesReport("place", "", tuple(parts), result.as_dict(), lambda: _place_rows(result))


def _verdict(result: Placement) -> str:
    """The last line: the best device, and, in the same line, whether that is proven."""
    best = result.best
    if best is None or not best.top:
        return "No device has a usable layout."
    line = (
        f"Best device: {best.device}, qubits {best.initial_layout()} "
        f"(est. fidelity {_fidelity(best.top[0].fidelity)})"
    )
    cut = [d.device for d in result.devices if d.truncated]
    beams = [d.device for d in result.ranked if d.bound is not None]
    caveats = []
    if cut:
        caveats.append(
            f"{len(cut)} of {len(result.devices)} searches were cut short "
            f"({', '.join(cut[:3])}{', ...' if len(cut) > 3 else ''}): a better device may exist"
        )
    if beams:
        above = [
            d.device
            for d in result.ranked
            if d.bound is not None and d.bound > best.top[0].fidelity
        ]
        caveats.append(
            f"{len(beams)} devices searched by a beam, not exhaustively"
            + (f"; {len(above)} could still score higher" if above else "")
        )
    if caveats:
        line += "; not proven: " + "; ".join(caveats)
    return line


def _device_table(result: Placement, device: DevicePlacement) -> Table:
    columns = (
        Column("rank", "Rank", priority=ESSENTIAL),
        Column("qubits", "Qubits", numeric=False, priority=ESSENTIAL, wrap=True),
        Column("fidelity", "Est. fidelity", priority=ESSENTIAL),
        Column("cost", "Cost", priority=USEFUL),
    )
    rows = tuple(
        (
            Cell(str(i + 1), i + 1),
            Cell(" ".join(map(str, s.qubits)), s.qubits),
            Cell(_fidelity(s.fidelity), s.fidelity),
            Cell(_fidelity(s.cost), s.cost),
        )
        for i, s in enumerate(device.top)
    )
    unscorable = f", {device.unscorable:,} unscorable" if device.unscorable else ""
    notes = [
        f"{device.found:,} layouts scored in full, {device.pruned:,} ruled out by the bound"
        f"{unscorable} ({result.cost_model} cost model, basis {' '.join(device.family)}); "
        f"{len(device.dead_qubits)} dead qubits and {device.flagged_gates} flagged gates "
        "left out",
        *device.notes,
    ]
    title = f"{device.device}: circuit {result.circuit!r} ({result.active_qubits} active qubits)"
    return Table(title, columns, rows, tuple(notes))


def _place_rows(result: Placement) -> list[list[Any]]:
    rows: list[list[Any]] = [["device", "rank", "qubits", "fidelity", "cost", "initial_layout"]]
    for device in result.ranked:
        for i, score in enumerate(device.top):
            layout = " ".join(map(str, device.initial_layout(i)))
            rows.append(
                [
                    device.device,
                    i + 1,
                    " ".join(map(str, score.qubits)),
                    score.fidelity,
                    score.cost,
                    layout,
                ]
            )
    return rows
