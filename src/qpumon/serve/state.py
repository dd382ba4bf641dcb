"""What the collector publishes and requests read: each device's latest state, as one immutable
:class:`FleetView` replaced whole on every change (a request reads it without a lock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..model import DeviceSnapshot
from ..summary import DeviceSummary

#: Where a device comes from: IBM Quantum (refreshed), a bundled snapshot or a file (read once).
LIVE, BUNDLED, FILE = "live", "bundled", "file"


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
    ``metrics`` the Prometheus exposition of this view (plain and gzip-compressed)."""

    version: int = 0
    devices: Mapping[str, DeviceState] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    metrics: bytes = b""
    metrics_gzip: bytes = b""
    store_url: str = ""
    started_at: datetime | None = None
    loaded: bool = False

    def device(self, name: str) -> DeviceState | None:
        """The state of device ``name`` (exactly as the fleet names it), or None."""
        return self.devices.get(name)

    @property
    def loading(self) -> list[str]:
        """Devices with neither a snapshot nor an error yet."""
        return [s.name for s in self.devices.values() if s.snapshot is None and s.error is None]
