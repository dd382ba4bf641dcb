"""Running the server: the store, the collector, the application and uvicorn, until SIGTERM or
Ctrl-C. The listening socket is bound before anything starts, so that a port in use is one
clear error. Connections are guarded (:mod:`.guard`: deadlines, a budget of descriptors). On
the first signal uvicorn closes idle connections at once, the collector is told to stop, and
requests in flight have a second to finish before they are answered 503 (:mod:`.drain`); then
the collector has stopped or is left behind (a daemon thread), and the process ends."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..history.alerts import load_rules
from ..util.words import count
from . import require_extra
from .options import ServeOptions
from .upstream import make_plan
from .workers import DRAWING

if TYPE_CHECKING:
    import uvicorn

    from .guard import Limits
    from .handlers import Dashboard

#: Seconds the collector has to stop after uvicorn stopped (it was told when uvicorn began to).
COLLECTOR_STOP_S = 0.5
#: How long a stopping server waits for pages still being drawn (answered already, for nobody).
DRAWING_STOP_S = 10.0
#: Seconds an idle kept-alive connection stays open (uvicorn's ``timeout_keep_alive``).
KEEP_ALIVE_S = 5


def serve(options: ServeOptions, log: Callable[[str], None]) -> int | None:
    """Serve until stopped (see the module docstring); ``log`` gets one line per event. The
    signal that stopped it (the command exits 128 + its number), None if none did."""
    require_extra()
    # Only now: these import starlette, uvicorn and SQLAlchemy, which may be missing.
    from ..store import opened
    from .collector import Collector
    from .guard import process_limits
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
        limits = process_limits()  # what the descriptors left now leave for connections
        server = make_server(dashboard, options.auth_token, limits, log, lambda: collector.stop(0))
        log(_started(options, plan.has_live, listener, len(collector.view.devices), store))
        collector.start()
        try:
            stopped_by = _run(server, listener, log)
        finally:
            collector.stop(COLLECTOR_STOP_S)
            # Every request is answered by now; a page still being drawn for nobody ends first.
            if not DRAWING.wait_idle(DRAWING_STOP_S):
                log(f"warning: a page was still being drawn after {DRAWING_STOP_S:g} s")
    return stopped_by


def make_server(
    dashboard: Dashboard,
    auth_token: str | None,
    limits: Limits,
    log: Callable[[str], None],
    on_stop: Callable[[], object] | None = None,
) -> uvicorn.Server:
    """The uvicorn server of ``dashboard``: its connections guarded by ``limits``, its requests
    drained when it stops (``on_stop`` is called as it begins to)."""
    import uvicorn

    from .app import SECURITY_HEADERS, create_app
    from .drain import GRACEFUL_S, Drain, stoppable
    from .guard import ACCEPT_BURST, MAX_HEAD_BYTES, Guard, RequestStates, protocol_for

    guard, drain = Guard(limits, log), Drain(on_begin=on_stop)
    app = create_app(dashboard, auth_token, drain=drain, log=log)
    config = uvicorn.Config(
        RequestStates(app, guard, SECURITY_HEADERS),
        http=protocol_for(guard),
        ws="none",
        backlog=ACCEPT_BURST,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_S,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="off",
    )
    return stoppable(config, drain)


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
