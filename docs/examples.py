"""What the docs build checks and makes from the pages, kept apart from MkDocs so it can be read and
tested on its own (``docs/hooks.py`` wires it into the build).

- A ``console`` block is a transcript: each ``$ `` line is a command, the lines up to the next
  ``$ `` line are what it prints. The build runs every command (offline, 80 columns, a fresh
  ``HOME`` and folder per page) and fails naming the page when the output is not the one shown.
  Ages ("3 years 2 months ago") are compared as "… ago", since they change by themselves.
- Every ``qpumon COMMAND --option`` written in code on a page must name a command and options
  that exist: the build asks the CLI itself.
- The gallery's pictures are drawn from bundled data by the commands its page shows.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

_CONSOLE = re.compile(r"^```console[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"```[^\n]*\n(.*?)^```|`([^`\n]+)`", re.MULTILINE | re.DOTALL)
_AGE = re.compile(r"(\d+ (?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|[a-z]+)[ ,]*)+ago")
_INVOCATION = re.compile(r"(?:^\s*|[;&|(]\s*|\$ )qpumon((?: +[^\s;&|#`)]+)*)", re.MULTILINE)
#: A bound on any one example; a hang fails the build.
EXAMPLE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Transcript:
    """One command of a ``console`` block and the output the page shows for it."""

    command: str
    shown: str


class DocsError(Exception):
    """A page that does not hold: the message names the page and what is wrong."""


def transcripts(markdown: str) -> Iterator[Transcript]:
    """Every command and shown output of the ``console`` blocks of ``markdown``."""
    for block in _CONSOLE.finditer(markdown):
        command: str | None = None
        shown: list[str] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                if command is not None:
                    yield Transcript(command, "\n".join(shown))
                command, shown = line[2:].strip(), []
            elif command is not None:
                shown.append(line)
        if command is not None:
            yield Transcript(command, "\n".join(shown))


def normalised(text: str) -> str:
    """``text`` with ages masked and trailing blanks dropped, for comparing outputs."""
    lines = [_AGE.sub("… ago", line).rstrip() for line in text.strip("\n").splitlines()]
    return "\n".join(lines)


def check_transcripts(page: str, markdown: str, folder: Path) -> None:
    """Run every transcript of ``page`` in ``folder``; :class:`DocsError` at the first whose
    output differs from what the page shows, or that fails."""
    env = environment(folder)
    for transcript in transcripts(markdown):
        done = subprocess.run(
            ["bash", "-c", transcript.command],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=EXAMPLE_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0 and "Traceback" in done.stderr:
            raise DocsError(f"{page}: `{transcript.command}` failed: {done.stderr[-500:]}")
        printed = normalised(done.stdout + done.stderr)
        if printed != normalised(transcript.shown):
            raise DocsError(
                f"{page}: the output of `{transcript.command}` is not the one the page shows "
                f"(first difference at line {_first_difference(printed, transcript.shown)}); "
                "it now prints:\n" + printed
            )


def _first_difference(printed: str, shown: str) -> int:
    a, b = printed.splitlines(), normalised(shown).splitlines()
    differing = (i + 1 for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    return next(differing, 1 + min(len(a), len(b)))


def environment(folder: Path) -> dict[str, str]:
    """A newcomer's offline environment: a fresh HOME, 80 columns, no account, no display."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM", "QPUMON", "XDG_"))
    }
    home = folder / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), COLUMNS="80", MPLBACKEND="Agg", PYTHONWARNINGS="ignore", TERM="dumb")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def check_references(page: str, markdown: str, root: click.Group) -> None:
    """:class:`DocsError` when ``markdown`` writes, in code, a qpumon command or option that the
    CLI ``root`` does not have."""
    for match in _CODE.finditer(markdown):
        code = match.group(1) or match.group(2) or ""
        for invocation in _INVOCATION.finditer(code):
            _check_invocation(page, invocation.group(1), root)


def _check_invocation(page: str, arguments: str, root: click.Group) -> None:
    try:
        words = shlex.split(arguments, comments=True)
    except ValueError:
        words = arguments.split()
    if words and words[0].isupper():  # a placeholder: qpumon COMMAND --help
        return
    if not words or words[0].startswith("-"):
        _check_options(page, "qpumon", root, words)
        return
    command = root.get_command(click.Context(root), words[0])
    if command is None:
        raise DocsError(f"{page}: `qpumon {words[0]}` is not a qpumon command")
    _check_options(page, f"qpumon {words[0]}", command, words[1:])


def _check_options(page: str, name: str, command: click.Command, words: list[str]) -> None:
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    known |= {"--help", "-h"}
    for word in words:
        if word.startswith("--") and word != "--":
            option = word.split("=", 1)[0]
            if option not in known:
                raise DocsError(f"{page}: `{name}` has no option {option}")


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    """A folder to run one page's examples in."""
    return tempfile.TemporaryDirectory(prefix="qpumon-docs-")


def refreshed(markdown: str, folder: Path) -> str:
    """``markdown`` with every transcript's output replaced by what its command prints now
    (``scripts/regen-docs``; read the diff before committing it)."""
    env = environment(folder)

    def block(match: re.Match[str]) -> str:
        lines = []
        for transcript in transcripts(match.group(0)):
            done = subprocess.run(
                ["bash", "-c", transcript.command],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=EXAMPLE_TIMEOUT_S,
                check=False,
            )
            lines += [f"$ {transcript.command}", (done.stdout + done.stderr).rstrip("\n")]
        fence = match.group(0).split("\n", 1)[0]
        return fence + "\n" + "\n".join(lines) + "\n```"

    return _CONSOLE.sub(block, markdown)


#: Keys whose value is the vendor's own document, passed through as it came: not described here.
OPAQUE = {"configuration": "the vendor's configuration as the source gave it, unchanged"}


def inferred_schema(documents: list[object]) -> dict[str, object]:
    """A JSON Schema (2020-12) of ``documents``: for an object, its keys' schemas, a key
    required when every document has it; for an array, the schema of all its items; for a
    value, the JSON types the documents use (the keys of :data:`OPAQUE` only described)."""
    schema = _merge(documents)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for key, text in OPAQUE.items():
            if key in properties:
                properties[key] = {"type": "object", "description": text}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _merge(values: list[object]) -> dict[str, object]:
    kinds = sorted({_json_type(v) for v in values})
    schema: dict[str, object] = {"type": kinds[0] if len(kinds) == 1 else kinds}
    objects = [v for v in values if isinstance(v, dict)]
    if objects:
        keys = sorted({k for o in objects for k in o})
        schema["properties"] = {k: _merge([o[k] for o in objects if k in o]) for k in keys}
        schema["required"] = [k for k in keys if all(k in o for o in objects)]
    arrays = [item for v in values if isinstance(v, list) for item in v]
    if arrays:
        schema["items"] = _merge(arrays)
    return schema


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def environment_variables(source: Path) -> set[str]:
    """Every environment variable named in qpumon's code (a string of capitals that the code
    reads with ``os.environ`` or names beside it)."""
    found: set[str] = set()
    pattern = re.compile(
        r"\"((?:QPUMON|QISKIT|IQM|IONQ|QCS|AWS)_[A-Z_]+|IAM_URL|GLOBAL_[A-Z_]+_URL|XDG_CACHE_HOME)\""
    )
    for path in source.rglob("*.py"):
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found
