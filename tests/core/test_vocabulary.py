"""One vocabulary: a coupler is ``a-b`` or ``a->b`` in every input and output, a key is the one
the CSV and JSON show, a status reads the same everywhere, and an unknown name is exit 2 with
the nearest known ones."""

from __future__ import annotations

import csv
import io
import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from qpumon.errors import UsageError
from qpumon.model.vocabulary import (
    Coupler,
    coupler_text,
    gate_subject,
    nearest,
    parse_coupler,
    status_word,
    unknown,
)
from tests.conftest import raw
from tests.core.cli_helpers import invoke


@pytest.mark.parametrize(
    ("text", "qubits", "directed", "shown"),
    [
        ("3-4", (3, 4), False, "3-4"),
        ("16-3", (3, 16), False, "3-16"),
        ("3->4", (3, 4), True, "3->4"),
        ("16->3", (16, 3), True, "16->3"),
        ("7", (7,), True, "7"),
    ],
)
def test_the_canonical_spellings_parse_and_print_back(
    text: str, qubits: tuple[int, ...], directed: bool, shown: str
) -> None:
    coupler = parse_coupler(text, "--gate")
    assert coupler == Coupler(qubits, directed)
    assert str(coupler) == shown == coupler_text(qubits, directed)


def test_an_undirected_coupler_means_both_entries_and_a_directed_one_its_own() -> None:
    assert parse_coupler("4-3", "x").orders == ((3, 4), (4, 3))
    assert parse_coupler("4->3", "x").matches((4, 3))
    assert not parse_coupler("4->3", "x").matches((3, 4))
    assert gate_subject("cz", (4, 3)) == "cz 4->3"
    assert gate_subject("cz", (4, 3), directed=False) == "cz 3-4"


@pytest.mark.parametrize("text", ["3_4", "3,4", "3 4", "3 -> 4", "3=>4", "3–4", "3→4"])
def test_old_spellings_are_refused_with_the_one_to_use(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_coupler(text, "--gate cz:" + text)
    assert str(caught.value).endswith(
        "did you mean 3-4 (either direction) or 3->4 (that direction)?"
    )


@pytest.mark.parametrize("text", ["", "x", "3-4-5", "-3", "3->", "a->b"])
def test_what_is_no_coupler_says_how_to_write_one(text: str) -> None:
    with pytest.raises(UsageError, match="is not a coupler; write a-b"):
        parse_coupler(text, "--gate")


def test_status_words() -> None:
    assert [status_word(v) for v in (True, False, None)] == [
        "operational",
        "not operational",
        "unknown",
    ]


def test_nearest_finds_misspellings_and_the_key_holding_a_shorter_name() -> None:
    keys = ["device", "median_t1_us", "median_t2_us", "median_2q_error_avg", "eplg_100"]
    assert nearest("t1", keys) == ["median_t1_us"]
    assert nearest("2q_error", keys) == ["median_2q_error_avg"]
    assert nearest("devise", keys) == ["device"]
    assert nearest("colour", keys) == []
    assert str(unknown("column", "t1", keys, where="--columns")) == (
        "--columns: unknown column 't1'; nearest: median_t1_us"
    )
    assert str(unknown("column", "colour", keys)).startswith(
        "unknown column 'colour'; choose one of: device, median_t1_us"
    )


# -- the command line -------------------------------------------------------------------------


def _refused(*args: str) -> str:
    done = invoke(*args)
    assert done.exit_code == 2, done.stdout
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("overview", "--columns", "t1"), "--columns: unknown column 't1'; nearest: median_t1_us"),
        (
            ("overview", "fake_fez", "--columns", "device,2q_error", "-f", "csv"),
            "unknown column '2q_error'; nearest: median_2q_error_avg",
        ),
        (
            ("monitor", "fake_burlington", "--columns", "frequncy"),
            "unknown column 'frequncy'; nearest: frequency_ghz",
        ),
        (("overview", "--sort", "t1"), "unknown sort key 't1'; nearest: median_t1_us"),
        (("monitor", "fake_burlington", "--sort", "t1us"), "unknown metric 't1us'; nearest: t1_us"),
        (("list", "--vendor", "gogle"), "--vendor: unknown vendor 'gogle'; nearest: google"),
    ],
)
def test_an_unknown_key_is_exit_2_naming_the_nearest(args: tuple[str, ...], message: str) -> None:
    assert message in _refused(*args)


