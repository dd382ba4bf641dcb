"""The release's version is written once and said the same everywhere: the changelog's newest
entry, ``qpumon --version``, ``qpumon.__version__`` and the installed distribution's metadata."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import qpumon
from tests.core.cli_helpers import invoke

CHANGELOG = Path(__file__).parents[2] / "CHANGELOG.md"


def test_the_changelog_newest_release_is_the_version() -> None:
    releases = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", CHANGELOG.read_text(), re.M
    )
    assert releases, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' entry"
    assert releases[0][0] == qpumon.__version__
    assert [r[1] for r in releases] == sorted((r[1] for r in releases), reverse=True)


def test_version_is_the_same_everywhere() -> None:
    shown = invoke("--version")
    assert shown.exit_code == 0
    assert shown.stdout.strip() == f"qpumon, version {qpumon.__version__}"
    assert version("qpumon") == qpumon.__version__, "reinstall: pip install -e ."
