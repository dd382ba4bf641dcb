"""qpumon's one error hierarchy.

Every error a user can cause (or the outside world can cause) is a :class:`QpumonError`; the CLI
catches the base class once and prints its message as one line. ``exit_code`` is 2 for user
errors and 3 for faults of a remote service.
"""

from __future__ import annotations


class QpumonError(Exception):
    """Base class of every error qpumon raises on purpose."""

    exit_code = 2


class DeviceNotFoundError(QpumonError):
    """A device name that no source knows."""


class DataError(QpumonError):
    """Calibration or configuration data that is malformed: wrong shape, type, value or unit."""


class UnitError(DataError):
    """A unit string that qpumon does not know how to convert."""


class NoCalibrationError(QpumonError):
    """An operation that needs calibration data was asked of a device that has none."""


class ServiceError(QpumonError):
    """A remote service (IBM Quantum, a database server) failed or could not be reached."""

    exit_code = 3
