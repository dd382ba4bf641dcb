"""qpumon's Python API: resolve devices, build reports, and the drop-in ``backend_monitor`` /
``backend_overview`` that print them. Each command of the CLI is one call here and one
render; the history commands open the store, read or compute, and return a report too.

Every function that takes a device takes any of what :func:`load_snapshot` does: a name
(``fake_fez``, ``ibm_fez``, ``google:willow_pink``), a calibration file, a Qiskit ``BackendV2``
or a :class:`~qpumon.model.DeviceSnapshot`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import MissingExtraError, QpumonError, ServiceError, StoreError, UsageError
from .model import VENDOR_NAMES, DeviceSnapshot
from .sources import SourceOptions, default_bundled
from .util.times import short

if TYPE_CHECKING:
    from .choose.candidates import QubitChoice
    from .choose.results import Placement
    from .choose.tables import Avoided
    from .history.events import EventsReport
    from .history.importing import Imported, ImportOptions
    from .history.series import History
    from .model.summary import DeviceSummary
    from .reports.document import Report, TablesReport
    from .reports.health import Health
    from .reports.listing import DeviceListing
    from .reports.monitor import MonitorOptions, MonitorReport
    from .reports.overview import OverviewReport
    from .sources import Resolution
    from .sources.vendor_live import FleetResult
    from .store.records import Reader

#: Called as ``progress(done, total, name)`` while an overview loads its devices.
Progress = Callable[[int, int, str], None]

__all__ = [
    "MonitorOptions",
    "SourceOptions",
    "backend_monitor",
    "backend_overview",
    "best_qubits",
    "best_report",
    "compare_figure",
    "diff_of",
    "distribution_figure",
    "drift_of",
    "events_of",
    "html_report",
    "import_calibrations",
    "list_devices",
    "list_report",
    "load_snapshot",
    "map_figure",
    "metric_history",
    "monitor_report",
    "overview_report",
    "place",
    "place_report",
    "summarize_devices",
]


def __getattr__(name: str) -> Any:
    """``MonitorOptions``, imported on first use (an overview never builds a monitor)."""
    if name == "MonitorOptions":
        from .reports.monitor import MonitorOptions

        return MonitorOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_snapshot(device: Any, source: SourceOptions | None = None) -> DeviceSnapshot:
    """The snapshot of ``device`` (a name, a file, a Qiskit BackendV2), through the one
    resolver :func:`qpumon.sources.resolve` with ``source``'s options."""
    return (source or SourceOptions()).resolve(device)


def monitor_report(
    device: Any,
    options: MonitorOptions | None = None,
    source: SourceOptions | None = None,
    now: datetime | None = None,
) -> MonitorReport:
    """The monitor report of ``device`` (see :class:`MonitorOptions` and :func:`load_snapshot`)."""
    from .reports.monitor import build_monitor

    return build_monitor(load_snapshot(device, source), options, now=now)


def summarize_devices(
    devices: Sequence[Any] | None = None,
    include_flagged: bool = False,
    source: SourceOptions | None = None,
    progress: Progress | None = None,
) -> tuple[list[DeviceSummary], list[tuple[str, str]]]:
    """Summaries of ``devices`` (default: every bundled device) and the ``(device, error)`` of
    those that could not be read; live devices are fetched concurrently."""
    from .model.summary import summarize

    if devices is None:
        from .sources.summary_cache import bundled_summaries

        return bundled_summaries(include_flagged, progress), []
    summaries, failures = [], []
    resolutions = (source or SourceOptions()).resolve_many(list(devices))
    for done, found in enumerate(resolutions, start=1):
        if found.snapshot is None:
            failures.append((found.spec, str(found.error)))
        else:
            summaries.append(summarize(found.snapshot, include_flagged=include_flagged))
        if progress is not None:
            progress(done, len(resolutions), found.spec)
    return summaries, failures


