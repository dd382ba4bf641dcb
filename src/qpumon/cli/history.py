"""The history commands: record, import, backfill, watch, history, drift, diff, check and
demo-history. The store (SQLAlchemy) is imported only when one of them runs."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import NoCalibrationError, signal_exit_code
from ..history.rules_format import RULES_HELP
from ..sources import is_live_name, require_live, resolve
from ..util.printable import printable
from ..util.times import parse_duration, parse_time
from ..util.words import count as counted
from .options import (
    Index,
    Output,
    output_options,
    rules_option,
    source_options,
    store_options,
    top_option,
)

if TYPE_CHECKING:
    from ..history.alerts import Rules
    from ..history.check import Outcome
    from ..history.importing import Imported
    from ..sources import SourceOptions

F = TypeVar("F", bound=Callable[..., Any])


def _when(text: str | None, what: str) -> datetime | None:
    return None if text is None else parse_time(text, what)


def _rules(path: Path | None) -> Rules | None:
    from ..history.alerts import load_rules

    return None if path is None else load_rules(path)


def _log(line: str) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(f"{stamp} {printable(line)}", err=True)


def _report(outcomes: Sequence[Outcome]) -> None:
    """Print what was recorded and the alerts with the print action; problems on stderr; exit
    with :func:`~qpumon.history.check.exit_code` (2 input, 3 service, 4 an alert not delivered,
    1 an alert with the exit action fired)."""
    from ..history.check import exit_code
    from ..history.watch import describe

    for outcome in outcomes:
        if outcome.recorded is not None:
            click.echo(printable(describe(outcome.recorded)))
        for firing in () if outcome.alerts is None else outcome.alerts.fired:
            if "print" in firing.rule.actions:
                click.echo(f"ALERT {printable(firing.message)}")
        if outcome.problem is not None:
            problem = outcome.problem  # a file's errors already start with its name
            named = problem.startswith(outcome.device)
            message = printable(problem if named else f"{outcome.device}: {problem}")
            click.echo(f"qpumon: error: {message}", err=True)
    code = exit_code(outcomes)
    if code:
        sys.exit(code)


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[str], None] | None]:
    """A transient progress bar on a terminal's stderr: ``advance(label)`` per item."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda label: bar.update(task, advance=1, description=printable(label))


@click.command()
@click.argument("devices", nargs=-1, required=True)
@store_options
@rules_option()
@source_options
def record(
    devices: tuple[str, ...], db: str | None, rules: Path | None, source: SourceOptions
) -> None:
    """Store the current snapshot of each DEVICE (a bundled name, a file, or ibm_* with an
    account). The same calibration recorded again is stored once. With --rules, alerts are
    checked."""
    from ..history.watch import record_devices
    from ..store import opened

    source.require_accounts(devices, "recording it fetches it")
    chosen = _rules(rules)
    with opened(db) as store:
        fetch = lambda d: source.resolve(d, require_live=True)  # noqa: E731
        _report(record_devices(store, devices, fetch, chosen))


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--device", help="The device the CSV files describe (default: from each file's name)."
)
@click.option(
    "--calibrated-at",
    metavar="TIME",
    help="When the CSV files were calibrated, ISO-8601 (default: from each file's name, as IBM "
    "names its downloads; never the file's modification time).",
)
@click.option(
    "--ignore-column",
    "ignore",
    multiple=True,
    metavar="NAME",
    help="Skip this CSV column instead of refusing a file that has it (repeatable).",
)
@click.option(
    "--conf",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="IBM configuration JSON giving the coupling map (default: the bundled one of the "
    "device, else the couplers the files list).",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Skip a file that cannot be read (named on stderr) instead of stopping at it.",
)
@store_options
def import_command(
    paths: tuple[Path, ...],
    device: str | None,
    calibrated_at: str | None,
    ignore: tuple[str, ...],
    conf: Path | None,
    keep_going: bool,
    db: str | None,
) -> None:
    """Store calibration files: qpumon or IBM JSON, or IBM's calibration CSVs ("Download
    calibrations"; a folder: every .csv under it). Each file is its own transaction and one
    calibration is stored once, so importing again stores nothing new; byte-identical copies
    are read once. A file that cannot be read stops the import (exit 2, naming its row and
    column), with nothing stored from it."""
    from ..api import import_calibrations
    from ..history.importing import ImportOptions, expand

    options = ImportOptions(
        device, _when(calibrated_at, "--calibrated-at"), frozenset(ignore), conf, keep_going
    )
    with _progress(len(expand(paths)), "importing") as advance:
        done = import_calibrations(
            paths, db, options, None if advance is None else lambda p: advance(p.name)
        )
    for _, why in done.refused:
        click.echo(f"qpumon: skipped: {printable(why)}", err=True)
    for line in import_summary(done):
        click.echo(line)


