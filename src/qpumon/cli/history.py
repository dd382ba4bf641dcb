"""The history commands: record, import, backfill, watch, history, drift, diff, check and
demo-history. The store (SQLAlchemy) is imported only when one of them runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import QpumonError
from .options import emit, output_file_option, render_options

if TYPE_CHECKING:
    from ..history.alerts import Rules
    from ..history.watch import Outcome
    from ..model import DeviceSnapshot
    from ..store.db import Store

F = TypeVar("F", bound=Callable[..., Any])


def store_options(function: F) -> F:
    """``--db``: the history database (a URL or a SQLite file; default ``QPUMON_DB``, then a
    SQLite file in the user's data directory)."""
    return click.option(
        "--db",
        metavar="URL",
        help="History database: a SQLite file or a URL such as "
        "postgresql+psycopg://user@host/qpumon (default: $QPUMON_DB, else history.db in the "
        "user data directory).",
    )(function)


def table_options(function: F) -> F:
    """``-f/--format`` (table, csv, json) and ``-o/--output``."""
    function = output_file_option(function)
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="table: for people; csv and json: every value.",
    )(function)


def rules_option(function: F) -> F:
    """``--rules FILE``: alert rules checked on what is recorded."""
    return click.option(
        "--rules",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Alert rules (TOML) checked on every record; see `qpumon check --help`.",
    )(function)


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    from ..store import open_store

    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def _when(text: str | None, what: str) -> datetime | None:
    from ..times import parse_time

    return None if text is None else parse_time(text, what)


def _rules(path: Path | None) -> Rules | None:
    from ..history.alerts import load_rules

    return None if path is None else load_rules(path)


def fetch_current(device: str) -> DeviceSnapshot:
    """The current snapshot of ``device``; an IBM Quantum name needs an account (a frozen bundled
    snapshot recorded under a live name would corrupt its history)."""
    from ..sources import resolve

    return resolve(device, require_live=True)


def _report(outcomes: Sequence[Outcome]) -> None:
    """Print what happened; exit with the worst problem's code (2 user error, 3 service fault),
    else 1 if an alert with the exit action fired."""
    from ..history.watch import describe

    failed, fired_exit = 0, False
    for outcome in outcomes:
        if outcome.recorded is not None:
            click.echo(describe(outcome.recorded))
        for firing in () if outcome.alerts is None else outcome.alerts.fired:
            if "print" in firing.rule.actions:
                click.echo(f"ALERT {firing.message}")
            fired_exit |= "exit" in firing.rule.actions
        if outcome.problem is not None:
            click.echo(f"qpumon: error: {outcome.device}: {outcome.problem}", err=True)
            failed = max(failed, outcome.exit_code or 1)
    if failed:
        sys.exit(failed)
    if fired_exit:
        sys.exit(1)


@click.command()
@click.argument("devices", nargs=-1, required=True)
@store_options
@rules_option
def record(devices: tuple[str, ...], db: str | None, rules: Path | None) -> None:
    """Store the current snapshot of each DEVICE (bundled name, file, or ibm_* with an account).

    Recording the same calibration again stores nothing new. With --rules, alerts are checked.
    """
    from ..history.watch import record_devices

    chosen = _rules(rules)
    with _store(db) as store:
        _report(record_devices(store, devices, fetch_current, chosen))


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_options
def import_command(files: tuple[Path, ...], db: str | None) -> None:
    """Store many snapshot FILES (qpumon JSON or IBM properties JSON), each in its own
    transaction; running it again after an interruption completes it without duplicates."""
    from ..history.watch import import_files
    from ..sources import load_file

    with _store(db) as store, _progress(len(files)) as advance:
        done = import_files(store, files, lambda p: load_file(p), advance)
    new = sum(r.stored for r in done)
    click.echo(f"imported {len(done)} files: {new} stored, {len(done) - new} already stored")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Path, Any], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("importing", total=total)
        yield lambda path, _recorded: bar.update(task, advance=1, description=path.name)


