"""The error map, checked by parsing its SVG against IBM's raw JSON."""

from __future__ import annotations

import re
from typing import Any

import pytest
from matplotlib import colormaps
from matplotlib.colors import LogNorm, to_hex

from qpumon.errors import UsageError
from qpumon.pictures.errormap import error_map
from qpumon.pictures.mpl import svg_text
from qpumon.pictures.scale import FLAGGED_COLOUR, MISSING_COLOUR
from qpumon.sources import resolve as load
from tests.pictures.conftest import fill_of, path_centre, style_of, svg_groups


def _svg(device: str, qubit_metric: str = "readout", edge_metric: str = "2q_error") -> str:
    return svg_text(error_map(load(device), qubit_metric, edge_metric))


def _undirected(conf: dict[str, Any]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for a, b in conf["coupling_map"]}


def _two_qubit_gates(conf: dict[str, Any], props: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in props["gates"] if len(g["qubits"]) == 2 and g["gate"] in conf["basis_gates"]]


def _error(gate: dict[str, Any]) -> float | None:
    found = [p["value"] for p in gate["parameters"] if p["name"] == "gate_error"]
    return float(found[0]) if found else None


def _failed(conf: dict[str, Any], props: dict[str, Any]) -> tuple[int, set[tuple[int, int]]]:
    """The failed native 2q entries (both directions count) and the couplers they sit on."""
    entries = [g for g in _two_qubit_gates(conf, props) if _error(g) == 1.0]
    return len(entries), {(min(g["qubits"]), max(g["qubits"])) for g in entries}


@pytest.mark.parametrize("stem", ["fez", "brisbane", "burlington", "miami"])
def test_one_circle_per_qubit_and_one_line_per_coupler(raw: Any, stem: str) -> None:
    conf, _ = raw(stem)
    ids = svg_groups(_svg(f"fake_{stem}"))
    qubits = {i for i in ids if re.fullmatch(r"qubit-\d+", i)}
    couplers = {i for i in ids if re.fullmatch(r"coupler-\d+-\d+", i)}
    assert qubits == {f"qubit-{i}" for i in range(conf["n_qubits"])}
    assert couplers == {f"coupler-{a}-{b}" for a, b in _undirected(conf)}
    labels = {i for i in ids if re.fullmatch(r"qubit-label-\d+", i)}
    assert len(labels) == conf["n_qubits"]


@pytest.mark.parametrize("stem", ["fez", "torino", "brisbane", "miami", "algiers"])
def test_qubit_centres_follow_the_configuration_coords(raw: Any, stem: str) -> None:
    conf, _ = raw(stem)
    ids = svg_groups(_svg(f"fake_{stem}"))
    coords = conf["coords"]
    centres = [path_centre(ids[f"qubit-{i}"]) for i in range(len(coords))]
    # one affine map (same scale on both axes, y pointing down) takes coords to the SVG
    i, j = 0, max(range(len(coords)), key=lambda k: coords[k][0])
    scale = (centres[j][0] - centres[i][0]) / (coords[j][0] - coords[i][0])
    assert scale > 0
    for (x, y), (sx, sy) in zip(coords, centres, strict=True):
        assert sx == pytest.approx(centres[i][0] + (x - coords[i][0]) * scale, abs=0.05)
        assert sy == pytest.approx(centres[i][1] + (y - coords[i][1]) * scale, abs=0.05)


def test_qubit_fill_is_its_readout_error_on_the_log_scale(raw: Any) -> None:
    _, props = raw("fez")
    readout = [next(p["value"] for p in q if p["name"] == "readout_error") for q in props["qubits"]]
    positive = [v for v in readout if v > 0]
    norm = LogNorm(min(positive), max(positive))
    ids = svg_groups(_svg("fake_fez"))
    for qubit in (0, 7, 100, 155):
        expected = to_hex(colormaps["viridis"](norm(max(readout[qubit], min(positive)))))
        assert fill_of(ids[f"qubit-{qubit}"]) == expected


def test_flagged_couplers_are_dashed_magenta_and_counted_as_monitor_counts(raw: Any) -> None:
    conf, props = raw("fez")
    entries, failed = _failed(conf, props)
    assert (entries, len(failed)) == (14, 7), "fake_fez is known to carry error = 1 flags"
    svg = _svg("fake_fez")
    ids = svg_groups(svg)
    for a, b in _undirected(conf):
        style = style_of(ids[f"coupler-{a}-{b}"])
        if (a, b) in failed:
            assert FLAGGED_COLOUR in style and "stroke-dasharray" in style
        else:
            assert FLAGGED_COLOUR not in style and "stroke-dasharray" not in style
    assert f"CZ failed, error = 1: {len(failed)} CZ couplers<" in svg