def overview_report(
    devices: Sequence[Any] | None = None,
    sort: str = "device",
    include_flagged: bool = False,
    source: SourceOptions | None = None,
    progress: Progress | None = None,
    live: bool = False,
) -> OverviewReport:
    """The overview of ``devices`` (default: every bundled device; with ``live``, every device
    of the IBM Quantum account). A device that fails becomes an error row; when every live
    device failed, a :class:`~qpumon.errors.ServiceError`."""
    from .reports.overview import build_overview
    from .util.times import iso

    source = source or SourceOptions()
    notes: list[str] = []
    if live and not devices:  # the account's names are names, never files or bundled devices
        summaries, failures, notes = _account_summaries(source, include_flagged, progress)
    else:
        summaries, failures = summarize_devices(devices, include_flagged, source, progress)
    if failures and not summaries and (live or source.at is not None):
        first = failures[0][1]
        raise ServiceError(f"every device failed ({len(failures)}); the first: {first}")
    if source.at is not None:
        notes.append(
            f"Calibrations in force at {iso(source.at)}; status and queue are not historical "
            "and are left out."
        )
    return build_overview(summaries, sort, failures, notes)


def _account_summaries(
    source: SourceOptions, include_flagged: bool, progress: Progress | None
) -> tuple[list[DeviceSummary], list[tuple[str, str]], list[str]]:
    """Summaries of the devices the IBM Quantum account and every configured live vendor
    (:func:`qpumon.sources.vendor_live.fleet`) list, fetched live, the ``(device, error)`` of
    those that failed (a vendor whose listing failed is one such row), and the notes: what the
    IBM listing left out (told through ``source.notify`` when there is one), the devices listed
    without a calibration, and what a vendor states instead of a count of pending jobs. The
    vendors are listed and fetched on a thread while the IBM account is, as both wait on the
    network; an :class:`~qpumon.errors.AccountError` when none is configured."""
    from .sources.ibm_live import has_account
    from .sources.ibm_live.options import LiveOptions

    vendors = _Background(lambda: _vendor_resolutions(source))
    summaries: list[DeviceSummary] = []
    failures: list[tuple[str, str]] = []
    notes: list[str] = []
    ibm = not source.offline and has_account(source.live or LiveOptions())
    refused: QpumonError | None = None
    if ibm:
        try:
            summaries, failures, notes = _ibm_summaries(source, include_flagged, progress)
        except QpumonError as exc:  # a row beside the vendors' devices, if they have any
            refused, failures = exc, [("ibm:*", str(exc))]
    listed, resolutions = vendors.result()
    if refused is not None and not listed.entries:
        raise refused
    if not ibm and not listed.entries and not listed.failures:
        source.require_accounts([], "--live lists the accounts' devices")
    more, failed = _summaries_of(resolutions, include_flagged, progress)
    failures += failed + [(f"{vendor}:*", why) for vendor, why in listed.failures.items()]
    return summaries + more, failures, notes + _fleet_notes(listed)


def _vendor_resolutions(source: SourceOptions) -> tuple[FleetResult, list[Resolution]]:
    """Every configured vendor's listing and its calibrated devices, each vendor's fetched as
    soon as it has listed them."""
    from .sources import Resolution
    from .sources.vendor_live import fleet_snapshots

    listed, fetched = fleet_snapshots(live=source.live, offline=source.offline, at=source.at)
    return listed, [
        Resolution(name, None, found) if isinstance(found, QpumonError) else Resolution(name, found)
        for name, found in fetched
    ]


def _summaries_of(
    resolutions: Sequence[Resolution], include_flagged: bool, progress: Progress | None
) -> tuple[list[DeviceSummary], list[tuple[str, str]]]:
    """The summaries of the resolved devices and the ``(device, error)`` of the others."""
    found = [(r.spec, r.snapshot, r.error) for r in resolutions]
    return _summarized(found, include_flagged, progress)


def _summarized(
    found: Sequence[tuple[str, DeviceSnapshot | None, object]],
    include_flagged: bool,
    progress: Progress | None,
) -> tuple[list[DeviceSummary], list[tuple[str, str]]]:
    """``(name, snapshot or None, error)`` as the summaries of the snapshots and the
    ``(name, error)`` of the others, telling ``progress`` of each."""
    from .model.summary import summarize

    summaries, failures = [], []
    for done, (name, snapshot, error) in enumerate(found, start=1):
        if snapshot is None:
            failures.append((name, str(error)))
        else:
            summaries.append(summarize(snapshot, include_flagged=include_flagged))
        if progress is not None:
            progress(done, len(found), name)
    return summaries, failures


