"""Sentences for changes, control charts and survey tests on autocorrelated data
(issue 11): the size is always told; the "long swings" caveat where it applies."""

from __future__ import annotations

import dataclasses

from planwatch.analysis.proportions import two_proportions, wilson
from planwatch.analysis.results import ChangeResult, SPCResult, SPCSignal
from planwatch.analysis.shortterm import TOO_SHORT
from planwatch.narrative import templates as t

S = t.Subject("Violence with injury offences")


def _change(**extra: object) -> ChangeResult:
    base = ChangeResult(
        "rolling12_previous",
        "12 months to June 2023",
        11_000,
        "12 months to June 2022",
        10_000,
        1_000,
        10.0,
        "up",
    )
    return dataclasses.replace(base, **extra)  # type: ignore[arg-type]


def test_a_large_change_that_is_not_significant_keeps_its_size_and_says_why() -> None:
    c = _change(significant=False, p_value=0.2, method="serial_rate_ratio_t", autocorrelation=0.7)
    text = t.change_text(S, c, False)
    assert "increased by 10.0% to 11,000" in text
    assert "not statistically significant" in text and "long swings" in text
    # a series without the swings gets no such caveat
    calm = t.change_text(S, dataclasses.replace(c, autocorrelation=0.1), False)
    assert "long swings" not in calm and "increased by 10.0%" in calm
    # a significant change needs no excuse
    assert "long swings" not in t.change_text(S, dataclasses.replace(c, significant=True), True)


def test_an_untested_change_says_why_and_keeps_its_size() -> None:
    c = _change(untested_reason=TOO_SHORT, n_history=2)
    text = t.change_text(S, c, None)
    assert "increased by 10.0%" in text and "too few earlier periods" in text
    assert "significant" not in text


def _spc(**extra: object) -> SPCResult:
    base = SPCResult(
        "xmr",
        100.0,
        5.0,
        113.3,
        86.7,
        108.9,
        91.1,
        29,
        (SPCSignal("outside_limits", (28,), "high", False),),
        "common_cause",
        None,
        None,
    )
    return dataclasses.replace(base, **extra)  # type: ignore[arg-type]


def test_chart_point_explained_by_the_swings() -> None:
    spc = _spc(
        autocorrelation=0.65,
        autocorrelation_high=True,
        verdict_adjusted=True,
        standard_variation="special_cause_concerning",
    )
    text = t.spc_text(S, spc)
    assert text is not None
    assert (
        "long swings" in text
        and "a single quarter outside the usual limits is weaker evidence" in text
    )
    assert "common-cause" in text and "special-cause" not in text
    # still special cause after the adjustment: said, with the allowance made
    strong = t.spc_text(S, dataclasses.replace(spc, variation="special_cause_concerning"))
    assert strong is not None and "even allowing for" in strong and "cause for concern" in strong
    # independent points and nothing flagged: no sentence
    assert t.spc_text(S, _spc(signals=())) is None


def test_overlapping_survey_results_say_the_test_allows_for_it() -> None:
    a, b = wilson("2023/24 Q1", 1728, 2400), wilson("2022/23 Q4", 1680, 2400)
    text = t.two_proportion_text(S, two_proportions(a, b, overlap=0.75), True)
    assert "2.0 percentage points higher" in text and "share about 75%" in text
    assert "share" not in t.two_proportion_text(S, two_proportions(a, b), False)