@click.command()
@click.argument("device")
@click.option("--since", default="90d", show_default=True, help="How far back: 90d, 12w, 1y...")
@click.option("--every", default="1d", show_default=True, help="Step between fetched times.")
@store_options
def backfill(device: str, since: str, every: str, db: str | None) -> None:
    """Store IBM Quantum's past calibrations of DEVICE (an ibm_* name; needs an account)."""
    from ..history.watch import backfill as run_backfill
    from ..times import parse_duration

    fetch_at = live_fetch_at(device)
    now = datetime.now(timezone.utc)
    step = parse_duration(every, "--every")
    with _store(db) as store:
        done = run_backfill(
            store, fetch_at, now - parse_duration(since, "--since"), now, step, _log_err
        )
    click.echo(
        f"{device}: {done.stored} stored, {done.already} already stored, "
        f"{len(done.failures)} failed"
    )
    if done.failures and not done.stored + done.already:
        sys.exit(3)


def live_fetch_at(device: str) -> Callable[[datetime], DeviceSnapshot]:
    """``fetch_at(when)``: IBM Quantum's calibration of ``device`` in force at ``when``."""
    from ..live import LiveOptions, connect, is_live_name

    if not is_live_name(device):
        raise QpumonError(
            f"backfill reads IBM Quantum's past calibrations: give a live name such as "
            f"ibm_fez, not {device!r} (for files use `qpumon import`)"
        )
    source = connect(LiveOptions())
    return lambda when: source.snapshot(device, at=when)


def _log_err(line: str) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(f"{stamp} {line}", err=True)


@click.command()
@click.argument("devices", nargs=-1, required=True)
@click.option("--every", default="30m", show_default=True, help="Period: 30m, 1h, 1d...")
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many rounds.")
@store_options
@rules_option
def watch(
    devices: tuple[str, ...], every: str, count: int | None, db: str | None, rules: Path | None
) -> None:
    """Record DEVICES every period until stopped (Ctrl-C, SIGTERM: stops between records).

    A failed fetch is logged to stderr and retried the next period.
    """
    import signal
    import threading

    from ..history.watch import watch as run_watch
    from ..times import parse_duration

    period = parse_duration(every, "--every")
    chosen = _rules(rules)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with _store(db) as store:
        _log_err(f"watching {', '.join(devices)} every {period} into {store.display_url}")
        rounds = run_watch(store, devices, fetch_current, period, stop, _log_err, chosen, count)
    _log_err(f"stopped after {rounds} rounds")


