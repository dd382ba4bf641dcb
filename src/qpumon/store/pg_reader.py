"""Reading a PostgreSQL history with psycopg alone, without SQLAlchemy.

``qpumon history``, ``drift``, ``diff`` and ``events`` only read; importing SQLAlchemy costs them
more than the read itself. :class:`PgReader` runs the queries of
:class:`~qpumon.store.sqlite_reader.SqliteReader` (plain SQL that both databases understand) on
one read-only psycopg connection. A database at another schema version, or a URL psycopg cannot
take, goes through the store instead, which migrates or explains.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import DatabaseUnreachableError, StoreError
from . import codec
from .records import SCHEMA_VERSION
from .sqlite_reader import SqliteReader

#: URL schemes read here (SQLAlchemy's names for PostgreSQL through psycopg 3).
SCHEMES = ("postgresql", "postgresql+psycopg")


def display(url: str) -> str:
    """``url`` with any password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def open_pg_reader(url: str) -> PgReader | None:
    """A reader of the PostgreSQL database at ``url``, or None where the store must open it
    (no psycopg, another scheme, another schema version)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return None
    try:
        import psycopg
    except ModuleNotFoundError:
        return None
    conninfo = urlunsplit(parts._replace(scheme="postgresql"))
    try:
        connection = psycopg.connect(conninfo, autocommit=True)
    except psycopg.OperationalError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnreachableError(
            f"{display(url)}: cannot reach the database server ({message})"
        ) from exc
    except psycopg.Error:
        return None  # e.g. an option psycopg does not take: the store says what is wrong
    try:
        connection.read_only = True
        found = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    except psycopg.Error:
        connection.close()
        return None
    if not found or found[0] != SCHEMA_VERSION:
        connection.close()
        return None
    return PgReader(url, connection)


class PgReader(SqliteReader):
    """A read-only view of the PostgreSQL history on ``connection`` (see the module docstring)."""

    def __init__(self, url: str, connection: Any) -> None:
        self.path = None  # type: ignore[assignment]
        self.display_url = display(url)
        self._pg: Any = connection
        self._shapes: dict[int, codec.Shape] = {}

    def close(self) -> None:
        """Release the connection."""
        self._pg.close()

    @staticmethod
    def _stored_time(when: datetime) -> Any:
        """A time as PostgreSQL compares it: the aware datetime itself (``timestamptz``)."""
        return when

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.OperationalError as exc:
            raise DatabaseUnreachableError(
                f"{self.display_url}: {doing} failed: the database server went away ({exc})"
            ) from exc
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise StoreError(f"{self.display_url}: {doing} failed: {message}") from exc

    def _rows(self, doing: str, sql: str, values: Sequence[Any] = ()) -> list[Any]:
        # Binary results: value blocks come as bytes, not as hex text to decode (half the time).
        with self._errors(doing), self._pg.cursor(binary=True) as cursor:
            cursor.execute(sql.replace("?", "%s"), list(values))
            return list(cursor.fetchall())
