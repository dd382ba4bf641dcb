"""``qpumon import`` of IBM's calibration CSVs: idempotent, byte-identical copies skipped, bad
files refused (exit 2, one line naming the file, row and column, nothing stored from it), and
``monitor FILE.csv``. Small files are written here in IBM's current format."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.core.cli_helpers import invoke

HEADER = (
    '"Qubit","T1 (us)","T2 (us)","Readout assignment error","Prob meas0 prep1",'
    '"Prob meas1 prep0","Readout length (ns)","ID error","Single-qubit gate length (ns)",'
    '"√x (sx) error","Pauli-X error","CZ error","Gate length (ns)","Operational"'
)
ROWS = (
    '"0","100.5","80.25","0.01","0.012","0.008","1560","0.0002","32","0.0002","0.0002",'
    '"1:0.003","1:68","Yes"',
    '"1","150","","0.02","0.024","0.016","1560","1","32","1","1","0:0.003;2:1","0:68;2:68","Yes"',
    '"2","90","70","0.03","0.036","0.024","1560","","32","","","1:1","1:68","No"',
)
NAME = "ibm_testdev_calibrations_2026-01-30T12_25_55Z.csv"


def write(
    folder: Path, name: str = NAME, header: str = HEADER, rows: tuple[str, ...] = ROWS
) -> Path:
    """A small CSV as IBM writes it (LF, every field quoted, no final newline)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    return path


def stored(db: Path) -> list[tuple[str, str | None]]:
    """The (device, calibrated_at) rows of the store, read with sqlite3."""
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as connection, connection:
        names = {r[0] for r in connection.execute("select name from sqlite_master")}
        if "snapshots" not in names:
            return []
        return list(
            connection.execute(
                "select devices.name, snapshots.calibrated_at from snapshots join devices "
                "on devices.id = snapshots.device_id order by snapshots.id"
            )
        )