@click.command()
@click.argument("device")
@click.option(
    "--metric",
    help="t1, t2, readout, sx_error, 2q_error... (with --gate: error or "
    "length_ns). Default: t1, or error with --gate.",
)
@click.option("--qubit", type=click.IntRange(min=0), help="Only this qubit.")
@click.option("--gate", metavar="GATE[:QUBITS]", help="A gate, e.g. cz:3-4 (or cz: every one).")
@click.option("--since", metavar="TIME", help="From TIME: an age (30d) or a date.")
@click.option("--until", metavar="TIME", help="Up to TIME: an age or a date.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the history into this image (png, svg, pdf; needs matplotlib).",
)
@store_options
@table_options
def history(
    device: str,
    metric: str | None,
    qubit: int | None,
    gate: str | None,
    since: str | None,
    until: str | None,
    plot: Path | None,
    db: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """One metric of DEVICE over time: one qubit or gate, or every one (summarised per
    snapshot in the table; every value in CSV and JSON)."""
    from ..history.series import read_history, select_metric
    from ..reports.history import dump_json, history_rows, history_table, render_tables, rows_csv

    with _store(db) as store:
        selection = select_metric(store, device, metric, qubit, gate)
        measured = fmt != "table" or selection.qubits is not None
        found = read_history(
            store, device, selection, _when(since, "--since"), _when(until, "--until"), measured
        )
    if not found.series:
        raise QpumonError(f"no stored {selection.label} values for {device} in that time range")
    if plot is not None:
        from ..pictures.history import save_history_plot

        save_history_plot(found, plot)
    if fmt == "csv":
        text = rows_csv(history_rows(found))
    elif fmt == "json":
        text = dump_json(history_rows(found))
    else:
        text = render_tables([history_table(found)], fmt, render_options(fmt, output))
    emit(text, output)


@click.command()
@click.argument("device")
@click.option(
    "--since",
    metavar="TIME",
    help="Baseline window start (default: 30 days before the newest snapshot).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show this many subjects.",
)
@store_options
@table_options
def drift(
    device: str, since: str | None, top: int, db: str | None, fmt: str, output: Path | None
) -> None:
    """Qubits and couplers whose newest value moved most against their own baseline.

    Baseline: each subject's (qubit's T1, T2, readout error, 1q gate error; each two-qubit
    gate's error) median and median absolute deviation (MAD) over the window before the newest
    snapshot. Score: robust z = (value - median) / (1.4826 * MAD), the scale floored at 1% of
    the median. Also lists gates newly flagged with IBM's error = 1 and gates that recovered.
    """
    from ..history.drift import drift as run_drift
    from ..reports.history import drift_table, render_tables

    with _store(db) as store:
        report = run_drift(store, device, _when(since, "--since"))
    emit(render_tables([drift_table(report, top)], fmt, render_options(fmt, output)), output)


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
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show this many of the largest value changes.",
)
@store_options
@table_options
def diff(
    device: str,
    start: str | None,
    end: str | None,
    top: int,
    db: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """What changed between two stored snapshots of DEVICE."""
    from ..history.diff import diff_snapshots, pick_pair
    from ..reports.history import diff_tables, render_tables

    with _store(db) as store:
        old, new = pick_pair(store, device, _when(start, "--from"), _when(end, "--to"))
        result = diff_snapshots(store.load(old.id), store.load(new.id))
    emit(render_tables(diff_tables(result, top), fmt, render_options(fmt, output)), output)


@click.command()
@click.argument("devices", nargs=-1, required=True)
@click.option(
    "--rules",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The alert rules (TOML).",
)
@store_options
def check(devices: tuple[str, ...], rules: Path, db: str | None) -> None:
    """Check alert rules against the newest stored snapshot of each of DEVICES.

    \b
    Rules file (TOML):
      webhook = "https://hooks.example.org/qpumon"   # for the webhook action
      baseline_days = 30
      [[alert]]
      when = "t1_us < 50"                  # or "2q_error > 2 * baseline",
      actions = ["print", "exit"]          # "operational == false", "pending_jobs > 100"
    An alert fires once when it becomes true; exit code 1 if one with the exit action fired.
    """
    from ..history.check import check as run_check
    from ..history.check import deliver
    from ..history.watch import Outcome

    chosen = _rules(rules)
    assert chosen is not None
    outcomes = []
    with _store(db) as store:
        for device in devices:
            stored = store.snapshots(device)
            if not stored:
                raise QpumonError(f"no snapshots of {device} stored yet")
            result = run_check(store, store.load(stored[-1].id), chosen, datetime.now(timezone.utc))
            problems = deliver([result], chosen)
            outcomes.append(Outcome(device, alerts=result, problem="; ".join(problems) or None))
    _report(outcomes)


@click.command(name="demo-history")
@click.argument("device")
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@store_options
def demo_history(device: str, days: int, seed: int, db: str | None) -> None:
    """Store a synthetic daily history of DEVICE (a bundled device) with seeded drift, defects
    and failed gates, marked synthetic; for trying history, drift, diff and alerts."""
    from ..history.demo import DemoSettings
    from ..history.demo import demo_history as generate
    from ..sources import resolve

    base = resolve(device, offline=True)
    with _store(db) as store, _progress(days) as advance:
        stored = 0
        for snapshot in generate(base, days, DemoSettings(seed=seed)):
            recorded = store.record(snapshot, synthetic=True)
            stored += recorded.stored
            if advance is not None:
                advance(Path(snapshot.name), recorded)
    click.echo(f"{base.name}: {stored} synthetic snapshots stored ({days - stored} already there)")


COMMANDS: list[click.Command] = [
    record,
    import_command,
    backfill,
    watch,
    history,
    drift,
    diff,
    check,
    demo_history,
]