def _fleet_notes(listed: FleetResult) -> list[str]:
    """What the table cannot say of the vendors' devices, one line each."""
    notes = []
    uncalibrated = [e.name for e in listed.entries if not e.calibrated]
    if uncalibrated:
        notes.append(f"Listed without a calibration (simulators): {', '.join(uncalibrated)}.")
    timed = [e for e in listed.entries if e.calibrated and e.queue_seconds is not None]
    if timed:
        queues = ", ".join(f"{e.name} {_queue_time(e.queue_seconds or 0.0)}" for e in timed)
        notes.append(f"Average queue time (no count of pending jobs is stated): {queues}.")
    silent = [e.name for e in listed.entries if e.calibrated and e.status is None]
    if silent:
        notes.append(f"No status or queue is stated for {', '.join(silent)}.")
    return notes


def _queue_time(seconds: float) -> str:
    """``45 s``, ``20 min``, ``2.5 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


class _Background:
    """``work()`` on a daemon thread (a Ctrl-C in the caller never waits for it); :meth:`result`
    waits in short slices, so a Ctrl-C meanwhile is raised at once, and re-raises its error."""

    def __init__(self, work: Callable[[], Any]) -> None:
        import threading

        self._outcome: list[Any] = []

        def run() -> None:
            try:
                self._outcome.append((True, work()))
            except BaseException as exc:  # handed to the caller by result()
                self._outcome.append((False, exc))

        self._thread = threading.Thread(target=run, name="qpumon-vendors", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        """What ``work()`` returned (its exception raised)."""
        while self._thread.is_alive():
            self._thread.join(0.1)
        ok, value = self._outcome[0]
        if not ok:
            raise value
        return value


def _ibm_summaries(
    source: SourceOptions, include_flagged: bool, progress: Progress | None
) -> tuple[list[DeviceSummary], list[tuple[str, str]], list[str]]:
    """The IBM Quantum account's part of :func:`_account_summaries`."""
    from .sources.ibm_live import connect
    from .sources.ibm_live.options import LiveOptions

    account = connect(source.live or LiveOptions())
    results = account.fetch_listed(at=source.at)
    found = [(r.name, r.snapshot, r.failure) for r in results]
    summaries, failures = _summarized(found, include_flagged, progress)
    if source.notify is None:
        return summaries, failures, list(account.notices)
    for line in account.notices:  # the command line: one line on stderr, whatever the format
        source.notify(line)
    return summaries, failures, []


def list_devices(vendor: str = "ibm") -> list[DeviceListing]:
    """Every device available offline from ``vendor`` (``ibm``: the bundled snapshots;
    ``google``, ``quantinuum``, ``iqm``: their packages' devices; ``all``) with its size,
    processor and snapshot date."""
    from .reports.listing import DeviceListing

    listed: list[DeviceListing] = []
    if vendor in ("ibm", "all"):
        from .sources.summary_cache import bundled_summaries

        listed += [
            DeviceListing(s.name, s.num_qubits, s.processor, s.calibrated_at)
            for s in bundled_summaries()
        ]
    if vendor != "ibm":
        from .sources import resolve
        from .sources.vendors import vendor_device_names

        names = [n for n in vendor_device_names() if vendor == "all" or n.startswith(f"{vendor}:")]
        for name in names:
            snapshot = resolve(name)
            listed.append(
                DeviceListing(
                    name,
                    snapshot.num_qubits,
                    snapshot.processor,
                    snapshot.calibrated_at,
                    snapshot.vendor,
                )
            )
    return listed


def list_report(vendor: str = "ibm") -> Report:
    """``qpumon list`` as a report: ``vendor``'s devices (see :func:`list_devices`), and a note
    on the vendors whose package is missing or, for IBM's alone, how to list the others."""
    from .reports.listing import listing_report

    vendor = vendor.strip().lower()
    if vendor == "ibm":
        notes = ["Other vendors' devices: qpumon list --vendor all (or google, quantinuum, iqm)."]
        return listing_report(list_devices(vendor), notes=notes)
    from .sources.vendors import VENDORS, unavailable_vendors

    if vendor != "all" and vendor not in VENDORS:
        from .model.vocabulary import unknown

        raise unknown("vendor", vendor, ["ibm", *VENDORS, "all"], where="--vendor")
    missing = unavailable_vendors()
    notes = [m for name, m in missing.items() if vendor in (name, "all")]
    title = "Devices" if vendor == "all" else f"{VENDOR_NAMES.get(vendor, vendor)} devices"
    return listing_report(list_devices(vendor), title, notes)


