"""Choose where to run: the best qubits on a device, the best layouts and device for a circuit.

Everything is computed from the calibration in the model (:class:`~qpumon.model.DeviceSnapshot`);
Qiskit is used only to read and translate circuits, rustworkx to find layouts, NumPy to score them.
"""

from __future__ import annotations

from .place import place
from .results import DevicePlacement, LayoutScore, Placement

__all__ = ["DevicePlacement", "LayoutScore", "Placement", "place"]
