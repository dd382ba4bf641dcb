"""What the collector publishes and requests read: each device's latest state, its alerts and
the collector's schedule, as one immutable :class:`FleetView` replaced whole on every change (a
request reads it without a lock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..model import DeviceSnapshot
from ..model.summary import DeviceSummary

#: Where a device comes from: IBM Quantum (refreshed), a bundled snapshot or a file (read once).
LIVE, BUNDLED, FILE = "live", "bundled", "file"


@dataclass(frozen=True)
class Alert:
    """An alert rule's condition that holds (``cleared_at`` None) or held until ``cleared_at``
    for one subject (``qubit 12``, ``cz 3_4``, ``device``) of one device.

    ``alert`` is the rule's name, ``condition`` its ``when`` (``t1_us < 50``); ``since`` is when
    it became active. ``delivered`` is False while a webhook the rule names has not taken it
    (the store then does not count it active, and it fires again at the next check).
    """

    device: str
    alert: str
    condition: str
    metric: str
    subject: str
    value: float | bool | None
    threshold: float | bool | None
    since: datetime
    message: str
    delivered: bool = True
    cleared_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True while the condition holds."""
        return self.cleared_at is None

    @property
    def key(self) -> tuple[str, str]:
        """``(alert, subject)``: one alert of a device."""
        return self.alert, self.subject

    def document(self) -> dict[str, Any]:
        """The alert as a JSON object (``/api/alerts``)."""
        return {
            "device": self.device,
            "alert": self.alert,
            "condition": self.condition,
            "metric": self.metric,
            "subject": self.subject,
            "value": self.value,
            "threshold": self.threshold,
            "active": self.active,
            "since": self.since.isoformat(),
            "cleared_at": None if self.cleared_at is None else self.cleared_at.isoformat(),
            "delivered": self.delivered,
            "message": self.message,
        }


@dataclass(frozen=True)
class DeviceState:
    """One device as the server knows it.

    ``snapshot`` is the latest good one (kept when a later fetch fails: it is then ``stale``
    and ``error`` says why). ``version`` changes with any change of the state, ``calibration``
    only when a snapshot with other calibration data arrives (figures depend on that alone).
    ``trend`` holds the summaries of the stored history, oldest first, for the sparklines.
    """

    name: str
    spec: str
    kind: str
    snapshot: DeviceSnapshot | None = None
    version: int = 0
    calibration: int = 0
    fetched_at: datetime | None = None
    error: str | None = None
    failed_at: datetime | None = None
    errors_total: int = 0
    duration_s: float | None = None
    trend: tuple[DeviceSummary, ...] = ()
    alerts: tuple[Alert, ...] = ()

    @property
    def active_alerts(self) -> tuple[Alert, ...]:
        """The device's alerts whose condition holds."""
        return tuple(a for a in self.alerts if a.active)

    @property
    def cleared_alerts(self) -> tuple[Alert, ...]:
        """The device's recently cleared alerts, the latest first."""
        return tuple(a for a in self.alerts if not a.active)

    @property
    def stale(self) -> bool:
        """True when the last fetch failed and the snapshot shown is an older one."""
        return self.error is not None and self.snapshot is not None

    @property
    def up(self) -> bool:
        """True when the last fetch (or load) succeeded."""
        return self.error is None and self.snapshot is not None

    def changed(self, **changes: object) -> DeviceState:
        """A copy with ``changes`` and the next version."""
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FleetView:
    """Every device in display order, with the version of the whole; ``problems`` are the
    collector's own troubles (an account that cannot sign in, a store that cannot be written),
    ``metrics`` the Prometheus exposition of this view (plain and gzip-compressed).

    ``alerting``: the server checks alert rules (``--rules``). ``next_status_at`` and
    ``next_calibration_at``: when the collector fetches the live devices next (their status; all
    their calibration data), None before it has planned it or when no device is live."""

    version: int = 0
    devices: Mapping[str, DeviceState] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    metrics: bytes = b""
    metrics_gzip: bytes = b""
    store_url: str = ""
    started_at: datetime | None = None
    loaded: bool = False
    alerting: bool = False
    next_status_at: datetime | None = None
    next_calibration_at: datetime | None = None

    def device(self, name: str) -> DeviceState | None:
        """The state of device ``name`` (exactly as the fleet names it), or None."""
        return self.devices.get(name)

    @property
    def loading(self) -> list[str]:
        """Devices with neither a snapshot nor an error yet."""
        return [s.name for s in self.devices.values() if s.snapshot is None and s.error is None]

    @property
    def active_alerts(self) -> list[Alert]:
        """Every device's active alerts, in display order of the devices."""
        return [a for s in self.devices.values() for a in s.active_alerts]

    @property
    def cleared_alerts(self) -> list[Alert]:
        """Every device's recently cleared alerts, the latest first."""
        found = [a for s in self.devices.values() for a in s.cleared_alerts]
        return sorted(found, key=lambda a: a.cleared_at or a.since, reverse=True)

    def next_fetch(self, state: DeviceState) -> datetime | None:
        """When ``state``'s device is fetched next (a live device's next round, its status or
        the whole), None for a device read once or before the collector has planned it."""
        if state.kind != LIVE:
            return None
        planned = [t for t in (self.next_status_at, self.next_calibration_at) if t is not None]
        return min(planned, default=None)
