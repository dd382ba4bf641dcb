"""qpumon's snapshot JSON round-trips every bundled device losslessly."""

from __future__ import annotations

import json

import pytest

from qpumon.model.serialize import dumps, snapshot_from_dict
from qpumon.sources import BundledSource
from qpumon.sources import resolve as load
from tests.conftest import bundled_dirs


@pytest.mark.parametrize("stem", bundled_dirs())
def test_round_trip(stem: str, tmp_path) -> None:
    snapshot = BundledSource().load(stem)
    text = dumps(snapshot)
    again = snapshot_from_dict(json.loads(text))
    assert again == snapshot
    assert dict(again.configuration) == dict(snapshot.configuration)
    path = tmp_path / "snap.json"
    path.write_text(text, encoding="utf-8")
    assert load(str(path)) == snapshot
