"""Every one of IBM's real calibration CSVs in ../shared/data/ibm_csv imports, and every value
in the snapshot is the file's own cell: the files are parsed here independently (the csv module
and a header table of this test's own), never through qpumon's reader."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from qpumon.errors import InputError
from qpumon.model import DeviceSnapshot
from qpumon.sources.ibm_csv import read_csv

from .conftest import IBM_CSV, NOT_PLATFORM, platform_files

#: This test's own reading of IBM's headers (spaces around them stripped).
QUBIT_FIELDS = {
    "T1 (µs)": "t1_us",
    "T1 (us)": "t1_us",
    "T2 (µs)": "t2_us",
    "T2 (us)": "t2_us",
    "Frequency (GHz)": "frequency_ghz",
    "Frecuency (GHz)": "frequency_ghz",
    "Anharmonicity (GHz)": "anharmonicity_ghz",
    "Readout error": "readout_error",
    "Readout assignment error": "readout_error",
    "Prob meas0 prep1": "prob_meas0_prep1",
    "Prob meas1 prep0": "prob_meas1_prep0",
    "Readout length (ns)": "readout_length_ns",
}
ONE_QUBIT = {
    "ID error": "id",
    "Sqrt-x (sx) error": "sx",
    "√x (sx) error": "sx",
    "Pauli-X error": "x",
    "Single-qubit Pauli-X error": "x",
    "RX error": "rx",
    "Z-axis rotation (rz) error": "rz",
    "Single-qubit U3 error rate": "u3",
    "Single-qubit U2 error": "u2",
    "MEASURE error": "measure",
    "MEASURE_2 error": "measure_2",
}
TWO_QUBIT = {
    "CNOT error": "cx",
    "CNOT error rate": "cx",
    "CZ error": "cz",
    "ECR error": "ecr",
    "RZZ error": "rzz",
}
LENGTH_2Q = {"Gate time (ns)", "Gate length (ns)"}
LENGTH_1Q = "Single-qubit gate length (ns)"
PULSES = {"id", "sx", "x", "rx"}

Key = tuple[str, tuple[int, ...]]


def folders() -> list[str]:
    """The top folders of the real files (one test each)."""
    return sorted({p.relative_to(IBM_CSV).parts[0] for p in platform_files()}) or ["-"]


def expected_time(path: Path) -> datetime | None:
    """The time IBM's file name (or the dated folder) gives, read here independently."""
    named = re.search(r"_calibrations_(\d{4})-(\d\d)-(\d\d)T(\d\d)_(\d\d)_(\d\d)Z", path.name)
    if named:
        return datetime(*map(int, named.groups()), tzinfo=timezone.utc)  # type: ignore[misc]
    folder = re.fullmatch(r"(\d\d)-(\d\d)-(\d{4}) (\d\d)-(\d\d)-(\d\d)", path.parent.name)
    if folder:
        m, d, y, hh, mm, ss = map(int, folder.groups())
        return datetime(y, m, d, hh, mm, ss, tzinfo=timezone.utc)
    day = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", path.parent.name)
    if day:
        return datetime(*map(int, day.groups()), tzinfo=timezone.utc)  # type: ignore[misc]
    return None


def entries(cell: str, qubit: int) -> list[tuple[tuple[int, int], float]]:
    """A coupler cell's entries, read here: ``cx0_1: 1e-2 , …``, ``0_1:0.1; …``, ``1:0.1;…``."""
    found = []
    for part in re.split("[;,]", cell):
        if not part.strip():
            continue
        key, value = part.split(":")
        ends = key.strip().lstrip("cxCX").split("_")
        pair = (qubit, int(ends[0])) if len(ends) == 1 else (int(ends[0]), int(ends[1]))
        found.append((pair, float(value)))
    return found


