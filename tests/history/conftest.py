"""Fixtures of the history tests: a SQLite store and the webhook stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qpumon.store.db import Store
from tests.history.webhook_server import Hook, serve


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store: the delivery and watch tests run on SQLite; the alert state itself is
    tested on both backends in test_alerts.py."""
    with Store(f"sqlite:///{tmp_path / 'h.db'}") as opened:
        yield opened


@pytest.fixture
def hook() -> Iterator[tuple[str, Hook]]:
    """The webhook stand-in, trickling one byte every 0.3 s where a test asks it to."""
    with serve(trickle_s=0.3) as running:
        yield running
