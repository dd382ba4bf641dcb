"""``csv``: tidy rows (one value per row) for the monitor; one row per device for the overview."""

from __future__ import annotations

import csv
import io
from typing import Any

from ...metrics import GATE_ERROR, GATE_LENGTH, QUBIT_METRICS, gate_error_metric
from ..monitor import MonitorReport
from ..overview import OverviewReport
from ..tables import Table
from . import RenderOptions

MONITOR_COLUMNS = ("device", "kind", "gate", "qubits", "metric", "value", "unit", "flag")


def _write(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _text(value: Any) -> Any:
    return "" if value is None else (repr(value) if isinstance(value, float) else value)


def monitor(report: MonitorReport, options: RenderOptions) -> str:
    """Every shown qubit value and gate value as ``device,kind,gate,qubits,metric,value,unit,flag``;
    a missing value has an empty ``value``."""
    name = report.snapshot.name
    rows: list[list[Any]] = [list(MONITOR_COLUMNS)]
    if report.qubits is not None:
        rows += _qubit_rows(name, report.qubits)
    if report.gates is not None:
        for row in report.gates.rows:
            gate, qubits = row[0].value, " ".join(map(str, row[1].value))
            for metric, cell in ((GATE_ERROR, row[2]), (GATE_LENGTH, row[3])):
                rows.append(
                    [
                        name,
                        "gate",
                        gate,
                        qubits,
                        metric.key,
                        _text(cell.value),
                        metric.unit,
                        cell.flag or "",
                    ]
                )
    return _write(rows)


def _qubit_rows(name: str, table: Table) -> list[list[Any]]:
    rows = []
    for row in table.rows:
        index = row[0].value
        for column, cell in zip(table.columns[1:-1], row[1:-1], strict=True):
            metric = QUBIT_METRICS.get(column.key) or gate_error_metric(column.key[:-6])
            gate = "" if column.key in QUBIT_METRICS else column.key[: -len("_error")]
            flag = "" if cell.flag == "missing" else (cell.flag or "")
            rows.append(
                [name, "qubit", gate, index, metric.key, _text(cell.value), metric.unit, flag]
            )
    return rows


def overview(report: OverviewReport, options: RenderOptions) -> str:
    """One row per device; columns named by their keys; values at full precision."""
    table = report.table
    rows: list[list[Any]] = [[c.key for c in table.columns]]
    rows += [[_text(cell.value) for cell in row] for row in table.rows]
    return _write(rows)
