"""Hostile values (issue 11): each picture is valid, or the error is a clear qpumon error."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from qpumon.errors import UsageError
from qpumon.model import DeviceSnapshot, LayerFidelity
from qpumon.pictures import distribution_figure, layer_fidelity_plot, map_figure
from qpumon.pictures.mpl import render, save
from qpumon.pictures.scale import colour_scale
from qpumon.pictures.values import qubit_series
from tests.pictures.conftest import device, svg_groups

CHAIN = [(0, 1), (1, 2), (2, 3)]
KINDS = ("hist", "cdf", "box")


def _svg(figure: object) -> str:
    text = render(figure, "svg").decode("utf-8")
    ET.fromstring(text)  # a valid XML document
    return text


def _all_pictures(snapshot: DeviceSnapshot, metric: str) -> list[str]:
    """The map coloured by ``metric`` and its three distributions, as SVG."""
    pictures = [_svg(map_figure(snapshot, metric))]
    pictures += [_svg(distribution_figure(snapshot, metric, kind)) for kind in KINDS]
    pictures.append(_svg(distribution_figure(snapshot, "2q_error", "hist")))
    return pictures


def test_all_zero_readout_errors_draw_on_a_linear_scale() -> None:
    snapshot = device(4, CHAIN, readout=[0.0] * 4)
    scale = colour_scale(qubit_series(snapshot, "readout"))
    assert scale is not None and not scale.log and (scale.vmin, scale.vmax) == (0.0, 0.5)
    map_svg, hist, *_ = _all_pictures(snapshot, "readout")
    assert "median 0 (magenta line)" in map_svg
    assert "dev (n=4, median 0)" in hist


def test_a_zero_error_among_others_is_counted_where_a_log_axis_cannot_show_it() -> None:
    snapshot = device(4, CHAIN, readout=[0.0, 0.0, 0.02, 0.03])
    figure = distribution_figure(snapshot, "readout", "hist")
    assert figure.axes[0].get_xscale() == "log"
    assert "dev: 2 qubits at 0 (not on a log axis)" in figure.get_supxlabel()


def test_t1_of_1e308_is_not_drawn_and_says_so() -> None:
    snapshot = device(4, CHAIN, t1=[1e308, 80.0, 90.0, 100.0])
    map_svg, hist, cdf, *_ = _all_pictures(snapshot, "t1")
    assert "T1 outside 1e-280 to 1e300, not drawn: 1 qubit" in map_svg
    assert "dev (n=3, median 90.00 µs)" in cdf
    assert "dev: 1 qubit outside 1e-280 to 1e300" in hist
    scale = colour_scale(qubit_series(snapshot, "t1"))
    assert scale is not None and (scale.vmin, scale.vmax) == (80.0, 100.0)


def test_t1_of_1e308_everywhere_has_no_scale_at_all() -> None:
    map_svg, *_ = _all_pictures(device(4, CHAIN, t1=[1e308] * 4), "t1")
    assert "no measured value" in map_svg
    assert "not drawn: 4 qubits" in map_svg


def test_the_largest_drawable_values_do_not_overflow() -> None:
    snapshot = device(4, CHAIN, t1=[1e300, 1e300, 1e300, 1e300])
    assert qubit_series(snapshot, "t1").median == 1e300
    map_svg, *_ = _all_pictures(snapshot, "t1")
    assert "median 1.000e300 µs" in map_svg


def test_a_single_qubit() -> None:
    map_svg, *_ = _all_pictures(device(1), "t1")
    ids = svg_groups(map_svg)
    assert "qubit-0" in ids and not [i for i in ids if re.fullmatch(r"coupler-\d+-\d+", i)]
    assert "no couplers" in map_svg


def test_qubits_without_couplers() -> None:
    map_svg, *_ = _all_pictures(device(5), "readout")
    assert len([i for i in svg_groups(map_svg) if i.startswith("qubit-label-")]) == 5
    assert "Qubits placed in rows (no couplers)." in map_svg


def test_every_value_missing() -> None:
    snapshot = device(4, CHAIN, t1=[None] * 4, readout=[None] * 4, cz=[None] * 3)
    map_svg, hist, *_ = _all_pictures(snapshot, "readout")
    assert map_svg.count("no measured value") == 2
    assert "Readout err missing: 4 qubits" in map_svg
    assert "CZ error missing: 3 couplers" in map_svg
    assert "dev (n=0, median —)" in hist and "dev: 4 qubits missing" in hist


def test_every_coupler_flagged() -> None:
    snapshot = device(4, CHAIN, cz=[1.0, 1.0, 1.0])
    map_svg = _svg(map_figure(snapshot))
    assert "CZ failed, error = 1: 3 CZ couplers<" in map_svg
    cdf = _svg(distribution_figure(snapshot, "2q_error", "cdf"))
    assert "dev: 3 CZ couplers flagged (error = 1)" in cdf


def test_nan_never_reaches_a_colour_scale() -> None:
    nan = math.nan
    snapshot = device(4, CHAIN, t1=[nan, 50.0, nan, 70.0], readout=[nan] * 4, cz=[nan, 0.01, nan])
    assert colour_scale(qubit_series(snapshot, "readout")) is None
    scale = colour_scale(qubit_series(snapshot, "t1"))
    assert scale is not None and (scale.vmin, scale.vmax) == (50.0, 70.0)
    map_svg, *_ = _all_pictures(snapshot, "t1")
    assert "T1 missing: 2 qubits" in map_svg and "CZ error missing: 2 couplers" in map_svg
    assert "nan" not in map_svg.lower().replace("nanoseconds", "")


def test_control_characters_in_a_name_never_reach_the_svg() -> None:
    snapshot = device(4, CHAIN, name="evil\x1b]52;c;aGk=\x07\x9b2J$x^2$")
    for svg in _all_pictures(snapshot, "t1"):
        assert not any(_control(c) for c in svg)
    title = _svg(map_figure(snapshot))
    assert "evil\\x1b]52;c;aGk=\\x07\\x9b2J$x^2$" in title  # escaped, and $ is not mathtext
    with_lf = replace(snapshot, layer_fidelities=(LayerFidelity(2, 0.99), LayerFidelity(4, 0.95)))
    assert not any(_control(c) for c in _svg(layer_fidelity_plot(with_lf)))


def _control(character: str) -> bool:
    code = ord(character)
    return (code < 0x20 and character not in "\n\t\r") or 0x7F <= code <= 0x9F


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: distribution_figure(s, "t1", "violin"), "unknown plot kind 'violin'"),
        (lambda s: map_figure(s, "bogus"), "unknown metric 'bogus'"),
        (lambda s: map_figure(s, "t1", "bogus"), "unknown edge metric 'bogus'"),
        (lambda s: save(map_figure(s), "out.gif"), "cannot tell the image format"),
    ],
)
def test_bad_requests_are_one_line_usage_errors(call: object, message: str) -> None:
    with pytest.raises(UsageError, match=message) as raised:
        call(device(4, CHAIN))  # type: ignore[operator]
    assert "\n" not in str(raised.value)
