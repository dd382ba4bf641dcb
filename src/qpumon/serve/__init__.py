"""``qpumon serve``: a web dashboard, a JSON API and a Prometheus exporter for a lab's fleet.

The server (Starlette on uvicorn, the ``[serve]`` extra) holds one :class:`~.collector.Collector`
that refreshes every device on its schedule in a thread of its own (live devices every
``--every``, their status every minute; bundled and file devices once), records each new
calibration as ``qpumon watch`` does and keeps the latest snapshot of every device in memory.
Requests only read what the collector published (:class:`~.state.FleetView`): none waits on an
upstream fetch. What a request draws is cached per device version (:mod:`.cache`).

- :mod:`.options`: what the command line asked; :mod:`.upstream`: where devices come from;
- :mod:`.collector` and :mod:`.state`: the refresh loop and what it publishes;
- :mod:`.exporter`: ``/metrics`` (prometheus_client, names from :mod:`qpumon.model.metrics`);
- :mod:`.pages`, :mod:`.fleet`, :mod:`.figures`, :mod:`.assets`: the HTML pages;
- :mod:`.api`: the JSON API and its OpenAPI description; :mod:`.app`: routes and security;
- :mod:`.server`: uvicorn; :mod:`.grafana`: the dashboard JSON for Grafana;
- :mod:`.guard`: connections under deadlines and a descriptor budget (slowloris);
  :mod:`.drain`: requests in flight at SIGTERM finish or get a JSON 503 within a second;
  :mod:`.workers`: the daemon threads that draw answers.

Nothing here is imported by the other commands; starlette, uvicorn and prometheus_client are
imported only by the modules that need them.
"""

from __future__ import annotations

import importlib

from ..errors import missing_extra, pip_extra

#: The modules of the ``[serve]`` extra, by import name.
EXTRA_MODULES = ("starlette", "uvicorn", "prometheus_client")


def require_extra() -> None:
    """A :class:`MissingExtraError` naming the fix unless the ``[serve]`` extra is installed."""
    for name in EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise missing_extra(
                "qpumon serve", name, pip_extra("serve"), say_not_installed=True
            ) from exc
