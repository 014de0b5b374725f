"""Figures printed in the published reference update, recomputed by planwatch. Only the
numbers are used (the fixture skips when the reference is absent)."""

from __future__ import annotations

import pytest

from planwatch.analysis.proportions import benchmark_gap
from planwatch.analysis.shortterm import compare

pytestmark = pytest.mark.shared


def test_audience_decrease_matches_the_published_percentage(reference_text: str) -> None:
    for figure in ("122,057", "147,489", "17.2%"):
        assert figure in reference_text
    change = compare(
        "rolling12_previous",
        ("12 months to June 2023", 122_057),
        ("12 months to June 2022", 147_489),
    )
    assert change.pct_change is not None and f"{abs(change.pct_change):.1f}%" == "17.2%"


def test_workforce_gap_matches_the_published_points(reference_text: str) -> None:
    for figure in ("4.1%", "11.21", "7.1%"):
        assert figure in reference_text
    gap = benchmark_gap("2023/24 Q1", 4.1, "Economically active ethnic minority population", 11.21)
    # published as "7.1% lower"; planwatch says "7.1 percentage points lower"
    assert gap.gap_pp_rounded == -7.1