def test_import_a_folder_twice_stores_once_and_skips_copies(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    first = write(folder)
    shutil.copy(first, folder / NAME.replace(".csv", " (1).csv"))  # a re-download
    write(
        folder,
        "ibm_other_calibrations_2026-01-31T00_00_00Z.csv",
        rows=(ROWS[0].replace("100.5", "101"), *ROWS[1:]),
    )
    db = tmp_path / "h.db"
    done = invoke("import", folder, "--db", db)
    assert done.exit_code == 0, done.stderr
    assert "imported 2 files: 2 stored, 0 already stored" in done.stdout
    assert "skipped 1 byte-identical copy" in done.stdout
    again = invoke("import", folder, "--db", db)
    assert again.exit_code == 0, again.stderr
    assert "imported 2 files: 0 stored, 2 already stored" in again.stdout
    assert "skipped 1 byte-identical copy" in again.stdout
    assert len(stored(db)) == 2


def test_values_flags_and_couplers_of_a_written_file(tmp_path: Path) -> None:
    from qpumon.sources import resolve

    snapshot = resolve(write(tmp_path))
    assert snapshot.name == "ibm_testdev"
    assert snapshot.calibrated_at is not None and snapshot.calibrated_at.isoformat() == (
        "2026-01-30T12:25:55+00:00"
    )
    assert [q.t1_us for q in snapshot.qubits] == [100.5, 150.0, 90.0]
    assert snapshot.qubits[1].t2_us is None  # an empty cell is missing
    assert [q.operational for q in snapshot.qubits] == [True, True, False]
    sx = {g.qubits[0]: g for g in snapshot.gates if g.gate == "sx"}
    assert sx[1].failed  # IBM's failed value, 1
    assert (sx[2].error, sx[2].length_ns) == (None, 32.0)  # an empty error, a length
    cz = {g.qubits: (g.error, g.length_ns) for g in snapshot.gates if g.gate == "cz"}
    assert cz == {
        (0, 1): (0.003, 68.0),
        (1, 0): (0.003, 68.0),
        (1, 2): (1.0, 68.0),
        (2, 1): (1.0, 68.0),
    }
    assert set(snapshot.coupling_edges) == set(cz)


def test_monitor_reads_a_csv(tmp_path: Path) -> None:
    done = invoke("monitor", write(tmp_path), "-f", "plain")
    assert done.exit_code == 0, done.stderr
    assert "ibm_testdev" in done.stdout


def test_device_and_time_options_for_a_file_not_named_by_ibm(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv")
    shown = invoke("monitor", path, "-f", "plain")  # to look at it, the stem names it
    assert shown.exit_code == 0 and "export" in shown.stdout, shown.stderr
    db = tmp_path / "h.db"
    refused = invoke("import", path, "--db", db)
    assert refused.exit_code == 2
    assert "export.csv: the file name does not say which device" in refused.stderr
    done = invoke(
        "import", path, "--db", db, "--device", "ibm_x", "--calibrated-at", "2026-02-01T10:00Z"
    )
    assert done.exit_code == 0, done.stderr
    assert stored(db)[0][0] == "ibm_x"


BAD = [
    pytest.param(
        NAME,
        HEADER.replace('"T1 (us)"', '"T1 (fortnights)"'),
        ROWS,
        r"column 2 'T1 \(fortnights\)': unknown unit 'fortnights'",
        id="unknown-unit",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0], ROWS[1].replace("0:0.003;2:1", "0=0.003"), ROWS[2]),
        r"row 3, column 'CZ error': cannot read the coupler entry '0=0.003'",
        id="coupler-cell",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0], ROWS[1].replace("0:0.003;2:1", "0:0.003;7:0.01"), ROWS[2]),
        r"row 3, column 'CZ error': cz on 1_7 reaches beyond the file's qubits",
        id="coupler-qubit",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0].replace('"100.5"', '"1OO.5"'), *ROWS[1:]),
        r"row 2, column 'T1 \(us\)': '1OO.5' is not a number",
        id="not-a-number",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0].replace('"100.5"', '"١٠٠.٥"'), *ROWS[1:]),  # Arabic-Indic digits
        r"row 2, column 'T1 \(us\)': '١٠٠.٥' is not a number",
        id="non-ascii-digits",
    ),
    pytest.param(
        "ibm_testdev_calibrations_2026-02-30T12_25_55Z.csv",
        HEADER,
        ROWS,
        r"2026-02-30T12_25_55Z is not a possible date",
        id="impossible-date",
    ),
    pytest.param(
        "ibm_testdev_calibrations_2126-01-30T12_25_55Z.csv",
        HEADER,
        ROWS,
        r"2126-01-30T12_25_55Z: 2126-01-30T12:25:55Z is outside the dates a calibration can have",
        id="future-date",
    ),
    pytest.param(
        NAME,
        HEADER.replace('"Qubit",', '"Index",'),
        ROWS,
        r"column 1 'Index': not a column qpumon can read",
        id="unknown-column",
    ),
    pytest.param(
        NAME,
        HEADER.split(",", 1)[1],
        tuple(r.split(",", 1)[1] for r in ROWS),
        r"not IBM's calibration CSV: no Qubit column",
        id="no-qubit-column",
    ),
    pytest.param(
        NAME,
        '"Qubit","Colour"',
        ('"0","red"', '"1","blue"'),
        r"column 2 'Colour': not a column qpumon can read",
        id="no-known-metric",
    ),
    pytest.param(
        NAME,
        '"Qubit","Operational"',
        ('"0","Yes"', '"1","Yes"'),
        r"not IBM's calibration CSV: no column gives a calibration value",
        id="no-metric",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0].replace('"Yes"', '"Maybe"'), *ROWS[1:]),
        r"row 2, column 'Operational': 'maybe' is not true/false",
        id="operational",
    ),
    pytest.param(
        NAME,
        HEADER,
        (ROWS[0].replace('"0.01"', '"1.5"', 1), *ROWS[1:]),
        r"row 2, column 'Readout assignment error': 1.5 is not a probability",
        id="probability",
    ),
]


@pytest.mark.parametrize(("name", "header", "rows", "message"), BAD)
def test_bad_input_exits_2_naming_file_row_and_column_and_stores_nothing(
    tmp_path: Path, name: str, header: str, rows: tuple[str, ...], message: str
) -> None:
    good = write(tmp_path / "in", "ibm_good_calibrations_2026-01-01T00_00_00Z.csv")
    bad = write(tmp_path / "in", name, header, rows)
    db = tmp_path / "h.db"
    done = invoke("import", bad, good, "--db", db)
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"qpumon: error: {bad}"), lines[0]
    assert __import__("re").search(message, lines[0]), lines[0]
    assert stored(db) == []  # the bad file comes first: nothing from it (nor after it)


def test_keep_going_skips_a_bad_file_and_imports_the_rest(tmp_path: Path) -> None:
    write(tmp_path / "in", "ibm_good_calibrations_2026-01-01T00_00_00Z.csv")
    write(tmp_path / "in", NAME, HEADER.replace("(us)", "(weeks)", 1))
    db = tmp_path / "h.db"
    stopped = invoke("import", tmp_path / "in", "--db", db)
    assert stopped.exit_code == 2
    assert [d for d, _ in stored(db)] == ["ibm_good"]  # sorted order: the good file came first
    done = invoke("import", tmp_path / "in", "--db", db, "--keep-going")
    assert done.exit_code == 0
    assert "qpumon: skipped: " in done.stderr and "unknown unit 'weeks'" in done.stderr
    assert "skipped 1 file that could not be read" in done.stdout
    assert [d for d, _ in stored(db)] == ["ibm_good"]


