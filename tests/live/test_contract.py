"""The stand-in speaks what the official client speaks: qiskit-ibm-runtime's public API against it.

If these pass, the stand-in answers the requests of the real client (IAM, Global Search and
Catalog, the device routes, ``IBM-API-Version``) the way the client expects, so qpumon's tests
against the same stand-in test what IBM's service does. The client is imported here, in tests
only; qpumon's live path never imports it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from qpumon.sources.ibm_live import connect
from tests.conftest import raw
from tests.live.conftest import live_options
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn
from tests.live.test_accounts import EU_CRN

BETWEEN = datetime(2025, 2, 26, 20, tzinfo=UTC)  # after marrakesh's data, before fez's


def _as_is(url: str, instance: str, private: bool | None, channel: str) -> str:
    return url


def _service(server: IBMStandIn, **kwargs: Any) -> Any:
    from qiskit_ibm_runtime import QiskitRuntimeService

    return QiskitRuntimeService(
        channel="ibm_quantum_platform",
        token=GOOD_KEY,
        url=server.api_url,
        url_resolver=_as_is,
        **kwargs,
    )


def _t1_us(stem: str) -> list[float]:
    props = raw(stem, "props")
    return [float(next(e["value"] for e in q if e["name"] == "T1")) for q in props["qubits"]]


@pytest.fixture
def served(home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fez with an older calibration, kingston down, kyiv with a queue; a second instance."""
    server = IBMStandIn()
    server.add_device("fez", queue=6, history=["marrakesh"])
    server.add_device("kingston", queue=0)
    server.add_device("kyiv", queue=2)
    server.operational["ibm_kingston"] = False
    server.instances[0].devices = ["ibm_fez", "ibm_kingston", "ibm_kyiv"]
    server.add_instance(EU_CRN, "premium-eu", ["ibm_torino"], plan_id="plan-premium")
    server.add_device("torino", queue=9)
    with server.running():
        for variable, value in server.environment.items():
            monkeypatch.setenv(variable, value)
        yield server


def test_the_official_client_reads_devices_calibrations_and_status(served: IBMStandIn) -> None:
    service = _service(served, instance=CRN)
    assert sorted(b.name for b in service.backends()) == ["ibm_fez", "ibm_kingston", "ibm_kyiv"]
    fez = service.backend("ibm_fez")
    past = fez.properties(datetime=BETWEEN)
    written = raw("marrakesh", "props")["last_update_date"]  # the client shows it as local time
    assert past.last_update_date.strftime("%Y-%m-%dT%H:%M:%S") == written[:19]
    assert [past.t1(q) * 1e6 for q in range(3)] == pytest.approx(_t1_us("marrakesh")[:3])
    assert [fez.properties().t1(q) * 1e6 for q in range(3)] == pytest.approx(_t1_us("fez")[:3])
    status = fez.status()
    assert (status.operational, status.pending_jobs, status.status_msg) == (True, 6, "active")
    assert service.backend("ibm_kingston").status().operational is False
    assert service.least_busy().name == "ibm_kyiv"  # kingston is emptier but down
    versions = {r.headers.get("ibm-api-version", "") for r in served.requests if "/api/" in r.path}
    assert len(versions) == 1 and versions.pop() >= "2025-01-01"  # the object-shaped listing
    assert {r.headers["service-crn"] for r in served.seen("configuration")} == {CRN}


def test_the_official_client_discovers_instances_as_qpumon_does(
    served: IBMStandIn, home: Path
) -> None:
    service = _service(served, instance="auto")
    names = sorted(b.name for b in service.backends())
    assert names == ["ibm_fez", "ibm_kingston", "ibm_kyiv", "ibm_torino"]
    assert [(i["name"], i["plan"], i["pricing_type"]) for i in service.instances()] == [
        ("qpumon-open", "open", "free"),
        ("premium-eu", "premium", "subscription"),
    ]
    client_search = served.seen("search")[0]
    served.requests.clear()
    source = connect(live_options(served, home, instance=None))
    assert source.names() == names
    assert [(i.name, i.plan, i.pricing_type) for i in source.instances()] == [
        ("qpumon-open", "open", "free"),
        ("premium-eu", "premium", "subscription"),
    ]
    ours = served.seen("search")[0]
    assert json.loads(ours.body) == json.loads(client_search.body)
    assert ours.query == client_search.query


def test_qpumon_and_the_official_client_agree_on_every_device(
    served: IBMStandIn, home: Path
) -> None:
    service = _service(served)  # no instance: every instance, as qpumon's
    source = connect(live_options(served, home, instance=None))
    for backend in service.backends():
        ours = source.snapshot(backend.name)
        theirs = backend.properties()
        for qubit in range(backend.num_qubits):
            value = theirs.qubit_property(qubit).get("T1")  # (seconds, date) or absent
            t1 = ours.qubits[qubit].t1_us
            assert t1 == (None if value is None else pytest.approx(value[0] * 1e6))
        assert ours.num_qubits == backend.num_qubits
        assert ours.status is not None
        assert ours.status.pending_jobs == backend.status().pending_jobs
        assert ours.status.operational == backend.status().operational


@pytest.mark.parametrize("version", [None, "2024-06-01"])
def test_older_api_versions_get_the_legacy_device_list(
    served: IBMStandIn, version: str | None
) -> None:
    token = httpx.post(
        f"{served.url}/identity/token",
        data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": GOOD_KEY},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Service-CRN": CRN}
    if version is not None:
        headers["IBM-API-Version"] = version
    listing = httpx.get(f"{served.api_url}/backends", headers=headers).json()
    assert listing == {"devices": ["ibm_fez", "ibm_kingston", "ibm_kyiv"]}
