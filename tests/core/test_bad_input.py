"""Bad input: one line on stderr naming what and where, exit code 2, no traceback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qpumon.errors import InputError, InputTooLargeError
from qpumon.util import bounded
from qpumon.util.times import document_time
from tests.conftest import raw
from tests.core.cli_helpers import invoke, run


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


# -- issue 20: the shared checks at the edge (one JSON parser, dates, indices) ---------------


def _depth(value: object) -> int:
    """The nesting depth of a parsed JSON value, counted independently of qpumon."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\,:ab\u00e9 ', max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=4), inner, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(document=_JSON, limit=st.integers(min_value=0, max_value=12))
def test_the_depth_scan_agrees_with_the_parsed_depth(document: object, limit: int) -> None:
    """Brackets, quotes and backslashes inside strings never fool the scan before parsing."""
    text = json.dumps(document).encode("utf-8")
    brackets = bounded.structure(text).replace(b",", b"")
    assert bounded.nesting_exceeds(brackets, limit) == (_depth(document) > limit)


def test_nesting_beyond_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    deep = bounded.MAX_DEPTH + 1
    inside = bounded.MAX_DEPTH
    assert bounded.parse_json("[" * inside + "]" * inside, "x") is not None
    with pytest.raises(InputError, match=f"nests more than {bounded.MAX_DEPTH} levels"):
        bounded.parse_json("[" * deep + "]" * deep, "x")
    # an id nested 1,000 deep in an otherwise valid properties file
    props = raw("burlington", "props")
    props["backend_name"] = "DEEP"
    text = json.dumps(props).replace('"DEEP"', "[" * 1000 + '"x"' + "]" * 1000, 1)
    path = tmp_path / "props_deep.json"
    path.write_text(text, encoding="utf-8")
    _assert_one_line_error(run("monitor", path), "nests more than 64 levels deep")


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"name": "[" * 5000 + '\\"{' * 100, "x": [[1]]})
    assert bounded.parse_json(text, "x") == json.loads(text)


@pytest.mark.parametrize(
    ("literal", "path", "said"),
    [
        ("-" + "9" * 5000, "$.qubits[0][0].value", "an integer of 5000 digits"),
        ("1" + "0" * 400, "$.qubits[0][0].value", "an integer of 401 digits"),
        ("1" + "0" * 400 + ".5", "$.qubits[0][0].value", "expected a finite number"),
        ("1e999", "$.qubits[0][0].value", "expected a finite number, got 1e999"),
    ],
)
def test_overlong_and_overflowing_numbers_are_named(
    tmp_path: Path, literal: str, path: str, said: str
) -> None:
    text = json.dumps(raw("burlington", "props"))
    text = text.replace('"value": 101.25901768767605', f'"value": {literal}', 1)
    file = tmp_path / "props_big.json"
    file.write_text(text, encoding="utf-8")
    result = invoke("monitor", file)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"qpumon: error: {file}: {path}: {said}" or (
        said in result.stderr and path in result.stderr and len(result.stderr.splitlines()) == 1
    )


def test_integers_up_to_the_digit_limit_are_read_exactly() -> None:
    for digits in (1, 19, 20, bounded.MAX_INT_DIGITS):
        text = "[" + "7" * digits + ", NaN]"
        with pytest.raises(InputError, match=r"\$\[1\]: expected a finite number, got NaN"):
            bounded.parse_json(text, "x")  # NaN sends it down the careful parser
        text = '{"a": [' + "7" * digits + "]}"
        assert bounded.parse_json(text, "x") == {"a": [json.loads("7" * digits)]} or digits > 19
    with pytest.raises(InputError, match=r"\$\.a\[0\]: an integer of 41 digits"):
        bounded.parse_json('{"a": [' + "7" * 41 + ", NaN]}", "x")


def test_more_values_than_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "MAX_VALUES", 1000)
    assert len(bounded.parse_json(json.dumps([0] * 1000), "x")) == 1000
    with pytest.raises(InputTooLargeError, match="holds about 1,001 values"):
        bounded.parse_json(json.dumps([0] * 1001), "x")
    # commas inside strings are not values
    assert bounded.parse_json(json.dumps([",,,,," * 1000]), "x") == [",,,,," * 1000]


@pytest.mark.parametrize(
    ("date", "said"),
    [
        ("5138-11-16T09:46:40Z", "5138-11-16T09:46:40Z is outside the dates"),
        ("1989-12-31T23:59:59Z", "1989-12-31T23:59:59Z is outside the dates"),
        ("0001-01-01T00:00:00+01:00", "'0001-01-01T00:00:00+01:00' is outside the dates"),
        ("9999-12-31T23:00:00-05:00", "'9999-12-31T23:00:00-05:00' is outside the dates"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z is outside the dates"),
    ],
)
def test_dates_outside_1990_to_tomorrow_are_refused(tmp_path: Path, date: str, said: str) -> None:
    for where in ("last_update_date", "gate"):
        props = raw("burlington", "props")
        if where == "gate":
            props["gates"][0]["parameters"][0]["date"] = date
            path_said = "$.gates[0].parameters[0].date"
        else:
            props["last_update_date"] = date
            path_said = "$.last_update_date"
        file = tmp_path / f"props_{where}.json"
        file.write_text(json.dumps(props), encoding="utf-8")
        result = invoke("monitor", file)
        assert result.exit_code == 2, result.stderr
        line = result.stderr.strip()
        assert line.startswith(f"qpumon: error: {file}: {path_said}") and said in line, line


def test_a_date_within_the_slack_is_read() -> None:
    soon = datetime.now(timezone.utc) + timedelta(hours=20)
    assert document_time(soon.isoformat(), "x") == soon
    with pytest.raises(InputError, match="outside the dates"):
        document_time((soon + timedelta(days=1)).isoformat(), "x")


@pytest.mark.parametrize("name", [{"a": 1}, ["T1"], [[[]]]])
def test_an_ibm_qubit_entry_named_by_an_object_is_refused(tmp_path: Path, name: object) -> None:
    props = raw("burlington", "props")
    props["qubits"][3][1]["name"] = name
    file = tmp_path / "props_name.json"
    file.write_text(json.dumps(props), encoding="utf-8")
    result = invoke("monitor", file)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"qpumon: error: {file}: $.qubits[3][1].name: expected a")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("qubit", ["99999999999999999999", "\u00b2", "-1", "1e3", "\u0663"])
def test_history_qubit_is_a_small_whole_number(tmp_path: Path, qubit: str) -> None:
    result = invoke("history", "fake_lagos", "--qubit", qubit, "--db", tmp_path / "h.db")
    assert result.exit_code == 2
    assert result.stderr.startswith("qpumon: error: ") and "--qubit" in result.stderr
    assert "is not a whole number of at most 9 digits" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "h.db").exists()
