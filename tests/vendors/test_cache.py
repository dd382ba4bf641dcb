"""The cache of vendor packages' snapshots: the same snapshots as the packages give, read again
when an installed version or a qpumon module changes, rebuilt when damaged, done without when it
cannot be written, and, once warm, no vendor package imported at all."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import pytest

import qpumon
from qpumon.model.serialize import snapshot_to_dict
from qpumon.sources.vendors import VENDORS, Vendor, cache
from tests.vendors.conftest import imported_vendor_packages, run_hiding

FOUR_VENDORS = ("fake_fez", "google:willow_pink", "quantinuum:h2-1", "iqm:garnet")


class Reader:
    """A vendor's source module, handed out by the cache only when it must read the package;
    counts how often that was."""

    def __init__(self, vendor: Vendor) -> None:
        self.module: ModuleType = importlib.import_module(f"qpumon.sources.vendors.{vendor.module}")
        self.calls = 0

    def __call__(self) -> ModuleType:
        self.calls += 1
        return self.module


def fresh_cache(name: str) -> tuple[cache.VendorCache, Reader]:
    """A new cache of vendor ``name`` (as a new process has it) and its counted reader."""
    reader = Reader(VENDORS[name])
    return cache.VendorCache(VENDORS[name], reader), reader


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache folder for each test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("vendor", ["google", "quantinuum", "iqm"])
def test_the_cached_snapshot_is_the_freshly_read_one(vendor: str) -> None:
    cold, cold_reader = fresh_cache(vendor)
    names = cold.device_names()
    assert cold_reader.calls == 1
    assert cache.cache_path(VENDORS[vendor]).is_file()
    warm, warm_reader = fresh_cache(vendor)
    assert warm.device_names() == names == warm_reader.module.device_names()
    for name in names:
        fresh = warm_reader.module.load(name)
        cached = warm.load(name)
        assert snapshot_to_dict(cached) == snapshot_to_dict(fresh)
        assert cached == fresh
    assert warm_reader.calls == 0


@pytest.mark.parametrize("distribution", ["pytket-quantinuum", "qpumon"])
def test_another_installed_version_reads_the_package_again(
    distribution: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_cache("quantinuum")[0].device_names()
    if distribution == "qpumon":
        code = cache.code_key()
        monkeypatch.setattr(cache, "code_key", lambda: ("999.0", *code[1:]))
    else:
        real = cache.installed_version
        monkeypatch.setattr(
            cache, "installed_version", lambda d: "999.0" if d == distribution else real(d)
        )
    again, reader = fresh_cache("quantinuum")
    assert snapshot_to_dict(again.load("h2-1")) == snapshot_to_dict(reader.module.load("h2-1"))
    assert reader.calls == 1
    third, third_reader = fresh_cache("quantinuum")  # the file now carries the new key
    third.load("h2-1")
    assert third_reader.calls == 0


def test_a_changed_qpumon_module_reads_the_package_again(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_cache("quantinuum")[0].device_names()
    version, *stats = cache.code_key()
    edited = [[*s[:2], s[2] + 1] if s[0].endswith("quantinuum.py") else s for s in stats]
    monkeypatch.setattr(cache, "code_key", lambda: (version, *edited))
    again, reader = fresh_cache("quantinuum")
    again.device_names()
    assert reader.calls == 1


def test_a_package_that_is_not_installed_is_never_answered_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh_cache("quantinuum")[0].device_names()
    monkeypatch.setattr(cache, "installed_version", lambda d: None)
    assert cache.cache_key(VENDORS["quantinuum"]) is None
    again, reader = fresh_cache("quantinuum")
    again.device_names()
    assert reader.calls == 1


def _damage(path: Path, how: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if how == "not json":
        path.write_bytes(b"\x00\xffnot json")
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "not an object":
        path.write_text("[1, 2, 3]", encoding="utf-8")
    elif how == "bad snapshot":
        data["snapshots"]["h2-1"]["num_qubits"] = "many"
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "another device's snapshot":
        data["snapshots"]["h2-1"] = data["snapshots"]["h1-1"]
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "bad device list":
        data["devices"] = "h2-1"
        path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "how",
    [
        "not json",
        "truncated",
        "not an object",
        "bad snapshot",
        "another device's snapshot",
        "bad device list",
    ],
)
def test_a_damaged_cache_is_rebuilt(how: str) -> None:
    fresh_cache("quantinuum")[0].device_names()
    path = cache.cache_path(VENDORS["quantinuum"])
    _damage(path, how)
    again, reader = fresh_cache("quantinuum")
    assert again.device_names() == reader.module.device_names()
    assert snapshot_to_dict(again.load("h2-1")) == snapshot_to_dict(reader.module.load("h2-1"))
    assert reader.calls == 1
    third, third_reader = fresh_cache("quantinuum")  # rebuilt on disk
    assert third.load("h2-1") == reader.module.load("h2-1")
    assert third_reader.calls == 0


@pytest.mark.parametrize("blocked", ["folder is a file", "cache file is a folder"])
def test_an_unwritable_cache_is_done_without(
    blocked: str, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if blocked == "folder is a file":
        cache_home.parent.mkdir(parents=True, exist_ok=True)
        cache_home.write_text("in the way", encoding="utf-8")
    else:
        cache.cache_path(VENDORS["quantinuum"]).mkdir(parents=True)
    for _ in range(2):
        source, reader = fresh_cache("quantinuum")
        assert source.device_names() == reader.module.device_names()
        assert source.load("h1-1") == reader.module.load("h1-1")
        assert reader.calls == 1


def qpumon_modules() -> list[tuple[str, int, int]]:
    """Path, size and modification time of every qpumon module."""
    root = Path(qpumon.__file__).parent
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*.py"))


def warm_imports(args: tuple[str, ...], cache_home: Path) -> list[str]:
    """The vendor packages ``qpumon ARGS`` imports run a second time. An edit to a qpumon
    module in between (others at work in the same tree) makes a cold cache: then again."""
    for _ in range(3):
        before = qpumon_modules()
        imported_vendor_packages(*args, cache=cache_home)
        found = imported_vendor_packages(*args, cache=cache_home)
        if not found or qpumon_modules() == before:
            break
    return found


def test_a_warm_cache_imports_no_vendor_package(cache_home: Path) -> None:
    cold = imported_vendor_packages("list", "--vendor", "all", cache=cache_home)
    assert {"cirq_google", "pytket"} <= set(cold)
    for args in (
        ("list", "--vendor", "all"),
        ("overview", *FOUR_VENDORS),
        ("monitor", "google:willow_pink"),
        ("monitor", "quantinuum:h2-1"),
        ("monitor", "iqm:garnet"),
    ):
        assert warm_imports(args, cache_home) == [], args


def test_a_package_gone_since_it_was_cached_is_still_missing(cache_home: Path) -> None:
    imported_vendor_packages("list", "--vendor", "all", cache=cache_home)
    result = run_hiding({"cirq_google"}, "monitor", "google:weber", cache=cache_home)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "qpumon: error: google:weber needs cirq-google: pip install 'qpumon[google]'"
    )