def test_columns_and_sort_take_the_keys_the_csv_shows() -> None:
    head = invoke("overview", "fake_fez", "fake_kyoto", "-f", "csv").stdout.splitlines()[0]
    keys = head.split(",")
    done = invoke(
        "overview",
        "fake_fez",
        "fake_kyoto",
        "--sort",
        "median_t1_us",
        "--columns",
        "median_t1_us,eplg_100",
        "-f",
        "plain",
    )
    assert done.exit_code == 0, done.stderr
    assert "median_t1_us" in keys and "eplg_100" in keys
    header = done.stdout.splitlines()[2].split()
    assert header == ["Device", "T1", "(µs)", "EPLG"]
    t1 = {
        stem: statistics.median(
            next(p["value"] for p in q if p["name"] == "T1") for q in raw(stem, "props")["qubits"]
        )
        for stem in ("fez", "kyoto")
    }
    rows = [line.split()[0] for line in done.stdout.splitlines()[4:6]]
    assert rows == sorted(("fake_fez", "fake_kyoto"), key=lambda n: -t1[n[5:]])


def _gate_couplers(device: str) -> tuple[list[str], list[str]]:
    """The monitor's gate-table Qubits cells and its CSV's gate ``qubits``, one per entry."""
    table = invoke("monitor", device, "-f", "plain", "--all-gates", "--columns", "gate,qubits")
    lines = table.stdout.split("Multi-qubit gates")[1].splitlines()[4:]  # after the rules
    cells = [line.split()[1] for line in lines if line and not line.startswith("Note")]
    rows = csv.DictReader(io.StringIO(invoke("monitor", device, "-f", "csv").stdout))
    shown = [r["qubits"] for r in rows if r["kind"] == "gate" and r["metric"] == "error"]
    return cells, shown


@pytest.mark.parametrize(
    ("device", "stem"), [("fake_burlington", "burlington"), ("fake_fez", "fez")]
)
def test_the_table_and_the_csv_write_each_coupler_alike(device: str, stem: str) -> None:
    cells, shown = _gate_couplers(device)
    assert cells == shown
    gates: dict[tuple[int, ...], Any] = {
        tuple(g["qubits"]): g["parameters"]
        for g in raw(stem, "props")["gates"]
        if len(g["qubits"]) == 2
    }

    def values(pair: tuple[int, ...]) -> list[Any]:
        return sorted((p["name"], p["value"]) for p in gates[pair])

    for text in shown:
        if "->" in text:  # one direction: its reverse is missing or differs
            a, b = (int(q) for q in text.split("->"))
            assert (b, a) not in gates or values((a, b)) != values((b, a))
        else:  # both directions, the same values
            a, b = (int(q) for q in text.split("-"))
            assert a < b and values((a, b)) == values((b, a))


def test_status_reads_the_same_in_monitor_and_overview(tmp_path: Path) -> None:
    snapshot = json.loads(invoke("monitor", "fake_lagos", "-f", "json").stdout)["snapshot"]
    for operational, word in ((True, "operational"), (False, "not operational")):
        snapshot["status"] = {"operational": operational, "pending_jobs": 3, "message": ""}
        file = tmp_path / f"lagos-{operational}.json"
        file.write_text(json.dumps(snapshot), encoding="utf-8")
        monitor = invoke("monitor", str(file), "-f", "plain").stdout
        assert f"Status           {word}\n" in monitor
        overview = invoke("overview", str(file), "-f", "csv", "--columns", "device,status")
        assert overview.exit_code == 0, overview.stderr
        table = invoke("overview", str(file), "-f", "plain", "--columns", "device,status").stdout
        assert f"  {word}" in table


def test_check_help_keeps_the_rules_example_as_written() -> None:
    text = invoke("check", "--help", env={"COLUMNS": "80"}).stdout
    assert '\n    [[alert]]\n    name = "short T1"' in text
    assert "\n    130  interrupted (Ctrl-C); 143 terminated (SIGTERM)\n" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    snapshot = tmp_path / "armonk.json"
    snapshot.write_text(invoke("monitor", "fake_armonk", "-f", "json").stdout, encoding="utf-8")
    db = tmp_path / "h.db"
    done = invoke("import", str(snapshot), "--db", str(db))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "imported 1 file: 1 stored, 0 already stored\n"