def best_qubits(
    device: Any,
    num_qubits: int,
    shape: str = "line",
    top: int = 5,
    cost_model: str = "default",
    max_seconds: float | None = None,
    source: SourceOptions | None = None,
    avoid_recent_dips: timedelta | None = None,
    db: str | Path | Reader | None = None,
) -> QubitChoice:
    """The ``top`` best connected sets of ``num_qubits`` qubits of ``shape`` (``line``,
    ``ring``, ``any``) on ``device``, best first; ``avoid_recent_dips`` leaves out the qubits with
    a dip (``qpumon events``) in that time before now, read from the history ``db``."""
    from .choose.candidates import best_qubits as search

    snapshot = load_snapshot(device, source)
    options: dict[str, Any] = {} if max_seconds is None else {"max_seconds": max_seconds}
    if avoid_recent_dips is not None:
        options["avoided"] = recent_dips(db, [snapshot.name], avoid_recent_dips)[snapshot.name]
    return search(snapshot, num_qubits, shape, top, cost_model, **options)


def _span(within: timedelta) -> str:
    """``7 days`` or ``12:00:00``: a duration as a sentence says it."""
    if within.total_seconds() % 86400 == 0:
        return f"{within.days} days" if within.days != 1 else "day"
    return str(within)


def recent_dips(
    db: str | Path | Reader | None, devices: Sequence[str], within: timedelta
) -> dict[str, Avoided]:
    """Per device, the qubits with a dip in its stored history in the ``within`` before now:
    what ``--avoid-recent-dips`` keeps out of layouts."""
    from .choose.tables import Avoided
    from .history.events import BASELINE, events, recent_dip_qubits
    from .store import reading

    now = datetime.now(timezone.utc)
    found = {}
    with reading(db) as store:
        for name in devices:
            try:
                report = events(store, name, since=now - within - BASELINE, kinds=("dip",))
            except StoreError:  # no history of this device: nothing to avoid, and said so
                why = f"no history of {name} stored in the last {_span(within + BASELINE)}"
                found[name] = Avoided(frozenset(), why)
                continue
            why = f"a dip in the last {_span(within)}, qpumon events {name}"
            found[name] = Avoided(frozenset(recent_dip_qubits(report, within, now)), why)
    return found


def place(
    circuit: Any,
    devices: Iterable[Any] | None = None,
    top: int = 5,
    cost_model: str = "default",
    max_seconds: float | None = None,
    source: SourceOptions | None = None,
    avoid_recent_dips: timedelta | None = None,
    db: str | Path | Reader | None = None,
) -> Placement:
    """The best layouts of ``circuit`` (a ``QuantumCircuit``, or an OpenQASM 2/3 or QPY path) on
    ``devices`` (default: every bundled device with calibration); the result's
    ``initial_layout`` is ready for ``qiskit.transpile(circuit, backend, initial_layout=...)``."""
    from .choose.place import place as search

    source = source or SourceOptions()
    every = devices is None
    names = default_bundled().names() if every else list(devices or ())
    if not names:
        raise UsageError("place: name one or more devices, or give --all")
    snapshots = [source.resolve(name) for name in names]
    options: dict[str, Any] = {} if max_seconds is None else {"max_seconds": max_seconds}
    if avoid_recent_dips is not None:
        options["avoided"] = recent_dips(db, [s.name for s in snapshots], avoid_recent_dips)
    return search(
        Path(circuit) if isinstance(circuit, str) else circuit,
        snapshots,
        top=top,
        cost_model=cost_model,
        skip_uncalibrated=every or len(snapshots) > 1,  # one unusable device: say it, go on
        **options,
    )


def map_figure(
    device: Any,
    qubit_metric: str = "readout",
    edge_metric: str = "2q_error",
    source: SourceOptions | None = None,
) -> Any:
    """The chip map of ``device`` as a matplotlib ``Figure`` (see
    :func:`qpumon.pictures.map_figure`)."""
    from .pictures import map_figure as draw

    return draw(load_snapshot(device, source), qubit_metric, edge_metric)