def check_file(path: Path, snapshot: DeviceSnapshot) -> int:
    """Compare every cell of ``path`` with ``snapshot``; the number of values compared."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    gates: dict[Key, list[float | None]] = {}
    native = next((TWO_QUBIT[h] for h in header if h in TWO_QUBIT and h != "RZZ error"), None)
    pulses = [ONE_QUBIT[h] for h in header if ONE_QUBIT.get(h) in PULSES]
    qubits = {q.index: q for q in snapshot.qubits}
    compared = 0
    for number, row in enumerate(body):
        cells = dict(zip(header, row, strict=True))
        label = cells.get("Qubit", "")
        qubit = int(label.lstrip("Q")) if label.strip() else number
        assert qubit == number or label, path  # a blank label is qubit 0 on the first row
        for name, text in cells.items():
            text = text.strip()
            if name in QUBIT_FIELDS:
                want = float(text) if text else None
                assert qubits[qubit].value(QUBIT_FIELDS[name]) == want, (path, qubit, name)
                compared += 1
            elif name == "Operational" and text:
                assert qubits[qubit].operational is (text.lower() in ("true", "yes")), path
                compared += 1
            elif not text:
                continue
            elif name in ONE_QUBIT:
                gates.setdefault((ONE_QUBIT[name], (qubit,)), [None, None])[0] = float(text)
            elif name in TWO_QUBIT:
                for pair, value in entries(text, qubit):
                    gates.setdefault((TWO_QUBIT[name], pair), [None, None])[0] = value
            elif name in LENGTH_2Q:
                assert native is not None, path
                for pair, value in entries(text, qubit):
                    gates.setdefault((native, pair), [None, None])[1] = value
            elif name == LENGTH_1Q:
                for gate in pulses:
                    gates.setdefault((gate, (qubit,)), [None, None])[1] = float(text)
    got = {(g.gate, g.qubits): [g.error, g.length_ns] for g in snapshot.gates}
    assert got == gates, path
    return compared + sum(v is not None for pair in gates.values() for v in pair)


@pytest.mark.parametrize("folder", folders())
def test_every_value_is_the_files_own_cell(ibm_csv_folder: Path, folder: str) -> None:
    files = [p for p in platform_files() if p.relative_to(ibm_csv_folder).parts[0] == folder]
    assert files
    compared = 0
    for path in files:
        snapshot = read_csv(path)
        assert snapshot.calibrated_at == expected_time(path), path
        assert snapshot.num_qubits == max(1, len(snapshot.qubits))
        compared += check_file(path, snapshot)
    assert compared > 10 * len(files)


def test_all_1757_files_are_there_and_the_failed_flags_are_kept(ibm_csv_folder: Path) -> None:
    files = platform_files()
    assert len(files) == 1757
    torino = next(p for p in files if p.name == "ibm_torino_calibrations_2025-02-13T21_28_48Z.csv")
    snapshot = read_csv(torino)
    rzz = [g for g in snapshot.gates if g.gate == "rzz"]
    # README: "torino 2025-02-13: 266 of 300 RZZ entries" are written as 1.
    assert (len(rzz), sum(g.failed for g in rzz)) == (300, 266)
    assert snapshot.native_entanglers == ("cz",)


def test_device_names_from_every_naming_pattern(ibm_csv_folder: Path) -> None:
    names = {read_csv(p).name for p in platform_files()}
    assert {"ibm_fez", "ibmq_16_melbourne", "ibmqx2", "ibm_miami"} <= names
    assert len(names) == 40  # "ibmq_5_yorktown - ibmqx2.csv" (2019) is ibmqx2 (2020-21)


def test_the_coupling_map_is_the_bundled_one_when_it_agrees(ibm_csv_folder: Path) -> None:
    from tests.conftest import raw

    fez = next(p for p in platform_files() if p.name.startswith("ibm_fez_calibrations_2026"))
    conf = raw("fez", "conf")
    assert read_csv(fez).coupling_edges == tuple(tuple(e) for e in conf["coupling_map"])
    # 2019's melbourne had 14 qubits, today's bundled one 15: the map is the cells' couplers.
    old = next(p for p in platform_files() if p.name == "ibmq_16_melbourne.csv")
    snapshot = read_csv(old)
    assert snapshot.num_qubits == 14
    assert set(snapshot.coupling_edges) == {g.qubits for g in snapshot.gates if g.arity == 2}


def test_the_authors_merged_tables_are_refused_naming_the_column(ibm_csv_folder: Path) -> None:
    merged = ibm_csv_folder / "137sc21" / "Data" / NOT_PLATFORM / "ibmq_athens_calibrations.csv"
    with pytest.raises(InputError, match=r"ibmq_athens_calibrations.csv: column 1 '': not a col"):
        read_csv(merged)


def test_importing_the_whole_folder_twice(ibm_csv_folder: Path, tmp_path: Path) -> None:
    import hashlib

    from tests.core.cli_helpers import invoke

    files = platform_files()
    distinct = len({hashlib.sha256(p.read_bytes()).digest() for p in files})
    refused = len([p for p in IBM_CSV.rglob("*.csv") if NOT_PLATFORM in p.parts])
    db = tmp_path / "h.db"
    first = invoke("import", ibm_csv_folder, "--keep-going", "--db", db)
    assert first.exit_code == 0, first.stderr[-2000:]
    assert f"imported {distinct} files: {distinct} stored, 0 already stored" in first.stdout
    assert f"skipped {len(files) - distinct} byte-identical copies" in first.stdout
    assert f"skipped {refused} files that could not be read" in first.stdout
    assert first.stderr.count("qpumon: skipped: ") == refused
    again = invoke("import", ibm_csv_folder, "--keep-going", "--db", db)
    assert f"imported {distinct} files: 0 stored, {distinct} already stored" in again.stdout
