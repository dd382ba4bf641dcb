"""``qpumon serve`` (the web dashboard, JSON API and Prometheus exporter) and
``qpumon grafana-dashboard``. The server's libraries are imported only when it starts."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import signal_exit_code
from ..serve import require_extra
from ..util.output import shown_path, write_output
from ..util.printable import printable
from ..util.redaction import redact
from ..util.times import parse_duration
from .options import output_file_option, rules_option, source_options, store_options

if TYPE_CHECKING:
    from ..sources import SourceOptions


def _log(line: str) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(f"{stamp} {redact(printable(redact(line)))}", err=True)  # every line, secrets hidden


@click.command()
@click.argument("devices", nargs=-1)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port."
)
@click.option(
    "--every",
    default="30m",
    show_default=True,
    help="How often live devices' calibrations are fetched (30m, 1h...).",
)
@click.option(
    "--status-every",
    default="1m",
    show_default=True,
    help="How often live devices' status and queue are fetched (failed devices are retried "
    "as often).",
)
@click.option(
    "--auth-token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Require `Authorization: Bearer <token>` on every route but /healthz; the token is "
    "the file's first line (the file must be readable by you only).",
)
@store_options
@rules_option()
@source_options
def serve(
    devices: tuple[str, ...],
    host: str,
    port: int,
    every: str,
    status_every: str,
    auth_token_file: Path | None,
    db: str | None,
    rules: Path | None,
    source: SourceOptions,
) -> None:
    """Serve a dashboard of DEVICES (default: every bundled device, plus every device of the
    IBM Quantum account when one is configured): the fleet page at /, a page per device, a
    JSON API under /api (OpenAPI at /api/openapi.json) and Prometheus metrics at /metrics.

    Live devices are fetched every --every (their status every --status-every), recorded into
    the history store like `qpumon watch` does, and checked against --rules. Read-only;
    listens on 127.0.0.1 unless --host says otherwise. Ctrl-C (exit 130) or SIGTERM (exit
    143) stops it.
    """
    require_extra()
    from ..serve.options import ServeOptions, read_token_file
    from ..serve.server import serve as run

    options = ServeOptions(
        devices=devices,
        host=host,
        port=port,
        db=db,
        every=parse_duration(every, "--every"),
        status_every=parse_duration(status_every, "--status-every"),
        rules=rules,
        auth_token=None if auth_token_file is None else read_token_file(auth_token_file),
        source=source,
    )
    stopped = run(options, _log)
    if stopped is not None:  # Ctrl-C: 130, SIGTERM: 143, after the clean shutdown
        sys.exit(signal_exit_code(stopped))


@click.command(name="grafana-dashboard")
@output_file_option(help="Write the dashboard to this file instead of standard output.")
def grafana_dashboard(output: Path | None) -> None:
    """The Grafana dashboard of qpumon's Prometheus metrics, as JSON to import into Grafana
    (Dashboards > New > Import); it asks for the Prometheus data source that scrapes
    `qpumon serve`."""
    from ..serve.grafana import dashboard_json

    text = dashboard_json()
    if output is None:
        click.echo(text, nl=False)
        return

    write_output(output, text)
    click.echo(f"Saved the Grafana dashboard to {shown_path(output)}.", err=True)


COMMANDS: list[click.Command] = [serve, grafana_dashboard]
