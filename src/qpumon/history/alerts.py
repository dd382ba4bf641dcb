"""Alert rules: a TOML file (format in :data:`RULES_HELP`), validated when it loads, and checked
against a snapshot.

Every problem in a rules file is one :class:`~qpumon.errors.RulesError` naming the file and the
rule (``alerts.toml: alert 3: ...``), raised before anything is recorded or delivered: wrong types,
unknown keys, metrics or actions, non-finite numbers, duplicate names, webhook URLs that are not
http(s), files that are not UTF-8 or larger than :data:`MAX_RULES_BYTES`.

Metrics: every per-qubit metric and alias (``t1``, ``readout_error``...) and ``<gate>_error`` of
a single-qubit gate (``sx_error``), checked on each qubit in service; ``2q_error`` on each native
two-qubit gate in service (failed-benchmark flags are left out); ``operational``,
``pending_jobs``, ``failed_gates`` (gate entries with IBM's flag, fractional RZZ included),
``failed_2q_couplers`` (the native entangler's flagged couplers, as the overview's Failed
column counts them) and ``out_of_service_qubits`` for the device. ``baseline`` is the median of
the same subject's stored values over the ``baseline_days`` before the snapshot.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import RulesError, UsageError
from ..model import FAILED_GATE_ERROR, DeviceSnapshot
from ..model.metrics import ALIASES, QUBIT_METRICS, qubit_metric, value_getter
from ..model.summary import coupler_count, two_qubit_gates
from ..model.vocabulary import gate_subject, nearest
from ..util.bounded import read_bounded
from ..util.printable import is_printable, printable
from ..util.times import MAX_DURATION
from .rules_format import (
    DELIVERY_DEADLINE_S,
    MAX_RULES,
    MAX_RULES_BYTES,
    MAX_TEXT,
    MAX_URL,
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_RULE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_RHS = re.compile(rf"^(?:(?P<k>{_NUMBER})\*)?baseline(?:\*(?P<k2>{_NUMBER}))?$")
_IS_NUMBER = re.compile(rf"^{_NUMBER}$")
#: The device-level values a rule may name (not the metric registry's DEVICE_METRICS).
RULE_DEVICE_VALUES = (
    "operational",
    "pending_jobs",
    "failed_gates",
    "failed_2q_couplers",
    "out_of_service_qubits",
)
ACTIONS = ("print", "exit", "webhook")
#: Gates whose per-qubit error a rule may name: Qiskit's standard single-qubit gates and IBM's
#: measurement entries (``measure``, ``measure_2``).
SINGLE_QUBIT_GATES = frozenset(
    ("h", "id", "p", "r", "rx", "ry", "rz", "s", "sdg", "sx", "sxdg", "t", "tdg")
    + ("u", "u1", "u2", "u3", "x", "y", "z", "reset", "measure")
)
_MEASURE = re.compile(r"^measure_\d{1,2}$")
_TOP_KEYS = ("webhook", "baseline_days", "alert")
_RULE_KEYS = ("name", "when", "actions", "devices")


@dataclass(frozen=True)
class Rule:
    """One parsed alert rule."""

    name: str
    metric: str
    op: str
    value: float | bool | None  # None: compare with factor * baseline
    factor: float
    actions: tuple[str, ...]
    devices: tuple[str, ...]

    def applies_to(self, device: str) -> bool:
        """True if the rule is for every device or names ``device``."""
        return not self.devices or device in self.devices

    @property
    def has_webhook(self) -> bool:
        """True if firing needs a delivery (the alert is active only once it succeeded)."""
        return "webhook" in self.actions


@dataclass(frozen=True)
class Rules:
    """A rules file: the rules, the webhook URL, the baseline window and the delivery deadline."""

    rules: tuple[Rule, ...]
    webhook: str | None = None
    baseline: timedelta = timedelta(days=30)
    deadline_s: float = DELIVERY_DEADLINE_S


@dataclass(frozen=True)
class Firing:
    """An alert that became true: ``message`` says what, where and why."""

    device: str
    rule: Rule
    subject: str
    value: float | None
    threshold: float | bool
    calibrated_at: datetime | None

    @property
    def key(self) -> tuple[str, str]:
        """``(rule name, subject)``: what the store remembers of an active alert."""
        return self.rule.name, self.subject

    @property
    def message(self) -> str:
        """``fake_fez qubit 12: t1_us = 42.1 < 50 [short T1]``."""
        shown = self.value if isinstance(self.value, bool) else _num(self.value)
        limit = self.threshold if isinstance(self.threshold, bool) else _num(self.threshold)
        base = "" if self.rule.value is not None else " (baseline)"
        return (
            f"{printable(self.device)} {printable(self.subject)}: {self.rule.metric} = {shown} "
            f"{self.rule.op} {limit}{base} [{self.rule.name}]"
        )

    def as_json(self) -> dict[str, Any]:
        """The firing as a JSON object (what a webhook receives, in a list)."""
        return {
            "device": self.device,
            "rule": self.rule.name,
            "subject": self.subject,
            "metric": self.rule.metric,
            "value": self.value,
            "op": self.rule.op,
            "threshold": self.threshold,
            "calibrated_at": None if self.calibrated_at is None else self.calibrated_at.isoformat(),
            "message": self.message,
        }


def _num(value: float | bool | None) -> str:
    return "—" if value is None else f"{value:.6g}"


# -- loading -------------------------------------------------------------------------------


def load_rules(path: Path) -> Rules:
    """Read and validate a rules file; a one-line :class:`RulesError` naming the file and the
    rule otherwise."""
    source = printable(str(path))
    return rules_from_document(_parse_toml(_read_text(path, source), source), source)


def _read_text(path: Path, source: str) -> str:
    try:
        raw = read_bounded(path, MAX_RULES_BYTES)
    except OSError as exc:
        raise RulesError(f"{source}: cannot read the alert rules ({exc.strerror or exc})") from exc
    if raw is None:
        raise RulesError(
            f"{source}: larger than {MAX_RULES_BYTES // 1024} KiB; an alert rules file is a few "
            "lines (see qpumon check --help)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulesError(f"{source}: not UTF-8 text (line {line}); save it as UTF-8") from exc


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to convert
        raise RulesError(f"{source}: not valid TOML ({_one_line(str(exc))})") from exc
    except RecursionError as exc:
        raise RulesError(f"{source}: not valid alert rules (values nested too deeply)") from exc


def rules_from_document(data: dict[str, Any], source: str) -> Rules:
    """Validate a parsed rules document (``source`` names it in messages)."""
    _known_keys(data, _TOP_KEYS, source)
    entries = data.get("alert")
    if not isinstance(entries, list) or not entries:
        raise RulesError(f"{source}: no [[alert]] tables (see qpumon check --help)")
    if len(entries) > MAX_RULES:
        raise RulesError(f"{source}: {len(entries)} alerts; at most {MAX_RULES} in one file")
    rules = tuple(_rule(entry, f"{source}: alert {i}") for i, entry in enumerate(entries, 1))
    _unique_names(rules, source)
    webhook = None if "webhook" not in data else webhook_url(data["webhook"], source)
    if webhook is None and any(r.has_webhook for r in rules):
        raise RulesError(f"{source}: a rule uses the webhook action but no webhook URL is set")
    return Rules(rules, webhook, _baseline(data.get("baseline_days", 30), source))


def _known_keys(table: dict[str, Any], known: Sequence[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise RulesError(
                f"{where}: unknown key {_shown(key)}; {_nearest(key, known)} "
                "(see qpumon check --help)"
            )


def _unique_names(rules: Sequence[Rule], source: str) -> None:
    first: dict[str, int] = {}
    for number, rule in enumerate(rules, 1):
        if rule.name in first:
            raise RulesError(
                f"{source}: alert {number}: the name {rule.name!r} is already alert "
                f"{first[rule.name]}'s; give each alert its own name"
            )
        first[rule.name] = number


def _baseline(value: object, source: str) -> timedelta:
    limit = MAX_DURATION.days
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= limit:
        raise RulesError(
            f"{source}: baseline_days must be a number of days above 0 and at most {limit}, "
            f"not {_shown(value)}"
        )
    return timedelta(days=value)


def webhook_url(value: object, source: str) -> str:
    """``value`` if it is an http(s) URL with a host; a :class:`RulesError` otherwise."""
    hint = 'such as "https://hooks.example.org/qpumon"'
    if not isinstance(value, str):
        raise RulesError(f"{source}: webhook must be a URL {hint}, not {_shown(value)}")
    if len(value) > MAX_URL or not is_printable(value) or any(c.isspace() for c in value):
        raise RulesError(f"{source}: webhook {_shown(value)} is not a URL {hint}")
    import httpx  # here: 80 ms that rules without a webhook need not pay

    try:
        url = httpx.URL(value)
        port = url.port
    except httpx.InvalidURL as exc:
        raise RulesError(f"{source}: webhook {_shown(value)} is not a URL ({exc})") from exc
    if url.scheme not in ("http", "https"):
        raise RulesError(f"{source}: webhook {_shown(value)}: only http:// and https:// URLs")
    if not url.host or (port is not None and not 0 < port < 65536):
        raise RulesError(f"{source}: webhook {_shown(value)} needs a host (and a valid port)")
    return value


def _rule(entry: object, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError(f"{where}: must be a table ([[alert]]), not {_shown(entry)}")
    _known_keys(entry, _RULE_KEYS, where)
    if "when" not in entry:
        raise RulesError(f'{where}: needs when = "METRIC OP VALUE" (e.g. "t1_us < 50")')
    when = _text(entry["when"], "when", where)
    metric, op, value, factor = parse_rule(when, where)
    name = _text(entry["name"], "name", where) if "name" in entry else when.strip()
    actions = _names(entry.get("actions", ["print"]), "actions", where, '["print", "exit"]')
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        hint = _nearest(unknown[0], ACTIONS)
        raise RulesError(f"{where}: unknown action {_shown(unknown[0])}; {hint}")
    devices: tuple[str, ...] = ()
    if "devices" in entry:
        devices = _names(entry["devices"], "devices", where, '["ibm_fez"]')
    return Rule(name, metric, op, value, factor, actions, devices)


def _text(value: object, key: str, where: str) -> str:
    """A non-empty, printable string of at most :data:`MAX_TEXT` characters."""
    if not isinstance(value, str):
        raise RulesError(f"{where}: {key} must be a string, not {_shown(value)}")
    if not value.strip() or len(value) > MAX_TEXT or not is_printable(value):
        raise RulesError(
            f"{where}: {key} {_shown(value)} must be 1 to {MAX_TEXT} printable characters"
        )
    return value


def _names(value: object, key: str, where: str, example: str) -> tuple[str, ...]:
    """A non-empty list of strings, duplicates dropped. A bare string is refused: iterating it
    would give its letters, and a rule for devices "i", "b", "m"... would silently never run."""
    if not isinstance(value, list) or not value:
        raise RulesError(
            f"{where}: {key} must be a non-empty list such as {key} = {example}, "
            f"not {_shown(value)}"
        )
    if len(value) > MAX_RULES:
        raise RulesError(f"{where}: {key} lists {len(value)} entries; at most {MAX_RULES}")
    return tuple(dict.fromkeys(_text(item, key, where) for item in value))


def _shown(value: object) -> str:
    """A short, printable description of a bad value for a message."""
    if isinstance(value, str):  # repr escapes every character printable() would
        return repr(value[:60] + ("..." if len(value) > 60 else ""))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) or (isinstance(value, int) and abs(value) < 10**15):
        return repr(value)
    kinds = {int: "a very large integer", list: "a list", dict: "a table"}
    return kinds.get(type(value), f"a TOML {type(value).__name__}")


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()))


# -- conditions ------------------------------------------------------------------------------


def parse_rule(text: str, where: str = "rule") -> tuple[str, str, float | bool | None, float]:
    """``t1_us < 50`` -> ``("t1_us", "<", 50.0, 1.0)``; ``2q_error > 2 * baseline`` ->
    ``("2q_error", ">", None, 2.0)``. A :class:`RulesError` for anything that is not a metric,
    an operator and a finite number, true/false (``operational`` only) or ``K * baseline``."""
    found = _RULE.match(text) if len(text) <= MAX_TEXT else None
    if found is None:
        raise RulesError(f"{where}: {_shown(text)} is not METRIC OP VALUE (e.g. t1_us < 50)")
    metric, op, rhs = _metric(found.group(1), where), found.group(2), found.group(3).lower()
    if rhs in ("true", "false"):
        if metric != "operational" or op not in ("==", "!="):
            raise RulesError(f"{where}: only operational == true/false compares with {rhs}")
        return metric, op, rhs == "true", 1.0
    if metric == "operational":
        raise RulesError(f"{where}: operational is true or false (operational == false)")
    base = _RHS.match(rhs.replace(" ", ""))
    if base is not None:
        if metric in RULE_DEVICE_VALUES:
            raise RulesError(f"{where}: {metric} has no baseline; compare it with a value")
        factor = _finite(base.group("k") or base.group("k2") or "1", where)
        if factor <= 0:
            raise RulesError(f"{where}: the factor of baseline must be above 0, not {factor:g}")
        return metric, op, None, factor
    if _IS_NUMBER.match(rhs) is None:
        raise RulesError(
            f"{where}: {_shown(rhs)} is not a number, true/false or K * baseline "
            "(e.g. 2 * baseline)"
        )
    return metric, op, _finite(rhs, where), 1.0


def _finite(text: str, where: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RulesError(f"{where}: {_shown(text)} is too large to compare with")
    return value


def _metric(name: str, where: str) -> str:
    """The canonical key of the metric ``name``."""
    lowered = name.lower()
    if lowered in RULE_DEVICE_VALUES or lowered == "2q_error":
        return lowered
    try:
        metric = qubit_metric(lowered)
    except UsageError:
        metric = None
    if metric is not None and (metric.gate is None or _known_gate(metric.gate)):
        return metric.key
    known = [*QUBIT_METRICS, *ALIASES, "2q_error", *RULE_DEVICE_VALUES]
    raise RulesError(f"{where}: unknown metric {_shown(name)}; {_nearest(lowered, known)}")


def _nearest(name: str, known: Sequence[str]) -> str:
    """``nearest: t1_us, t1`` (:func:`qpumon.model.vocabulary.nearest`), else every known name."""
    close = nearest(name, known)
    return f"nearest: {', '.join(close)}" if close else f"use one of {', '.join(known)}"


def _known_gate(gate: str) -> bool:
    return gate in SINGLE_QUBIT_GATES or _MEASURE.match(gate) is not None


# -- evaluation ------------------------------------------------------------------------------


def subjects(snapshot: DeviceSnapshot, metric: str) -> Iterator[tuple[str, float | bool | None]]:
    """``(subject, value)`` pairs of ``metric`` in ``snapshot``."""
    if metric == "operational":
        yield "device", None if snapshot.status is None else snapshot.status.operational
    elif metric == "pending_jobs":
        yield "device", None if snapshot.status is None else snapshot.status.pending_jobs
    elif metric == "failed_gates":
        yield "device", float(len(snapshot.failed_gates))
    elif metric == "failed_2q_couplers":
        native = two_qubit_gates(snapshot)
        failed = (g for g in native if g.failed and not snapshot.out_of_service(g))
        yield "device", float(coupler_count(failed))
    elif metric == "out_of_service_qubits":
        yield "device", float(len(snapshot.out_of_service_qubits))
    elif metric == "2q_error":
        for gate in two_qubit_gates(snapshot):
            if snapshot.usable(gate):
                yield gate_subject(gate.gate, gate.qubits), gate.error
    else:
        read = value_getter(snapshot, qubit_metric(metric))
        for qubit in snapshot.qubits:
            if qubit.operational:  # a qubit out of service is no alert's subject
                yield f"qubit {qubit.index}", read(qubit)


Baselines = Callable[[Rule], dict[str, float]]


def evaluate(
    snapshot: DeviceSnapshot, rules: Sequence[Rule], baselines: Baselines
) -> list[tuple[Rule, str, float | None, float | bool]]:
    """``(rule, subject, value, threshold)`` of every condition true in ``snapshot``."""
    true: list[tuple[Rule, str, float | None, float | bool]] = []
    for rule in rules:
        if not rule.applies_to(snapshot.name):
            continue
        base = baselines(rule) if rule.value is None else {}
        compare = _OPS[rule.op]
        for subject, value in subjects(snapshot, rule.metric):
            threshold = rule.value if rule.value is not None else _scaled(base, subject, rule)
            if value is None or threshold is None:
                continue
            if compare(value, threshold):
                number = value if isinstance(value, bool) else float(value)
                true.append((rule, subject, number, threshold))
    return true


def _scaled(base: dict[str, float], subject: str, rule: Rule) -> float | None:
    found = base.get(subject)
    return None if found is None else rule.factor * found


def baseline_medians(
    series: dict[str, list[float | None]], prefix: str, gate_errors: bool
) -> dict[str, float]:
    """Median of each subject's stored values keyed ``prefix key``: gaps left out, and IBM's
    ``error == 1`` flags too when the values are ``gate_errors``."""
    out = {}
    for key, values in series.items():
        kept = [v for v in values if v is not None and not (gate_errors and v == FAILED_GATE_ERROR)]
        if kept:
            out[f"{prefix} {key}"] = statistics.median(kept)
    return out