def distribution_figure(
    device: Any, metric: str = "t1", kind: str = "hist", source: SourceOptions | None = None
) -> Any:
    """The distribution of ``metric`` over ``device`` (``kind``: ``hist``, ``cdf``, ``box``)."""
    from .pictures import distribution_figure as draw

    return draw(load_snapshot(device, source), metric, kind)


def compare_figure(
    devices: Sequence[Any],
    metric: str = "2q_error",
    kind: str = "cdf",
    source: SourceOptions | None = None,
) -> Any:
    """The distributions of ``metric`` over several devices, overlaid in one figure."""
    from .pictures import compare_figure as draw

    return draw([load_snapshot(d, source) for d in devices], metric, kind)


def html_report(
    device: Any,
    source: SourceOptions | None = None,
    db: str | Path | Reader | None = None,
    history: bool = True,
) -> str:
    """A self-contained HTML page of ``device``'s monitor report, map and distributions (what
    ``qpumon report`` writes); with ``history``, also its health over time (the T1 timeline
    and episodes of ``qpumon events``) when the history ``db`` holds the device."""
    from .reports.formats import render

    report = monitor_report(device, source=source)
    if history:
        names = [device] if isinstance(device, str) else []  # the history's name for it first
        report = replace(report, health=_stored_health(db, [*names, report.snapshot.name]))
    return render(report, "html")


def _stored_health(db: str | Path | Reader | None, names: Sequence[str]) -> Health | None:
    """The device's health from the history under the first of ``names`` it holds, None when
    there is none (a default SQLite file that does not exist is not created for this)."""
    from .reports.health import stored_health
    from .store import as_url, reading

    if db is None or isinstance(db, str | Path):
        url = as_url(db)
        if url.startswith("sqlite:///") and "?" not in url and not Path(url[10:]).exists():
            return None
    try:
        with reading(db) as store:
            stored = {info.name for info in store.devices()}
            held = next((name for name in names if name in stored), None)
            return None if held is None else stored_health(store, held)
    except (StoreError, MissingExtraError):
        return None


def best_report(
    device: Any,
    num_qubits: int,
    shape: str = "line",
    top: int = 5,
    cost_model: str = "default",
    max_seconds: float | None = None,
    source: SourceOptions | None = None,
    avoid_recent_dips: timedelta | None = None,
    db: str | Path | Reader | None = None,
) -> Report:
    """The best connected sets of ``num_qubits`` qubits on ``device`` (see ``qpumon best``)."""
    from .reports.choose import best_report as report

    found = best_qubits(
        device, num_qubits, shape, top, cost_model, max_seconds, source, avoid_recent_dips, db
    )
    return report(found)


def place_report(
    circuit: Any,
    devices: Iterable[Any] | None = None,
    top: int = 5,
    cost_model: str = "default",
    max_seconds: float | None = None,
    source: SourceOptions | None = None,
    avoid_recent_dips: timedelta | None = None,
    db: str | Path | Reader | None = None,
) -> Report:
    """The best layouts of ``circuit`` (a path or a ``QuantumCircuit``) on ``devices``
    (default: every bundled device with calibration)."""
    from .reports.choose import place_report as report

    found = place(circuit, devices, top, cost_model, max_seconds, source, avoid_recent_dips, db)
    return report(found)


def backend_monitor(
    backend: Any, format: str = "table", file: TextIO | None = None, **options: Any
) -> None:
    """Print the monitor report of ``backend``, like Qiskit's removed function of this name.

    ``backend`` is a Qiskit ``BackendV2`` (``IBMBackend``, ``FakeFez()``...), a device name or a
    calibration file. ``format`` is any of ``qpumon.reports.formats.FORMATS``; ``options`` are
    those of :class:`MonitorOptions` (``qubits="0-9"``, ``sort="t1"``...).
    """
    from .reports.formats import render

    out = file or sys.stdout
    from .reports.monitor import MonitorOptions

    out.write(render(monitor_report(backend, MonitorOptions(**options)), format))


def backend_overview(
    backends: Sequence[Any] | None = None,
    format: str = "table",
    file: TextIO | None = None,
    sort: str = "device",
) -> None:
    """Print the overview of ``backends`` (default: every bundled device)."""
    from .reports.formats import render

    out = file or sys.stdout
    out.write(render(overview_report(backends, sort=sort), format))


