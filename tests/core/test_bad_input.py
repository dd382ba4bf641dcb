"""Bad input: one line on stderr naming what and where, exit code 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import raw
from tests.core.cli_helpers import run


def _props_with(tmp_path: Path, change) -> Path:
    props = raw("burlington", "props")
    change(props)
    path = tmp_path / "props_bad.json"
    path.write_text(json.dumps(props), encoding="utf-8")
    return path


def _set_t1(value):
    def change(props):
        props["qubits"][2][0]["value"] = value

    return change


def _set_unit(props):
    props["qubits"][1][0]["unit"] = "fortnights"


def _drop_gates(props):
    del props["gates"]


CASES = {
    "string value": (_set_t1("fast"), "$.qubits[2][0].value: expected a number"),
    "negative T1": (_set_t1(-5.0), "$.qubits[2][0].value: -5.0 is below 0"),
    "unknown unit": (_set_unit, "$.qubits[1][0]: unknown unit 'fortnights'"),
    "wrong shape": (_drop_gates, "not a calibration file"),
}


def _assert_one_line_error(result, expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qpumon: error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_bad_properties_file(tmp_path: Path, case: str) -> None:
    change, expected = CASES[case]
    path = _props_with(tmp_path, change)
    result = run("monitor", path)
    _assert_one_line_error(result, expected)
    assert str(path) in result.stderr


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_inf_are_named(tmp_path: Path, literal: str) -> None:
    text = json.dumps(raw("burlington", "props"))
    text = text.replace('"value": 101.25901768767605', f'"value": {literal}', 1)
    path = tmp_path / "props_nan.json"
    path.write_text(text, encoding="utf-8")
    _assert_one_line_error(run("monitor", path), "$.qubits[0][0].value: expected a finite number")


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"qubits": [\n  1,,\n]}', encoding="utf-8")
    _assert_one_line_error(run("monitor", path), "invalid JSON at line 2, column")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    _assert_one_line_error(run("monitor", path), "the file is empty")


def test_json_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    _assert_one_line_error(run("monitor", path), "expected a JSON object")


def test_missing_file(tmp_path: Path) -> None:
    _assert_one_line_error(run("monitor", tmp_path / "nope.json"), "no such file")


def test_unknown_device_suggests_close_names() -> None:
    result = run("monitor", "fake_burlingtn")
    _assert_one_line_error(result, "unknown device 'fake_burlingtn'; did you mean fake_burlington")


def test_bad_qubit_range() -> None:
    _assert_one_line_error(
        run("monitor", "fake_burlington", "--qubits", "3-9"), "outside the device's qubits 0-4"
    )


def test_unknown_sort_metric() -> None:
    _assert_one_line_error(
        run("monitor", "fake_burlington", "--sort", "colour"), "unknown metric 'colour'"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--debug", "monitor", "nosuchdevice"),
        ("monitor", "nosuchdevice", "--debug"),
        ("monitor", "--debug", "nosuchdevice"),
    ],
)
def test_debug_anywhere_on_the_line_shows_the_traceback(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("qpumon: error: ")
    assert "No such option" not in result.stderr


def test_units_other_than_the_usual_ones_are_converted(tmp_path: Path) -> None:
    """Gate lengths in µs and T1 in seconds take the careful parser's conversion path."""
    from qpumon.sources import resolve as load

    def change(props):
        props["gates"][0]["parameters"][1].update(unit="us", value=0.5)
        props["qubits"][0][0].update(unit="s", value=1.0e-4)

    snap = load(str(_props_with(tmp_path, change)))
    assert snap.gates[0].length_ns == 500.0
    assert snap.qubits[0].t1_us == pytest.approx(100.0)
