"""IonQ characterizations, recognised by their content: the answer of IonQ's
``GET /v0.4/backends/{backend}/characterizations/{id}`` (or ``.../current``; v0.3's
``/characterizations/backends/{backend}/current``), or the page of
``GET .../characterizations`` (``{"characterizations": [...], "pages": n}``), whose most recent
characterization is shown.

The shape (IonQ's API reference, https://docs.ionq.com/api-reference/v0.4/backends/get-a-characterization):
``id``, ``date`` (ISO 8601 in v0.4, seconds since the epoch in v0.3), ``backend`` (``target``
in older answers), ``qubits``, ``connectivity`` (unordered pairs of qubits a two-qubit gate can
act on), ``fidelity`` with ``1q``, ``2q`` and ``spam``, each ``{mean, median, stderr}``, and
``timing`` in seconds: ``t1``, ``t2``, ``1q``, ``2q``, ``readout``, ``reset``.

What the numbers mean (Cirq's IonQ calibration guide, https://quantumai.google/cirq/ionq/calibrations):
``1q`` and ``2q`` are "average gate fidelities measured using randomized benchmarking" of the
native gates, shown as average gate infidelities 1 − F (``AVERAGE``); ``spam`` is the state
preparation and measurement fidelity, shown as the SPAM error 1 − F (``SPAM``). Each is the
``median`` where the answer has one, else the ``mean`` (``configuration["fidelity_statistic"]``
says which); ``stderr`` is its uncertainty. T1 and T2 are device-level values, like the gate
times. A ``connectivity`` listing every pair is all-to-all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ...errors import InputError
from ...model import ALL_TO_ALL, GRAPH, DeviceSnapshot, DeviceValue
from ...model import validate as v
from ...model.consistency import MAX_QUBITS, check_snapshot
from ...model.definitions import AVERAGE, SPAM, from_fidelity
from ...util.times import document_time

#: Fidelity key -> (device value key, definition).
FIDELITIES = {
    "1q": ("1q_error", AVERAGE),
    "2q": ("2q_error", AVERAGE),
    "spam": ("spam_error", SPAM),
}
#: Timing keys shown in the configuration, in ns.
GATE_TIMES = ("1q", "2q", "readout", "reset")


def is_ionq_document(data: Mapping[str, Any]) -> bool:
    """True for one characterization or a page of them."""
    if isinstance(data.get("characterizations"), list):
        return True
    return "fidelity" in data and "timing" in data and ("backend" in data or "target" in data)


def snapshot_from_ionq(data: Mapping[str, Any], path: str) -> DeviceSnapshot:
    """The snapshot of the characterization in ``data`` (the most recent one of a page)."""
    at = "$"
    if isinstance(data.get("characterizations"), list):
        page = data["characterizations"]
        if not page:
            raise InputError(f"{path}: $.characterizations is empty: no characterization")
        position = _latest(page, path)
        at = f"$.characterizations[{position}]"
        data = v.mapping(page[position], f"{path}: {at}")
    where = f"{path}: {at}"
    backend = v.text(data.get("backend", data.get("target")), f"{where}.backend")
    n = v.integer(data.get("qubits"), f"{where}.qubits")
    if not 1 <= n <= MAX_QUBITS:
        raise InputError(f"{where}.qubits: {n} is not a number of qubits")
    when = _date(data.get("date"), f"{where}.date")
    values, statistic = _fidelities(
        v.mapping(data.get("fidelity"), f"{where}.fidelity"), where, when
    )
    timing = v.mapping(data.get("timing", {}), f"{where}.timing")
    values += _coherence(timing, where, when)
    connectivity, edges = _connectivity(data.get("connectivity"), n, where)
    configuration: dict[str, Any] = {
        "characterization_id": data.get("id"),
        "backend": backend,
        "fidelity_statistic": statistic,
    }
    if data.get("connectivity") is None:
        configuration["connectivity_note"] = (
            "the characterization lists no connectivity; IonQ's QPUs are all-to-all"
        )
    for key in GATE_TIMES:
        if timing.get(key) is not None:
            at = f"{where}.timing.{key}"
            configuration[f"{key}_time_ns"] = v.finite(v.non_negative(timing[key], at) * 1e9, at)
    snapshot = DeviceSnapshot(
        name=backend,
        num_qubits=n,
        source=f"file:{path}",
        vendor="ionq",
        connectivity=connectivity,
        coupling_edges=edges,
        calibrated_at=when,
        device_values=tuple(values),
        configuration={k: v_ for k, v_ in configuration.items() if v_ is not None},
    )
    return check_snapshot(snapshot, path)


def _latest(page: Sequence[Any], path: str) -> int:
    """The position of the most recent characterization (the first, if none is dated)."""
    dated = []
    for i, item in enumerate(page):
        entry = v.mapping(item, f"{path}: $.characterizations[{i}]")
        if entry.get("date") is not None:
            dated.append((_date(entry["date"], f"{path}: $.characterizations[{i}].date"), -i))
    return -max(dated)[1] if dated else 0


def _date(value: Any, where: str) -> datetime | None:
    """v0.4's ISO date, or v0.3's seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = v.number(value, where)
        if not 0 <= seconds < 1e11:
            raise InputError(f"{where}: {value} is not a time in seconds since 1970")
        return document_time(datetime.fromtimestamp(seconds, tz=timezone.utc), where)
    return document_time(value, where)


