"""Sources: each turns one kind of input into a :class:`~qpumon.model.DeviceSnapshot`.

- :mod:`.bundled`: the IBM snapshots shipped inside qiskit-ibm-runtime (the offline default);
- :mod:`.backend`: any Qiskit ``BackendV2`` object;
- :mod:`.files`: IBM properties/configuration JSON and qpumon's own snapshot JSON;
- :mod:`.ibm_json`: the parser of IBM's raw layout that the others share.

:func:`load` picks the source from what it is given.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..model import DeviceSnapshot
from .bundled import BundledSource
from .files import load_file, looks_like_file

__all__ = ["BundledSource", "default_bundled", "load", "load_file"]


@functools.cache
def default_bundled() -> BundledSource:
    """The bundled snapshots of the installed qiskit-ibm-runtime (listed once per process)."""
    return BundledSource()


def load(
    device: Any,
    *,
    conf: str | Path | None = None,
    bundled: BundledSource | None = None,
) -> DeviceSnapshot:
    """The snapshot of ``device``: a snapshot, a ``BackendV2``, a file path or a device name."""
    if isinstance(device, DeviceSnapshot):
        return device
    if isinstance(device, Path) or (isinstance(device, str) and looks_like_file(device)):
        return load_file(Path(device), Path(conf) if conf is not None else None)
    if isinstance(device, str):
        return (bundled or default_bundled()).load(device)
    if hasattr(device, "target") or hasattr(device, "configuration"):
        from .backend import snapshot_from_backend

        return snapshot_from_backend(device)
    raise TypeError(
        f"cannot monitor a {type(device).__name__}: give a device name, a file path or a "
        "Qiskit BackendV2"
    )
