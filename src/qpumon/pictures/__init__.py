"""Pictures of a device's calibration: error maps, distributions, comparisons, an HTML report.

Every function takes what :func:`qpumon.sources.load` takes (a device name, a file, a Qiskit
backend or a snapshot) and returns a ``matplotlib.figure.Figure`` (or, for the report, HTML text).
matplotlib is imported only when a picture is drawn (``pip install qpumon[plots]``).
"""

from __future__ import annotations

from typing import Any

from .layout import Layout, qubit_layout

__all__ = [
    "Layout",
    "compare_figure",
    "distribution_figure",
    "html_report",
    "layer_fidelity_plot",
    "map_figure",
    "qubit_layout",
]


def map_figure(device: Any, qubit_metric: str = "readout", edge_metric: str = "2q_error") -> Any:
    """The error map of ``device``: qubits coloured by ``qubit_metric``, couplers by
    ``edge_metric`` (``2q_error`` or ``length``), laid out like the chip."""
    from ..sources import load
    from .errormap import error_map

    return error_map(load(device), qubit_metric, edge_metric)


def distribution_figure(device: Any, metric: str = "t1", kind: str = "hist") -> Any:
    """The distribution of ``metric`` over ``device`` (``kind``: ``hist``, ``cdf`` or ``box``)."""
    from ..sources import load
    from .distributions import distribution

    return distribution([load(device)], metric, kind)


def compare_figure(devices: list[Any], metric: str = "2q_error", kind: str = "cdf") -> Any:
    """The distributions of ``metric`` over several devices, overlaid in one figure."""
    from ..sources import load
    from .distributions import distribution

    return distribution([load(d) for d in devices], metric, kind)


def layer_fidelity_plot(device: Any) -> Any:
    """The layer fidelity and EPLG of ``device`` against chain length, as a matplotlib Figure."""
    from ..sources import load
    from .layer_fidelity import layer_fidelity_figure

    return layer_fidelity_figure(load(device))


def html_report(device: Any) -> str:
    """A self-contained HTML report of ``device`` (no external asset; opens offline)."""
    from ..sources import load
    from .report import render_report

    return render_report(load(device))
