"""The pictures of the pages (matplotlib, the ``[plots]`` extra), drawn one at a time.

matplotlib's rc settings are process-wide and :func:`qpumon.pictures.mpl.svg_style` changes
them for the duration of a save, so two figures drawn at once in two request threads could
mix settings: every drawing here holds :data:`FIGURE_LOCK`.
"""

from __future__ import annotations

import threading

from ..history.series import History
from ..model import DeviceSnapshot
from ..pictures import map_figure
from ..pictures.history import history_figure
from ..pictures.mpl import no_matplotlib, svg_text
from ..reports.formats.html import figures

FIGURE_LOCK = threading.Lock()
#: What the page says instead of a figure when matplotlib is missing.
NO_MATPLOTLIB = str(no_matplotlib())


def device_figures(snapshot: DeviceSnapshot) -> list[str]:
    """The report's figures (error map, distributions, layer fidelity), as in ``qpumon report``."""
    with FIGURE_LOCK:
        return figures(snapshot)


def map_svg(snapshot: DeviceSnapshot, qubit_metric: str, edge_metric: str) -> str:
    """The error map coloured by ``qubit_metric`` and ``edge_metric``, as SVG markup."""
    with FIGURE_LOCK:
        return svg_text(map_figure(snapshot, qubit_metric, edge_metric))


def history_svg(history: History) -> str:
    """``history`` drawn as ``qpumon history --plot`` draws it, as SVG markup."""
    with FIGURE_LOCK:
        return svg_text(history_figure(history))
