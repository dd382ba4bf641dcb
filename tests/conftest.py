"""Shared fixtures: the bundled data read independently of qpumon, and a frozen clock."""

from __future__ import annotations

import copy
import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

# The database fixtures (``postgres``, ``db_url``, ``store``) for every test folder.
from tests.databases import db_url, postgres, store  # noqa: F401

#: How a test tells "it stopped at once" from "it waited for what it was told to stop waiting
#: for" (a stalled service, a hanging webhook, a 30-minute period: each 10 s or more). A bound on
#: the wait, far from both on a busy machine; it says nothing of qpumon's speed, which the
#: benchmarks measure.
PROMPT_S = 5.0

#: The clock golden files are rendered at.
FROZEN_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def bundled_root() -> Path:
    """qiskit-ibm-runtime's snapshot folder, found without qpumon."""
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


def bundled_dirs() -> list[str]:
    """Folder names of the bundled devices (``fez`` for fake_fez)."""
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / f"conf_{p.name}.json").exists())


def with_literal(document: Any, path: tuple[Any, ...], literal: str) -> str:
    """``document`` as JSON text with the raw JSON ``literal`` (NaN, 5,000 digits, deep
    nesting...) at ``path``: text no JSON library would write."""
    edited = copy.deepcopy(document)
    target = edited
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "\x00HERE\x00"
    return json.dumps(edited).replace('"\\u0000HERE\\u0000"', literal, 1)


def raw(stem: str, kind: str) -> Any:
    """The raw ``conf`` or ``props`` JSON of a bundled device, parsed with the standard library."""
    return json.loads((bundled_root() / stem / f"{kind}_{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture
def now() -> datetime:
    """The frozen clock."""
    return FROZEN_NOW


def write_out_of_service(
    folder: Path, stem: str, qubits: tuple[int, ...], gates: tuple[tuple[str, tuple[int, ...]], ...]
) -> Path:
    """A real properties file of ``stem`` (with its configuration beside it) in which IBM has
    taken ``qubits`` and ``gates`` (``("cz", (10, 11))``) out of service, as IBM writes it: an
    ``operational`` entry of value 0. Returns the properties file's path."""
    props = raw(stem, "props")
    stamp = props["last_update_date"]
    for index in qubits:
        props["qubits"][index].append(
            {"date": stamp, "name": "operational", "unit": "", "value": 0}
        )
    wanted = {(name, tuple(on)) for name, on in gates}
    for gate in props["gates"]:
        if (gate["gate"], tuple(gate["qubits"])) in wanted:
            gate["parameters"].append(
                {"date": stamp, "name": "operational", "unit": "", "value": 0}
            )
    path = folder / f"props_{stem}.json"
    path.write_text(json.dumps(props), encoding="utf-8")
    (folder / f"conf_{stem}.json").write_text(json.dumps(raw(stem, "conf")), encoding="utf-8")
    return path
