"""Checks for raw values at a source's edge; each failure names where the bad value is."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..util.times import document_time


def number(value: Any, where: str) -> float:
    """``value`` as a finite float; ints are coerced, bools, strings, NaN and inf rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {_show(value)}")
    try:
        result = float(value)
    except OverflowError as exc:  # an integer beyond any float, such as 10**400
        raise InputError(f"{where}: {_show(value)} is too large for a number") from exc
    if not math.isfinite(result):
        raise InputError(f"{where}: expected a finite number, got {result}")
    return result


def at_least(value: float, low: float, where: str) -> float:
    """``value`` if it is >= ``low``, else a :class:`InputError`."""
    if value < low:
        raise InputError(
            f"{where}: {value} is below {low:g}, which is impossible for this quantity"
        )
    return value


def non_negative(value: Any, where: str) -> float:
    """``value`` as a finite float >= 0 (a time, a duration, a length, an uncertainty)."""
    return at_least(number(value, where), 0.0, where)


def optional_non_negative(value: Any, where: str) -> float | None:
    """None for None, else :func:`non_negative` (an uncertainty a document may leave out)."""
    return None if value is None else non_negative(value, where)


def fraction(value: Any, where: str) -> float:
    """``value`` as a finite float in [0, 1] (an error, a fidelity, a probability)."""
    return probability(number(value, where), where)


def finite(value: float, where: str) -> float:
    """``value`` if a computation from valid numbers (a unit conversion) left it finite."""
    if not math.isfinite(value):
        raise InputError(f"{where}: the value is beyond the largest number once converted")
    return value


def probability(value: float, where: str) -> float:
    """``value`` if it lies in [0, 1], else a :class:`InputError`."""
    if not 0.0 <= value <= 1.0:
        raise InputError(f"{where}: {value} is not a probability (expected 0 to 1)")
    return value


def integer(value: Any, where: str) -> int:
    """``value`` as an int (a float with no fractional part is accepted)."""
    if isinstance(value, bool):
        raise InputError(f"{where}: expected an integer, got {_show(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise InputError(f"{where}: expected an integer, got {_show(value)}")


INDEX_DIGITS = 9
"""The most digits an index (a qubit, a page, a count) may have as text: far beyond any device,
well inside a 64-bit integer, and short enough to convert without a digit-limit error."""


def index_text(value: str, where: str) -> int:
    """A non-negative index written as text (a query value, an option, a qubit label) as an int:
    ASCII digits only (``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses), at
    most :data:`INDEX_DIGITS` of them; anything else is an :class:`InputError` naming ``where``."""
    stripped = value.strip()
    if not stripped or not (stripped.isascii() and stripped.isdigit()):
        raise InputError(f"{where}: expected a non-negative whole number, got {_show(value)}")
    if len(stripped) > INDEX_DIGITS:
        raise InputError(f"{where}: {len(stripped)} digits is too many (at most {INDEX_DIGITS})")
    return int(stripped)


def text(value: Any, where: str) -> str:
    """``value`` if it is a string."""
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a string, got {_show(value)}")
    return value


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected an object, got {_show(value)}")
    return value


def sequence(value: Any, where: str) -> Sequence[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list | tuple):
        raise InputError(f"{where}: expected an array, got {_show(value)}")
    return value


def timestamp(value: Any, where: str, cache: dict[str, datetime] | None = None) -> datetime:
    """An ISO-8601 string (or a datetime) as a UTC datetime (see
    :func:`qpumon.util.times.parse_iso`); ``cache`` remembers strings already parsed (a
    calibration repeats a few dates many times)."""
    if cache is not None and isinstance(value, str):
        hit = cache.get(value)
        if hit is not None:
            return hit
    result = document_time(value, where)
    if cache is not None and isinstance(value, str):
        cache[value] = result
    return result


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits (int)"
    shown = repr(value)
    kind = type(value).__name__
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} ({kind})"


_INF = math.inf
#: Qubit fields that are times, lengths or frequencies (>= 0), and probabilities ([0, 1]).
_QUBIT_NON_NEGATIVE = ("t1_us", "t2_us", "readout_length_ns", "frequency_ghz")
_QUBIT_PROBABILITIES = ("readout_error", "prob_meas0_prep1", "prob_meas1_prep0")


