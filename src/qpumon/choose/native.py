"""Vendors' native gates by the names of the Qiskit standard gates they are.

IQM's PRX(θ, φ) is Qiskit's RGate(θ, φ); Google's PhasedXZ is an arbitrary single-qubit rotation
(Qiskit's U up to a global phase) and its virtual Z rotation is RZ. A circuit is translated to
the Qiskit name and scored with the vendor's calibration of the gate. Gates with no Qiskit
standard equivalent (Google's Sycamore gate, sqrt-iSWAP) are left out of a device's basis
family, so a device that calibrates only those has no usable entangler for placement.
"""

from __future__ import annotations

#: Native gate name -> the Qiskit standard gate it is.
QISKIT_NAMES = {"prx": "r", "phased_xz": "u", "virtual_zpow": "rz"}


def qiskit_gate(name: str) -> str:
    """The Qiskit standard gate that a device's native gate ``name`` is."""
    return QISKIT_NAMES.get(name, name)
