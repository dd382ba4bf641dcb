"""Vendor devices through the real entry point: monitor, overview side by side with IBM, the
messages for unknown names and missing extras, and IBM commands that import no vendor package."""

from __future__ import annotations

import dataclasses
import json
import statistics
from pathlib import Path

import pytest
from cirq_google.engine.virtual_engine_factory import MEDIAN_CALIBRATIONS
from pytket.extensions.quantinuum.backends.api_wrappers import OFFLINE_MACHINE_LIST

from qpumon.sources import resolve
from tests.core.cli_helpers import invoke, run
from tests.vendors.conftest import (
    IONQ_FIXTURE,
    imported_vendor_packages,
    package_folder,
    read_json,
    run_hiding,
)

FOUR = ("google:willow_pink", "quantinuum:h2-1", "iqm:garnet", "fake_fez")


def test_monitor_google_weber() -> None:
    result = run("monitor", "google:weber")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "google:weber"
    assert "XEB per cycle" in result.stdout
    assert result.stderr == ""


def test_overview_of_four_vendors_side_by_side() -> None:
    result = run("overview", *FOUR)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(FOUR)]
    assert sorted(row.split()[0] for row in rows) == sorted(FOUR)  # one table, a row each
    assert "converted from a Pauli" in result.stdout  # Google's 1q error, converted and said so


def test_overview_numbers_are_the_vendors() -> None:
    result = run("overview", *FOUR, "-f", "json")
    assert result.returncode == 0, result.stderr
    devices = {d["name"]: d for d in json.loads(result.stdout)["devices"]}
    assert set(devices) == set(FOUR)
    raw = read_json(
        package_folder("cirq_google")
        / "devices"
        / "calibrations"
        / MEDIAN_CALIBRATIONS["willow_pink"]
    )
    t1 = [
        m["values"][0]["doubleVal"]
        for m in raw["metrics"]["metrics"]
        if m["name"] == "single_qubit_idle_t1_micros"
    ]
    willow = devices["google:willow_pink"]
    assert willow["median_t1_us"] == pytest.approx(statistics.median(t1), rel=1e-15)
    assert (willow["one_qubit_definition"], willow["two_qubit_definition"]) == (
        "pauli",
        "xeb_cycle",
    )
    h21 = next(m for m in OFFLINE_MACHINE_LIST if m["name"] == "H2-1")["noise_specs"]
    quantinuum = devices["quantinuum:h2-1"]
    assert quantinuum["median_2q_error"] == h21["2q_gate_error"]["p2"]
    assert quantinuum["vendor"] == "quantinuum" and quantinuum["connectivity"] == "all-to-all"
    assert devices["iqm:garnet"]["provenance"] == "vendor sample data"
    assert devices["fake_fez"]["vendor"] == "ibm"


def test_a_snapshot_written_as_json_loads_back_the_same(tmp_path: Path) -> None:
    out = tmp_path / "weber.json"
    assert invoke("monitor", "google:weber", "-f", "json", "-o", out).exit_code == 0
    loaded = resolve(out)
    assert loaded == dataclasses.replace(resolve("google:weber"), source=loaded.source)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "quera:aquila",
            "qpumon: error: unknown vendor 'quera' in 'quera:aquila' (known: google:, "
            "quantinuum:, iqm:; IBM devices have no prefix, `qpumon list` shows every device)",
        ),
        (
            "google:sycamore",
            "qpumon: error: unknown google device 'sycamore' (known: google:rainbow, "
            "google:weber, google:willow_pink)",
        ),
        (
            "iqm:sirius",
            "qpumon: error: unknown iqm device 'sirius' (known: iqm:adonis, iqm:aphrodite, "
            "iqm:apollo, iqm:deneb, iqm:garnet); for a live device, set IQM_SERVER_URL and "
            "IQM_TOKEN (or IQM_TOKENS_FILE, the path of a tokens file)",
        ),
    ],
)
def test_an_unknown_vendor_or_device_lists_the_known_ones(name: str, message: str) -> None:
    result = invoke("monitor", name)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_names_are_case_insensitive() -> None:
    assert resolve("Quantinuum:H2-1").name == "quantinuum:h2-1"
    assert resolve(" GOOGLE:Weber ").name == "google:weber"


def test_a_vendor_name_has_no_past_calibration() -> None:
    result = invoke("monitor", "google:weber", "--at", "2021-11-01")
    assert result.exit_code == 2
    assert "google:weber is not an IBM Quantum device" in result.stderr


@pytest.mark.parametrize(
    ("name", "hidden", "line"),
    [
        (
            "google:weber",
            {"cirq_google"},
            "google:weber needs cirq-google: pip install 'qpumon[google]'",
        ),
        (
            "quantinuum:h2-1",
            {"pytket"},
            "quantinuum:h2-1 needs pytket-quantinuum: pip install 'qpumon[quantinuum]'",
        ),
        ("iqm:garnet", {"iqm"}, "iqm:garnet needs iqm-client: pip install --no-deps iqm-client"),
    ],
)
def test_without_the_extra_one_line_names_it(name: str, hidden: set[str], line: str) -> None:
    result = run_hiding(hidden, "monitor", name)
    assert result.returncode == 2
    assert result.stderr.strip() == f"qpumon: error: {line}"


