"""The LF-vs-N curve: drawn from the source's lf_N values, in the HTML page where present."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from qpumon.errors import NoCalibrationError
from qpumon.pictures import layer_fidelity_plot
from qpumon.reports.formats import render
from qpumon.reports.monitor import build_monitor
from qpumon.sources import resolve as load
from tests.conftest import raw


def test_curve_points_are_the_source_values() -> None:
    figure = layer_fidelity_plot(load("fake_fez"))
    line = next(ln for ln in figure.axes[0].get_lines() if ln.get_gid() == "lf-curve")
    general = {
        e["name"]: e["value"] for e in raw("fez", "props")["general"] if e["name"].startswith("lf_")
    }
    expected = sorted((int(name[3:]), value) for name, value in general.items())
    assert list(zip(line.get_xdata(), line.get_ydata(), strict=True)) == expected
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    ET.fromstring(buffer.getvalue())


def test_the_html_page_shows_the_curve_only_where_present() -> None:
    assert 'id="layer-fidelity"' in render(build_monitor(load("fake_fez")), "html")
    assert 'id="layer-fidelity"' not in render(build_monitor(load("fake_burlington")), "html")


def test_device_without_layer_fidelities() -> None:
    with pytest.raises(NoCalibrationError, match="no layer fidelity"):
        layer_fidelity_plot(load("fake_burlington"))
