"""The structure scan that bounds a JSON document before it is parsed counts its values and its
containers (arrays and objects) from the text alone: property-based against the parsed
document, whatever its strings hold (brackets, commas, quotes, escapes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qpumon.errors import InputTooLargeError
from qpumon.util import bounded

_TEXT = st.text(alphabet=st.sampled_from('ab[]{},:"\\\u00e9\n'), max_size=6)
_SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | _TEXT
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)


def _tally(value: Any) -> tuple[int, int, int]:
    """(values, containers, empty containers) of a parsed document, counted by walking it."""
    if isinstance(value, list | dict):
        children = list(value.values()) if isinstance(value, dict) else value
        counts = [_tally(child) for child in children]
        return (
            1 + sum(c[0] for c in counts),
            1 + sum(c[1] for c in counts),
            int(not children) + sum(c[2] for c in counts),
        )
    return 1, 0, 0


@given(_DOCUMENTS, st.booleans())
def test_the_scan_counts_what_the_parser_builds(document: Any, spaced: bool) -> None:
    text = json.dumps(document, indent=1 if spaced else None).encode()
    containers, values = bounded.count_values(bounded.structure(text))
    real_values, real_containers, empty = _tally(document)
    assert containers == real_containers
    # a container of k >= 1 elements holds k - 1 commas: every value but the non-empty
    # containers' first elements (and the root) follows a comma
    assert values == real_values - real_containers + empty


def test_nested_one_key_objects_are_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shape that crashed the parser (millions of nested one-key objects with one comma
    between them) is refused by its count of containers, not parsed."""
    monkeypatch.setattr(bounded, "MAX_CONTAINERS", 1000)
    element = '{"a":' * 50 + "{}" + "}" * 50
    text = "[" + ",".join([element] * 20) + "]"
    with pytest.raises(InputTooLargeError, match="1,021 arrays and objects"):
        bounded.parse_json(text, "deep.json")
    assert len(json.loads(text)) == 20  # the same text within the limit is a document
    monkeypatch.setattr(bounded, "MAX_CONTAINERS", 1021)
    assert len(bounded.parse_json(text, "deep.json")) == 20
