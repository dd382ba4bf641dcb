"""Alert rules (a TOML file), checked against a snapshot, remembered in the store.

A rules file::

    webhook = "https://hooks.example.org/qpumon"   # where the "webhook" action posts
    baseline_days = 30                              # window of "baseline" (default 30)

    [[alert]]
    name = "short T1"                 # optional; the rule text by default
    when = "t1_us < 50"               # METRIC OP VALUE, VALUE: number, true/false, K * baseline
    actions = ["print", "exit"]       # any of print, exit, webhook (default: print)
    devices = ["ibm_fez"]             # optional: only these devices

Metrics: every per-qubit metric and alias (``t1``, ``readout_error``, ``sx_error``...), checked on
each qubit; ``2q_error`` on each two-qubit gate (failed-benchmark flags are left out);
``operational``, ``pending_jobs`` and ``failed_gates`` for the device. ``baseline`` is the median
of the same subject's stored values over the ``baseline_days`` before the snapshot.

An alert fires when its condition becomes true for a subject; while it stays true it does not fire
again; once false it is cleared (and may fire again later).
"""

from __future__ import annotations

import json
import operator
import re
import statistics
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import QpumonError
from ..metrics import qubit_metric, value_getter
from ..model import FAILED_GATE_ERROR, DeviceSnapshot
from ..store.rows import qubits_text
from ..summary import two_qubit_gates

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_RULE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")
_RHS = re.compile(r"^(?:(?P<k>[0-9.eE+-]+)\s*\*\s*)?baseline(?:\s*\*\s*(?P<k2>[0-9.eE+-]+))?$")
DEVICE_METRICS = ("operational", "pending_jobs", "failed_gates")
ACTIONS = ("print", "exit", "webhook")


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


@dataclass(frozen=True)
class Rules:
    """A rules file: the rules, the webhook URL and the baseline window."""

    rules: tuple[Rule, ...]
    webhook: str | None = None
    baseline: timedelta = timedelta(days=30)


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
    def message(self) -> str:
        """``fake_fez qubit 12: t1_us = 42.1 < 50 (short T1)``."""
        shown = self.value if isinstance(self.value, bool) else _num(self.value)
        limit = self.threshold if isinstance(self.threshold, bool) else _num(self.threshold)
        base = "" if self.rule.value is not None else " (baseline)"
        return (
            f"{self.device} {self.subject}: {self.rule.metric} = {shown} {self.rule.op} "
            f"{limit}{base} [{self.rule.name}]"
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


def load_rules(path: Path) -> Rules:
    """Parse a rules file; a :class:`QpumonError` naming the file and the bad rule otherwise."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, from PyPI (a dependency of the store extra on 3.10)
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QpumonError(f"{path}: cannot read the alert rules ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise QpumonError(f"{path}: not valid TOML ({exc})") from None
    entries = data.get("alert", [])
    if not isinstance(entries, list) or not entries:
        raise QpumonError(f"{path}: no [[alert]] tables (see qpumon check --help)")
    rules = tuple(_rule(entry, f"{path}: alert {i + 1}") for i, entry in enumerate(entries))
    webhook = data.get("webhook")
    if any("webhook" in r.actions for r in rules) and not isinstance(webhook, str):
        raise QpumonError(f"{path}: a rule uses the webhook action but no webhook URL is set")
    days = data.get("baseline_days", 30)
    if not isinstance(days, (int, float)) or days <= 0:
        raise QpumonError(f"{path}: baseline_days must be a positive number, not {days!r}")
    return Rules(rules, webhook if isinstance(webhook, str) else None, timedelta(days=days))


def parse_rule(text: str, where: str = "rule") -> tuple[str, str, float | bool | None, float]:
    """``t1_us < 50`` -> ``("t1_us", "<", 50.0, 1.0)``; ``2q_error > 2 * baseline`` ->
    ``("2q_error", ">", None, 2.0)``."""
    found = _RULE.match(text)
    if found is None:
        raise QpumonError(f"{where}: {text!r} is not METRIC OP VALUE (e.g. t1_us < 50)")
    metric, op, rhs = found.group(1).lower(), found.group(2), found.group(3).lower()
    if metric not in DEVICE_METRICS and metric != "2q_error":
        metric = qubit_metric(metric).key
    if rhs in ("true", "false"):
        return metric, op, rhs == "true", 1.0
    base = _RHS.match(rhs.replace(" ", ""))
    if base is not None:
        return metric, op, None, float(base.group("k") or base.group("k2") or 1.0)
    try:
        return metric, op, float(rhs), 1.0
    except ValueError:
        raise QpumonError(f"{where}: {rhs!r} is not a number, true/false or K * baseline") from None


def _rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, dict) or not isinstance(entry.get("when"), str):
        raise QpumonError(f'{where}: needs when = "METRIC OP VALUE"')
    metric, op, value, factor = parse_rule(entry["when"], where)
    if value is None and metric in DEVICE_METRICS:
        raise QpumonError(f"{where}: {metric} has no baseline; compare it with a value")
    actions = tuple(entry.get("actions", ["print"]))
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        raise QpumonError(f"{where}: unknown action {unknown[0]!r}; use {', '.join(ACTIONS)}")
    devices = entry.get("devices", [])
    return Rule(
        str(entry.get("name") or entry["when"].strip()),
        metric,
        op,
        value,
        factor,
        actions,
        tuple(str(d) for d in devices),
    )


def subjects(snapshot: DeviceSnapshot, metric: str) -> Iterator[tuple[str, float | bool | None]]:
    """``(subject, value)`` pairs of ``metric`` in ``snapshot``."""
    if metric == "operational":
        yield "device", None if snapshot.status is None else snapshot.status.operational
    elif metric == "pending_jobs":
        yield "device", None if snapshot.status is None else snapshot.status.pending_jobs
    elif metric == "failed_gates":
        yield "device", float(len(snapshot.failed_gates))
    elif metric == "2q_error":
        for gate in two_qubit_gates(snapshot):
            if not gate.failed:
                yield f"{gate.gate} {qubits_text(gate.qubits)}", gate.error
    else:
        read = value_getter(snapshot, qubit_metric(metric))
        for qubit in snapshot.qubits:
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


def post_webhook(url: str, firings: Sequence[Firing], timeout_s: float = 10.0) -> None:
    """POST ``{"alerts": [...]}`` as JSON to ``url``; a :class:`QpumonError` if it fails."""
    body = json.dumps({"alerts": [f.as_json() for f in firings]}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise QpumonError(f"webhook {url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise QpumonError(f"webhook {url}: cannot deliver ({reason})") from None
