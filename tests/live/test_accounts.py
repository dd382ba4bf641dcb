"""Saved accounts in the official client's format both ways, instances, login, proxies, TLS."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import AccountError, TokenRejectedError, UnreachableError
from qpumon.sources.ibm_live import LiveOptions, connect, find_account, login
from qpumon.sources.ibm_live.endpoints import (
    api_url,
    global_catalog_url,
    global_search_url,
    iam_url,
)
from tests.live.conftest import fetch_live, live_options
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn

EU_CRN = "crn:v1:bluemix:public:quantum-computing:eu-de:a/0123456789abcdef:aaaa-bbbb::"
PAID_CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0123456789abcdef:cccc-dddd::"


def _service() -> Any:
    from qiskit_ibm_runtime import QiskitRuntimeService

    return QiskitRuntimeService


def _as_is(url: str, instance: str, private: bool | None, channel: str) -> str:
    """A ``url_resolver`` for the official client: the stand-in's URL is the API base."""
    return url


def test_qpumon_reads_every_field_the_client_saves(home: Path) -> None:
    path = home / "accounts.json"
    _service().save_account(
        token="key-of-lab", url="https://cloud.ibm.com", instance=CRN, filename=str(path),
        name="lab", proxies={"urls": {"https": "http://proxy.example:3128"}}, verify=False,
        private_endpoint=True, region="eu-de", plans_preference=["premium", "open"],
        tags=["team-a"],
    )  # fmt: skip
    _service().save_account(token="key-of-default", filename=str(path), set_as_default=True)
    lab = find_account(LiveOptions(account="lab", account_file=path))
    assert lab is not None
    assert (lab.token, lab.url, lab.instance, lab.channel) == (
        "key-of-lab", "https://cloud.ibm.com", CRN, "ibm_quantum_platform",
    )  # fmt: skip
    assert (lab.verify, lab.private_endpoint, lab.region) == (False, True, "eu-de")
    assert lab.plans_preference == ("premium", "open") and lab.tags == ("team-a",)
    assert dict(lab.proxies) == {"https": "http://proxy.example:3128"}
    default = find_account(LiveOptions(account_file=path))
    assert default is not None and default.token == "key-of-default"
    assert default.instance is None  # an account without an instance: every instance


@pytest.mark.parametrize(
    "saves",
    [
        [("a", "ibm_cloud", False), ("b", "ibm_quantum_platform", False)],
        [("a", "ibm_cloud", True), ("default-ibm-quantum-platform", "ibm_quantum_platform", False)],
        [("x", "ibm_quantum_platform", False), ("default-ibm-cloud", "ibm_cloud", False)],
    ],
)
def test_the_default_account_is_the_one_the_client_loads(
    stand_in: IBMStandIn, home: Path, saves: list[tuple[str, str, bool]]
) -> None:
    path = home / "accounts.json"
    for name, channel, default in saves:
        stand_in.api_keys.add(f"key-{name}")
        _service().save_account(
            token=f"key-{name}", url=stand_in.api_url, instance=CRN, channel=channel,
            filename=str(path), name=name, set_as_default=default or None,
        )  # fmt: skip
    client = _service()(filename=str(path), url_resolver=_as_is)
    ours = find_account(LiveOptions(account_file=path))
    assert ours is not None and ours.token == client.active_account()["token"]


def test_the_client_reads_what_qpumon_saves(stand_in: IBMStandIn, home: Path) -> None:
    path = home / ".qiskit" / "qiskit-ibm.json"
    done = login(GOOD_KEY, name="lab", instance=CRN, url=stand_in.api_url, check=False, path=path)
    assert (done.path, done.name, done.default, done.checked) == (path, "lab", False, False)
    login(
        GOOD_KEY, url="https://cloud.ibm.com", region="eu-de", plans_preference=["open"],
        tags=["team-a"], proxies={"urls": {"https": "http://proxy.example:3128"}}, verify=False,
        check=False, path=path,
    )  # fmt: skip
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lab = {
        "channel": "ibm_quantum_platform", "instance": CRN, "private_endpoint": False,
        "token": GOOD_KEY, "url": stand_in.api_url,
    }  # fmt: skip
    assert json.loads(path.read_text())["lab"] == lab  # what the client itself writes
    saved = _service().saved_accounts(filename=str(path))
    assert saved["lab"] == {**lab, "verify": True}  # the client's reading: verify by default
    default = {
        "channel": "ibm_quantum_platform", "plans_preference": ["open"],
        "private_endpoint": False, "proxies": {"urls": {"https": "http://proxy.example:3128"}},
        "region": "eu-de", "tags": ["team-a"], "token": GOOD_KEY, "url": "https://cloud.ibm.com",
        "verify": False,
    }  # fmt: skip
    written = json.loads(path.read_text())["default-ibm-quantum-platform"]
    assert written == {**default, "is_default_account": True}
    assert saved["default-ibm-quantum-platform"] == default
    client = _service()(filename=str(path), name="lab", url_resolver=_as_is)
    assert sorted(b.name for b in client.backends()) == ["ibm_fez", "ibm_kingston", "ibm_kyiv"]


