"""Pictures of a device's calibration: error maps, distributions, comparisons, layer fidelity.

Every function takes snapshots (from :func:`qpumon.sources.resolve`) and returns a
``matplotlib.figure.Figure``, built with matplotlib's object API: no ``pyplot``, no global
backend switch, so a notebook keeps its own backend. matplotlib is imported only when a picture is
drawn (``pip install 'qpumon[plots]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .distributions import distribution
from .errormap import error_map
from .layer_fidelity import layer_fidelity_figure
from .layout import Layout, qubit_layout

if TYPE_CHECKING:
    from ..model import DeviceSnapshot

__all__ = [
    "Layout",
    "compare_figure",
    "distribution_figure",
    "layer_fidelity_plot",
    "map_figure",
    "qubit_layout",
]


def map_figure(
    snapshot: DeviceSnapshot, qubit_metric: str = "readout", edge_metric: str = "2q_error"
) -> Any:
    """The error map of ``snapshot``: qubits coloured by ``qubit_metric``, couplers by
    ``edge_metric`` (``2q_error`` or ``length``), laid out like the chip (:func:`qubit_layout`).
    Up to 1,000 qubits every qubit and coupler has its own SVG id (``qubit-<i>``,
    ``coupler-<a>-<b>``); larger maps are drawn as collections, numbers left out where too
    small to read."""
    return error_map(snapshot, qubit_metric, edge_metric)


def distribution_figure(snapshot: DeviceSnapshot, metric: str = "t1", kind: str = "hist") -> Any:
    """The distribution of ``metric`` over one device (``kind``: ``hist``, ``cdf`` or ``box``)."""
    return distribution([snapshot], metric, kind)


def compare_figure(
    snapshots: Sequence[DeviceSnapshot], metric: str = "2q_error", kind: str = "cdf"
) -> Any:
    """The distributions of ``metric`` over several devices, overlaid in one figure."""
    return distribution(list(snapshots), metric, kind)


def layer_fidelity_plot(snapshot: DeviceSnapshot) -> Any:
    """The layer fidelity and EPLG of ``snapshot`` against chain length."""
    return layer_fidelity_figure(snapshot)
