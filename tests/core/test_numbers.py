"""Compact number formatting: significant digits, no trailing zeros, short exponents."""

from __future__ import annotations

import pytest

from qpumon.model.metrics import GATE_ERROR, QUBIT_METRICS, format_number


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (101.25901768767605, 4, "101.3"),
        (38.01617, 4, "38.02"),
        (1560.0, 4, "1560"),
        (12345.6, 4, "12346"),
        (60.0, 4, "60.00"),
        (93.2, 4, "93.20"),
        (99.9996, 4, "100.0"),
        (4.641403, 5, "4.6414"),
        (-0.320123, 4, "-0.3201"),
        (0.000229, 3, "0.000229"),
        (0.02450, 3, "0.0245"),
        (0.025, 3, "0.0250"),
        (0.0000764, 3, "7.64e-5"),
        (0.00001, 3, "1.00e-5"),
        (1e308, 4, "1.000e308"),
        (2.5e6, 4, "2.500e6"),
        (0.0, 3, "0"),
        (1.0, 3, "1.00"),
    ],
)
def test_significant_digits(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text


def test_the_registry_owns_the_digits() -> None:
    assert QUBIT_METRICS["t1_us"].format(101.25901768767605) == "101.3"
    assert QUBIT_METRICS["t1_us"].format_with_unit(144.86) == "144.9 µs"
    assert GATE_ERROR.format(None) == "—"
    assert GATE_ERROR.format(0.0038209) == "0.00382"
