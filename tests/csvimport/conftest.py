"""Where IBM's real calibration CSVs are (read in place, never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

#: ../shared/data/ibm_csv beside the project (see shared/data/README.md).
IBM_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "ibm_csv"
#: The authors' merged tables and queue logs in 137sc21 (not the platform's format).
NOT_PLATFORM = "Analysis_Part_One"


def platform_files() -> list[Path]:
    """Every platform-format CSV under :data:`IBM_CSV` (1,757 when the folder is complete)."""
    if not IBM_CSV.is_dir():
        return []
    return sorted(p for p in IBM_CSV.rglob("*.csv") if NOT_PLATFORM not in p.parts)


@pytest.fixture(scope="session")
def ibm_csv_folder() -> Path:
    """The real files' folder; the test is skipped, saying why, where it is absent."""
    if not IBM_CSV.is_dir():
        pytest.skip(f"{IBM_CSV} is absent: IBM's real calibration CSVs are read from there")
    return IBM_CSV
