"""The calibration history: a SQL database (SQLite by default, PostgreSQL for a team).

``open_store()`` opens the database named by its argument, else by the ``QPUMON_DB`` environment
variable, else a SQLite file in the user's data directory. SQLAlchemy is imported only when a
store is opened, so the rest of qpumon does not pay for it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MissingExtraError, OutputError, missing_extra, pip_extra
from ..util.paths import user_data_dir

if TYPE_CHECKING:
    from .db import Store
    from .records import Reader

# Every part of the store needs SQLAlchemy (an optional extra): say so once, here, before any
# module of the package fails on its import. find_spec looks without importing.
if importlib.util.find_spec("sqlalchemy") is None:
    raise missing_extra("the history store", "SQLAlchemy", pip_extra("store"))

#: The environment variable that names the database (a SQLAlchemy URL).
DB_ENV = "QPUMON_DB"


def default_url() -> str:
    """``QPUMON_DB`` if set, else ``sqlite:///<user data dir>/history.db``."""
    url = os.environ.get(DB_ENV, "").strip()
    if url:
        return url
    folder = user_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the data directory ({exc.strerror})") from exc
    return f"sqlite:///{folder / 'history.db'}"


def as_url(db: str | Path | None) -> str:
    """A database URL from ``--db``: a URL, a file path (SQLite), or None for the default."""
    if db is None:
        return default_url()
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser()}"


def open_store(db: str | Path | None = None) -> Store:
    """The history store at ``db`` (see :func:`as_url`), created or migrated as needed."""
    try:
        from .db import Store
    except ModuleNotFoundError as exc:
        raise _missing(exc.name or "sqlalchemy") from exc
    return Store(as_url(db))


@contextmanager
def opened(db: str | Path | None = None) -> Iterator[Store]:
    """:func:`open_store`, closed when the block ends."""
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def open_reader(db: str | Path | None = None) -> Reader:
    """A reader of the history at ``db``: a SQLite file at the current schema is read with the
    standard library, a PostgreSQL database at the current schema with psycopg alone (no
    SQLAlchemy import either way); anything else through :func:`open_store`."""
    url = as_url(db)
    path = _sqlite_file(url)
    if path is not None:
        from .sqlite_reader import SqliteReader, current_file

        if current_file(path):
            return SqliteReader(path)
    elif url.startswith("postgresql"):
        from .pg_reader import open_pg_reader

        found = open_pg_reader(url)
        if found is not None:
            return found
    return open_store(db)


@contextmanager
def reading(db: str | Path | Reader | None = None) -> Iterator[Reader]:
    """:func:`open_reader`, closed when the block ends; an already open reader (a server's
    store) is used as it is and left open for its owner."""
    if db is not None and not isinstance(db, str | Path):
        yield db
        return
    reader = open_reader(db)
    try:
        yield reader
    finally:
        reader.close()


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL (with no options), else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    return Path(url[len(prefix) :])


def _missing(name: str) -> MissingExtraError:
    return missing_extra("the history store", name, pip_extra("store"))
