"""The words qpumon reads and writes for the same things in every command and format.

A coupler (a gate's qubits) is written one way in CLI options, tables, drift and diff reports,
alerts, JSON, CSV and Prometheus labels:

- ``3->4``: one direction, the gate entry acting from qubit 3 to qubit 4 (a time series, a
  stored value, an exported sample is always one entry, so always directed);
- ``3-4``: the coupler, both directions (smaller qubit first): in a snapshot's tables where its
  two entries carry the same values, and on input to mean either direction;
- ``3``: the qubit of a single-qubit gate.

A gate on a coupler is ``cz 3->4`` (a subject in reports and alerts) or ``cz:3-4`` (an option
value). Nothing else is read: ``3_4``, ``3,4`` or ``3 4`` are refused with the spelling to use.

Metric keys and labels come from :mod:`qpumon.model.metrics` (the registry); a device's status is
:data:`OPERATIONAL` or :data:`NOT_OPERATIONAL`, as the data's own ``operational`` key says. An
unknown name of any kind is refused by :func:`unknown` with the nearest known ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import InputError, QpumonError, UsageError

#: Joins the two qubits of an undirected coupler (``3-4``).
UNDIRECTED = "-"
#: Joins the qubits of one gate entry, in its direction (``3->4``).
DIRECTED = "->"
#: A device's status, as the ``operational`` key of the data says.
OPERATIONAL = "operational"
NOT_OPERATIONAL = "not operational"
#: A status the source does not report.
UNKNOWN_STATUS = "unknown"

_DIRECTED_TEXT = re.compile(r"^\d{1,7}(?:->\d{1,7})+$")
_UNDIRECTED_TEXT = re.compile(r"^\d{1,7}-\d{1,7}$")
_ONE_QUBIT = re.compile(r"^\d{1,7}$")
_OTHER_SEPARATORS = re.compile(r"\s*(?:[_,:;/ ]|<?[-=]+>?|→|–)\s*")


def coupler_text(qubits: Sequence[int], directed: bool = True) -> str:
    """``3->4`` (one entry, in its direction), ``3-4`` (both directions: smaller qubit first),
    or ``3`` for one qubit."""
    if not directed and len(qubits) == 2:
        a, b = sorted(qubits)
        return f"{a}{UNDIRECTED}{b}"
    return DIRECTED.join(str(q) for q in qubits)


def gate_subject(gate: str, qubits: Sequence[int], directed: bool = True) -> str:
    """A gate entry as reports and alerts name it: ``cz 3->4`` (``cz 3-4`` for both
    directions, ``sx 3`` for a single-qubit gate)."""
    return f"{gate} {coupler_text(qubits, directed)}"


def qubits_text(qubits: tuple[int, ...]) -> str:
    """A gate entry's qubits as the store keeps them (in their order): ``3-4``."""
    return "-".join(str(q) for q in qubits)


def parse_qubits(text: str) -> tuple[int, ...]:
    """``3-4`` (or ``3_4``, ``3,4``) -> ``(3, 4)``."""
    parts = text.replace("_", "-").replace(",", "-").split("-")
    try:
        return tuple(int(p) for p in parts)
    except ValueError as exc:
        raise InputError(f"{text!r}: qubits must be numbers joined by '-', e.g. 3-4") from exc


@dataclass(frozen=True, slots=True)
class Coupler:
    """Qubits as the user gave them: ``directed`` (``3->4``, or one qubit) or not (``3-4``)."""

    qubits: tuple[int, ...]
    directed: bool

    def __str__(self) -> str:
        return coupler_text(self.qubits, self.directed)

    @property
    def orders(self) -> tuple[tuple[int, ...], ...]:
        """The gate entries meant: this direction, or both directions of an undirected one."""
        if self.directed:
            return (self.qubits,)
        return (self.qubits, self.qubits[::-1])

    def matches(self, qubits: Sequence[int]) -> bool:
        """True if a gate entry on ``qubits`` is one this coupler means."""
        return tuple(qubits) in self.orders


def parse_coupler(text: str, where: str) -> Coupler:
    """``3->4``, ``3-4`` (either direction; ``4-3`` is the same coupler) or ``3``; anything else
    a :class:`UsageError` naming ``where`` and the spelling to use."""
    shown = text.strip()
    if _ONE_QUBIT.match(shown) or _DIRECTED_TEXT.match(shown):
        return Coupler(tuple(int(q) for q in shown.split(DIRECTED)), True)
    if _UNDIRECTED_TEXT.match(shown):
        a, b = (int(q) for q in shown.split(UNDIRECTED))
        return Coupler((min(a, b), max(a, b)), False)
    numbers = [p for p in _OTHER_SEPARATORS.split(shown) if p]
    if len(numbers) == 2 and all(_ONE_QUBIT.match(n) for n in numbers):
        first, second = numbers
        hint = (
            f"did you mean {first}-{second} (either direction) or {first}->{second} "
            "(that direction)?"
        )
    else:
        hint = "write a-b (either direction, e.g. 3-4), a->b (that direction) or one qubit"
    raise UsageError(f"{where}: {shown[:60]!r} is not a coupler; {hint}")


def status_word(operational: bool | None) -> str:
    """``operational``, ``not operational`` or ``unknown`` (not reported by the source)."""
    if operational is None:
        return UNKNOWN_STATUS
    return OPERATIONAL if operational else NOT_OPERATIONAL


def nearest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to ``name``: spelled alike (:func:`difflib.get_close_matches`),
    then those that contain its words (``t1`` and ``2q_error`` -> ``median_t1_us`` and
    ``median_2q_error_avg``)."""
    choices = list(dict.fromkeys(known))
    lowered = name.strip().lower()
    import difflib  # only on the way to an error message: ~3 ms kept off every command's start

    close = difflib.get_close_matches(lowered, choices, n=n, cutoff=0.6)
    words = _words(lowered)
    if words != "__":
        close += [k for k in choices if words in _words(k)]
    return list(dict.fromkeys(close))[:n]


def _words(name: str) -> str:
    """``_median_t1_us_``: a name's words between underscores, to find ``_t1_`` in it."""
    return "_" + "_".join(w for w in re.split(r"[_\W]+", name.lower()) if w) + "_"


def unknown(
    what: str,
    name: str,
    known: Iterable[str],
    error: type[QpumonError] = UsageError,
    where: str | None = None,
) -> QpumonError:
    """The error for a name that is none of ``known``: one line with the nearest ones, else
    every one (``--columns: unknown column 't1'; nearest: median_t1_us``)."""
    return error(unknown_text(what, name, known, where))


def unknown_text(what: str, name: str, known: Iterable[str], where: str | None = None) -> str:
    """The message of :func:`unknown`."""
    choices = list(dict.fromkeys(known))
    close = nearest(name, choices)
    shown = repr(name[:60] + ("..." if len(name) > 60 else ""))
    prefix = f"{where}: " if where else ""
    if close:
        return f"{prefix}unknown {what} {shown}; nearest: {', '.join(close)}"
    listed = ", ".join(choices[:40]) + (", ..." if len(choices) > 40 else "")
    return f"{prefix}unknown {what} {shown}; choose one of: {listed}"
