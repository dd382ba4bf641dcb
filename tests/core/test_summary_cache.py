"""The bundled summary cache is used only while qpumon's code is the code that wrote it: keyed,
like the vendor cache, on qpumon's version and the stat of every module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qpumon.model.summary import summarize
from qpumon.sources import summary_cache


def _count_summaries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []

    def counted(snapshot: Any, **options: Any) -> Any:
        made.append(snapshot.name)
        return summarize(snapshot, **options)

    monkeypatch.setattr(summary_cache, "summarize", counted)
    return made


@pytest.mark.parametrize("change", ["a module no list named", "the version"])
def test_other_code_summarizes_again(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = summary_cache.bundled_summaries()
    made = _count_summaries(monkeypatch)
    assert summary_cache.bundled_summaries() == first and made == []  # warm: nothing parsed
    version, *stats = summary_cache.code_key()
    if change == "the version":
        version = version + ".post1"
    else:  # the bundled-file reader shapes a summary too; the old hand-kept list missed it
        stats = [[*s[:2], s[2] + 1] if s[0].endswith("bundled.py") else s for s in stats]
    monkeypatch.setattr(summary_cache, "code_key", lambda: (version, *stats))
    assert summary_cache.bundled_summaries() == first
    assert len(made) == 2 * len(first)  # every device again, with and without the flags