def import_summary(done: Imported) -> list[str]:
    """What ``import`` says it did: files stored, already stored, skipped and why."""
    files = len(done.recorded)
    lines = [
        f"imported {counted(files, 'file')}: {done.stored} stored, {done.already} already stored"
    ]
    if done.copies:
        copy, kept = done.copies[0]
        lines.append(
            f"skipped {counted(len(done.copies), 'byte-identical copy', 'byte-identical copies')}"
            f" of other files (the earliest dated is kept; e.g. {printable(str(copy))} = "
            f"{printable(str(kept))})"
        )
    if done.refused:
        lines.append(f"skipped {counted(len(done.refused), 'file')} that could not be read")
    if done.undated:
        lines.append(
            f"{counted(len(done.undated), 'file')} without a time in the file name: kept "
            "undated (give --calibrated-at)"
        )
    return lines


@click.command()
@click.argument("device")
@click.option("--since", default="90d", show_default=True, help="How far back: 90d, 12w, 1y...")
@click.option("--every", default="1d", show_default=True, help="Step between fetched times.")
@store_options
@source_options
def backfill(device: str, since: str, every: str, db: str | None, source: SourceOptions) -> None:
    """Store DEVICE's past calibrations from its live service (IBM Quantum, IonQ, IQM; needs
    an account), one per --every step."""
    from ..history.watch import backfill as run_backfill
    from ..store import opened

    now = datetime.now(timezone.utc)
    step, start = parse_duration(every, "--every"), now - parse_duration(since, "--since")
    require_live(
        device, source.live, source.offline, "backfill reads its past calibrations", history=True
    )
    fetch_at = lambda when: replace(source, at=when).resolve(device, require_live=True)  # noqa: E731
    with opened(db) as store:
        done = run_backfill(store, fetch_at, start, now, step, _log)
    line = f"{device}: {done.stored} stored, {done.already} already stored, "
    line += f"{len(done.failures)} failed"
    if done.too_early:
        line += (
            f"; {counted(len(done.too_early), 'earlier time')} skipped: the service has no "
            f"calibration at or before {done.too_early[-1].isoformat(timespec='seconds')}"
        )
    click.echo(line)
    if done.failures and not done.stored + done.already:
        sys.exit(3)
    if done.too_early and not done.stored + done.already:
        raise NoCalibrationError(f"{device}: no calibration in the {since} before now")