def test_ignore_column_goes_on_without_it(tmp_path: Path) -> None:
    path = write(tmp_path, header=HEADER.replace('"ID error"', '"Mystery error (%)"'))
    db = tmp_path / "h.db"
    refused = invoke("import", path, "--db", db)
    assert refused.exit_code == 2 and "'Mystery error (%)'" in refused.stderr
    done = invoke("import", path, "--db", db, "--ignore-column", "Mystery error (%)")
    assert done.exit_code == 0, done.stderr
    assert len(stored(db)) == 1


def test_units_from_the_header_are_converted(tmp_path: Path) -> None:
    from qpumon.sources import resolve

    header = HEADER.replace('"T1 (us)"', '"T1 (ms)"').replace('"ID error"', '"Frequency (MHz)"')
    snapshot = resolve(write(tmp_path, header=header))
    assert [q.t1_us for q in snapshot.qubits] == [100500.0, 150000.0, 90000.0]  # ms -> µs
    # the ID error column is now a frequency in MHz (cells 0.0002, 1, blank): / 1000 to GHz
    assert [q.frequency_ghz for q in snapshot.qubits] == [0.0002 / 1000, 1 / 1000, None]
    assert snapshot.unit_labels["t1_us"] == "ms"


def test_conf_gives_the_coupling_map(tmp_path: Path) -> None:
    from qpumon.reports.formats.ibm_csv import write_csv
    from qpumon.sources import resolve
    from tests.conftest import bundled_root, raw

    path = tmp_path / "mychip_calibrations_2026-01-01T00_00_00Z.csv"
    path.write_text(write_csv(resolve("fake_kyoto")), encoding="utf-8")
    conf = bundled_root() / "kyoto" / "conf_kyoto.json"
    # Eagle's ECR is one-way and the 144 couplers are all flagged failed (error = 1)
    from_conf = resolve(str(path), conf=conf)
    assert from_conf.coupling_edges == tuple(tuple(e) for e in raw("kyoto", "conf")["coupling_map"])
    assert from_conf.coords is not None
    unknown = resolve(str(path))  # no bundled "mychip": the couplers the cells list
    assert set(unknown.coupling_edges) == set(from_conf.coupling_edges)
    assert unknown.coords is None


def test_a_folder_without_csv_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = invoke("import", tmp_path / "empty", "--db", tmp_path / "h.db")
    assert done.exit_code == 2
    assert (
        done.stderr.strip()
        == f"qpumon: error: {tmp_path / 'empty'}: no .csv file in this folder (or below it)"
    )


def test_the_row_named_is_the_files_line_across_blank_lines_and_crlf(tmp_path: Path) -> None:
    bad = ROWS[2].replace('"90"', '"ninety"')
    path = tmp_path / NAME
    path.write_bytes("\r\n".join([HEADER, ROWS[0], "", ROWS[1], bad]).encode("utf-8"))
    done = invoke("import", path, "--db", tmp_path / "h.db")
    assert done.exit_code == 2
    assert f"{path}: row 5, column 'T1 (us)': 'ninety' is not a number" in done.stderr


def test_a_conf_of_another_device_is_refused(tmp_path: Path) -> None:
    from tests.conftest import bundled_root

    conf = bundled_root() / "fez" / "conf_fez.json"
    done = invoke("import", write(tmp_path), "--conf", conf, "--db", tmp_path / "h.db")
    assert done.exit_code == 2
    assert f"the configuration {conf} is not this file's device (156 qubits, the file 3" in (
        done.stderr
    )


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ('"Qubit","T1 (us)"', "1" * 100_000 + "x", "is not a number"),
        ('"Qubit","CZ error"', "1:" + "1" * 100_000 + "x", "cannot read the coupler entry"),
        ('"Qubit","T1 (' + "u" * 100_000 + '"', "1", "not a column qpumon can read"),
    ],
    ids=["long-number", "long-coupler", "long-header"],
)
def test_long_cells_are_refused_without_matching_them(
    tmp_path: Path, header: str, cell: str, message: str
) -> None:
    # the patterns would take time growing with the square of such text: it is refused first
    path = write(tmp_path, header=header, rows=(f'"0","{cell}"',))
    done = invoke("import", path, "--db", tmp_path / "h.db")
    assert done.exit_code == 2 and message in done.stderr
    assert len(done.stderr) < 400
