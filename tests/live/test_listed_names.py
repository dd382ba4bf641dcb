"""Names a service lists are names: never read as files or bundled devices; its list is capped,
and a name longer than 255 bytes is left out with a line (refused with exit 2 when typed)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from qpumon.sources.ibm_live.source import MAX_LISTED
from tests.conftest import raw
from tests.core.cli_helpers import invoke
from tests.live.conftest import cli_env
from tests.live.ibm_server import CRN, IBMStandIn

#: Names a hostile service might list: paths, a file name, a bundled device's name.
HOSTILE_NAMES = ["../../etc/passwd", "x.json", "fake_fez", "/etc/hostname", "fez"]


@pytest.fixture
def in_folder(tmp_path: Path) -> Iterator[Path]:
    """The working folder is ``tmp_path``, holding a readable ``x.json`` snapshot file."""
    (tmp_path / "x.json").write_text(json.dumps(raw("lagos", "props")), encoding="utf-8")
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def _env(server: IBMStandIn, home: Path) -> dict[str, str]:
    return {**cli_env(server), "XDG_CACHE_HOME": str(home / ".cache")}


def test_listed_names_are_fetched_as_live_names_only(
    stand_in: IBMStandIn, home: Path, in_folder: Path
) -> None:
    stand_in.extra_listed = list(HOSTILE_NAMES)
    done = invoke("overview", "--live", "-f", "json", env=_env(stand_in, home))
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    shown = {d["name"]: d["num_qubits"] for d in document["devices"]}
    conf = {stem: raw(stem, "conf")["n_qubits"] for stem in ("fez", "kingston", "kyiv")}
    assert shown == {f"ibm_{stem}": n for stem, n in conf.items()}
    failed = {f["device"]: f["error"] for f in document["failed"]}
    assert sorted(failed) == sorted(HOSTILE_NAMES)
    assert all("HTTP 404" in error for error in failed.values())
    asked = {r.path for r in stand_in.requests}
    for name in HOSTILE_NAMES:  # each asked of the service, never read from disk
        assert f"/backends/{quote(name, safe='')}/status" in "".join(asked) or any(
            f"/backends/{name}/status" in path for path in asked
        )


def test_a_huge_list_is_capped_and_its_work_bounded(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.extra_listed = [f"ibm_listed_{i:05d}" for i in range(60_000)]
    done = invoke("overview", "--live", env=_env(stand_in, home))
    assert done.exit_code == 0, done.stderr
    total = 60_000 + 3
    assert done.stderr == (
        f"qpumon: IBM Quantum lists {total} devices for this account; the first {MAX_LISTED} "
        f"are used and {total - MAX_LISTED} left out\n"
    )
    asked = {r.path.split("/")[-2] for r in stand_in.requests if r.path.endswith("/status")}
    assert len(asked) == MAX_LISTED  # three requests a device at most, for 100 devices
    assert len(stand_in.seen("properties")) <= MAX_LISTED


def test_a_name_over_255_bytes_from_the_service_is_left_out_with_a_line(
    stand_in: IBMStandIn, home: Path
) -> None:
    long_name = "ibm_" + "é" * 130  # 264 bytes in UTF-8
    stand_in.extra_listed = [long_name, "ibm_" + "x" * 251]  # 255 bytes: a name still
    done = invoke("overview", "--live", "-f", "table", env=_env(stand_in, home))
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith(
        "qpumon: IBM Quantum lists 1 device name(s) that are empty or longer than 255 bytes, "
        "left out (the first: ibm_"
    )
    assert len(done.stderr.splitlines()) == 1
    assert long_name not in done.stdout + done.stderr
    assert not any("%C3%A9" * 130 in r.path or "é" * 130 in r.path for r in stand_in.requests)


@pytest.mark.parametrize("command", ["monitor", "overview", "map"])
def test_a_typed_name_over_255_bytes_is_refused_with_exit_2(
    command: str, home: Path, tmp_path: Path
) -> None:
    name = "ibm_" + "a" * 300
    extra = ["-o", str(tmp_path / "m.svg")] if command == "map" else []
    done = invoke(command, name, *extra)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "longer than the 255 bytes a name may have" in lines[0]
    assert "Traceback" not in done.stderr and not (tmp_path / "m.svg").exists()


def test_the_server_s_listing_is_capped_and_says_so(stand_in: IBMStandIn, home: Path) -> None:
    from qpumon.serve.upstream import LiveUpstream
    from tests.live.conftest import live_options

    stand_in.extra_listed = [f"ibm_listed_{i:03d}" for i in range(150)] + ["x" * 256]
    upstream = LiveUpstream(live_options(stand_in, home))
    names = upstream.names()
    assert len(names) == MAX_LISTED and {"ibm_fez", "ibm_kingston", "ibm_kyiv"} <= set(names)
    assert upstream.notices() == [
        f"IBM Quantum lists 153 devices for this account; the first {MAX_LISTED} are used and "
        f"{153 - MAX_LISTED} left out",
        "IBM Quantum lists 1 device name(s) that are empty or longer than 255 bytes, left out "
        f"(the first: {'x' * 40}...)",
    ]


def test_the_library_keeps_what_was_left_out_in_the_report_notes(
    stand_in: IBMStandIn, home: Path
) -> None:
    from qpumon.api import overview_report
    from qpumon.sources import SourceOptions
    from tests.live.conftest import live_options

    stand_in.extra_listed = [f"ibm_listed_{i:03d}" for i in range(MAX_LISTED)]
    options = live_options(stand_in, home, timeout=5.0)
    report = overview_report(live=True, source=SourceOptions(live=options))
    assert [s.name for s in report.summaries] == ["ibm_fez", "ibm_kingston", "ibm_kyiv"]
    assert len(report.failures) == MAX_LISTED - 3
    left = f"the first {MAX_LISTED} are used and 3 left out"
    assert any(left in note for note in report.notes)


def test_an_account_with_too_many_instances_lists_the_first_ones_and_says_so(
    stand_in: IBMStandIn, home: Path
) -> None:
    from qpumon.sources.ibm_live import connect
    from qpumon.sources.ibm_live.source import MAX_INSTANCES
    from tests.live.conftest import live_options

    for i in range(MAX_INSTANCES + 20):
        crn = CRN.replace("0fedcba9", f"{i:08x}")
        stand_in.add_instance(crn, f"extra-{i}", ["ibm_fez"])
    source = connect(live_options(stand_in, home, instance=None))
    assert source.names() == ["ibm_fez", "ibm_kingston", "ibm_kyiv"]
    assert len(stand_in.seen("backends")) == MAX_INSTANCES  # one listing per instance kept
    assert source.notices == [
        f"the IBM Quantum account has {MAX_INSTANCES + 21} instances; the devices of the first "
        f"{MAX_INSTANCES} are used and 21 left out"
    ]
