"""Numbers, dates and sizes at the edge of the document readers (issue 20): any value put at
any numeric field of a real Amazon Braket, IonQ or IBM document either reads as that value or is
refused with one :class:`~qpumon.errors.InputError` line naming the file and the JSON path;
nothing else escapes, and what is read can always be drawn as JSON. The expected values are
computed here from the documents, not taken from qpumon."""

from __future__ import annotations

import copy
import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qpumon.errors import InputError, QpumonError
from qpumon.reports.formats import render
from qpumon.reports.monitor import build_monitor
from qpumon.sources import resolve
from qpumon.sources.files import load_file
from tests.conftest import raw, with_literal
from tests.vendors.conftest import IONQ_FIXTURE
from tests.vendors.test_braket import ionq_v3_capabilities, iqm_response, rigetti_v2

Path_ = tuple[Any, ...]


def _documents() -> dict[str, Any]:
    response = iqm_response()
    response["deviceCapabilities"] = json.loads(response["deviceCapabilities"])
    return {
        "braket-v2": json.loads(rigetti_v2().json()),
        "braket-v1-response": response,  # the capabilities go back in as a JSON string
        "braket-v3": ionq_v3_capabilities(),
        "ionq": json.loads(IONQ_FIXTURE.read_text(encoding="utf-8")),
        "ibm": raw("burlington", "props"),
        "snapshot": json.loads(render(build_monitor(resolve("fake_lagos")), "json"))["snapshot"],
    }


DOCUMENTS = _documents()


def _numeric_paths(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numeric_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numeric_paths(item, (*path, index))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path


#: (document, path) of every number in the documents (the IonQ connectivity, 630 pairs, is
#: sampled at its first pair: the pairs are all alike).
FIELDS = [
    (name, path)
    for name, document in DOCUMENTS.items()
    for path in _numeric_paths(document)
    if not (name == "ionq" and path[0] == "connectivity" and path[1] > 0)
]


def _text(name: str, document: Any, path: Path_, literal: str) -> str:
    """The document as JSON text with ``literal`` (any JSON number text, NaN included) at
    ``path``."""
    if name == "braket-v1-response" and path[0] == "deviceCapabilities":  # JSON text in JSON
        inner = with_literal(document[path[0]], path[1:], literal) if path[1:] else literal
        return json.dumps({**document, "deviceCapabilities": inner})
    return with_literal(document, path, literal)


def _read(text: str) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "doc.json"
        file.write_text(text, encoding="utf-8")
        if text.startswith('{"backend_name": "ibmq_burlington"'):
            conf = Path(folder) / "conf.json"
            conf.write_text(json.dumps(raw("burlington", "conf")), encoding="utf-8")
            return load_file(file, conf), str(file)
        return load_file(file), str(file)


def _literal(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 10_000:  # beyond str(): written out
        return ("-" if value < 0 else "") + "1" + "0" * 5000
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)


VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 2, 1e-300, -0.0, 10**400, -(10**5000), 1e308, 2**64]),
    st.text(max_size=4),
    st.none(),
    st.booleans(),
)


def _refused_or_read(text: str) -> Any:
    """The snapshot of ``text``, or None if it was refused the way bad input must be."""
    try:
        snapshot, _ = _read(text)
    except QpumonError as exc:
        assert exc.exit_code == 2, exc
        message = str(exc)
        assert "\n" not in message and message.startswith(str(Path(tempfile.gettempdir())))
        return None
    render(build_monitor(snapshot), "json")  # every value read can be drawn as JSON
    return snapshot


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_any_value_at_any_numeric_field_reads_or_is_refused(
    field: tuple[str, Path_], value: Any
) -> None:
    name, path = field
    _refused_or_read(_text(name, DOCUMENTS[name], path, _literal(value)))


@pytest.mark.parametrize(
    "literal", ["NaN", "-Infinity", "1e999", "9" * 5000, "-" + "1" * 401, "1" + "0" * 400 + ".0"]
)
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_hostile_number_texts_are_refused_with_their_path(name: str, literal: str) -> None:
    """The first number of each document as a hostile literal: refused at parse time, the
    message naming the path (inside the capabilities string for a get-device response)."""
    path = next(p for n, p in FIELDS if n == name)
    with pytest.raises(InputError) as caught:
        _read(_text(name, DOCUMENTS[name], path, literal))
    message = str(caught.value)
    shown = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    if name == "braket-v1-response":
        shown = "$" + shown[len("$.deviceCapabilities") :]
        assert "$.deviceCapabilities (a JSON string)" in message
    assert shown.replace('."', '["') in message.replace('["', ".").replace('"]', "") or (
        shown in message
    ), message


