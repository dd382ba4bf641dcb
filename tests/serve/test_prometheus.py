"""A real Prometheus (Debian's) scrapes the real ``qpumon serve`` (bundled and live devices,
a bearer token); every PromQL query and variable of the shipped Grafana dashboard then returns
data through Prometheus's HTTP API, and one value is the source JSON's."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qpumon.serve.grafana import dashboard, queries, variable_queries
from tests.conftest import raw
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn
from tests.serve.conftest import free_port, start_cli, wait_healthy

PROMETHEUS = Path("/usr/bin/prometheus")
TOKEN = "prometheus-scrapes-with-this-token-0123"
#: The dashboard's variables as a user would pick them: the live device, all qubits, its CZ.
CHOSEN = {"$device": "ibm_fez", "$qubit": ".*", "$entangler": "cz"}
#: The server's one alert rule: T1 below this (µs) holds for a few of fez's qubits.
SHORT_T1_US = 50

pytestmark = pytest.mark.skipif(not PROMETHEUS.exists(), reason="needs /usr/bin/prometheus")


@pytest.fixture(scope="module")
def qpumon_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``qpumon serve fake_fez ibm_fez`` (ibm_fez from the IBM stand-in) with a token and a
    rules file."""
    folder = tmp_path_factory.mktemp("prometheus")
    token = folder / "token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    token.chmod(0o600)
    stand_in = IBMStandIn.with_devices(("fez",))
    with stand_in.running():
        stand_in.queue["ibm_fez"] = 3
        port = free_port()
        env = {
            **stand_in.environment,
            "HOME": str(folder),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "QISKIT_IBM_TOKEN": GOOD_KEY,
            "QISKIT_IBM_INSTANCE": CRN,
            "QISKIT_IBM_URL": stand_in.api_url,
        }
        args = ["serve", "fake_fez", "ibm_fez", "--port", str(port), "--status-every", "1s"]
        args += ["--db", f"sqlite:///{folder / 'h.db'}", "--auth-token-file", str(token)]
        rules = folder / "rules.toml"
        rules.write_text(f'[[alert]]\nname = "short T1"\nwhen = "t1_us < {SHORT_T1_US}"\n', "utf-8")
        args += ["--rules", str(rules)]
        process = start_cli(*args, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            process.communicate(timeout=10)


@pytest.fixture(scope="module")
def prometheus(qpumon_server: str) -> Iterator[str]:
    """Prometheus on 127.0.0.1, scraping the server every second with the bearer token."""
    folder = Path(tempfile.mkdtemp(prefix="qpumon-prometheus-"))
    (folder / "token").write_text(TOKEN, encoding="utf-8")
    target = qpumon_server.removeprefix("http://")
    (folder / "prometheus.yml").write_text(
        f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: qpumon
    authorization:
      type: Bearer
      credentials_file: {folder / "token"}
    static_configs:
      - targets: ["{target}"]
""",
        encoding="utf-8",
    )
    port = free_port()
    process = subprocess.Popen(
        [
            str(PROMETHEUS),
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _ready(url), process, 30)
        scraped = 'count_over_time(qpumon_source_up{device="ibm_fez"}[1m])'
        _wait(lambda: _value(url, scraped) >= 3, process, 30)  # three scrapes of both devices
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(condition: Any, process: subprocess.Popen[str], timeout: float) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            pass
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < end, "Prometheus did not get the data in time"
        time.sleep(0.2)


def _query(url: str, promql: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert answer["status"] == "success", (promql, answer)
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def _value(url: str, promql: str) -> float:
    return float(_query(url, promql)[0]["value"][1])


def _chosen(expression: str) -> str:
    for variable, value in CHOSEN.items():
        expression = expression.replace(variable, value)
    assert "$" not in expression, expression
    return expression


def test_prometheus_scrapes_with_the_token(prometheus: str, qpumon_server: str) -> None:
    (target,) = httpx.get(f"{prometheus}/api/v1/targets").json()["data"]["activeTargets"]
    assert target["health"] == "up", target["lastError"]
    assert httpx.get(f"{qpumon_server}/metrics").status_code == 401  # without the token


def test_every_dashboard_query_returns_data(prometheus: str) -> None:
    model = dashboard()
    expressions = queries(model)
    assert len(expressions) >= 20
    for expression in expressions:
        assert _query(prometheus, _chosen(expression)), expression


def test_every_dashboard_variable_has_values(prometheus: str) -> None:
    for query in variable_queries(dashboard()):
        found = re.fullmatch(r"label_values\((.+), (\w+)\)", query)
        assert found is not None, query
        selector, label = _chosen(found.group(1)), found.group(2)
        answer = httpx.get(
            f"{prometheus}/api/v1/label/{label}/values", params={"match[]": selector}
        ).json()
        assert answer["status"] == "success" and answer["data"], query
    devices = httpx.get(f"{prometheus}/api/v1/label/device/values").json()["data"]
    assert {"fake_fez", "ibm_fez"} <= set(devices)


def test_a_value_through_prometheus_is_the_source_value(prometheus: str) -> None:
    t1_us = next(p["value"] for p in raw("fez", "props")["qubits"][0] if p["name"] == "T1")
    for device in ("fake_fez", "ibm_fez"):  # the stand-in serves the same file as ibm_fez
        seconds = _value(prometheus, f'qpumon_qubit_t1_seconds{{device="{device}",qubit="0"}}')
        assert seconds == pytest.approx(t1_us * 1e-6, rel=1e-12)
    assert _value(prometheus, 'qpumon_device_pending_jobs{device="ibm_fez"}') == 3


def test_the_alerts_through_prometheus_are_the_source_short_t1s(prometheus: str) -> None:
    t1 = [next(p["value"] for p in q if p["name"] == "T1") for q in raw("fez", "props")["qubits"]]
    short = {f"qubit {i}" for i, value in enumerate(t1) if value < SHORT_T1_US}
    assert short  # the rule holds somewhere, or this test proves nothing
    found = _query(prometheus, "qpumon_alert_active == 1")
    by_device: dict[str, set[str]] = {}
    for series in found:
        labels = series["metric"]
        assert (labels["alert"], labels["condition"]) == ("short T1", f"t1_us < {SHORT_T1_US}")
        by_device.setdefault(labels["device"], set()).add(labels["subject"])
    assert by_device == {"fake_fez": short, "ibm_fez": short}
