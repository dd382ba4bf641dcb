"""Bad input to ``best`` and ``place``: one clear line on stderr, exit code 2."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from qpumon.choose import place
from qpumon.cli import cli, main
from qpumon.errors import NoCalibrationError, QpumonError
from qpumon.sources import resolve as load
from tests.choose.helpers import ghz


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return int(exit_info.value.code or 0), capsys.readouterr().err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def test_invalid_qasm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.qasm", HEADER + "qreg q[2];\nfoo q[0];\n")
    code, err = run(["place", path, "fake_fez"], capsys)
    assert code == 2
    assert err.startswith(f"qpumon: error: {path}: not valid OpenQASM 2:") and "foo" in err
    assert err.count("\n") == 1


def test_empty_circuit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "empty.qasm", HEADER + "qreg q[3];\nbarrier q;\n")
    code, err = run(["place", path, "fake_fez"], capsys)
    assert (code, err) == (
        2,
        "qpumon: error: circuit 'empty' is empty: it has no operations on qubits to place\n",
    )


def test_gate_no_device_supports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path, "opaque.qasm", HEADER + "opaque magic a,b;\nqreg q[2];\nmagic q[0],q[1];\n"
    )
    code, err = run(["place", path, "fake_fez", "fake_brisbane"], capsys)
    assert code == 2
    assert "cannot be translated to the gates" in err and "magic" in err


def test_circuit_wider_than_every_device(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(
        QpumonError,
        match=r"uses 30 qubits; the largest device given "
        r"\(fake_guadalupe\) has 16",
    ):
        place(ghz(30), [load("fake_manila"), load("fake_guadalupe")])
    with pytest.raises(QpumonError, match="uses 200 qubits"):
        place(ghz(200), [load("fake_fez")])


def test_device_with_no_calibration() -> None:
    bare = dataclasses.replace(load("fake_fez"), qubits=(), gates=())
    with pytest.raises(NoCalibrationError, match="fake_fez: no calibration data"):
        place(ghz(3), [bare])
    from qpumon.choose.candidates import best_qubits

    with pytest.raises(NoCalibrationError):
        best_qubits(bare, 3)
    assert NoCalibrationError.exit_code == 2


def test_missing_file_unknown_device_and_bad_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["place", "/no/such.qasm", "fake_fez"], capsys)
    assert (code, err) == (2, "qpumon: error: /no/such.qasm: no such circuit file\n")
    code, err = run(["best", "fake_fez", "-n", "200"], capsys)
    assert code == 2 and "between 1 and 156, not 200" in err
    code, err = run(["best", "fake_kyoto", "-n", "3"], capsys)
    assert code == 2 and "no usable set of 3 connected qubits" in err and "144 flagged" in err


def test_place_needs_devices_or_all() -> None:
    result = CliRunner().invoke(cli, ["place", "x.qasm"], standalone_mode=False)
    assert isinstance(result.exception, QpumonError)
    assert "name one or more devices, or give --all" in str(result.exception)


def test_place_exits_2_when_nothing_fits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A triangle occurs nowhere in heavy-hex: one line, exit 2, as ``best`` does."""
    path = write(
        tmp_path, "tri.qasm", HEADER + "qreg q[3];\ncx q[0],q[1];\ncx q[1],q[2];\ncx q[2],q[0];\n"
    )
    code, err = run(["place", path, "fake_fez"], capsys)
    assert code == 2
    assert err.startswith("qpumon: error: circuit 'tri': no usable layout on any device")
    assert err.count("\n") == 1