def test_login_refuses_to_replace_an_account_unless_told(home: Path) -> None:
    path = home / "accounts.json"
    login("first", instance=CRN, check=False, path=path)
    with pytest.raises(AccountError, match="'default-ibm-quantum-platform' is already saved"):
        login("second", instance=CRN, check=False, path=path)
    login("second", instance=CRN, check=False, path=path, overwrite=True)
    assert json.loads(path.read_text())["default-ibm-quantum-platform"]["token"] == "second"
    with pytest.raises(AccountError, match="channel: 'ibm_quantum' is not an IBM Quantum channel"):
        login("third", channel="ibm_quantum", check=False, path=path)


def _two_instances(server: IBMStandIn) -> None:
    """The default (open, us-east, the first devices) and a premium eu-de one with torino."""
    server.instances[0].devices = list(server.devices)
    server.add_instance(EU_CRN, "premium-eu", ["ibm_torino"], plan_id="plan-premium", tags=["x"])
    server.add_device("torino")
    server.add_instance(PAID_CRN, "unallocated", [], allocated=False)


def test_an_account_without_instance_merges_every_instance(
    stand_in: IBMStandIn, home: Path
) -> None:
    _two_instances(stand_in)
    stand_in.page_size = 1  # the search is read page by page
    source = connect(live_options(stand_in, home, instance=None))
    assert [(i.name, i.plan, i.pricing_type, i.region) for i in source.instances()] == [
        ("qpumon-open", "open", "free", "us-east"),
        ("premium-eu", "premium", "subscription", "eu-de"),
    ]  # free plans first, as the client orders them; no allocation: left out
    assert source.names() == ["ibm_fez", "ibm_kingston", "ibm_kyiv", "ibm_torino"]
    torino, fez = (r.snapshot for r in source.fetch(["ibm_torino", "ibm_fez"]))
    assert torino is not None and fez is not None and torino.num_qubits == 133
    (asked,) = stand_in.seen("status", "ibm_torino")
    assert asked.headers["service-crn"] == EU_CRN
    assert stand_in.seen("status", "ibm_fez")[0].headers["service-crn"] == CRN
    assert len(stand_in.seen("search")) == 4  # three one-item pages, then an empty one


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        ({"plans_preference": ["premium", "open"]}, ["premium-eu", "qpumon-open"]),
        ({"region": "eu-de"}, ["premium-eu"]),
        ({"tags": ["x"]}, ["premium-eu"]),
    ],
)
def test_saved_preferences_choose_the_instances(
    stand_in: IBMStandIn, home: Path, preferences: dict[str, Any], expected: list[str]
) -> None:
    _two_instances(stand_in)
    path = home / "accounts.json"
    login(GOOD_KEY, url=stand_in.api_url, check=False, path=path, **preferences)
    source = connect(LiveOptions(account_file=path))
    assert [i.name for i in source.instances()] == expected


def test_an_instance_can_be_named_by_its_name(stand_in: IBMStandIn, home: Path) -> None:
    _two_instances(stand_in)
    snapshot = fetch_live("ibm_torino", live_options(stand_in, home, instance="premium-eu"))
    assert snapshot.num_qubits == 133
    assert stand_in.seen("status", "ibm_torino")[0].headers["service-crn"] == EU_CRN


def test_preferences_that_match_no_instance_say_so(stand_in: IBMStandIn, home: Path) -> None:
    _two_instances(stand_in)
    path = home / "accounts.json"
    with pytest.raises(AccountError) as caught:
        login(GOOD_KEY, url=stand_in.api_url, region="eu-de", tags=["nope"], path=path)
    assert str(caught.value) == (
        "no instance of the IBM Quantum account matches tags nope; region eu-de (it has: "
        "qpumon-open (open, us-east), premium-eu (premium, eu-de)); change the saved account's "
        "preferences or pass --instance"
    )
    assert not path.exists()


