"""Unit conversion: every unit the issue names, exact powers of ten, unknown units rejected."""

from __future__ import annotations

import pytest

from qpumon.errors import UnitError
from qpumon.model.units import convert, same_unit


@pytest.mark.parametrize(
    ("value", "unit", "dimension", "expected"),
    [
        (1.5, "s", "time_us", 1.5e6),
        (2.0, "ms", "time_us", 2000.0),
        (101.25, "us", "time_us", 101.25),
        (101.25, "\u00b5s", "time_us", 101.25),
        (101.25, "\u03bcs", "time_us", 101.25),
        (3000.0, "ns", "time_us", 3.0),
        (0.5, "us", "time_ns", 500.0),
        (35.5, "ns", "time_ns", 35.5),
        (5.0e9, "Hz", "frequency_ghz", 5.0),
        (5.0e6, "kHz", "frequency_ghz", 5.0),
        (-340.0, "MHz", "frequency_ghz", -0.34),
        (4.6414, "GHz", "frequency_ghz", 4.6414),
        (0.01, "", "dimensionless", 0.01),
        (0.01, None, "dimensionless", 0.01),
    ],
)
def test_convert(value: float, unit: str | None, dimension, expected: float) -> None:
    assert convert(value, unit, dimension) == expected


@pytest.mark.parametrize(
    ("unit", "dimension"),
    [
        ("fortnights", "time_us"),
        ("GHz", "time_us"),
        ("us", "frequency_ghz"),
        ("%", "dimensionless"),
    ],
)
def test_unknown_or_wrong_unit_is_an_error(unit: str, dimension) -> None:
    with pytest.raises(UnitError, match="here"):
        convert(1.0, unit, dimension, "here")


def test_same_unit() -> None:
    assert same_unit("\u00b5s", "time_us") and same_unit("us", "time_us")
    assert not same_unit("s", "time_us") and not same_unit("Hz", "frequency_ghz")