@click.command()
@click.argument("devices", nargs=-1, required=True)
@click.option("--every", default="30m", show_default=True, help="Period: 30m, 1h, 1d...")
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many rounds.")
@store_options
@rules_option()
@source_options
def watch(
    devices: tuple[str, ...],
    every: str,
    count: int | None,
    db: str | None,
    rules: Path | None,
    source: SourceOptions,
) -> None:
    """Record DEVICES every period until stopped (Ctrl-C: exit 130, SIGTERM: 143) or --count
    rounds are done (exit 0).

    A failed fetch is logged to stderr and retried the next period. A stop waits for nothing:
    the round in progress ends, whole snapshots stay recorded.
    """
    from ..history.watch import watch as run_watch
    from ..store import opened

    period = parse_duration(every, "--every")
    source.require_accounts(devices, "watching it fetches it")
    chosen = _rules(rules)
    stop = threading.Event()
    received: list[int] = []

    def stopping(signum: int, frame: object) -> None:
        received.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stopping)
    fetch = lambda d: source.resolve(d, require_live=True)  # noqa: E731
    with opened(db) as store:
        _log(f"watching {', '.join(devices)} every {period} into {store.display_url}")
        rounds = run_watch(store, devices, fetch, period, stop, _log, chosen, count)
    if received:
        _log(f"stopped ({signal.Signals(received[0]).name}) after {counted(rounds, 'round')}")
        sys.exit(signal_exit_code(received[0]))
    _log(f"stopped after {counted(rounds, 'round')}")


@click.command()
@click.argument("device")
@click.option(
    "--metric",
    help="t1, t2, readout, sx_error, 2q_error... (with --gate: error or length_ns). "
    "Default: t1, or error with --gate.",
)
@click.option("--qubit", type=Index(), help="Only this qubit.")
@click.option(
    "--gate",
    metavar="GATE[:QUBITS]",
    help="A gate: cz:3-4 (both directions), 'cz:3->4' (that one), sx:5, or cz: (every one).",
)
@click.option("--since", metavar="TIME", help="From TIME: an age (30d) or a date.")
@click.option("--until", metavar="TIME", help="Up to TIME: an age or a date.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the history into this image (png, svg, pdf; needs matplotlib).",
)
@store_options
@output_options("history")
def history(
    device: str,
    metric: str | None,
    qubit: int | None,
    gate: str | None,
    since: str | None,
    until: str | None,
    plot: Path | None,
    db: str | None,
    out: Output,
) -> None:
    """One metric of DEVICE over time: one qubit or gate, or every one (summarised per
    snapshot in the table; every value in CSV and JSON)."""
    from ..api import metric_history
    from ..reports.history import history_report

    every_value = out.fmt not in ("table", "plain", "markdown")
    start, end = _when(since, "--since"), _when(until, "--until")
    found = metric_history(db, device, metric, qubit, gate, start, end, every_value)
    if plot is not None:
        from ..pictures.history import save_history_plot

        save_history_plot(found, plot)
    out.emit(history_report(found))


@click.command()
@click.argument("device")
@click.option(
    "--since",
    metavar="TIME",
    help="Baseline window start (default: 30 days before the newest snapshot).",
)
@top_option(20, "Show this many subjects.")
@store_options
@output_options("drift")
def drift(device: str, since: str | None, top: int, db: str | None, out: Output) -> None:
    """Qubits and couplers whose newest value moved most against their own baseline.

    Baseline: each subject's (qubit's T1, T2, readout error, 1q gate error; each two-qubit
    gate's error) median and median absolute deviation (MAD) over the window before the newest
    snapshot. Score: robust z = (value - median) / (1.4826 * MAD), the scale floored at 1% of
    the median. Also lists gates newly flagged with IBM's error = 1 and gates that recovered.
    """
    from ..api import drift_of

    out.emit(drift_of(db, device, _when(since, "--since"), top))