def test_one_failed_coupler_is_singular(raw: Any) -> None:
    conf, props = raw("brisbane")
    entries, failed = _failed(conf, props)
    assert (entries, len(failed)) == (1, 1)
    assert "ECR failed, error = 1: 1 ECR coupler<" in _svg("fake_brisbane")


def test_a_coupler_failed_in_one_direction_keeps_its_measured_colour(raw: Any) -> None:
    conf, props = raw("geneva")
    by_pair: dict[tuple[int, int], list[float | None]] = {}
    for gate in _two_qubit_gates(conf, props):
        by_pair.setdefault((min(gate["qubits"]), max(gate["qubits"])), []).append(_error(gate))
    partly = {pair for pair, errors in by_pair.items() if 1.0 in errors and set(errors) != {1.0}}
    assert len(partly) == 2
    svg = _svg("fake_geneva")
    ids = svg_groups(svg)
    for a, b in partly:
        assert FLAGGED_COLOUR not in style_of(ids[f"coupler-{a}-{b}"])
        assert FLAGGED_COLOUR in style_of(ids[f"coupler-flag-{a}-{b}"])
    dashed = {tuple(map(int, i.split("-")[2:])) for i in ids if i.startswith("coupler-flag-")}
    assert dashed == partly
    assert f"CX failed, error = 1: {len(partly)} CX couplers<" in svg
    assert "2 of these couplers keep a measured direction (thin dash)" in svg


def test_every_coupler_of_kyoto_is_flagged_and_no_range_is_made_up(raw: Any) -> None:
    conf, props = raw("kyoto")
    entries, failed = _failed(conf, props)
    svg = _svg("fake_kyoto")
    ids = svg_groups(svg)
    for a, b in _undirected(conf):
        assert FLAGGED_COLOUR in style_of(ids[f"coupler-{a}-{b}"])
    assert "coupler-colorbar" not in ids  # nothing measured: no colour bar
    assert "every ECR gate carries IBM" in svg and "error = 1 flag:" in svg
    assert "the numbers show the flag, not the gates" in svg
    assert entries == len(failed) == len(_undirected(conf))  # one ECR direction a coupler
    assert f"ECR failed, error = 1: {len(failed)} ECR couplers<" in svg


def test_missing_t1_is_grey_dotted_and_counted(raw: Any) -> None:
    _, props = raw("kingston")
    missing = [i for i, q in enumerate(props["qubits"]) if not any(p["name"] == "T1" for p in q)]
    assert missing == [146]
    svg = _svg("fake_kingston", qubit_metric="t1")
    ids = svg_groups(svg)
    style = style_of(ids["qubit-146"])
    assert MISSING_COLOUR in style and "stroke-dasharray" in style
    assert MISSING_COLOUR not in style_of(ids["qubit-145"])
    assert "T1 missing: 1 qubit<" in svg


@pytest.mark.parametrize(
    ("device", "gate"),
    [
        ("fake_fez", "CZ error"),
        ("fake_brisbane", "ECR error"),
        ("fake_burlington", "CX error"),
        ("fake_cairo", "ECR/CX error"),
    ],
)
def test_colour_bar_names_the_real_gate(device: str, gate: str) -> None:
    svg = _svg(device)
    assert f">{gate}</text>" in svg
    assert "CNOT" not in svg


def test_colour_bar_marks_the_median_without_flags(raw: Any) -> None:
    conf, props = raw("fez")
    errors = sorted(
        e for g in _two_qubit_gates(conf, props) if (e := _error(g)) is not None and e != 1.0
    )
    # fake_fez lists both directions with one value each: the coupler median equals the median
    # of the listed values
    mid = len(errors) // 2
    median = errors[mid] if len(errors) % 2 else (errors[mid - 1] + errors[mid]) / 2
    svg = _svg("fake_fez")
    assert f"median {median:.3g} (magenta line)" in svg
    assert "coupler-colorbar-median" in svg_groups(svg)


def test_edge_length_metric_uses_nanoseconds() -> None:
    svg = _svg("fake_fez", edge_metric="length")
    assert ">CZ length (ns)</text>" in svg
    assert "failed, error = 1" not in svg  # lengths carry no flag


@pytest.mark.parametrize(
    ("qubit_metric", "edge_metric", "message"),
    [
        ("bogus", "2q_error", "unknown metric 'bogus'"),
        ("t1", "bogus", "unknown edge metric 'bogus'"),
    ],
)
def test_unknown_metrics_are_usage_errors(
    qubit_metric: str, edge_metric: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        error_map(load("fake_fez"), qubit_metric, edge_metric)
