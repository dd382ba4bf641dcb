"""Place a circuit: the best layouts of its interaction graph on each device, best first.

Layouts live in the device's coupling graph *after* flagged 2q gates and dead qubits are taken
out. With the ``mapomatic`` model the circuit is first transpiled to each device, as mapomatic's
workflow does (:mod:`.ondevice`), and each 2q gate of that circuit must run in the device's
calibrated direction (Eagle's ECR is one-way); the default model may run a gate reversed, at a
cost (:func:`.tables.reversible`).
The search (:mod:`.layouts`) is exact for the top ``k``: it scores complete layouts with the cost
model of :mod:`qpumon.choose.cost` and proves every other layout scores lower.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import (
    CircuitError,
    InputTooLargeError,
    LimitExceededError,
    NoCalibrationError,
    QpumonError,
    UsageError,
)
from ..model import DeviceSnapshot
from ..util.printable import printable
from .circuits import (
    CircuitOps,
    CircuitSize,
    basis_family,
    check_circuit,
    read_circuit,
    translate,
)
from .cost import COHERENCE_MODELS, ON_DEVICE_MODELS
from .cost import cost_model as get_cost_model
from .layouts import best_layouts, model_tables, shape_exists, too_big, why_nothing
from .limits import DEFAULT_MAX_LAYOUTS, MAX_SEARCH_NODES, MAX_TRANSLATION_WORK
from .ondevice import on_device
from .parallel import run_all
from .pathsearch import bound_note
from .results import DevicePlacement, LayoutScore, Placement
from .tables import Avoided, DeviceTables, avoiding, device_tables

#: What the note of a truncated search says about each limit.
STOP_REASONS = {
    "layouts": "it scored its limit of layouts",
    "nodes": "it reached its limit of partial layouts",
}


def deadline_after(max_seconds: float | None) -> float | None:
    """The ``time.monotonic()`` deadline ``max_seconds`` from now (None: no deadline)."""
    if max_seconds is None:
        return None
    if not max_seconds > 0:
        raise UsageError(f"--max-seconds must be a positive number of seconds, not {max_seconds}")
    return time.monotonic() + max_seconds


def out_of_time(what: str, max_seconds: float | None) -> LimitExceededError:
    """The error of a search stopped at ``max_seconds``."""
    return LimitExceededError(
        f"{what}: the layout search stopped at --max-seconds {max_seconds:g} before it could "
        "prove its answer; raise --max-seconds, or ask for fewer qubits or devices"
    )


def translation_deadline(
    name: str, deadline: float | None, max_seconds: float | None
) -> Callable[..., None] | None:
    """A check, called after each transpiler pass, that stops the translation of circuit
    ``name`` at ``deadline`` (None without one)."""
    if deadline is None or max_seconds is None:
        return None

    def check(**_: Any) -> None:
        if time.monotonic() > deadline:
            raise LimitExceededError(
                f"circuit {printable(name)!r}: its translation stopped at --max-seconds "
                f"{max_seconds:g}; raise --max-seconds, or place a shorter circuit or name fewer "
                "devices"
            )

    return check


def check_translation_work(name: str, size: CircuitSize, families: int, devices: int = 0) -> None:
    """Refuse, before translating, a circuit whose translations (one per basis family, one per
    device for the ``mapomatic`` model) would exceed :data:`~.limits.MAX_TRANSLATION_WORK`."""
    work = size.translation_work * (families + devices)
    if work <= MAX_TRANSLATION_WORK:
        return
    what = f"{families} basis famil{'y' if families == 1 else 'ies'}"
    if devices:
        what += f" and to each of {devices} devices (the mapomatic model)"
    raise InputTooLargeError(
        f"circuit {printable(name)!r}: translating its {size.operations:,} operations "
        f"({size.busiest_qubit:,} on its busiest qubit) to {what} is {work:,} units of work, "
        f"beyond the bound of {MAX_TRANSLATION_WORK:,}; place a shorter circuit or name fewer "
        "devices"
    )


def _search_device(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str,
    top: int,
    max_layouts: int,
    coupling: list[tuple[int, int]] | None,
    max_nodes: int,
    deadline: float | None,
    max_seconds: float | None,
) -> tuple[DevicePlacement, int]:
    """The ``top`` layouts of ``ops`` on one device under cost model ``model``, and the work its
    search did."""
    scored = model_tables(tables, model)
    found = best_layouts(
        ops, scored, model, top, max_layouts=max_layouts, max_nodes=max_nodes, deadline=deadline
    )
    result = found.result
    if result.stopped == "time":
        raise out_of_time(tables.name, max_seconds)
    placement = DevicePlacement(
        device=tables.name,
        family=ops.family,
        active=ops.active,
        num_circuit_qubits=ops.num_qubits,
        found=result.scored,
        unscorable=result.unscorable,
        truncated=result.stopped is not None,
        top=tuple(
            LayoutScore(layout, fidelity)
            for layout, fidelity in zip(result.layouts, result.fidelity, strict=True)
        ),
        dead_qubits=tables.dead_qubits,
        flagged_gates=tables.flagged_gates,
        notes=_notes(
            ops,
            scored,
            result.stopped,
            result.fidelity[0] if result.fidelity else None,
            coupling,
            model,
            result.bound,
        ),
        pruned=result.pruned,
        missing_qubits=found.missing_qubits,
        bound=result.bound,
    )
    return placement, result.work


def _notes(
    ops: CircuitOps,
    tables: DeviceTables,
    stopped: str | None,
    best: float | None,
    coupling: list[tuple[int, int]] | None,
    model: str,
    bound: float | None = None,
) -> tuple[str, ...]:
    notes = list(tables.notes)
    any_found = best is not None
    if bound is not None:
        notes.append(bound_note("chain", best, bound))
    if stopped is not None:
        notes.append(
            f"the search stopped early ({STOP_REASONS.get(stopped, stopped)}): better layouts "
            "may exist"
        )
    if any_found or stopped is not None:
        return tuple(notes)
    pairs = set(ops.interactions)
    if any((b, a) in pairs for a, b in pairs) and tables.is_directed(ops.two_qubit_gates):
        notes.append(
            "the circuit uses a pair in both directions; this device's "
            f"{'/'.join(ops.two_qubit_gates)} runs one way only"
        )
    else:
        edges = coupling if coupling is not None else tables.edges(ops.two_qubit_gates)
        coherence = model in COHERENCE_MODELS
        notes.append(f"no layout: {why_nothing(ops, tables, edges, coherence)}")
    return tuple(notes)


def place(
    circuit: Any,
    snapshots: Sequence[DeviceSnapshot],
    *,
    top: int = 5,
    cost_model: str = "default",
    max_layouts: int = DEFAULT_MAX_LAYOUTS,
    optimization_level: int = 3,
    skip_uncalibrated: bool = False,
    max_seconds: float | None = None,
    avoided: Mapping[str, Avoided] | None = None,
) -> Placement:
    """Place ``circuit`` (a ``QuantumCircuit`` or an OpenQASM 2/3 or QPY path) on ``devices``.

    ``snapshots`` come from :func:`qpumon.sources.resolve`. The result's ``initial_layout`` is
    ready for ``qiskit.transpile(circuit, backend, initial_layout=...)``; ``avoided`` names,
    per device, qubits no layout may use. ``max_seconds`` bounds
    the whole call: past it, a :class:`~qpumon.errors.LimitExceededError` says what to change.
    """
    deadline = deadline_after(max_seconds)
    if isinstance(circuit, (str, Path)):
        circuit = read_circuit(circuit)
    size = check_circuit(circuit)
    get_cost_model(cost_model)
    if not snapshots:
        raise CircuitError("no device to place the circuit on; name devices or use --all")
    skipped: list[tuple[str, str]] = []
    tables = _tables(snapshots, skipped, skip_uncalibrated, avoided or {})
    usable = [s for s in snapshots if s.name in tables]
    stop = _within_budget(circuit, size, usable, cost_model, deadline, max_seconds)
    translated = _translate_families(usable, circuit, optimization_level, skipped, stop)
    jobs = []
    for snapshot in snapshots:
        ops = translated.get(basis_family(snapshot))
        if snapshot.name not in tables or ops is None:
            continue
        if cost_model in ON_DEVICE_MODELS:
            try:
                ops = _on_device(circuit, snapshot, ops, optimization_level, stop)
            except CircuitError as exc:  # Qiskit cannot transpile to it: nor can mapomatic
                skipped.append((snapshot.name, str(exc)))
                continue
        refusal = _refusal(ops, snapshot, tables[snapshot.name])
        if refusal:
            skipped.append((snapshot.name, refusal))
        else:
            jobs.append((snapshot, ops))
    results = _search_all(jobs, tables, cost_model, top, max_layouts, deadline, max_seconds)
    if not results:
        raise CircuitError(_nothing_fits(circuit, snapshots, translated, skipped))
    if not any(d.best for d in results):
        raise _no_layout(circuit, results)
    width = len(next(iter(translated.values())).active)
    return Placement(
        circuit.name, circuit.num_qubits, width, cost_model, tuple(results), tuple(skipped)
    )


def _search_all(
    jobs: list[tuple[DeviceSnapshot, CircuitOps]],
    tables: dict[str, DeviceTables],
    cost_model: str,
    top: int,
    max_layouts: int,
    deadline: float | None,
    max_seconds: float | None,
) -> list[DevicePlacement]:
    """Every device's placement, in the order given. Each device gets the same fixed share of
    one work budget (:data:`~.limits.MAX_SEARCH_NODES`), so no answer depends on time, on the
    other devices or on how many processes search them (:func:`.parallel.run_all`)."""
    share = max(MAX_SEARCH_NODES // max(len(jobs), 1), 1)
    calls = [
        (
            ops,
            tables[snapshot.name],
            cost_model,
            top,
            max_layouts,
            list(snapshot.coupling_edges),
            share,
            deadline,
            max_seconds,
        )
        for snapshot, ops in jobs
    ]
    heavy = [len(ops.active) * snapshot.num_qubits for snapshot, ops in jobs]
    return run_all(_search_one, calls, heavy)


def _search_one(
    ops: CircuitOps,
    tables: DeviceTables,
    model: str,
    top: int,
    max_layouts: int,
    coupling: list[tuple[int, int]],
    share: int,
    deadline: float | None,
    max_seconds: float | None,
) -> DevicePlacement:
    """One device's search of :func:`_search_all` (run in a worker process, maybe)."""
    if deadline is not None and time.monotonic() > deadline:
        raise out_of_time(tables.name, max_seconds)
    return _search_device(
        ops, tables, model, top, max_layouts, coupling, share, deadline, max_seconds
    )[0]