def check_values(snapshot: Any, where: str) -> None:
    """Refuse a snapshot holding a number the README refuses, whichever reader built it: NaN or
    infinite anywhere, a negative time, length or uncertainty, an error or fidelity outside
    [0, 1]. Readers check each value at its JSON path; this is the last line behind them (a
    reader that missed one still never hands it to a report, the store or the exporter)."""
    if _all_fine(snapshot):
        return
    problem = _first_bad(snapshot)
    if problem is not None:
        raise InputError(f"{where}: {problem}")


def _fine(values: list[float | None], low: float, high: float) -> bool:
    """True if every value given is finite and in [low, high]: their sum is finite only if
    none is NaN or infinite (a false alarm on a sum beyond 1.8e308 only costs the slow path),
    and min and max are reliable once no NaN is among them."""
    numbers = [x for x in values if x is not None]
    if not numbers:
        return True
    total = sum(numbers)
    return total - total == 0.0 and low <= min(numbers) and max(numbers) <= high


def _all_fine(snapshot: Any) -> bool:
    """The common case, in bulk (a large device has 60,000 gates); names nothing."""
    qubits, gates = snapshot.qubits, snapshot.gates
    non_negative = [getattr(q, n) for n in _QUBIT_NON_NEGATIVE for q in qubits]
    probabilities = [getattr(q, n) for n in _QUBIT_PROBABILITIES for q in qubits]
    return (
        _fine(non_negative, 0.0, _INF)
        and _fine(probabilities, 0.0, 1.0)
        and _fine([q.anharmonicity_ghz for q in qubits], -_INF, _INF)
        and _fine([g.error for g in gates], 0.0, 1.0)
        and _fine([g.length_ns for g in gates], 0.0, _INF)
        and _fine([g.uncertainty for g in gates], 0.0, _INF)
        and _fine([lf.fidelity for lf in snapshot.layer_fidelities], 0.0, 1.0)
        and _fine([snapshot.dt_ns], 0.0, _INF)
        and (_rare_parts_absent(snapshot) or _first_bad(snapshot) is None)
    )


def _rare_parts_absent(snapshot: Any) -> bool:
    """True without device values and resonators (small vendor devices: checked one by one)."""
    return not snapshot.device_values and not snapshot.resonators


def _first_bad(snapshot: Any) -> str | None:
    checks: list[tuple[str, float | None, float, float]] = []
    for q in snapshot.qubits:
        at = f"qubit {q.index}"
        checks += [(f"{at} {n}", getattr(q, n), 0.0, _INF) for n in _QUBIT_NON_NEGATIVE]
        checks += [(f"{at} {n}", getattr(q, n), 0.0, 1.0) for n in _QUBIT_PROBABILITIES]
        checks.append((f"{at} anharmonicity_ghz", q.anharmonicity_ghz, -_INF, _INF))
    gates = list(snapshot.gates) + [g for r in snapshot.resonators for g in r.gates]
    for g in gates:
        at = f"gate {g.gate} on {list(g.qubits)}"
        checks += [
            (f"{at} error", g.error, 0.0, 1.0),
            (f"{at} length_ns", g.length_ns, 0.0, _INF),
            (f"{at} uncertainty", g.uncertainty, 0.0, _INF),
        ]
    for d in snapshot.device_values:
        low, high = (0.0, 1.0) if d.key.endswith("_error") else (-_INF, _INF)
        low = 0.0 if d.key.endswith(("_us", "_ns")) else low
        checks += [(d.key, d.value, low, high), (f"{d.key} uncertainty", d.uncertainty, 0.0, _INF)]
    for lf in snapshot.layer_fidelities:
        checks.append((f"layer fidelity of {lf.num_qubits} qubits", lf.fidelity, 0.0, 1.0))
    for r in snapshot.resonators:
        checks += [(f"{r.name} t1_us", r.t1_us, 0.0, _INF), (f"{r.name} t2_us", r.t2_us, 0.0, _INF)]
    checks.append(("dt_ns", snapshot.dt_ns, 0.0, _INF))
    for what, x, low, high in checks:
        if x is not None and not (low <= x <= high and x - x == 0.0):
            if not math.isfinite(x):
                return f"{what} is {x}; NaN and infinite numbers are refused"
            return f"{what} is {x}, outside {low:g} to {high:g}"
    return None