# -- the same value, or refused --------------------------------------------------------------

FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-2.0, max_value=2.0),
)


def _expected_or_refused(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high


@settings(max_examples=80, deadline=None)
@given(value=FLOATS)
def test_ionq_t1_reads_as_given_or_is_refused(value: float) -> None:
    ionq = DOCUMENTS["ionq"]
    snapshot = _refused_or_read(_text("ionq", ionq, ("timing", "t1"), _literal(value)))
    if not _expected_or_refused(value, 0.0, math.inf) or not math.isfinite(value * 1e6):
        assert snapshot is None
        return
    assert snapshot is not None
    t1 = next(d for d in snapshot.device_values if d.key == "t1_us")
    assert t1.value == value * 1e6


@settings(max_examples=80, deadline=None)
@given(value=FLOATS)
def test_ionq_two_qubit_median_and_stderr_read_as_given_or_are_refused(value: float) -> None:
    ionq = DOCUMENTS["ionq"]
    for key, low, high in (("median", 0.0, 1.0), ("stderr", 0.0, math.inf)):
        snapshot = _refused_or_read(_text("ionq", ionq, ("fidelity", "2q", key), _literal(value)))
        if not _expected_or_refused(value, low, high):
            assert snapshot is None, (key, value)
            continue
        assert snapshot is not None
        found = next(d for d in snapshot.device_values if d.key == "2q_error")
        if key == "median":
            assert found.value == 1.0 - value
        else:
            assert found.uncertainty == value


@settings(max_examples=80, deadline=None)
@given(value=FLOATS)
def test_braket_t1_and_its_error_read_as_given_or_are_refused(value: float) -> None:
    document = DOCUMENTS["braket-v2"]
    qid = next(iter(document["oneQubitProperties"]))
    for key in ("value", "standardError"):
        path = ("oneQubitProperties", qid, "T1", key)
        snapshot = _refused_or_read(_text("braket-v2", document, path, _literal(value)))
        if not _expected_or_refused(value, 0.0, math.inf) or not math.isfinite(value * 1e6):
            assert snapshot is None, (key, value)
            continue
        assert snapshot is not None
        if key == "value":
            qubit = next(q for q in snapshot.qubits if q.index == int(qid))
            assert qubit.t1_us == pytest.approx(value * 1e6, rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(value=FLOATS)
def test_braket_v3_durations_read_as_given_or_are_refused(value: float) -> None:
    document = DOCUMENTS["braket-v3"]
    path = ("standardized", "twoQubitGateDuration", "value")  # in ms
    snapshot = _refused_or_read(_text("braket-v3", document, path, _literal(value)))
    if not _expected_or_refused(value, 0.0, math.inf) or not math.isfinite(value * 1e6):
        assert snapshot is None
        return
    assert snapshot is not None
    assert snapshot.configuration["2q_gate_duration_ns"] == pytest.approx(value * 1e6, rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(value=FLOATS)
def test_ibm_gate_error_reads_as_given_or_is_refused(value: float) -> None:
    props = DOCUMENTS["ibm"]
    index = next(
        j for j, p in enumerate(props["gates"][0]["parameters"]) if p["name"] == "gate_error"
    )
    path = ("gates", 0, "parameters", index, "value")
    snapshot = _refused_or_read(_text("ibm", props, path, _literal(value)))
    if not _expected_or_refused(value, 0.0, 1.0):
        assert snapshot is None
        return
    assert snapshot is not None
    gate = props["gates"][0]
    found = next(
        g for g in snapshot.gates if g.gate == gate["gate"] and list(g.qubits) == gate["qubits"]
    )
    assert found.error == value


# -- qubit ids, nesting, dates and sizes -----------------------------------------------------


@pytest.mark.parametrize("qid", ["\u00b2", "9" * 5000, "\u0663", "01", " 1"])
def test_braket_qubit_ids_that_are_not_plain_indices_are_names(qid: str) -> None:
    """``²`` passes ``str.isdigit`` and ``int`` refuses it; 5,000 digits pass both and crash
    ``int``: such ids are names, numbered in order with the others."""
    document = copy.deepcopy(DOCUMENTS["braket-v2"])
    first = next(iter(document["oneQubitProperties"]))
    document["oneQubitProperties"][qid] = document["oneQubitProperties"].pop(first)
    document["twoQubitProperties"] = {
        k.replace(first, qid) if k.split("-")[0] == first else k: v
        for k, v in document["twoQubitProperties"].items()
    }
    snapshot = _refused_or_read(json.dumps(document))
    if snapshot is not None:
        assert qid in snapshot.qubit_names
        assert snapshot.num_qubits == len(snapshot.qubit_names)


def test_a_capabilities_string_nested_100000_deep_is_refused() -> None:
    response = iqm_response()
    response["deviceCapabilities"] = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputError, match=r"\$\.deviceCapabilities \(a JSON string\): the JSON "):
        _read(json.dumps(response))


@pytest.mark.parametrize(
    ("date", "refused"),
    [(0, False), (1e10, True), (631152000 - 1, True), (1.7e9, False), (99999999999, True)],
)
def test_ionq_epoch_dates_outside_1990_to_tomorrow_are_refused(date: float, refused: bool) -> None:
    """v0.3's seconds since 1970: 1e10 is the year 2286, 99999999999 the year 5138."""
    ionq = copy.deepcopy(DOCUMENTS["ionq"])
    ionq["date"] = date
    if refused or date < 631152000:
        with pytest.raises(InputError, match=r"\$\.date: .* is outside the dates"):
            _read(json.dumps(ionq))
    else:
        snapshot, _ = _read(json.dumps(ionq))
        assert snapshot.calibrated_at.timestamp() == date


def test_braket_entries_are_bounded_by_the_qubits_they_describe() -> None:
    """One qubit with a million fidelities is refused before the schema reads any of them."""
    document = copy.deepcopy(DOCUMENTS["braket-v2"])
    qid = next(iter(document["oneQubitProperties"]))
    fidelities = document["oneQubitProperties"][qid]["oneQubitFidelity"]
    qubits = len(document["oneQubitProperties"])
    allowed = (
        qubits * 256
        - sum(len(p["oneQubitFidelity"]) + 1 for p in document["oneQubitProperties"].values())
        - sum(len(p["twoQubitGateFidelity"]) + 1 for p in document["twoQubitProperties"].values())
    )
    document["oneQubitProperties"][qid]["oneQubitFidelity"] = fidelities + [fidelities[0]] * allowed
    _refused_or_read(json.dumps(document))  # at the bound: read (or refused for a reason)
    document["oneQubitProperties"][qid]["oneQubitFidelity"] += [fidelities[0]] * 1_000_000
    with pytest.raises(InputError, match=r"entries for \d+ qubits, more than 256 per qubit"):
        _read(json.dumps(document))


def test_ionq_connectivity_beyond_its_pairs_is_refused() -> None:
    ionq = copy.deepcopy(DOCUMENTS["ionq"])
    n = ionq["qubits"]
    ionq["connectivity"] = [[0, 1]] * (math.comb(n, 2) + 1)
    with pytest.raises(InputError, match=rf"\$\.connectivity: {math.comb(n, 2) + 1:,} pairs"):
        _read(json.dumps(ionq))


def test_braket_qubits_beyond_the_bound_are_refused_before_the_schema() -> None:
    """The schema's validation costs about a millisecond per qubit: 4,097 qubits are refused
    before it runs (a 100,000-qubit document took 96 s)."""
    document = copy.deepcopy(DOCUMENTS["braket-v2"])
    entry = next(iter(document["oneQubitProperties"].values()))
    document["oneQubitProperties"] = {str(i): entry for i in range(4097)}
    document["twoQubitProperties"] = {}
    with pytest.raises(InputError, match=r"4,097 qubits, more than an Amazon Braket document"):
        _read(json.dumps(document))


def _any_paths(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every object, array and leaf of a document (arrays: their first three entries)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _any_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from _any_paths(item, (*path, index))


ANY_FIELDS = [(name, path) for name, document in DOCUMENTS.items() for path in _any_paths(document)]
ANY_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["2025-01-01T00:00:00Z", "NaN", "1", "-1", "S", "us", "ns", "0-1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(ANY_FIELDS), value=ANY_VALUES)
def test_any_json_value_anywhere_reads_or_is_refused(field: tuple[str, Path_], value: Any) -> None:
    """Objects, arrays, strings and numbers in place of any part of a real document (a header,
    a name, a date, a unit): read, or one line of bad input, never another exception."""
    name, path = field
    literal = _literal(value) if isinstance(value, float) else json.dumps(value)
    _refused_or_read(_text(name, DOCUMENTS[name], path, literal))