def _within_budget(
    circuit: Any,
    size: CircuitSize,
    usable: Sequence[DeviceSnapshot],
    cost_model: str,
    deadline: float | None,
    max_seconds: float | None,
) -> Callable[..., None] | None:
    """Refuse a circuit whose translations are beyond the work bound, or stop if the deadline
    has passed already (reading the circuit counts); the check each transpiler pass then calls."""
    on_each = len(usable) if cost_model in ON_DEVICE_MODELS else 0
    families = len({basis_family(s) for s in usable})
    check_translation_work(str(circuit.name), size, families, on_each)
    stop = translation_deadline(str(circuit.name), deadline, max_seconds)
    if stop is not None:
        stop()
    return stop


def _on_device(
    circuit: Any,
    snapshot: DeviceSnapshot,
    ops: CircuitOps,
    optimization_level: int,
    stop: Callable[..., None] | None,
) -> CircuitOps:
    """The circuit as transpiled to ``snapshot`` (:func:`.ondevice.on_device`), or ``ops`` where
    the transpiler would have to route: its interaction graph does not occur in the coupling
    graph (then it would insert swaps, and routing costs tens of times a translation, so that
    case is decided here, by a bounded search, without transpiling)."""
    coupling = list(snapshot.coupling_edges)
    if not shape_exists(ops, snapshot.num_qubits, coupling):
        return ops
    return on_device(circuit, snapshot, ops.family, optimization_level, 7, stop) or ops