def test_login_lists_what_it_found_and_saves_nothing_when_refused(
    stand_in: IBMStandIn, home: Path
) -> None:
    _two_instances(stand_in)
    path = home / "accounts.json"
    with pytest.raises(TokenRejectedError):
        login("wrong", url=stand_in.api_url, path=path)
    assert not path.exists()
    done = login(GOOD_KEY, url=stand_in.api_url, path=path)
    assert [i.name for i in done.instances] == ["qpumon-open", "premium-eu"]
    assert done.devices == ("ibm_fez", "ibm_kingston", "ibm_kyiv", "ibm_torino")
    assert (done.name, done.default, done.checked) == ("default-ibm-quantum-platform", True, True)
    assert "instance" not in json.loads(path.read_text())[done.name]


def test_saved_proxies_carry_every_request(
    stand_in: IBMStandIn, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = home / "accounts.json"
    hidden = "http://quantum.qpumon-test.invalid/api/v1"  # reachable only through the proxy
    login(GOOD_KEY, instance=CRN, url=hidden, proxies={"urls": {"http": stand_in.url}},
          check=False, path=path)  # fmt: skip
    monkeypatch.setenv("IAM_URL", "http://iam.qpumon-test.invalid")
    snapshot = fetch_live("ibm_fez", LiveOptions(account_file=path, cache_dir=home / "c"))
    assert snapshot.num_qubits == 156
    targets = {r.target.split("?")[0] for r in stand_in.requests}
    assert "http://iam.qpumon-test.invalid/identity/token" in targets
    assert f"{hidden}/backends/ibm_fez/status" in targets
    assert all(r.target.startswith("http://") for r in stand_in.requests)  # absolute: proxied


def test_verify_false_accepts_a_certificate_no_one_trusts(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = IBMStandIn.with_devices(["kyiv"])
    with server.running(tls=True):
        monkeypatch.setenv("IAM_URL", server.url)
        path = home / "accounts.json"
        login(GOOD_KEY, instance=CRN, url=server.api_url, check=False, path=path, name="strict")
        login(GOOD_KEY, instance=CRN, url=server.api_url, check=False, path=path, verify=False)
        with pytest.raises(UnreachableError, match="TLS certificate could not be verified"):
            connect(LiveOptions(account_file=path, account="strict"))
        lax = LiveOptions(account_file=path, cache_dir=home / "c")
        assert fetch_live("ibm_kyiv", lax).num_qubits == 127


def test_urls_resolve_as_the_official_client_resolves_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cloud = "https://cloud.ibm.com"
    assert api_url(cloud, CRN) == "https://quantum.cloud.ibm.com/api/v1"
    assert api_url(None, EU_CRN) == "https://eu-de.quantum.cloud.ibm.com/api/v1"
    assert api_url(cloud, CRN, private_endpoint=True) == (
        "https://private.us-east.quantum.cloud.ibm.com/api/v1"
    )
    assert api_url("https://test.cloud.ibm.com", EU_CRN) == (
        "https://eu-de.quantum.test.cloud.ibm.com/api/v1"
    )
    assert api_url("https://experimental.cloud.ibm.com/x", CRN) == (
        "https://experimental.cloud.ibm.com/x"
    )
    assert api_url("http://127.0.0.1:8080/api/v1/", CRN) == "http://127.0.0.1:8080/api/v1"
    for variable in ("IAM_URL", "GLOBAL_SEARCH_URL", "GLOBAL_CATALOG_URL"):
        monkeypatch.delenv(variable, raising=False)
    assert iam_url(None) == "https://iam.cloud.ibm.com"
    assert iam_url(cloud, CRN, private_endpoint=True) == "https://private.iam.cloud.ibm.com"
    assert iam_url("https://test.cloud.ibm.com") == "https://iam.test.cloud.ibm.com"
    staging = CRN.replace(":bluemix:", ":staging:")
    assert iam_url(cloud, staging) == "https://iam.test.cloud.ibm.com"
    assert global_search_url(None) == "https://api.global-search-tagging.cloud.ibm.com"
    assert global_catalog_url(None) == "https://globalcatalog.cloud.ibm.com/api/v1"
    monkeypatch.setenv("IAM_URL", "http://iam.local/identity/token")
    monkeypatch.setenv("GLOBAL_SEARCH_URL", "http://search.local/")
    monkeypatch.setenv("GLOBAL_CATALOG_URL", "http://catalog.local")
    assert iam_url(cloud) == "http://iam.local"
    assert (global_search_url(cloud), global_catalog_url(cloud)) == (
        "http://search.local",
        "http://catalog.local",
    )