@click.command()
@click.argument("device")
@click.option("--since", metavar="TIME", help="Only snapshots from TIME (30d, 2025-08-01, ...).")
@click.option("--until", metavar="TIME", help="Only snapshots up to TIME.")
@click.option(
    "--timeline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the timeline (qubits or couplers by snapshot, coloured by the value over the "
    "subject's own median, episodes marked) into this image (png, svg, pdf; needs matplotlib).",
)
@click.option(
    "--metric",
    default="t1",
    show_default=True,
    help="The metric the --timeline shows: t1, t2, readout_error or 2q_error.",
)
@store_options
@output_options("events")
def events(
    device: str,
    since: str | None,
    until: str | None,
    timeline: Path | None,
    metric: str,
    db: str | None,
    out: Output,
) -> None:
    """Episodes of each qubit's T1, T2 and readout error and each coupler's two-qubit gate error
    in DEVICE's stored history.

    dip: falls below half of the trailing 30-day median and comes back above 80% of it within 7
    days (errors: above twice, back below 1.25x). step: a lasting change of level, found by PELT
    (ruptures, least-squares cost on log values scaled by the series' noise, penalty 10 ln n;
    levels of at least 14 days and 5 snapshots, differing by 1.25x or more). error = 1: from when
    to when a gate was flagged. persistently bad: in the device's worst decile in at least 80% of
    the snapshots.
    """
    from ..api import events_of

    start, end = _when(since, "--since"), _when(until, "--until")
    out.emit(events_of(db, device, start, end, timeline, metric))


@click.command()
@click.argument("device")
@click.option(
    "--from",
    "start",
    metavar="TIME",
    help="The older snapshot: the newest at or before TIME (default: the one before --to).",
)
@click.option(
    "--to",
    "end",
    metavar="TIME",
    help="The newer snapshot: the newest at or before TIME (default: the newest).",
)
@top_option(20, "Show this many of the largest value changes.")
@store_options
@output_options("diff")
def diff(
    device: str, start: str | None, end: str | None, top: int, db: str | None, out: Output
) -> None:
    """What changed between two stored snapshots of DEVICE."""
    from ..api import diff_of

    out.emit(diff_of(db, device, _when(start, "--from"), _when(end, "--to"), top))


@click.command(epilog=RULES_HELP)
@click.argument("devices", nargs=-1, required=True)
@rules_option(required=True)
@store_options
@output_options("check")
def check(devices: tuple[str, ...], rules: Path, db: str | None, out: Output) -> None:
    """Check alert rules against the newest stored snapshot of each of DEVICES.

    An alert fires once when it becomes true (and is delivered); the rules file's format and
    the exit codes are below.
    """
    from ..history.alerts import load_rules
    from ..history.check import check_devices, exit_code
    from ..reports.history import check_report
    from ..store import opened

    chosen = load_rules(rules)
    with opened(db) as store:
        outcomes = check_devices(store, devices, chosen)
    out.emit(check_report(outcomes))
    code = exit_code(outcomes)
    if code:
        sys.exit(code)


@click.command(name="demo-history")
@click.argument("device")
@click.option("--days", type=click.IntRange(min=1, max=3650), default=365, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@store_options
def demo_history(device: str, days: int, seed: int, db: str | None) -> None:
    """Store a synthetic daily history of DEVICE with seeded drift, defects and failed gates,
    ending today and marked synthetic, for trying history, drift, diff and alerts offline.

    DEVICE may be a live name (ibm_fez): the history is drawn from its bundled snapshot
    (fake_fez) and stored under the name given, so that `qpumon history ibm_fez` finds it."""
    from ..history.demo import DemoSettings, ending_now, record_demo
    from ..store import opened

    base = resolve(device, offline=True)
    base = replace(base, name=device.strip()) if is_live_name(device) else base
    settings = DemoSettings(seed=seed)
    with opened(db) as store, _progress(days, "storing") as advance:
        step = None if advance is None else lambda r: advance(f"{r.calibrated_at:%Y-%m-%d}")
        end = ending_now(settings.step)
        stored = record_demo(store, base, days, settings, step, end)
    click.echo(
        f"{base.name}: {counted(stored, 'synthetic snapshot')} stored "
        f"({days - stored} already there)"
    )


COMMANDS: list[click.Command] = [
    record,
    import_command,
    backfill,
    watch,
    history,
    drift,
    events,
    diff,
    check,
    demo_history,
]
