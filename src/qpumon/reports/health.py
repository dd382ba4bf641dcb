"""Health over time for the HTML report: a device's stored T1 timeline and its episodes
(``qpumon events``), read from the history store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..history.events import Episode, events
from ..history.series import History, read_history, select_metric
from ..store.records import Reader
from .tables import Table

#: How far back the report's timeline reaches from the newest stored snapshot.
WINDOW = timedelta(days=90)
#: Fewer stored snapshots than this and the report has no health section.
MIN_SNAPSHOTS = 3


@dataclass(frozen=True)
class Health:
    """The T1 history of the last :data:`WINDOW` and every episode found in it."""

    history: History
    episodes: tuple[Episode, ...]
    table: Table


def stored_health(store: Reader, device: str) -> Health | None:
    """The health of ``device`` in ``store``, or None when it holds too little of it."""
    from .history import events_report

    infos = store.snapshots(device)
    newest = infos[-1].calibrated_at if infos else None
    if len(infos) < MIN_SNAPSHOTS or newest is None:
        return None
    since = newest - WINDOW
    found = events(store, device, since)
    history = read_history(store, device, select_metric(store, device, "t1", None, None), since)
    shown = tuple(e for e in found.episodes if e.metric == history.selection.metric.key)
    table = events_report(found).tables()[0]
    return Health(history, shown, table)
