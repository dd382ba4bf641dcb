"""Running the server: the store, the collector, the application and uvicorn, until SIGTERM or
Ctrl-C. The listening socket is bound before anything starts, so that a port in use is one
clear error. On the first signal uvicorn closes idle connections at once and gives requests in
flight a second; then the collector stops within a second (see :mod:`.collector`)."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from types import FrameType

from ..errors import UsageError
from ..history.alerts import load_rules
from ..model.summary import count
from . import require_extra
from .options import ServeOptions
from .upstream import make_plan

#: Seconds uvicorn lets requests in flight finish once asked to stop.
GRACEFUL_S = 1
#: Seconds the collector has to stop after uvicorn stopped.
COLLECTOR_STOP_S = 0.8


def serve(options: ServeOptions, log: Callable[[str], None]) -> int | None:
    """Serve until stopped (see the module docstring); ``log`` gets one line per event. The
    signal that stopped it (the command exits 128 + its number), None if none did."""
    require_extra()
    # Only now: these import starlette, uvicorn and SQLAlchemy, which may be missing.
    import uvicorn

    from ..store import opened
    from .app import create_app
    from .collector import Collector
    from .handlers import Dashboard, schedule_text

    for warning in options.warnings():
        log(f"warning: {warning}")
    rules = None if options.rules is None else load_rules(options.rules)
    plan = make_plan(options.devices, options.source)
    listener = bind(options.host, options.port)
    with opened(options.db) as store:
        collector = Collector(
            plan, store, log, rules=rules, every=options.every, status_every=options.status_every
        )
        dashboard = Dashboard(collector, schedule_text(options.every, options.status_every))
        app = create_app(dashboard, options.auth_token)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_S,
            lifespan="off",
        )
        log(_started(options, plan.has_live, listener, len(collector.view.devices), store))
        collector.start()
        try:
            return _run(uvicorn.Server(config), listener, log)
        finally:
            collector.stop(COLLECTOR_STOP_S)


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``; a :class:`UsageError` saying why if it cannot."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"--host {host!r}: not an address this machine has ({exc})") from exc
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as exc:
        listener.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}); is another server using the "
            "port? Give another --port"
        ) from exc
    listener.setblocking(False)
    return listener


def _run(server: object, listener: socket.socket, log: Callable[[str], None]) -> int | None:
    """uvicorn's ``run`` with our own SIGINT/SIGTERM handlers installed beneath its own, so
    that the signal it passes on after stopping ends here (a clean shutdown); that signal."""
    received: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[listener])  # type: ignore[attr-defined]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    if received:
        log(f"stopped ({signal.Signals(received[0]).name})")
        return received[0]
    return None


def _started(
    options: ServeOptions, live: bool, listener: socket.socket, devices: int, store: object
) -> str:
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in str(host) else str(host)
    accounts = " and the account's devices" if live and not options.devices else ""
    auth = "; bearer token required" if options.auth_token else ""
    where = getattr(store, "display_url", "")
    return (
        f"serving {count(devices, 'device')}{accounts} on http://{shown}:{port}/ "
        f"(history in {where}{auth}); Ctrl-C or SIGTERM stops"
    )
