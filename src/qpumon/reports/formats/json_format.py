"""``json``: the full snapshot (qpumon's lossless snapshot JSON) with its summary."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from ...serialize import snapshot_to_dict
from ...summary import DeviceSummary
from ..monitor import MonitorReport
from ..overview import OverviewReport
from . import RenderOptions


def summary_dict(summary: DeviceSummary) -> dict[str, Any]:
    """A summary as JSON-ready data (datetimes as ISO-8601, the status as an object)."""
    data = dataclasses.asdict(summary)
    data["flagged"] = summary.flagged
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def monitor(report: MonitorReport, options: RenderOptions) -> str:
    """``{"summary": ..., "snapshot": ...}``; the snapshot part loads back with qpumon."""
    return _dump(
        {"summary": summary_dict(report.summary), "snapshot": snapshot_to_dict(report.snapshot)}
    )


def overview(report: OverviewReport, options: RenderOptions) -> str:
    """Every device's summary, in display order, with the marks."""
    return _dump(
        {
            "least_busy": report.least_busy,
            "best_2q_error": report.best_2q,
            "devices": [summary_dict(s) for s in report.summaries],
        }
    )
