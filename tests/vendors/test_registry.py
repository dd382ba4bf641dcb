"""The registry of vendor names and content-recognised documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cirq_google.engine import list_virtual_processors
from pytket.extensions.quantinuum.backends.api_wrappers import OFFLINE_MACHINE_LIST

from qpumon.errors import InputError
from qpumon.sources import resolve_many
from qpumon.sources.files import load_file
from qpumon.sources.vendors import (
    VENDOR_PREFIXES,
    snapshot_from_document,
    vendor_device_names,
)
from tests.vendors.conftest import package_folder


def test_every_vendor_device_available_offline() -> None:
    fakes = package_folder("iqm.qiskit_iqm") / "fake_backends"
    expected = (
        [f"google:{p}" for p in list_virtual_processors()]
        + [f"quantinuum:{m['name'].lower()}" for m in OFFLINE_MACHINE_LIST]
        + [f"iqm:{p.stem.removeprefix('fake_')}" for p in fakes.glob("fake_*.py")]
    )
    assert vendor_device_names() == sorted(expected)
    assert len(expected) == 3 + 3 + 5
    assert VENDOR_PREFIXES == ("google:", "quantinuum:", "iqm:")


def test_a_vendor_without_its_package_is_left_out_and_says_why() -> None:
    code = (
        "import importlib.abc, json, sys\n"
        "class Hider(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pytket':\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Hider())\n"
        "from qpumon.sources.vendors import unavailable_vendors, vendor_device_names\n"
        "print(json.dumps([vendor_device_names(), unavailable_vendors()]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    names, missing = json.loads(out.stdout)
    assert not any(n.startswith("quantinuum:") for n in names)
    assert "google:weber" in names and "iqm:garnet" in names
    assert missing == {
        "quantinuum": "listing the quantinuum devices needs pytket-quantinuum: "
        "pip install 'qpumon[quantinuum]'"
    }


def test_resolve_many_takes_vendor_names_and_keeps_going() -> None:
    results = resolve_many(["iqm:adonis", "iqm:nope", "fake_fez"])
    assert [r.snapshot.name if r.snapshot else None for r in results] == [
        "iqm:adonis",
        None,
        "fake_fez",
    ]
    assert "unknown iqm device 'nope'" in str(results[1].error)


def test_other_documents_are_not_recognised(tmp_path: Path) -> None:
    assert snapshot_from_document({"hello": "world"}, "x.json") is None
    assert snapshot_from_document({"fidelity": {}, "timing": {}}, "x.json") is None
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"braketSchemaHeader": "not an object"}))
    with pytest.raises(InputError, match="not a calibration file"):
        load_file(path)
