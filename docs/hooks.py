"""MkDocs hooks of qpumon's site (see ``docs/examples.py`` for what is checked and made):
every page's transcripts are run and compared, every command and option named in code must exist,
and the gallery's pictures are drawn by the commands its page shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).parent))
import examples  # beside this file, not a package

_GALLERY_COMMAND = re.compile(r"^(qpumon .*?(gallery/[\w.-]+\.(?:png|svg)).*)$", re.MULTILINE)
_SETUP_COMMAND = re.compile(r"^(qpumon (?:demo-history|record|import) .*)$", re.MULTILINE)
_folders: list[Any] = []


def on_files(files: Files, config: Any) -> Files:
    """Draw the gallery's pictures with the commands ``gallery.md`` shows and add them to the
    site (they are never written into ``docs/``)."""
    page = Path(config["docs_dir"]) / "gallery.md"
    markdown = page.read_text(encoding="utf-8")
    folder_handle = examples.temporary_folder()
    _folders.append(folder_handle)
    folder = Path(folder_handle.name)
    (folder / "gallery").mkdir()
    env = examples.environment(folder)
    drawn = [command for command, _ in _GALLERY_COMMAND.findall(markdown)]
    for command in [*_SETUP_COMMAND.findall(markdown), *drawn]:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=examples.EXAMPLE_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise PluginError(f"gallery.md: `{command}` failed: {done.stderr.strip()[-500:]}")
    for _, target in _GALLERY_COMMAND.findall(markdown):
        files.append(File.generated(config, target, abs_src_path=str(folder / target)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Check the page's commands and options against the CLI and its transcripts against what
    the commands print now."""
    from qpumon.cli import cli

    where = page.file.src_uri
    if where == "reference/schema.md":
        markdown = markdown.replace("<!-- snapshot-schema -->", _snapshot_schema())
    if where == "reference/environment.md":
        missing = examples.environment_variables(Path("src/qpumon")) - set(
            re.findall(r"`([A-Z_]+)`", markdown)
        )
        if missing:
            raise PluginError(
                f"{where}: variables the code reads are not listed: {sorted(missing)}"
            )
    try:
        examples.check_references(where, markdown, cli)
        with examples.temporary_folder() as folder:
            examples.check_transcripts(where, markdown, Path(folder))
    except examples.DocsError as error:
        raise PluginError(str(error)) from None
    return markdown


def _snapshot_schema() -> str:
    """The schema of ``monitor -f json`` inferred from every bundled device, as a JSON block."""
    import json

    from qpumon.model.serialize import snapshot_to_dict
    from qpumon.sources.bundled import BundledSource

    bundled = BundledSource()
    documents = [json.loads(json.dumps(snapshot_to_dict(bundled.load(n)))) for n in bundled.names()]
    schema = examples.inferred_schema(documents)
    return "```json\n" + json.dumps(schema, indent=2, ensure_ascii=False) + "\n```"


def on_post_build(config: Any) -> None:
    """Remove the gallery's scratch folder."""
    while _folders:
        _folders.pop().cleanup()


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """The reference pages must hold every command (``reference/cli.md``) and every public name
    of ``import qpumon`` (``reference/api.md``)."""
    import click

    import qpumon
    from qpumon.cli import cli

    if page.file.src_uri == "reference/cli.md":
        names = cli.list_commands(click.Context(cli))
        missing = [n for n in names if f'id="qpumon-{n}"' not in html]
    elif page.file.src_uri == "reference/api.md":
        missing = [n for n in qpumon.__all__ if f'id="qpumon.{n}"' not in html]
    else:
        return html
    if missing:
        raise PluginError(f"{page.file.src_uri}: missing from the reference: {', '.join(missing)}")
    return html
