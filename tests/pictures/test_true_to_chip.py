"""Maps and distributions true to the chip (issue 17), against the raw data read here without
qpumon: IBM's ``operational = 0`` injected into a real properties file is drawn OFF; a qubit
whose every benchmarked single-qubit gate failed is drawn dead; Google's and IQM's errors are
labelled with their definitions; fractional RZZ is never the map's entangler."""

from __future__ import annotations

import copy
import json
import re
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from cirq_google.engine.virtual_engine_factory import MEDIAN_CALIBRATIONS
from click.testing import CliRunner

from qpumon.cli import cli
from qpumon.pictures import distribution_figure, map_figure
from qpumon.pictures.errormap import error_map
from qpumon.pictures.mpl import svg_text
from qpumon.pictures.scale import FLAGGED_COLOUR, MISSING_COLOUR, OFF_COLOUR, OFF_FILL
from qpumon.pictures.values import (
    FLAGGED,
    MEASURED,
    OFF,
    coupler_series,
    coupler_values,
    qubit_series,
)
from qpumon.sources import resolve
from qpumon.sources.ibm_json import snapshot_from_ibm
from tests.pictures.conftest import fill_of, style_of, svg_groups
from tests.vendors.conftest import package_folder, read_json

#: What is taken out of service in fake_fez: a qubit, both directions of one coupler and one
#: direction of another (whose other direction stays measured).
OFF_QUBIT = 5
OFF_GATES = (("cz", (10, 11)), ("cz", (11, 10)), ("cz", (100, 101)))
#: IBM's single-qubit operations that are no benchmark of a gate: the readout and the reset.
NOT_GATES = ("measure", "reset")


def _params(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in entries}


