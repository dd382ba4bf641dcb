"""``/metrics``: every value against the raw JSON of qiskit-ibm-runtime's files, read here with
json; names from the metric registry, base units, labels rather than ids in names, and IBM's
error = 1 flags exported as flags with no error sample."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from qpumon.model.metrics import DEVICE_METRICS, GATE_ERROR, GATE_LENGTH, QUBIT_METRICS
from tests.conftest import raw
from tests.serve.conftest import Running, running

DEVICES = ("fake_fez", "fake_kingston", "fake_burlington", "fake_armonk", "quantinuum:h2-1")
DEVICE_NAMES = {
    "qpumon_device_pending_jobs",
    "qpumon_device_operational",
    "qpumon_device_calibration_timestamp_seconds",
    "qpumon_device_eplg_ratio",
    "qpumon_device_info",
    "qpumon_gate_flagged",
    "qpumon_gate_out_of_service",
    "qpumon_qubit_out_of_service",
    "qpumon_device_median_1q_error_ratio",
    "qpumon_device_median_2q_error_ratio",
    "qpumon_device_median_1q_error_avg_ratio",
    "qpumon_device_median_2q_error_avg_ratio",
    "qpumon_device_couplers",
    "qpumon_device_failed_couplers",
    "qpumon_device_out_of_service_qubits",
    "qpumon_collect_duration_seconds",
    "qpumon_collect_errors",
    "qpumon_source_up",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server of :data:`DEVICES` (bundled snapshots) with a fresh SQLite store."""
    folder: Path = tmp_path_factory.mktemp("metrics")
    with running(DEVICES, f"sqlite:///{folder / 'history.db'}") as started:
        started.loaded()
        yield started


@pytest.fixture(scope="module")
def samples(server: Running) -> dict[str, list[Any]]:
    """``/metrics`` parsed with prometheus_client's own parser: family name -> samples."""
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    return {f.name: list(f.samples) for f in text_string_to_metric_families(text)}


def _one(samples: dict[str, list[Any]], family: str, **labels: str) -> float:
    found = [
        s.value for s in samples[family] if all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) == 1, (family, labels, found)
    return float(found[0])


def _param(entries: list[dict[str, Any]], name: str) -> Any:
    return next((e["value"] for e in entries if e["name"] == name), None)


def test_qubit_values_are_the_source_values_in_base_units(samples: dict[str, list[Any]]) -> None:
    fez = raw("fez", "props")["qubits"]
    t1_us, t2_us = _param(fez[0], "T1"), _param(fez[0], "T2")
    assert _one(samples, "qpumon_qubit_t1_seconds", device="fake_fez", qubit="0") == (
        pytest.approx(t1_us * 1e-6, rel=1e-12)
    )
    assert _one(samples, "qpumon_qubit_t2_seconds", device="fake_fez", qubit="0") == (
        pytest.approx(t2_us * 1e-6, rel=1e-12)
    )
    readout = _param(fez[5], "readout_error")
    assert _one(samples, "qpumon_qubit_readout_error_ratio", device="fake_fez", qubit="5") == (
        readout
    )
    burlington = raw("burlington", "props")["qubits"]
    ghz = _param(burlington[2], "frequency")
    assert _one(samples, "qpumon_qubit_frequency_hertz", device="fake_burlington", qubit="2") == (
        pytest.approx(ghz * 1e9, rel=1e-12)
    )
    # Heron has no frequency: no sample rather than a zero
    assert not [
        s for s in samples["qpumon_qubit_frequency_hertz"] if s.labels["device"] == "fake_fez"
    ]
    counted = sum(1 for s in samples["qpumon_qubit_t1_seconds"] if s.labels["device"] == "fake_fez")
    assert counted == sum(1 for q in fez if any(p["name"] == "T1" for p in q))


def test_gate_values_and_flags(samples: dict[str, list[Any]]) -> None:
    gates = raw("kingston", "props")["gates"]
    flagged = {
        (g["gate"], "->".join(map(str, g["qubits"])))
        for g in gates
        if _param(g["parameters"], "gate_error") == 1
    }
    assert flagged  # kingston's qubits 96, 112, 113, 131 and 146 have them
    errors = {
        (s.labels["gate"], s.labels["qubits"]): s.value
        for s in samples["qpumon_gate_error_ratio"]
        if s.labels["device"] == "fake_kingston"
    }
    assert {
        s.labels["definition"]
        for s in samples["qpumon_gate_error_ratio"]
        if s.labels["device"] == "fake_kingston"
    } == {"average"}
    flags = {
        (s.labels["gate"], s.labels["qubits"]): s.value
        for s in samples["qpumon_gate_flagged"]
        if s.labels["device"] == "fake_kingston"
    }
    assert not flagged & set(errors)  # a flagged gate has no error sample
    assert {k for k, v in flags.items() if v == 1} == flagged
    assert set(flags) == {(g["gate"], "->".join(map(str, g["qubits"]))) for g in gates}
    cz = next(g for g in gates if g["gate"] == "cz" and _param(g["parameters"], "gate_error") != 1)
    key = ("cz", "->".join(map(str, cz["qubits"])))
    assert errors[key] == _param(cz["parameters"], "gate_error")
    length = _one(
        samples, "qpumon_gate_length_seconds", device="fake_kingston", gate="cz", qubits=key[1]
    )
    assert length == pytest.approx(_param(cz["parameters"], "gate_length") * 1e-9, rel=1e-12)