def _refusal(ops: CircuitOps, snapshot: DeviceSnapshot, tables: DeviceTables) -> str | None:
    """Why ``ops`` is not searched on this device at all, if it is not."""
    if len(ops.active) > snapshot.num_qubits:
        return f"has {snapshot.num_qubits} qubits, the circuit uses {len(ops.active)}"
    return too_big(ops, tables)


def _tables(
    snapshots: Sequence[DeviceSnapshot],
    skipped: list[tuple[str, str]],
    skip_uncalibrated: bool,
    avoided: Mapping[str, Avoided],
) -> dict[str, DeviceTables]:
    tables = {}
    for snapshot in snapshots:
        try:
            tables[snapshot.name] = avoiding(device_tables(snapshot), avoided.get(snapshot.name))
        except NoCalibrationError as exc:
            if not skip_uncalibrated:
                raise
            skipped.append((snapshot.name, str(exc).removeprefix(f"{snapshot.name}: ")))
    return tables


def _translate_families(
    snapshots: Sequence[DeviceSnapshot],
    circuit: Any,
    optimization_level: int,
    skipped: list[tuple[str, str]],
    stop: Callable[..., None] | None = None,
) -> dict[tuple[str, ...], CircuitOps]:
    """The circuit translated once per basis family; devices of failing families are skipped.
    ``stop`` is called after each transpiler pass (a deadline)."""
    translated: dict[tuple[str, ...], CircuitOps] = {}
    failures: dict[tuple[str, ...], str] = {}
    for family in dict.fromkeys(basis_family(s) for s in snapshots):
        try:
            translated[family] = translate(circuit, family, optimization_level, 7, stop)
        except CircuitError as exc:
            failures[family] = str(exc)
    if failures and not translated:
        raise CircuitError(next(iter(failures.values())))
    skipped.extend(
        (s.name, failures[basis_family(s)]) for s in snapshots if basis_family(s) in failures
    )
    return translated


