"""Every number qpumon loads from the bundled snapshots, checked against the raw JSON."""

from __future__ import annotations

import statistics
from datetime import datetime, timezone

import pytest

from qpumon.model import DeviceSnapshot
from qpumon.model.summary import summarize
from qpumon.sources import BundledSource
from tests.conftest import bundled_dirs, raw

DIRS = bundled_dirs()
SCALE_TO_US = {"us": 1.0, "µs": 1.0, "ns": 1e-3, "s": 1e6, "ms": 1e3}
QUBIT_FIELD = {
    "T1": "t1_us",
    "T2": "t2_us",
    "frequency": "frequency_ghz",
    "anharmonicity": "anharmonicity_ghz",
    "readout_error": "readout_error",
    "prob_meas0_prep1": "prob_meas0_prep1",
    "prob_meas1_prep0": "prob_meas1_prep0",
    "readout_length": "readout_length_ns",
}


@pytest.fixture(scope="module")
def bundled() -> BundledSource:
    return BundledSource()


def test_there_are_68_bundled_devices(bundled: BundledSource) -> None:
    assert len(DIRS) == 68
    assert bundled.names() == [f"fake_{d}" for d in DIRS]


def _expected(entry: dict) -> float:
    value, unit = float(entry["value"]), entry["unit"]
    if entry["name"] in ("T1", "T2"):
        return value * SCALE_TO_US[unit]
    assert unit in ("", "GHz", "ns"), unit  # everything else in the data is already canonical
    return value


@pytest.mark.parametrize("stem", DIRS)
def test_every_value_matches_the_source(bundled: BundledSource, stem: str) -> None:
    conf, props = raw(stem, "conf"), raw(stem, "props")
    snap = bundled.load(stem)
    assert snap.name == f"fake_{stem}"
    assert snap.num_qubits == conf["n_qubits"]
    assert list(snap.basis_gates) == conf["basis_gates"]
    assert [list(e) for e in snap.coupling_edges] == (conf["coupling_map"] or [])
    assert len(snap.qubits) == len(props["qubits"])
    for index, entries in enumerate(props["qubits"]):
        qubit = snap.qubits[index]
        present = {e["name"]: e for e in entries if e["name"] in QUBIT_FIELD}
        for name, field in QUBIT_FIELD.items():
            if name == "anharmonicity" and name in present and present[name]["value"] == 0:
                # IBM's placeholder for "not measured": missing, and recorded as a placeholder
                assert qubit.value(field) is None
                assert index in snap.placeholders[field]
            elif name in present:
                assert qubit.value(field) == pytest.approx(_expected(present[name]), rel=1e-12)
                when = datetime.fromisoformat(present[name]["date"]).astimezone(timezone.utc)
                assert qubit.measured_at[field] == when
            else:
                assert qubit.value(field) is None, (stem, index, field)
    assert len(snap.gates) == len(props["gates"])
    for gate, raw_gate in zip(snap.gates, props["gates"], strict=True):
        assert (gate.gate, list(gate.qubits)) == (raw_gate["gate"], raw_gate["qubits"])
        params = {p["name"]: p["value"] for p in raw_gate["parameters"]}
        assert gate.error == (None if "gate_error" not in params else float(params["gate_error"]))
        assert gate.length_ns == (
            None if "gate_length" not in params else float(params["gate_length"])
        )


@pytest.mark.parametrize("stem", DIRS)
def test_summary_medians_match_the_source(bundled: BundledSource, stem: str) -> None:
    conf, props = raw(stem, "conf"), raw(stem, "props")
    summary = summarize(bundled.load(stem))

    def qubit_values(name: str) -> list[float]:
        return [_expected(e) for q in props["qubits"] for e in q if e["name"] == name]

    t1 = qubit_values("T1")
    assert summary.median_t1_us == (pytest.approx(statistics.median(t1)) if t1 else None)
    native = [
        g
        for g in props["gates"]
        if len(g["qubits"]) == 2 and g["gate"] in conf["basis_gates"] and g["gate"] != "rzz"
    ]
    errors = [p["value"] for g in native for p in g["parameters"] if p["name"] == "gate_error"]
    measured = [e for e in errors if e != 1]
    assert summary.failed_2q_gates == len(errors) - len(measured)
    failed = {
        frozenset(g["qubits"])
        for g in native
        if any(p["name"] == "gate_error" and p["value"] == 1 for p in g["parameters"])
    }
    assert summary.failed_2q_couplers == len(failed)
    assert summary.native_couplers == len({frozenset(g["qubits"]) for g in native})
    expected = statistics.median(measured) if measured else None
    assert summary.median_2q_error == (pytest.approx(expected) if expected is not None else None)


