"""Every case of the hostile corpus through the real entry point, under a 4 GB address-space
limit: it ends within its CPU seconds (and its wall time within three times them) with its exit
code, says what went wrong in one line with no traceback,
writes no partial file and lets no control character reach the reader."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.hostile.corpus import Case, build

#: The address space every case runs in.
ADDRESS_SPACE = 4 * 1024**3
_CONTROL = ("\x1b", "\x07", "\x9b")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    folder = tmp_path_factory.mktemp("hostile")
    return {case.name: case for case in build(folder)}


def _cases() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return [case.name for case in build(Path(folder))]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def test_the_corpus_is_large_enough() -> None:
    assert len(_cases()) >= 150


@pytest.mark.hostile
@pytest.mark.parametrize("name", _cases())
def test_hostile(name: str, corpus: dict[str, Case], tmp_path: Path) -> None:
    case = corpus[name]
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for variable in ("QISKIT_IBM_TOKEN", "QPUMON_DB", "COLUMNS"):
        env.pop(variable, None)
    env.update(case.env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "qpumon", *case.args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        input=case.stdin,
        env=env,
        preexec_fn=_limit,
        timeout=case.seconds * 3 + 10,  # a hang, however busy the machine is
        check=False,
    )
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    # The bound is on work: CPU seconds (its worker processes' included) do not grow with the
    # machine's load, as wall time does on a busy machine (the test command runs two legs at once)
    assert cpu < case.seconds, f"{cpu:.1f} s of CPU (took {elapsed:.1f} s)"
    assert done.returncode in case.exits, done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode != 0:
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("qpumon: error: "), done.stderr
    for stream in (done.stdout, done.stderr):
        assert not any(c in stream for c in _CONTROL), repr(stream[:200])
        assert not any(text in stream for text in case.absent), "a secret was shown"
    if case.output is not None:
        _check_whole(Path(case.output))


def _check_whole(path: Path) -> None:
    """An output file is absent or complete in its format."""
    if not path.exists():
        return
    data = path.read_bytes()
    assert not any(c.encode() in data for c in _CONTROL)
    if path.suffix == ".json":
        json.loads(data)
    elif path.suffix == ".svg":
        ET.fromstring(data)
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>")


@pytest.mark.parametrize("value", ["NaN", "-1"])
def test_a_refused_record_names_its_file_once(value: str, tmp_path: Path) -> None:
    """``record`` of a document the reader refuses: one line that names the file once (the
    reader's message already starts with it), exit 2, nothing stored."""
    from qpumon.store.db import Store
    from tests.core.cli_helpers import invoke

    document = json.loads(_bundled_text())
    document["timing"]["t1"] = "\x00HERE\x00"
    path = tmp_path / "ionq.json"
    path.write_text(json.dumps(document).replace('"\\u0000HERE\\u0000"', value), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'h.db'}"
    done = invoke("record", path, "--db", db)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("qpumon: error: ")
    assert lines[0].count(str(path)) == 1, lines[0]
    assert "$.timing.t1" in lines[0]
    store = Store(db)
    try:
        assert store.devices() == []
    finally:
        store.close()


def _bundled_text() -> str:
    from tests.vendors.conftest import IONQ_FIXTURE

    return IONQ_FIXTURE.read_text(encoding="utf-8")
