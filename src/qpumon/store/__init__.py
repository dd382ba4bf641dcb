"""The calibration history: a SQL database (SQLite by default, PostgreSQL for a team).

``open_store()`` opens the database named by its argument, else by the ``QPUMON_DB`` environment
variable, else a SQLite file in the user's data directory. SQLAlchemy is imported only when a
store is opened, so the rest of qpumon does not pay for it.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QpumonError

if TYPE_CHECKING:
    from .db import Store

# Every part of the store needs SQLAlchemy (an optional extra): say so once, here, before any
# module of the package fails on its import. find_spec looks without importing.
if importlib.util.find_spec("sqlalchemy") is None:
    raise QpumonError("the history store needs SQLAlchemy: pip install 'qpumon[store]'")

#: The environment variable that names the database (a SQLAlchemy URL).
DB_ENV = "QPUMON_DB"


def default_url() -> str:
    """``QPUMON_DB`` if set, else ``sqlite:///<user data dir>/history.db``."""
    url = os.environ.get(DB_ENV, "").strip()
    if url:
        return url
    try:
        import platformdirs
    except ModuleNotFoundError:
        raise _missing("platformdirs") from None
    folder = Path(platformdirs.user_data_dir("qpumon", appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QpumonError(f"{folder}: cannot create the data directory ({exc.strerror})") from None
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
        raise _missing(exc.name or "sqlalchemy") from None
    return Store(as_url(db))


def _missing(name: str) -> QpumonError:
    return QpumonError(f"the history store needs {name}: pip install 'qpumon[store]'")
