"""Trends for the fleet page: each device's headline medians over its newest stored
snapshots (the page draws them as sparklines beside the current medians)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import DeviceSnapshot
from ..model.summary import DeviceSummary, summarize
from ..store.db import Store

#: How many of the newest stored snapshots a trend shows.
TREND_POINTS = 24
#: The summary fields that get a sparkline (the medians of the overview).
TREND_FIELDS = (
    "median_t1_us",
    "median_t2_us",
    "median_readout_error",
    "median_1q_error_avg",
    "median_2q_error_avg",
    "eplg_100",
)


class TrendReader:
    """Summaries of the newest stored snapshots of each device; each stored snapshot is read
    and summarised once, then remembered while it stays among a device's newest."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: dict[str, dict[int, DeviceSummary]] = {}

    def trend(
        self, device: str, current: DeviceSnapshot | None = None, current_id: int | None = None
    ) -> tuple[DeviceSummary, ...]:
        """The summaries of ``device``'s newest stored snapshots, oldest first; the one stored
        as ``current_id`` is summarised from ``current`` instead of being read back."""
        infos = self.store.snapshots(device)[-TREND_POINTS:]
        known = self._known.get(device, {})
        kept: dict[int, DeviceSummary] = {}
        for info in infos:
            summary = known.get(info.id)
            if summary is None:
                snapshot = current if info.id == current_id and current else None
                summary = summarize(snapshot or self.store.load(info.id))
            kept[info.id] = summary
        self._known[device] = kept
        return tuple(kept[info.id] for info in infos)


def values(trend: Sequence[DeviceSummary], field: str) -> list[float | None]:
    """The summary field ``field`` (one of :data:`TREND_FIELDS`) along ``trend``."""
    return [getattr(summary, field) for summary in trend]
