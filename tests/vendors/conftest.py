"""Shared helpers of the vendor tests: the vendor packages' folders found without qpumon, and a
subprocess that runs the command line with some packages hidden."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
IONQ_FIXTURE = DATA / "ionq_forte-1_characterization.json"

#: Python run before qpumon's command line in :func:`run_hiding`: a finder that makes the named
#: top-level packages (and their submodules) look uninstalled, to both import and find_spec.
_HIDER = """
import importlib.abc, sys
HIDDEN = {hidden!r}
class Hider(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Hider())
from qpumon.cli import main
main({args!r})
"""

#: Python that runs the command line, then reports which of the vendor packages were imported.
_PROBE = """
import json, sys
from qpumon.cli import main
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code
vendor = sorted({{m.split('.')[0] for m in sys.modules}} & {{'cirq', 'cirq_google', 'pytket',
    'braket', 'iqm', 'pydantic', 'google'}})
sys.stderr.write('\\nIMPORTED=' + json.dumps(vendor))
"""


def package_folder(name: str) -> Path:
    """An installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def read_json(path: Path) -> Any:
    """A JSON file parsed with the standard library."""
    return json.loads(path.read_text(encoding="utf-8"))


def run_hiding(
    hidden: set[str], *args: str, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``qpumon ARGS`` in a subprocess in which the packages ``hidden`` are not installed, whose
    cache folder is ``cache`` (default: an empty one; a cached vendor snapshot needs no
    package, broken or not)."""
    code = _HIDER.format(hidden=sorted(hidden), args=list(args))
    with tempfile.TemporaryDirectory() as empty:
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "XDG_CACHE_HOME": str(cache or empty)},
        )


def imported_vendor_packages(*args: str, cache: Path | None = None) -> list[str]:
    """The vendor packages (and pydantic, google) ``qpumon ARGS`` imported, run in a subprocess
    whose cache folder is ``cache`` (default: an empty one, so that vendors are read from
    their packages)."""
    with tempfile.TemporaryDirectory() as empty:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE.format(args=list(args))],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "XDG_CACHE_HOME": str(cache or empty)},
        )
    marker = result.stderr.rsplit("IMPORTED=", 1)[-1]
    found: list[str] = json.loads(marker)
    return found