def _fidelities(
    fidelity: Mapping[str, Any], where: str, when: datetime | None
) -> tuple[list[DeviceValue], str | None]:
    values: list[DeviceValue] = []
    statistic: str | None = None
    for name, (key, definition) in FIDELITIES.items():
        entry = fidelity.get(name)
        if entry is None:
            continue
        at = f"{where}.fidelity.{name}"
        entry = v.mapping(entry, at)
        chosen = "median" if entry.get("median") is not None else "mean"
        if entry.get(chosen) is None:
            continue
        statistic = chosen if statistic in (None, chosen) else "median or mean"
        f = v.probability(v.number(entry[chosen], f"{at}.{chosen}"), f"{at}.{chosen}")
        stderr = entry.get("stderr")
        uncertainty = v.optional_non_negative(stderr, f"{at}.stderr")
        values.append(DeviceValue(key, from_fidelity(f), definition, uncertainty, when))
    return values, statistic


def _coherence(timing: Mapping[str, Any], where: str, when: datetime | None) -> list[DeviceValue]:
    values = []
    for name in ("t1", "t2"):
        if timing.get(name) is not None:
            at = f"{where}.timing.{name}"
            microseconds = v.finite(v.non_negative(timing[name], at) * 1e6, at)
            values.append(DeviceValue(f"{name}_us", microseconds, None, None, when))
    return values


def _connectivity(raw: Any, n: int, where: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    if raw is None:
        return ALL_TO_ALL, ()
    pairs: set[tuple[int, int]] = set()
    listed = v.sequence(raw, f"{where}.connectivity")
    if len(listed) > math.comb(n, 2):  # refused before any pair is read: work bounded by n
        raise InputError(
            f"{where}.connectivity: {len(listed):,} pairs, more than {n} qubits have "
            f"({math.comb(n, 2):,})"
        )
    for i, pair in enumerate(listed):
        at = f"{where}.connectivity[{i}]"
        items = v.sequence(pair, at)
        if len(items) != 2:
            raise InputError(f"{at}: a pair of qubits has two entries, not {len(items)}")
        a, b = (v.integer(q, at) for q in items)
        if not (0 <= a < n and 0 <= b < n) or a == b:
            raise InputError(f"{at}: [{a}, {b}] is not a pair of the device's qubits 0-{n - 1}")
        pairs.add((min(a, b), max(a, b)))
    if len(pairs) == math.comb(n, 2):
        return ALL_TO_ALL, ()
    return GRAPH, tuple(sorted(pairs))