def test_names_come_from_the_registry_and_ids_are_labels(samples: dict[str, list[Any]]) -> None:
    qubit_names = {m.prometheus_name for m in QUBIT_METRICS.values()}
    gate_names = {GATE_ERROR.prometheus_name, GATE_LENGTH.prometheus_name, "qpumon_gate_flagged"}
    values = {m.prometheus_name for m in DEVICE_METRICS.values()}
    assert set(samples) == qubit_names | gate_names | DEVICE_NAMES | values
    status = {"qpumon_device_pending_jobs", "qpumon_device_operational"}
    assert not any(samples[n] for n in status)  # bundled snapshots carry no status
    for name, found in samples.items():
        assert not re.search(r"_\d+(_|$)", name), name  # no qubit number in a name
        assert not any(d.removeprefix("fake_") in name for d in DEVICES), name
        for sample in found:
            assert "device" in sample.labels
            if name in qubit_names:
                assert set(sample.labels) == {"device", "qubit"}
                assert sample.labels["qubit"].isdigit()
            elif name == GATE_ERROR.prometheus_name:
                assert set(sample.labels) == {"device", "gate", "qubits", "definition"}
            elif name in gate_names:
                assert set(sample.labels) == {"device", "gate", "qubits"}
                assert re.fullmatch(r"\d+(->\d+)*", sample.labels["qubits"])


def test_device_series(samples: dict[str, list[Any]]) -> None:
    props, conf = raw("fez", "props"), raw("fez", "conf")
    published = datetime.fromisoformat(props["last_update_date"]).timestamp()
    stamp = _one(samples, "qpumon_device_calibration_timestamp_seconds", device="fake_fez")
    assert stamp == published
    lf = _param(props["general"], "lf_100")
    eplg = _one(samples, "qpumon_device_eplg_ratio", device="fake_fez")
    assert eplg == pytest.approx(0.8 * (1 - lf ** (1 / 99)), rel=1e-12)
    assert not [
        s for s in samples["qpumon_device_eplg_ratio"] if s.labels["device"] == "fake_armonk"
    ]
    info = next(s for s in samples["qpumon_device_info"] if s.labels["device"] == "fake_fez")
    family, revision = conf["processor_type"]["family"], conf["processor_type"]["revision"]
    assert info.value == 1
    assert info.labels == {
        "device": "fake_fez",
        "vendor": "ibm",
        "processor": f"{family} r{revision}",
        "version": conf["backend_version"],
    }


def test_device_wide_values_carry_their_definition(samples: dict[str, list[Any]]) -> None:
    from pytket.extensions.quantinuum.backends.api_wrappers import OFFLINE_MACHINE_LIST

    specs = next(m for m in OFFLINE_MACHINE_LIST if m["name"] == "H2-1")["noise_specs"]
    two = samples["qpumon_device_2q_error_ratio"]
    assert [(s.labels, s.value) for s in two] == [
        ({"device": "quantinuum:h2-1", "definition": "average"}, specs["2q_gate_error"]["p2"])
    ]
    spam = _one(samples, "qpumon_device_spam_error_ratio", device="quantinuum:h2-1")
    measured = specs["spam_error"]
    assert spam == pytest.approx((measured["p_meas_0"] + measured["p_meas_1"]) / 2, rel=1e-15)
    assert "qpumon_device_quantum_volume" in samples


def test_native_and_fractional_couplers_are_counted_apart(samples: dict[str, list[Any]]) -> None:
    """fez's flagged CZ and RZZ couplers, each direction-free, from the raw properties."""
    gates = raw("fez", "props")["gates"]

    def couplers(name: str, flagged: bool) -> int:
        return len(
            {
                frozenset(g["qubits"])
                for g in gates
                if g["gate"] == name and (not flagged or _param(g["parameters"], "gate_error") == 1)
            }
        )

    for gate in ("cz", "rzz"):
        total = _one(samples, "qpumon_device_couplers", device="fake_fez", gate=gate)
        failed = _one(samples, "qpumon_device_failed_couplers", device="fake_fez", gate=gate)
        assert (total, failed) == (couplers(gate, False), couplers(gate, True))
    assert not [
        s
        for s in samples["qpumon_device_failed_couplers"]
        if s.labels["device"] == "quantinuum:h2-1"
    ]  # IBM's flag does not apply to another vendor's data


def test_medians_keep_their_definition(samples: dict[str, list[Any]]) -> None:
    import statistics

    gates = raw("fez", "props")["gates"]
    cz = [_param(g["parameters"], "gate_error") for g in gates if g["gate"] == "cz"]
    median = statistics.median(e for e in cz if e is not None and e != 1)
    own = [
        s
        for s in samples["qpumon_device_median_2q_error_ratio"]
        if s.labels["device"] == "fake_fez"
    ]
    assert [(s.labels["definition"], s.value) for s in own] == [("average", pytest.approx(median))]
    avg = [
        s
        for s in samples["qpumon_device_median_2q_error_avg_ratio"]
        if s.labels["device"] == "fake_fez"
    ]
    assert [(s.labels["bound"], s.value) for s in avg] == [("", pytest.approx(median))]


def test_the_collector_reports_on_itself(samples: dict[str, list[Any]]) -> None:
    for device in DEVICES:
        assert _one(samples, "qpumon_source_up", device=device) == 1
        assert _one(samples, "qpumon_collect_errors", device=device) == 0
        assert _one(samples, "qpumon_collect_duration_seconds", device=device) > 0


def test_metrics_are_gzip_compressed_for_prometheus(server: Running) -> None:
    with server.client() as client:
        plain = client.get("/metrics", headers={"Accept-Encoding": "identity"})
        packed = client.get("/metrics", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == plain.text  # httpx decompressed it
    assert int(packed.headers["content-length"]) < len(plain.content) / 5