# -- the history commands ------------------------------------------------------------------


def import_calibrations(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    options: ImportOptions | None = None,
    advance: Callable[[Path], None] | None = None,
) -> Imported:
    """``qpumon import``: store the calibration files ``paths`` name (a folder: every ``.csv``
    under it, such as IBM's calibration CSVs), each once; see :mod:`qpumon.history.importing`."""
    from .history.importing import import_paths
    from .store import opened

    with opened(db) as store:
        return import_paths(store, [Path(p) for p in paths], options, advance)


def metric_history(
    db: str | Path | Reader | None,
    device: str,
    metric: str | None = None,
    qubit: int | None = None,
    gate: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    every_value: bool = True,
) -> History:
    """One metric of ``device`` over time (``--metric``, ``--qubit``, ``--gate NAME[:QUBITS]``);
    a :class:`~qpumon.errors.StoreError` saying which range the store holds when none is in
    ``[since, until]``. ``every_value`` also reads each value's measurement time."""
    from .history.series import read_history, select_metric
    from .store import reading

    with reading(db) as store:
        selection = select_metric(store, device, metric, qubit, gate)
        measured = every_value or selection.qubits is not None
        found = read_history(store, device, selection, since, until, measured)
        if not found.series:
            window = f"between {short(since, 'the start')} and {short(until, 'now')}"
            raise StoreError(
                f"no stored {selection.label} values for {device} {window}; "
                + _held(store.snapshots(device), device)
            )
    return found


def _held(stored: Sequence[Any], device: str) -> str:
    """What the store holds of ``device``: how many snapshots, calibrated when."""
    from .util.words import count

    if not stored:
        return f"the store holds no snapshot of {device}"
    return (
        f"the store holds {count(len(stored), 'snapshot')} of {device}, calibrated "
        f"{short(stored[0].calibrated_at)} to {short(stored[-1].calibrated_at)} UTC"
    )


def drift_of(
    db: str | Path | Reader | None, device: str, since: datetime | None = None, top: int = 20
) -> TablesReport:
    """``qpumon drift`` as a report: the newest snapshot against each subject's baseline."""
    from .history.drift import drift
    from .reports.history import drift_report
    from .store import reading

    with reading(db) as store:
        return drift_report(drift(store, device, since), top)


def events_of(
    db: str | Path | Reader | None,
    device: str,
    since: datetime | None = None,
    until: datetime | None = None,
    timeline: Path | None = None,
    metric: str = "t1",
) -> TablesReport:
    """``qpumon events`` as a report: every episode (dip, step, flag, persistently bad) of each
    qubit and coupler of ``device``; ``timeline`` also draws the heat map of ``metric``."""
    from .history.events import events
    from .reports.history import events_report
    from .store import reading

    with reading(db) as store:
        found = events(store, device, since, until)
        if timeline is not None:
            _draw_timeline(store, found, metric, since, until, timeline)
    return events_report(found)


def _draw_timeline(
    store: Reader,
    found: EventsReport,
    metric: str,
    since: datetime | None,
    until: datetime | None,
    path: Path,
) -> None:
    from .history.series import read_history, select_metric
    from .pictures.timeline import save_timeline

    selection = select_metric(store, found.device, metric, None, None)
    history = read_history(store, found.device, selection, since, until, False)
    key = history.selection.metric.key
    gate = history.selection.gate if history.selection.metric.scope != "qubit" else None
    prefix = "qubit " if gate is None else f"{gate} "
    shown = [e for e in found.episodes if e.metric == key and e.subject.startswith(prefix)]
    save_timeline(history, shown, path)


def diff_of(
    db: str | Path | Reader | None,
    device: str,
    start: datetime | None = None,
    end: datetime | None = None,
    top: int = 20,
) -> TablesReport:
    """``qpumon diff`` as a report: what changed between two stored snapshots."""
    from .history.diff import diff_snapshots, pick_pair
    from .reports.history import diff_report
    from .store import reading

    with reading(db) as store:
        old, new = pick_pair(store, device, start, end)
        return diff_report(diff_snapshots(store.load(old.id), store.load(new.id)), top)
