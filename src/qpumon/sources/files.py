"""Calibration files: IBM properties JSON (with its configuration beside it or given), a bare IBM
configuration JSON (a device without calibration), and qpumon's own snapshot JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError, InputTooLargeError
from ..model import DeviceSnapshot, DeviceStatus
from ..model.serialize import snapshot_from_dict
from ..util.bounded import parse_json, read_bounded
from ..util.gc_pause import paused_gc

#: The largest calibration file qpumon reads (a 10,000-qubit device's properties take ~60 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_json(path: Path) -> Any:
    """Parse the JSON file at ``path`` (:func:`~qpumon.util.bounded.parse_json`: depth, integer
    digits and non-finite numbers bounded); any failure is an :class:`InputError` naming it. A
    file larger than :data:`MAX_FILE_BYTES` is refused before it is parsed."""
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a JSON file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if raw is None:
        raise InputTooLargeError(
            f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB, more than any calibration file"
        )
    if not raw.strip():
        raise InputError(f"{path}: the file is empty")
    return parse_json(raw, str(path))


def looks_like_file(spec: str) -> bool:
    """True if ``spec`` names a file rather than a device (a path separator, a .json or .csv
    suffix)."""
    return spec.lower().endswith((".json", ".csv")) or "/" in spec or _is_file(spec)


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except OSError:  # a name too long to be a file (ENAMETOOLONG) is none
        return False


def load_file(path: Path, conf: Path | None = None) -> DeviceSnapshot:
    """The snapshot in ``path``: qpumon's snapshot JSON (alone or inside ``monitor -f json``
    output), IBM properties/configuration JSON, or IBM's calibration CSV (a ``.csv`` file: see
    :mod:`.ibm_csv`; ``conf`` then gives its coupling map).

    For IBM properties, the configuration is ``conf`` if given, else ``conf_<x>.json`` beside a
    ``props_<x>.json``, else none (the coupling map then comes from the two-qubit gates).
    """
    if path.suffix.lower() == ".csv":
        from .ibm_csv import CsvOptions, read_csv

        return read_csv(path, CsvOptions(conf=conf, stem_names=True))
    with paused_gc():
        return _load_file(path, conf)


def read_ibm_files(
    conf_path: Path,
    props_path: Path | None,
    *,
    source: str,
    name: str | None = None,
    status: DeviceStatus | None = None,
) -> DeviceSnapshot:
    """The snapshot in IBM's configuration file ``conf_path`` and properties file ``props_path``
    (None: a device without calibration), read and parsed with the collector paused: the one
    parse of IBM's files for bundled devices and fake backends (see :func:`load_file`)."""
    from .ibm_json import snapshot_from_ibm  # (an overview from its cache needs no parser)

    with paused_gc():
        props = read_json(props_path) if props_path is not None else None
        return snapshot_from_ibm(
            read_json(conf_path),
            props,
            source=source,
            name=name,
            status=status,
            conf_where=str(conf_path),
            props_where=str(props_path),
        )


def _load_file(path: Path, conf: Path | None) -> DeviceSnapshot:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a JSON object (IBM properties or configuration, Amazon Braket "
            f"device properties, an IonQ characterization or a qpumon snapshot), got a JSON "
            f"{type(data).__name__}"
        )
    if isinstance(data.get("snapshot"), dict) and "qpumon_snapshot" in data["snapshot"]:
        data = data["snapshot"]  # the output of `qpumon monitor -f json`
    if "qpumon_snapshot" in data:
        return snapshot_from_dict(data, where=str(path))
    from .ibm_json import snapshot_from_ibm  # (an overview from its cache needs no parser)

    if "qubits" in data and "gates" in data:
        conf_path = conf if conf is not None else _conf_beside(path)
        conf_data = read_json(conf_path) if conf_path is not None else None
        return snapshot_from_ibm(
            conf_data,
            data,
            source=f"file:{path}",
            conf_where=str(conf_path),
            props_where=str(path),
        )
    if "n_qubits" in data:
        return snapshot_from_ibm(data, None, source=f"file:{path}", conf_where=str(path))
    from .vendors import snapshot_from_document  # Amazon Braket, IonQ

    found = snapshot_from_document(data, str(path))
    if found is not None:
        return found
    raise InputError(
        f"{path}: not a calibration file: expected IBM properties ($.qubits and $.gates), an IBM "
        "configuration ($.n_qubits), Amazon Braket device properties ($.braketSchemaHeader or "
        "$.deviceCapabilities), an IonQ characterization ($.fidelity and $.timing) or a qpumon "
        "snapshot ($.qpumon_snapshot)"
    )


def _conf_beside(props: Path) -> Path | None:
    if props.name.startswith("props_"):
        candidate = props.with_name("conf_" + props.name[len("props_") :])
        if candidate.exists():
            return candidate
    return None
