"""Per-qubit values as NumPy arrays, for statistics in notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import DeviceSnapshot
from .metrics import all_qubit_metrics, qubit_values

if TYPE_CHECKING:
    import numpy as np


def qubit_arrays(snapshot: DeviceSnapshot) -> dict[str, np.ndarray]:
    """Every per-qubit metric as a float array indexed by qubit; a missing value is NaN.

    Keys are the metric keys (``t1_us``, ``readout_error``, ``sx_error``...). NaN is NumPy's
    missing value, so ``np.nanmedian`` and friends skip it; IBM's ``error == 1`` flags are kept
    as 1.0 (mask them with ``arr == 1.0`` if a statistic must leave them out).
    """
    import numpy as np

    return {
        metric.key: np.array(
            [np.nan if v is None else v for v in qubit_values(snapshot, metric)], dtype=float
        )
        for metric in all_qubit_metrics(snapshot)
    }
