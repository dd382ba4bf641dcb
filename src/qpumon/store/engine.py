"""Connecting to the history database: engines, SQLite settings, transactions, retries, errors.

SQLite runs in WAL mode (readers never block the writer) with a busy timeout; a write transaction
starts with ``BEGIN IMMEDIATE`` so that two writers queue for the lock instead of failing half-way.
A write that still finds the database locked is retried a few times, then fails with one clear
line. Driver errors become :class:`StoreError` (exit 2) or, for a database server that cannot be
reached, :class:`~qpumon.errors.ServiceError` (exit 3).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ..errors import (
    DatabaseUnreachableError,
    QpumonError,
    StoreBusyError,
    StoreError,
    pip_extra,
)
from . import schema

T = TypeVar("T")

#: Seconds SQLite waits for a lock before it reports "database is locked".
BUSY_TIMEOUT_S = 10.0
#: Extra attempts of a write transaction that found the database locked.
LOCK_RETRIES = 3


def display_url(url: str) -> str:
    """``url`` with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` writes."""
    shown = display_url(url)
    try:
        parsed = make_url(url)
        engine = create_engine(parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite")
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreError(
            f"{shown}: no database driver for it ({exc}); for PostgreSQL: {pip_extra('postgres')}"
        ) from exc
    except ArgumentError as exc:
        raise StoreError(
            f"{url!r} is not a database URL (e.g. sqlite:///history.db or "
            "postgresql+psycopg://user@host/qpumon)"
        ) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_s)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get("qpumon_write") else ""
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def translate_errors(url: str, doing: str) -> Iterator[None]:
    """Turn driver errors raised inside into one clear :class:`QpumonError` line."""
    try:
        yield
    except QpumonError:
        raise
    except DBAPIError as exc:
        raise _translated(display_url(url), doing, exc) from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"{display_url(url)}: {doing} failed: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{display_url(url)}: {doing} failed: {exc.strerror or exc}") from exc


def _translated(shown: str, doing: str, exc: DBAPIError) -> QpumonError:
    message = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return StoreError(f"{shown}: not a usable SQLite database ({message}); give another --db")
    if "database or disk is full" in lowered or "no space left" in lowered:
        return StoreError(f"{shown}: {doing} failed: the disk is full ({message})")
    if "locked" in lowered or "busy" in lowered:
        return StoreBusyError(
            f"{shown}: {doing} failed: the database stayed locked by another writer ({message})"
        )
    if "unable to open database" in lowered:
        return StoreError(f"{shown}: cannot open the database file ({message})")
    if exc.connection_invalidated or _is_connect_failure(lowered):
        return DatabaseUnreachableError(f"{shown}: cannot reach the database server ({message})")
    return StoreError(f"{shown}: {doing} failed: {message}")


def _is_connect_failure(message: str) -> bool:
    return any(
        words in message
        for words in ("connection refused", "could not connect", "connection failed", "timeout")
    )


def write(engine: Engine, work: Callable[[Connection], T], retries: int = LOCK_RETRIES) -> T:
    """Run ``work`` in one write transaction, retrying it if SQLite reports a lock."""
    for attempt in range(retries + 1):
        try:
            with engine.connect() as connection:
                connection.execution_options(qpumon_write=True)
                with connection.begin():
                    return work(connection)
        except DBAPIError as exc:
            if attempt == retries or not _is_lock(exc):
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _is_lock(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def migrate(engine: Engine, url: str, up_to: int = schema.LATEST) -> int:
    """Bring the database to schema version ``up_to``; the version it is at afterwards."""

    def work(connection: Connection) -> int:
        _lock_for_migration(connection)
        current = _current_version(connection, url)
        if current > schema.LATEST:
            raise StoreError(
                f"{display_url(url)}: the history database has schema version {current}, newer "
                f"than this qpumon understands ({schema.LATEST}); upgrade qpumon"
            )
        for step in schema.MIGRATIONS:
            if current < step.version <= up_to:
                step.apply(connection)
                connection.execute(
                    insert(schema.schema_version).values(
                        version=step.version,
                        description=step.description,
                        applied_at=datetime.now(timezone.utc),
                    )
                )
                current = step.version
        return current

    with translate_errors(url, "opening the history database"):
        return write(engine, work)


def _lock_for_migration(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(7242017)"))


def _current_version(connection: Connection, url: str) -> int:
    tables = set(inspect(connection).get_table_names())
    if "schema_version" not in tables:
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{display_url(url)}: not a qpumon history database (it holds other tables: "
                f"{shown}); give another --db"
            )
        schema.schema_version.create(connection)
        return 0
    found = connection.execute(select(func.max(schema.schema_version.c.version))).scalar()
    return int(found or 0)
