"""The commands through the real entry point: ``qpumon serve`` without its extra, with a port
in use, with options it refuses; other commands never import the server's libraries; and
``qpumon grafana-dashboard`` writes the shipped dashboard, whose series the exporter serves."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from qpumon.cli import cli
from qpumon.history.alerts import rules_from_document
from qpumon.serve.grafana import dashboard, queries
from tests.serve.conftest import Running, running

HEAVY = ("starlette", "uvicorn", "prometheus_client")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_without_the_extra_serve_says_how_to_install_it() -> None:
    code = (
        "import sys\nsys.modules['uvicorn'] = None\nfrom qpumon.cli import main\n"
        "main(['serve', 'fake_armonk'])"
    )
    done = _python(code)
    assert done.returncode == 2
    assert done.stderr == (
        "qpumon: error: qpumon serve needs uvicorn, which is not installed: "
        "pip install 'qpumon[serve]'\n"
    )


def test_other_commands_do_not_import_the_server() -> None:
    code = (
        "import sys\nfrom qpumon.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    for args in (("monitor", "fake_burlington"), ("--help",), ("serve", "--help")):
        done = _python(code, *args)
        assert done.stderr.strip().splitlines()[-1] == "[]", (args, done.stderr)


def test_a_port_in_use_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "qpumon", "serve", "fake_armonk", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
    assert done.returncode == 2
    assert re.fullmatch(
        rf"qpumon: error: cannot listen on 127\.0\.0\.1:{port} \(Address already in use\); is "
        r"another server using the port\? Give another --port\n",
        done.stderr.splitlines(keepends=True)[-1],
    ), done.stderr


def test_refused_options() -> None:
    runner = CliRunner()
    at = runner.invoke(cli, ["serve", "--at", "7d"])
    assert at.exit_code != 0 and "qpumon serve shows the current one" in str(at.exception)
    every = runner.invoke(cli, ["serve", "--every", "soon"])
    assert every.exit_code != 0 and "--every 'soon'" in str(every.exception)


def test_serve_help_names_every_option() -> None:
    text = CliRunner().invoke(cli, ["serve", "--help"]).stdout
    for option in ("--host", "--port", "--db", "--every", "--rules", "--auth-token-file"):
        assert option in text
    for option in ("--token", "--account", "--instance", "--channel", "--timeout"):
        assert option in text


def test_grafana_dashboard_is_written_and_names_served_series(tmp_path: Path) -> None:
    path = tmp_path / "qpumon.json"
    done = CliRunner().invoke(cli, ["grafana-dashboard", "-o", str(path)])
    assert done.exit_code == 0, done.output
    model = json.loads(path.read_text(encoding="utf-8"))
    assert model == dashboard()
    assert CliRunner().invoke(cli, ["grafana-dashboard"]).stdout == path.read_text("utf-8")
    assert model["uid"] and model["__inputs"][0]["pluginId"] == "prometheus"
    names = {"device", "qubit", "entangler"}
    assert {v["name"] for v in model["templating"]["list"]} == {"datasource", *names}
    rules = rules_from_document({"alert": [{"when": "t1_us < 50"}]}, "rules")
    with running(["fake_fez"], f"sqlite:///{tmp_path / 'h.db'}", rules=rules) as server:
        served = _served_names(server)  # with rules: the alert table's series too
    for expression in queries(model):
        for name in re.findall(r"\bqpumon_[a-z0-9_]+", expression):
            assert name in served, (name, expression)


def _served_names(server: Running) -> set[str]:
    server.loaded()
    text = httpx.get(f"{server.url}/metrics").text
    return set(re.findall(r"^# TYPE (\S+) ", text, re.M))
