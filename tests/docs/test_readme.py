"""The README and the documentation's pages are tests: every shell and Python example in each
runs, in order, offline, in a fresh ``HOME`` and an empty folder per page, as a newcomer would
type it. (The gallery's commands run when the site is built, by ``docs/hooks.py``.)

How the README's examples are read:

- A ``sh`` block is run line by line with bash (a line ending in ``\\`` continues); a ``python``
  block is run whole by the test's Python. Other blocks (``toml``, ``qasm``, ``yaml``) are files:
  the prose just before one names it (``save it as `alerts.toml```) and the file is written there
  for the examples after it; a block of another language no sentence names is only shown.
- A comment on a line says what to expect where it is not success: ``(needs an account)``:
  refused at once, exit 2, one line; ``until Ctrl-C``: it runs until interrupted, then exits 130;
  ``(placeholder...)``: the line names your own files, key or server and is not run.
- The install lines at the top (``python3 -m venv``, ``pip install``, ``scripts/test``) are what
  the test command itself does before the tests; they are not run again here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
#: The pages whose examples run: the README and every page of the site but the gallery.
PAGES = [README, *sorted(p for p in (ROOT / "docs").rglob("*.md") if p.name != "gallery.md")]
_FENCE = re.compile(r"^```(\w*)\s*$")
_SAVED_AS = re.compile(r"(?:save[sd]?|saved|write|written)[^`]*?as `([^`]+)`", re.IGNORECASE)
_INSTALLS = ("python3 -m venv", "pip install", ".venv/bin/pip", "scripts/test")
#: How long a command that runs until Ctrl-C runs before it is interrupted.
RUN_BEFORE_INTERRUPT_S = 6.0
#: A bound on any one example (generous: the machine may be busy); a hang fails the test.
EXAMPLE_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Example:
    """One runnable piece of the README: a shell line, a Python block or a file to write."""

    kind: str  # "sh", "python" or "file"
    text: str
    line: int
    name: str = ""  # the file a "file" example is saved as

    @property
    def comment(self) -> str:
        """The shell comment at the end of a line (what to expect), lowercased."""
        return self.text.partition(" #")[2].lower() if self.kind == "sh" else ""


def examples(readme: str) -> Iterator[Example]:
    """Every example of ``readme`` in order (see the module docstring)."""
    lines = readme.splitlines()
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        language, start = fence.group(1), i + 1
        end = next(j for j in range(start, len(lines)) if lines[j].startswith("```"))
        body = lines[start:end]
        if language == "sh":
            yield from _shell_lines(body, start + 1)
        elif language == "python":
            yield Example("python", "\n".join(body), start + 1)
        else:
            saved = _SAVED_AS.findall(_prose_before(lines, i))
            if saved:
                yield Example("file", "\n".join(body) + "\n", start + 1, saved[-1])
        i = end + 1


def _prose_before(lines: list[str], fence: int) -> str:
    """The paragraph just before the line ``fence``."""
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    out = []
    while j >= 0 and lines[j].strip() and not lines[j].startswith("```"):
        out.append(lines[j])
        j -= 1
    return " ".join(reversed(out))


def _shell_lines(body: list[str], first: int) -> Iterator[Example]:
    pending, start = "", first
    for offset, line in enumerate(body):
        if not pending:
            start = first + offset
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            yield Example("sh", command, start)


def _environment(home: Path) -> dict[str, str]:
    """A newcomer's environment: a fresh HOME, no IBM Quantum account, no database setting,
    qpumon on PATH, no display."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM", "QPUMON", "XDG_"))
    }
    env.update(HOME=str(home), MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run_shell(example: Example, folder: Path, env: dict[str, str], page: str) -> None:
    comment = example.comment
    where = f"{page} line {example.line}: {example.text}"
    if "until ctrl-c" in comment and "needs an account" not in comment:
        _run_until_interrupted(example, folder, env, where)
        return
    done = subprocess.run(
        ["bash", "-c", example.text],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=EXAMPLE_TIMEOUT_S,
        check=False,
    )
    if "needs an account" in comment:
        assert done.returncode == 2, f"{where}: exit {done.returncode}\n{done.stderr}"
        assert len(done.stderr.strip().splitlines()) == 1, f"{where}: {done.stderr}"
        assert "account" in done.stderr, f"{where}: {done.stderr}"
        return
    assert done.returncode == 0, f"{where}: exit {done.returncode}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, f"{where}: {done.stderr}"


def _run_until_interrupted(example: Example, folder: Path, env: dict[str, str], where: str) -> None:
    process = subprocess.Popen(
        ["bash", "-c", f"exec {example.text.partition(' #')[0]}"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(RUN_BEFORE_INTERRUPT_S)
        assert process.poll() is None, f"{where}: ended early: {process.communicate()[1]}"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=EXAMPLE_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, f"{where}: exit {process.returncode}\n{stderr}"
    assert "Traceback" not in stderr, f"{where}: {stderr}"


def _run_python(example: Example, folder: Path, env: dict[str, str], page: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", example.text],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=EXAMPLE_TIMEOUT_S,
        check=False,
    )
    where = f"{page} line {example.line} (Python)"
    assert done.returncode == 0, f"{where}: exit {done.returncode}\n{done.stderr[-3000:]}"


def _runnable(example: Example) -> bool:
    if example.kind != "sh":
        return True
    if "(placeholder" in example.comment:
        return False
    return not example.text.startswith(_INSTALLS)


def test_the_pages_have_examples_of_every_kind() -> None:
    found = [e for page in PAGES for e in examples(page.read_text(encoding="utf-8"))]
    kinds = {e.kind for e in found}
    assert kinds == {"sh", "python", "file"}, kinds
    assert sum(1 for e in found if e.kind == "sh" and _runnable(e)) >= 30


@pytest.mark.readme
@pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are bash")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_of_a_page_runs_in_order(page: Path, tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    folder.mkdir()
    env = _environment(home)
    name = str(page.relative_to(ROOT))
    for example in examples(page.read_text(encoding="utf-8")):
        if not _runnable(example):
            continue
        if example.kind == "file":
            (folder / example.name).write_text(example.text, encoding="utf-8")
        elif example.kind == "python":
            _run_python(example, folder, env, name)
        else:
            _run_shell(example, folder, env, name)