def _inject(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` with :data:`OFF_QUBIT` and :data:`OFF_GATES` out of service, as IBM writes it."""
    props = copy.deepcopy(props)
    stamp = props["last_update_date"]
    off = {"date": stamp, "name": "operational", "unit": "", "value": 0}
    props["qubits"][OFF_QUBIT].append(dict(off))
    for gate in props["gates"]:
        if (gate["gate"], tuple(gate["qubits"])) in OFF_GATES:
            gate["parameters"].append(dict(off))
    return props


def _off_in_raw(props: dict[str, Any]) -> tuple[set[int], list[dict[str, Any]]]:
    """The qubits with ``operational = 0``, and every gate out of service (its own flag or a
    qubit's), read from the raw properties."""
    qubits = {i for i, q in enumerate(props["qubits"]) if _params(q).get("operational") == 0}
    gates = [
        g
        for g in props["gates"]
        if _params(g["parameters"]).get("operational") == 0 or qubits & set(g["qubits"])
    ]
    return qubits, gates


def _native(conf: dict[str, Any], props: dict[str, Any]) -> list[dict[str, Any]]:
    """The native entangler's entries: two-qubit basis gates other than fractional RZZ."""
    basis = set(conf["basis_gates"]) - {"rzz"}
    return [g for g in props["gates"] if len(g["qubits"]) == 2 and g["gate"] in basis]


def _pair(gate: dict[str, Any]) -> tuple[int, int]:
    a, b = gate["qubits"]
    return min(a, b), max(a, b)


@pytest.fixture(scope="module")
def fez_off(raw: Any) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(conf, props with the flags injected, the snapshot parsed from them)."""
    conf, props = raw("fez")
    props = _inject(props)
    return conf, props, snapshot_from_ibm(conf, props, source="test")


@pytest.fixture(scope="module")
def fez_off_svg(fez_off: tuple[dict[str, Any], dict[str, Any], Any]) -> str:
    return svg_text(error_map(fez_off[2]))


def _expected_off_couplers(conf: dict[str, Any], props: dict[str, Any]) -> set[tuple[int, int]]:
    """Couplers every native direction of which is out of service."""
    _, off_gates = _off_in_raw(props)
    off = {(g["gate"], tuple(g["qubits"])) for g in off_gates}
    by_pair: dict[tuple[int, int], list[bool]] = {}
    for gate in _native(conf, props):
        by_pair.setdefault(_pair(gate), []).append((gate["gate"], tuple(gate["qubits"])) in off)
    return {pair for pair, flags in by_pair.items() if all(flags)}


def test_injected_flags_are_off_in_the_maps_values(
    fez_off: tuple[dict[str, Any], dict[str, Any], Any],
) -> None:
    conf, props, snapshot = fez_off
    off_qubits, _ = _off_in_raw(props)
    assert off_qubits == {OFF_QUBIT}
    expected = _expected_off_couplers(conf, props)
    # qubit 5's three couplers and (10, 11); (100, 101) keeps its other direction
    assert expected == {(4, 5), (5, 6), (10, 11)}
    qubits = qubit_series(snapshot, "readout")
    assert {i for i, v in enumerate(qubits.values) if v.state == OFF} == off_qubits
    edges = coupler_series(snapshot)
    states = {v.qubits: v.state for v in coupler_values(edges)}
    assert {pair for pair, state in states.items() if state == OFF} == expected
    assert edges.off == len(expected) and qubits.off == 1


def test_values_out_of_service_leave_the_colour_range_and_the_median(
    fez_off: tuple[dict[str, Any], dict[str, Any], Any], fez_off_svg: str
) -> None:
    conf, props, _ = fez_off
    readout = [_params(q)["readout_error"] for i, q in enumerate(props["qubits"]) if i != OFF_QUBIT]
    median = statistics.median(readout)
    assert f"median {median:.3g} (magenta line)" in fez_off_svg
    expected = _expected_off_couplers(conf, props)
    by_pair: dict[tuple[int, int], list[float]] = {}
    _, off_gates = _off_in_raw(props)
    off = {(g["gate"], tuple(g["qubits"])) for g in off_gates}
    for gate in _native(conf, props):
        error = _params(gate["parameters"]).get("gate_error")
        if (gate["gate"], tuple(gate["qubits"])) not in off and error is not None and error != 1:
            by_pair.setdefault(_pair(gate), []).append(error)
    couplers = sorted(statistics.fmean(v) for p, v in by_pair.items() if p not in expected)
    assert f"median {statistics.median(couplers):.3g} (magenta line)" in fez_off_svg


def test_off_is_drawn_as_off_and_nothing_else_is(
    fez_off: tuple[dict[str, Any], dict[str, Any], Any], fez_off_svg: str
) -> None:
    conf, props, _ = fez_off
    ids = svg_groups(fez_off_svg)
    assert fill_of(ids[f"qubit-{OFF_QUBIT}"]) == OFF_FILL
    assert f"stroke: {OFF_COLOUR}" in style_of(ids[f"qubit-{OFF_QUBIT}"])
    white = {i for i in range(conf["n_qubits"]) if fill_of(ids[f"qubit-{i}"]) == OFF_FILL}
    assert white == {OFF_QUBIT}
    expected = _expected_off_couplers(conf, props)
    for a, b in {_pair(g) for g in _native(conf, props)}:
        style = style_of(ids[f"coupler-{a}-{b}"])
        drawn_off = f"stroke: {OFF_COLOUR}" in style
        assert drawn_off == ((a, b) in expected), (a, b)
        if drawn_off:
            assert "stroke-dasharray" in style
    # the coupler that keeps a measured direction: its colour, with a thin black dash
    assert f"stroke: {OFF_COLOUR}" not in style_of(ids["coupler-100-101"])
    assert OFF_COLOUR in style_of(ids["coupler-off-100-101"])
    assert {i for i in ids if i.startswith("coupler-off-")} == {"coupler-off-100-101"}


def test_the_legend_counts_what_is_off_in_native_couplers(
    fez_off: tuple[dict[str, Any], dict[str, Any], Any], fez_off_svg: str
) -> None:
    conf, props, _ = fez_off
    off_qubits, off_gates = _off_in_raw(props)
    couplers = len(_expected_off_couplers(conf, props))
    assert len(off_qubits) == 1
    assert f"out of service (OFF): 1 qubit / {couplers} CZ couplers<" in fez_off_svg
    assert "1 CZ coupler OFF in one direction, measured in the other (thin dash)" in fez_off_svg
    # IBM's failed couplers in service are still counted as monitor counts them
    failed = {
        _pair(g)
        for g in _native(conf, props)
        if _params(g["parameters"]).get("gate_error") == 1 and g not in off_gates
    }
    assert f"CZ failed, error = 1: {len(failed)} CZ couplers<" in fez_off_svg
    assert "RZZ" not in fez_off_svg


def test_a_histogram_leaves_off_values_out_and_says_so(
    fez_off: tuple[dict[str, Any], dict[str, Any], Any],
) -> None:
    _, props, snapshot = fez_off
    t1 = [_params(q).get("T1") for i, q in enumerate(props["qubits"]) if i != OFF_QUBIT]
    figure = distribution_figure(snapshot, "t1", "hist")
    (polygon,) = figure.axes[0].patches
    assert polygon.get_label().startswith(f"{snapshot.name} (n={len(t1)}, median ")
    assert f"{snapshot.name}: 1 qubit out of service (OFF)" in figure.get_supxlabel()


def test_map_command_draws_a_file_with_off(
    tmp_path: Path, fez_off: tuple[dict[str, Any], dict[str, Any], Any]
) -> None:
    conf, props, _ = fez_off
    (tmp_path / "props_fez.json").write_text(json.dumps(props))
    (tmp_path / "conf_fez.json").write_text(json.dumps(conf))
    out = tmp_path / "map.svg"
    result = CliRunner().invoke(cli, ["map", str(tmp_path / "props_fez.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert fill_of(svg_groups(svg)[f"qubit-{OFF_QUBIT}"]) == OFF_FILL
    assert "out of service (OFF): 1 qubit / 3 CZ couplers<" in svg


def _dead_in_raw(props: dict[str, Any]) -> set[int]:
    """Qubits whose every calibrated single-qubit pulse (a gate with a length, not the readout
    or reset: IBM's virtual ``rz`` has length 0 and error 0) carries ``gate_error = 1``."""
    pulses: dict[int, list[float]] = {}
    for gate in props["gates"]:
        values = _params(gate["parameters"])
        if len(gate["qubits"]) != 1 or gate["gate"] in NOT_GATES or "gate_error" not in values:
            continue
        if values.get("gate_length", 0) > 0:
            pulses.setdefault(gate["qubits"][0], []).append(values["gate_error"])
    return {q for q, errors in pulses.items() if all(e == 1 for e in errors)}


def test_nighthawk_q85_is_drawn_dead_with_its_t1_kept(raw: Any) -> None:
    _, props = raw("nighthawk")
    dead = _dead_in_raw(props)
    assert dead == {85}
    snapshot = resolve("fake_nighthawk")
    t1 = qubit_series(snapshot, "t1")
    assert {i for i, v in enumerate(t1.values) if v.dead} == dead
    assert t1.values[85].state == MEASURED
    assert t1.values[85].value == _params(props["qubits"][85])["T1"]
    sx = qubit_series(snapshot, "sx_error")
    assert sx.values[85].state == FLAGGED
    svg = svg_text(map_figure(snapshot, "t1"))
    ids = svg_groups(svg)
    assert {i for i in ids if i.startswith("qubit-dead-")} == {f"qubit-dead-{q}" for q in dead}
    assert FLAGGED_COLOUR in style_of(ids["qubit-dead-85"])
    assert fill_of(ids["qubit-85"]) not in (FLAGGED_COLOUR, MISSING_COLOUR, OFF_FILL)
    assert "dead, every 1q gate failed (error = 1): 1 qubit<" in svg


@pytest.mark.parametrize("stem", ["aachen", "brussels", "strasbourg", "fez", "kyoto"])
def test_dead_qubits_are_those_of_the_raw_data(raw: Any, stem: str) -> None:
    _, props = raw(stem)
    series = qubit_series(resolve(f"fake_{stem}"), "readout")
    assert {i for i, v in enumerate(series.values) if v.dead} == _dead_in_raw(props)


def _google_cz() -> dict[tuple[str, ...], float]:
    """Willow's CZ XEB errors per cycle, by pair of qubit names, from cirq-google's file."""
    path = (
        package_folder("cirq_google")
        / "devices"
        / "calibrations"
        / MEDIAN_CALIBRATIONS["willow_pink"]
    )
    metrics = read_json(path)["metrics"]["metrics"]
    found: dict[str, dict[tuple[str, ...], float]] = {}
    for metric in metrics:
        if metric["name"].startswith("two_qubit_") and "cz" in metric["name"]:
            values = found.setdefault(metric["name"], {})
            values[tuple(metric["targets"])] = metric["values"][0]["doubleVal"]
    return (
        found.get("two_qubit_cz_gate_xeb_pauli_error_per_cycle")
        or found["two_qubit_parallel_cz_gate_xeb_pauli_error_per_cycle"]
    )


def test_willow_colour_bar_names_xeb_per_cycle_and_shows_googles_numbers() -> None:
    by_pair: dict[frozenset[str], list[float]] = {}
    for pair, value in _google_cz().items():
        by_pair.setdefault(frozenset(pair), []).append(value)
    median = statistics.median(statistics.fmean(v) for v in by_pair.values())
    svg = svg_text(map_figure(resolve("google:willow_pink")))
    assert ">CZ error (XEB per cycle)</text>" in svg
    assert f">median {median:.3g} (magenta line)</text>" in svg
    figure = distribution_figure(resolve("google:willow_pink"), "2q_error", "hist")
    assert figure.axes[0].get_xlabel().startswith("CZ error (XEB per cycle)")


def test_garnet_colour_bars_name_the_depolarizing_parameter() -> None:
    from tests.vendors.test_iqm import vendor_backends

    profile = vendor_backends()["garnet"].error_profile.kwargs
    cz = profile["two_qubit_gate_depolarizing_error_parameters"]["cz"]
    prx = profile["single_qubit_gate_depolarizing_error_parameters"]["prx"]
    svg = svg_text(map_figure(resolve("iqm:garnet"), "prx_error"))
    assert ">CZ error (depolarizing parameter λ)</text>" in svg
    assert ">PRX err (depolarizing parameter λ)</text>" in svg
    medians = re.findall(r">median ([0-9.e-]+) \(magenta line\)</text>", svg)
    expected = [statistics.median(errors.values()) for errors in (prx, cz)]
    assert [float(m) for m in medians] == [float(f"{m:.3g}") for m in expected]  # 3 digits


def test_a_comparison_names_each_devices_definition() -> None:
    from qpumon.pictures import compare_figure

    figure = compare_figure([resolve("fake_fez"), resolve("google:willow_pink")], "2q_error")
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels[0].endswith(", average)") and labels[1].endswith(", XEB per cycle)")
    assert "each in its vendor's definition" in ax.get_xlabel()


def test_fractional_rzz_is_never_the_maps_entangler(raw: Any) -> None:
    conf, props = raw("fractional")
    native = {g["gate"] for g in _native(conf, props)}
    assert native == {"cx"} and "rzz" in conf["basis_gates"]
    svg = svg_text(map_figure(resolve("fake_fractional")))
    assert ">CX error</text>" in svg and "RZZ" not in svg