def _nothing_fits(
    circuit: Any,
    snapshots: Sequence[DeviceSnapshot],
    translated: dict[tuple[str, ...], CircuitOps],
    skipped: list[tuple[str, str]],
) -> str:
    widest = max(snapshots, key=lambda s: s.num_qubits)
    width = max((len(ops.active) for ops in translated.values()), default=circuit.num_qubits)
    name = printable(str(circuit.name))
    if width > widest.num_qubits:
        return (
            f"circuit {name!r} uses {width} qubits; the largest device given "
            f"({widest.name}) has {widest.num_qubits}"
        )
    reasons = "; ".join(f"{d}: {r}" for d, r in skipped[:3])
    return f"circuit {name!r} could not be placed on any device ({reasons})"


def _no_layout(circuit: Any, results: list[DevicePlacement]) -> QpumonError:
    """The error of a circuit no device has a layout for: cut short (a limit) or none exists."""
    name = printable(str(circuit.name))
    reasons = "; ".join(f"{d.device}: {d.notes[-1]}" for d in results[:3] if d.notes)
    more = f" (and {len(results) - 3} more devices)" if len(results) > 3 else ""
    cut = sum(1 for d in results if d.truncated)
    if cut:
        return LimitExceededError(
            f"circuit {name!r}: no layout found on any device, and {cut} of {len(results)} "
            f"searches stopped early ({reasons}{more})"
        )
    return CircuitError(f"circuit {name!r}: no usable layout on any device ({reasons}{more})")