def test_a_broken_vendor_package_is_not_called_missing() -> None:
    result = run_hiding({"duet"}, "monitor", "google:weber")  # a dependency of cirq
    assert result.returncode == 2
    assert "needs cirq-google, which is installed but cannot be imported" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("monitor", "fake_fez"),
        ("overview", "fake_fez", "fake_torino"),
        ("monitor", "-f", "json", "fake_kyoto"),
    ],
)
def test_ibm_commands_import_no_vendor_package(args: tuple[str, ...]) -> None:
    assert imported_vendor_packages(*args) == []


def test_each_vendor_imports_only_its_own_package(tmp_path: Path) -> None:
    assert imported_vendor_packages("monitor", "iqm:garnet") == ["iqm"]  # a namespace, no code
    assert imported_vendor_packages("monitor", str(IONQ_FIXTURE)) == []
    assert "cirq_google" not in imported_vendor_packages("monitor", "quantinuum:h1-1")


def test_monitor_shows_device_values_with_uncertainties_and_says_they_are_not_medians() -> None:
    h21 = next(m for m in OFFLINE_MACHINE_LIST if m["name"] == "H2-1")["noise_specs"]
    result = run("monitor", "quantinuum:h2-1", "-f", "csv")
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()]
    device = {r[4]: float(r[5]) for r in rows if r[1] == "device"}
    assert device["2q_error"] == h21["2q_gate_error"]["p2"]
    assert device["1q_error"] == h21["1q_gate_error"]["p1"]
    text = run("monitor", "quantinuum:h2-1").stdout
    assert "Device 2q error" in text and "Median 2q error" not in text
    assert "Device values" in text and "all-to-all" in text


def test_monitor_names_vendor_qubits_and_says_sample_data_is_not_measured() -> None:
    text = run("monitor", "iqm:garnet").stdout
    assert "Q0 (QB1)" in text  # IQM's own name beside qpumon's index
    assert "vendor sample data, not measurements" in text
    assert "depolarizing" in text  # what PRX and CZ errors are


def test_list_every_vendor_against_the_vendors_own_lists() -> None:
    result = run("list", "--vendor", "all", "-f", "json")
    assert result.returncode == 0, result.stderr
    listed = {d["device"]: d for d in json.loads(result.stdout)}
    google = {f"google:{name}" for name in MEDIAN_CALIBRATIONS}
    quantinuum = {f"quantinuum:{m['name'].lower()}" for m in OFFLINE_MACHINE_LIST}
    iqm_files = (package_folder("iqm") / "qiskit_iqm" / "fake_backends").glob("fake_*.py")
    iqm = {f"iqm:{path.stem.removeprefix('fake_')}" for path in iqm_files}
    for names, vendor in ((google, "google"), (quantinuum, "quantinuum"), (iqm, "iqm")):
        assert {n for n, d in listed.items() if d["vendor"] == vendor} == names
    h21 = next(m for m in OFFLINE_MACHINE_LIST if m["name"] == "H2-1")
    assert listed["quantinuum:h2-1"]["qubits"] == h21["n_qubits"]
    assert listed["fake_fez"]["vendor"] == "ibm"


def test_list_says_how_to_see_other_vendors_and_what_a_missing_one_needs() -> None:
    assert "qpumon list --vendor all" in run("list").stdout
    result = run_hiding({"cirq_google"}, "list", "--vendor", "google")
    assert result.returncode == 0
    assert "listing the google devices needs cirq-google: pip install 'qpumon[google]'" in (
        result.stdout
    )


def test_the_map_of_an_all_to_all_device_says_so_and_shows_the_device_wide_error(
    tmp_path: Path,
) -> None:
    out = tmp_path / "h2.svg"
    assert invoke("map", "quantinuum:h2-1", "-o", out).exit_code == 0
    h21 = next(m for m in OFFLINE_MACHINE_LIST if m["name"] == "H2-1")["noise_specs"]
    svg = out.read_text(encoding="utf-8")
    assert "All-to-all connectivity" in svg
    assert f"device-wide: {h21['2q_gate_error']['p2']:.3g}" in svg


def test_choosing_qubits_on_other_vendors_says_what_is_missing(tmp_path: Path) -> None:
    willow = run("best", "google:willow_pink", "--qubits", "4")
    assert willow.returncode == 2
    assert "has T2" in willow.stderr and "--cost-model mapomatic" in willow.stderr
    assert (
        run("best", "google:willow_pink", "--qubits", "4", "--cost-model", "mapomatic").returncode
        == 0
    )
    ghz = tmp_path / "ghz.qasm"
    ghz.write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nh q[0];\ncx q[0],q[1];\ncx q[1],q[2];\n'
    )
    placed = run("place", str(ghz), "iqm:garnet", "quantinuum:h2-1", "fake_fez")
    assert placed.returncode == 0, placed.stderr
    assert "quantinuum:h2-1: skipped, the source gives only device-wide values" in placed.stdout
    assert "iqm:garnet: circuit 'ghz'" in placed.stdout or "iqm:garnet" in placed.stdout