def test_ibm_anharmonicity_placeholders_are_missing(bundled: BundledSource) -> None:
    """DATA-NOTES: 90 anharmonicities of exactly 0 on five devices are IBM's placeholder."""
    found = {}
    for stem in DIRS:
        zeros = [
            i
            for i, entries in enumerate(raw(stem, "props")["qubits"])
            if any(e["name"] == "anharmonicity" and e["value"] == 0 for e in entries)
        ]
        snap = bundled.load(stem)
        assert tuple(zeros) == snap.placeholders.get("anharmonicity_ghz", ())
        if zeros:
            found[stem] = len(zeros)
    assert sum(found.values()) == 90
    assert found == {"geneva": 27, "prague": 33, "melbourne": 15, "osaka": 9, "kyoto": 6}


def test_placeholders_stay_out_of_medians_and_show_as_missing(bundled: BundledSource) -> None:
    from qpumon.reports.formats import render
    from qpumon.reports.monitor import build_monitor

    geneva = bundled.load("geneva")
    measured = [
        e["value"]
        for q in raw("geneva", "props")["qubits"]
        for e in q
        if e["name"] == "anharmonicity" and e["value"] != 0
    ]
    assert all(q.anharmonicity_ghz != 0 for q in geneva.qubits)
    shown = [q.anharmonicity_ghz for q in geneva.qubits if q.anharmonicity_ghz is not None]
    assert sorted(shown) == pytest.approx(sorted(measured))
    text = render(build_monitor(geneva), "plain")
    assert "Placeholders, not measurements: Anharm of 27 qubits" in text


def test_microseconds_written_as_micro_sign_and_as_us(bundled: BundledSource) -> None:
    old, new = bundled.load("burlington"), bundled.load("fez")
    assert old.unit_labels["t1_us"] == "\u00b5s" and new.unit_labels["t1_us"] == "us"
    assert old.qubits[0].t1_us == pytest.approx(101.25901768767605)


def test_heron_has_no_frequency(bundled: BundledSource) -> None:
    fez = bundled.load("fez")
    assert all(q.frequency_ghz is None and q.anharmonicity_ghz is None for q in fez.qubits)


def test_kingston_qubit_146_has_no_t1_t2_and_its_gates_are_flagged(bundled: BundledSource) -> None:
    kingston = bundled.load("kingston")
    assert kingston.qubits[146].t1_us is None and kingston.qubits[146].t2_us is None
    for q in (96, 112, 113, 131, 146):
        gates = [g for g in kingston.gates if g.qubits == (q,) and g.gate in ("id", "sx", "x")]
        assert len(gates) == 3 and all(g.failed for g in gates)


def test_kyoto_every_ecr_is_flagged_and_left_out_of_the_median(bundled: BundledSource) -> None:
    summary = summarize(bundled.load("kyoto"))
    assert summary.failed_2q_gates == 144
    assert summary.median_2q_error is None
    assert summarize(bundled.load("kyoto"), include_flagged=True).median_2q_error == 1.0


def test_cusco_readout_errors_at_or_above_one_half(bundled: BundledSource) -> None:
    assert summarize(bundled.load("cusco")).unreliable_readouts == 27


def test_armonk_one_qubit_no_coupling_map(bundled: BundledSource) -> None:
    armonk = bundled.load("armonk")
    assert armonk.num_qubits == 1 and armonk.coupling_edges == ()
    assert summarize(armonk).median_2q_error is None


def test_cairo_has_cx_and_ecr(bundled: BundledSource) -> None:
    cairo = bundled.load("cairo")
    assert {g.gate for g in cairo.gates if g.arity == 2} >= {"cx", "ecr"}


def test_directed_and_symmetric_coupling_maps(bundled: BundledSource) -> None:
    def symmetric(s: DeviceSnapshot) -> bool:
        edges = set(s.coupling_edges)
        return all((b, a) in edges for a, b in edges)

    assert not symmetric(bundled.load("brisbane"))
    assert symmetric(bundled.load("fez"))


def test_dt_in_seconds_on_poughkeepsie_is_normalised_to_ns(bundled: BundledSource) -> None:
    assert raw("poughkeepsie", "conf")["dt"] < 1e-6
    assert bundled.load("poughkeepsie").dt_ns == pytest.approx(3.5555555555555554)
    assert bundled.load("fez").dt_ns == raw("fez", "conf")["dt"]


def test_layer_fidelities_and_eplg_match_the_source(bundled: BundledSource) -> None:
    props = raw("fez", "props")
    lf100 = next(e["value"] for e in props["general"] if e["name"] == "lf_100")
    chain = next(q["qubits"] for q in props["general_qlists"] if q["name"] == "lf_100")
    fez = bundled.load("fez")
    layer = next(lf for lf in fez.layer_fidelities if lf.num_qubits == 100)
    assert layer.fidelity == lf100 and list(layer.qubits) == chain
    assert summarize(fez).eplg_100 == pytest.approx(0.8 * (1 - lf100 ** (1 / 99)))


@pytest.mark.parametrize(
    "alias",
    ["fake_burlington", "burlington", "ibmq_burlington", "FAKE_Burlington", "IBMQ_BURLINGTON"],
)
def test_accepted_names(bundled: BundledSource, alias: str) -> None:
    assert bundled.load(alias).name == "fake_burlington"
