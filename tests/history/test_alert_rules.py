"""Alert rules files validated at the edge: every bad file is one clear RulesError."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from qpumon.errors import RulesError
from qpumon.history.alerts import SINGLE_QUBIT_GATES, load_rules
from qpumon.history.rules_format import MAX_RULES, MAX_RULES_BYTES

HOOK = 'webhook = "https://hooks.example.org/qpumon"\n'
RULE = '[[alert]]\nwhen = "t1 < 50"\n'


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "rules.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str | bytes) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    assert caught.value.exit_code == 2
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RULE + "actions = 5", "alert 1: actions must be a non-empty list such as"),
        (RULE + 'actions = "exit"', "alert 1: actions must be a non-empty list"),
        (RULE + "actions = []", "alert 1: actions must be a non-empty list"),
        (RULE + 'actions = ["nope"]', "alert 1: unknown action 'nope'"),
        (RULE + "actions = [[1]]", "alert 1: actions must be a string, not a list"),
        (RULE + 'devices = "x"', "alert 1: devices must be a non-empty list such as"),
        (RULE + "devices = []", "alert 1: devices must be a non-empty list"),
        (RULE + "devices = [5]", "alert 1: devices must be a string, not 5"),
        (RULE + 'devices = [""]', "alert 1: devices '' must be 1 to 200 printable"),
        (RULE + 'action = ["exit"]', "alert 1: unknown key 'action'; nearest: actions"),
        ('webhok = "x"\n' + RULE, "unknown key 'webhok'"),
        (RULE + 'name = ""', "alert 1: name '' must be 1 to 200"),
        (RULE + f'name = "{"n" * 201}"', "alert 1: name 'nnn"),
        (RULE + 'name = "\\u001b[2J"', r"alert 1: name '\x1b[2J' must be 1 to 200 printable"),
        (RULE + "name = 5", "alert 1: name must be a string, not 5"),
        ("[[alert]]\nwhen = 5", "alert 1: when must be a string, not 5"),
        ('[[alert]]\nname = "x"', 'alert 1: needs when = "METRIC OP VALUE"'),
        ('[[alert]]\nwhen = "t1_us 5"', "alert 1: 't1_us 5' is not METRIC OP VALUE"),
        ('[[alert]]\nwhen = "t1_us < fast"', "alert 1: 'fast' is not a number"),
        ('[[alert]]\nwhen = "t1 < 1e5e5 * baseline"', "'1e5e5 * baseline' is not a number"),
        ('[[alert]]\nwhen = "t1 < nan"', "alert 1: 'nan' is not a number"),
        ('[[alert]]\nwhen = "t1 < inf"', "alert 1: 'inf' is not a number"),
        ('[[alert]]\nwhen = "t1 < 1e400"', "alert 1: '1e400' is too large"),
        ('[[alert]]\nwhen = "t1 < 1e400 * baseline"', "alert 1: '1e400' is too large"),
        ('[[alert]]\nwhen = "t1 < -2 * baseline"', "factor of baseline must be above 0"),
        ('[[alert]]\nwhen = "t1 < 0 * baseline"', "factor of baseline must be above 0"),
        ('[[alert]]\nwhen = "t1 < 5 < 6"', "alert 1: '5 < 6' is not a number"),
        ('[[alert]]\nwhen = "nope_error < 0.1"', "alert 1: unknown metric 'nope_error'"),
        ('[[alert]]\nwhen = "t9 < 5"', "alert 1: unknown metric 't9'"),
        ('[[alert]]\nwhen = "t1 == true"', "only operational == true/false compares with true"),
        ('[[alert]]\nwhen = "operational < true"', "only operational == true/false"),
        ('[[alert]]\nwhen = "operational > 1"', "operational is true or false"),
        ('[[alert]]\nwhen = "pending_jobs > baseline"', "pending_jobs has no baseline"),
        (f'[[alert]]\nwhen = "t1 < {"1" * 300}"', "alert 1: when 't1 < 111"),
        ("baseline_days = inf\n" + RULE, "baseline_days must be a number of days above 0"),
        ("baseline_days = nan\n" + RULE, "not nan"),
        ("baseline_days = -3\n" + RULE, "not -3"),
        ("baseline_days = 0\n" + RULE, "not 0"),
        ("baseline_days = 1e9\n" + RULE, "at most 36500, not 1000000000.0"),
        (f"baseline_days = 1{'0' * 400}\n" + RULE, "not a very large integer"),
        ("baseline_days = true\n" + RULE, "not true"),
        ('baseline_days = "30"\n' + RULE, "not '30'"),
        ("baseline_days = 1979-05-27\n" + RULE, "not a TOML date"),
        ('webhook = "not a url"\n' + RULE, "webhook 'not a url' is not a URL"),
        ('webhook = "file:///etc/shadow"\n' + RULE, "'file:///etc/shadow': only http:// and"),
        ('webhook = "ftp://example.org/x"\n' + RULE, "only http:// and https:// URLs"),
        ('webhook = "http://"\n' + RULE, "webhook 'http://' needs a host"),
        ('webhook = "http:///path"\n' + RULE, "needs a host"),
        ('webhook = "https://h:99999/"\n' + RULE, "needs a host (and a valid port)"),
        ('webhook = "http://a b/"\n' + RULE, "is not a URL"),
        ("webhook = 5\n" + RULE, "webhook must be a URL such as"),
        (RULE + 'actions = ["webhook"]', "a rule uses the webhook action but no webhook URL"),
        (RULE + RULE, "alert 2: the name 't1 < 50' is already alert 1's"),
        (RULE + 'name = "a"\n' + RULE + 'name = "a"', "alert 2: the name 'a' is already"),
        ("[alert]\nwhen = 't1 < 5'", "no [[alert]] tables"),
        ("alert = [5]", "alert 1: must be a table ([[alert]]), not 5"),
        ("alert = 5", "no [[alert]] tables"),
        ("", "no [[alert]] tables"),
        ("when = ", "not valid TOML (Invalid value (at end of document))"),
        ("a = " + "[" * 5000 + "]" * 5000, "values nested too deeply"),
        ("a = 1" + "0" * 5000, "not valid TOML (Exceeds the limit"),
        ('[[alert]]\nwhen = "t1 < 5"\n# caf\xe9'.encode("latin-1"), "not UTF-8 text (line 3)"),
        (HOOK + "[[alert]]\nwhen = 't1 < 5'\n" * (MAX_RULES + 1), "1001 alerts; at most 1000"),
        ("# " + "x" * MAX_RULES_BYTES + "\n" + RULE, "larger than 256 KiB"),
    ],
)
def test_a_bad_rules_file_is_one_clear_error(
    tmp_path: Path, text: str | bytes, expected: str
) -> None:
    assert expected in _error(tmp_path, text)


def test_an_unreadable_rules_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=re.escape(f"{tmp_path}: cannot read the alert rules")):
        load_rules(tmp_path)  # a directory


def test_a_good_file_in_full(tmp_path: Path) -> None:
    text = (
        "\ufeff"
        + 'webhook = "HTTPS://Example.org/hook?k=1"\nbaseline_days = 0.5\n'
        + '[[alert]]\nname = "noisy"\nwhen = "sx_error > 1e-3"\nactions = ["print", "print"]\n'
        + '[[alert]]\nwhen = "measure_2_error >= .5"\ndevices = ["fake_fez", "fake_fez"]\n'
        + '[[alert]]\nwhen = "2q_error > baseline * 1.5"\nactions = ["webhook", "exit"]\n'
        + '[[alert]]\nwhen = "operational != true"\n'
    )
    rules = load_rules(_write(tmp_path, text))
    assert rules.webhook == "HTTPS://Example.org/hook?k=1"
    assert rules.baseline == timedelta(hours=12)
    noisy, measure, two, down = rules.rules
    assert (noisy.name, noisy.metric, noisy.value, noisy.actions) == (
        "noisy",
        "sx_error",
        1e-3,
        ("print",),
    )
    assert (measure.name, measure.metric, measure.devices) == (
        "measure_2_error >= .5",
        "measure_2_error",
        ("fake_fez",),
    )
    assert (two.value, two.factor, two.has_webhook) == (None, 1.5, True)
    assert (down.metric, down.op, down.value) == ("operational", "!=", True)
    assert not down.has_webhook


def test_every_standard_single_qubit_gate_of_qiskit_is_a_metric() -> None:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = {
        name
        for name, gate in get_standard_gate_name_mapping().items()
        if gate.num_qubits == 1 and name != "delay"
    }
    assert standard <= SINGLE_QUBIT_GATES
