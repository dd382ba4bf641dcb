"""The live commands through the real ``qpumon`` entry point; the token kept out of everything."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from qpumon.model.serialize import snapshot_from_dict
from tests.conftest import raw
from tests.live.conftest import cli_env, run_cli, start_cli
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_login_fetch_and_overview_keep_the_token_out_of_everything(
    stand_in: IBMStandIn, home: Path
) -> None:
    env = {**stand_in.environment, "QISKIT_IBM_TOKEN": GOOD_KEY}
    login = run_cli("login", "--instance", CRN, "--url", stand_in.api_url, env=env)
    assert login.returncode == 0, login.stderr
    account = home / ".qiskit" / "qiskit-ibm.json"
    assert "3 devices (ibm_fez, ibm_kingston, ibm_kyiv)" in login.stdout
    assert f"in {account}" in login.stdout
    saved = json.loads(account.read_text())
    assert saved == {
        "default-ibm-quantum-platform": {
            "channel": "ibm_quantum_platform",
            "instance": CRN,
            "is_default_account": True,
            "private_endpoint": False,
            "token": GOOD_KEY,
            "url": stand_in.api_url,
        }
    }
    assert _mode(account) == 0o600

    stand_in.queue["ibm_kyiv"] = 7
    target = home / "kyiv.json"
    fetch = run_cli("fetch", "ibm_kyiv", "-o", str(target), env=stand_in.environment)
    assert fetch.returncode == 0, fetch.stderr  # the saved account, no token given
    assert fetch.stderr.startswith("Saved ibm_kyiv (127 qubits, calibrated 2025-02-26 16:02 UTC)")
    assert _mode(target) == 0o600
    snapshot = snapshot_from_dict(json.loads(target.read_text()))
    props = raw("kyiv", "props")
    t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
    assert [q.t1_us for q in snapshot.qubits] == [float(x) for x in t1]
    assert snapshot.status is not None and snapshot.status.pending_jobs == 7

    overview = run_cli("overview", "--live", "--format", "csv", env=stand_in.environment)
    assert overview.returncode == 0, overview.stderr
    rows = overview.stdout.splitlines()
    assert rows[0].startswith("device,") and {r.split(",")[0] for r in rows[1:]} >= {
        "ibm_fez",
        "ibm_kingston",
        "ibm_kyiv",
    }

    for result in (login, fetch, overview):
        assert GOOD_KEY not in result.stdout + result.stderr
    for path in _every_file(home):
        if path != account:  # the client's own store holds the key, owner-only
            assert GOOD_KEY not in path.read_text(encoding="utf-8", errors="replace"), path
    cached = list((home / ".cache").rglob("ibm_*.json"))
    assert {p.name.split("@")[0] for p in cached} == {"ibm_fez", "ibm_kingston", "ibm_kyiv"}
    assert all(_mode(p) == 0o600 for p in cached)


def test_errors_name_the_fix_with_the_right_exit_code_even_with_debug(
    stand_in: IBMStandIn, home: Path
) -> None:
    bad = "bad-key-0123456789-secret"
    env = cli_env(stand_in, QISKIT_IBM_TOKEN=bad)
    rejected = run_cli("--debug", "fetch", "ibm_fez", "-o", str(home / "x.json"), env=env)
    assert rejected.returncode == 2  # --debug adds the traceback, not another exit code
    assert "TokenRejectedError: IBM Quantum rejected the token (HTTP 400" in rejected.stderr
    assert bad not in rejected.stdout + rejected.stderr

    quiet = run_cli("overview", "--live", "--token", bad, env=env)
    assert (quiet.returncode, quiet.stdout) == (2, "")
    assert quiet.stderr.startswith(
        "qpumon: error: IBM Quantum rejected the token (HTTP 400 for "
        "the API key exchange); set a valid API key with `qpumon login`"
    )
    assert bad not in quiet.stderr

    stand_in.stall("status", "*", 5)
    slow = run_cli(
        "fetch", "ibm_fez", "-o", str(home / "y.json"), "--timeout", "0.3", env=cli_env(stand_in)
    )
    assert slow.returncode == 3
    assert slow.stderr.startswith(
        "qpumon: error: IBM Quantum did not answer the status of ibm_fez within 0.3 s"
    )
    assert not (home / "x.json").exists() and not (home / "y.json").exists()


def test_a_malformed_answer_exits_3_naming_the_route(stand_in: IBMStandIn, home: Path) -> None:
    stand_in.corrupt("properties", "ibm_fez", b'{"qubits": "many", "gates": []}')
    done = run_cli("monitor", "ibm_fez", env=cli_env(stand_in))
    assert done.returncode == 3
    assert done.stderr.startswith(
        "qpumon: error: IBM Quantum's answer to the calibration of ibm_fez "
        f"({stand_in.api_url}/backends/ibm_fez/properties): $.qubits"
    )
    assert "properties file" not in done.stderr


def test_named_accounts(stand_in: IBMStandIn, home: Path) -> None:
    login = run_cli(
        "login", "--token", GOOD_KEY, "--instance", CRN, "--url", stand_in.api_url,
        "--name", "lab", "--no-check",
    )  # fmt: skip
    assert login.returncode == 0, login.stderr
    assert "lab" in login.stdout
    again = run_cli("login", "--token", GOOD_KEY, "--name", "lab", "--no-check")
    assert again.returncode == 2
    assert "an account named 'lab' is already saved; pass --overwrite" in again.stderr
    missing = run_cli("fetch", "ibm_fez", "-o", str(home / "f.json"), "--account", "home")
    assert missing.returncode == 2
    assert missing.stderr == (
        f"qpumon: error: no IBM Quantum account named 'home' in "
        f"{home / '.qiskit' / 'qiskit-ibm.json'} (saved: lab); save one "
        "with `qpumon login`\n"
    )
    fetched = run_cli(
        "fetch", "ibm_fez", "-o", str(home / "f.json"), "--account", "lab",
        env=stand_in.environment,
    )  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    for result in (login, again, missing, fetched):
        assert GOOD_KEY not in result.stdout + result.stderr


def test_a_second_default_login_needs_overwrite(stand_in: IBMStandIn, home: Path) -> None:
    first = run_cli("login", "--token", GOOD_KEY, "--instance", CRN, "--no-check")
    second = run_cli("login", "--token", GOOD_KEY, "--instance", CRN, "--no-check")
    assert first.returncode == 0 and second.returncode == 2
    assert "an account named 'default-ibm-quantum-platform' is already saved; pass --overwrite" in (
        second.stderr
    )
    third = run_cli("login", "--token", GOOD_KEY, "--instance", CRN, "--no-check", "--overwrite")
    assert third.returncode == 0, third.stderr


def test_monitor_uses_the_live_device_when_an_account_is_set(
    stand_in: IBMStandIn, home: Path
) -> None:
    env = cli_env(stand_in)
    stand_in.queue["ibm_fez"] = 5
    live = run_cli("monitor", "ibm_fez", "-f", "json", env=env)
    assert live.returncode == 0, live.stderr
    data = json.loads(live.stdout)["snapshot"]
    assert data["source"] == "ibm:ibm_fez" and data["status"]["pending_jobs"] == 5
    props = raw("fez", "props")
    t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
    assert [q["t1_us"] for q in data["qubits"]] == t1
    past = run_cli("monitor", "ibm_fez", "--at", "2026-01-01T00:00Z", "-f", "json", env=env)
    assert past.returncode == 0, past.stderr
    assert json.loads(past.stdout)["snapshot"]["source"] == "ibm:ibm_fez@2026-01-01T00:00:00Z"
    offline = run_cli("monitor", "ibm_fez", "--offline", "-f", "json", env=env)
    assert json.loads(offline.stdout)["snapshot"]["source"] == "bundled:fake_fez"
    for result in (live, past, offline):
        assert GOOD_KEY not in result.stdout + result.stderr


def test_monitor_without_an_account_falls_back_to_bundled_data(home: Path) -> None:
    bundled = run_cli("monitor", "ibm_fez", "-f", "json")
    assert bundled.returncode == 0, bundled.stderr
    assert json.loads(bundled.stdout)["snapshot"]["source"] == "bundled:fake_fez"
    unknown = run_cli("monitor", "ibm_nowhere")
    assert unknown.returncode == 2 and "qpumon login" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_no_live_command_imports_the_official_client(stand_in: IBMStandIn, home: Path) -> None:
    env = cli_env(stand_in)
    for command in (["monitor", "ibm_fez"], ["overview", "--live"]):
        done = run_cli(*command, env=env, python=("-X", "importtime"))
        assert done.returncode == 0, done.stderr
        imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
        assert "httpx" in imported  # the measurement saw the live path
        assert not any(name.startswith("qiskit_ibm_runtime") for name in imported), command


#: ``qpumon`` that says, last thing as it exits, which threads are still running.
_THREADS_AT_EXIT = (
    "import atexit, sys, threading\n"
    "names = lambda: [t.name for t in threading.enumerate()]\n"
    "atexit.register(lambda: print('threads:', names(), file=sys.stderr))\n"
    "from qpumon.cli import main\n"
    "main()\n"
)


def test_a_live_command_stops_its_loop_before_the_interpreter_shuts_down(
    stand_in: IBMStandIn, home: Path
) -> None:
    # Request code still running on the loop's thread while the interpreter tore itself down
    # crashed it after the output was printed (a double free, one live monitor in about 75).
    process = start_cli(
        "monitor", "ibm_fez", "-f", "json", env=cli_env(stand_in), python=("-c", _THREADS_AT_EXIT)
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out)["snapshot"]["source"] == "ibm:ibm_fez"
    assert err.splitlines()[-1] == "threads: ['MainThread']"
