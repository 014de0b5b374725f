"""'Not statistically significant' said once in a run of one measure's points (issue 12):
property tests from generated series to the box, every point checked by the independent
claim checker, no number dropped, and no point left reading as significant."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from hand_built import analysis, change, measure
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, monthly, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.narrative.checker import check_key_point, verified
from planwatch.narrative.keypoints import (
    VERDICT_ONCE_KINDS,
    measure_key_points,
    priority_points,
    said_once,
)
from planwatch.narrative.model import KeyPoint

FULL = re.compile(
    r"this is not statistically significant|neither change is statistically significant"
)
AS_ABOVE = re.compile(r"as above, (this is not|neither is) significant")
DENIALS = re.compile(
    r"not statistically significant|neither change is statistically significant"
    r"|as above, (?:this is not|neither is) significant"
)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SWINGS = "moves in long swings"


def _claims(text: str) -> bool:
    """Whether a sentence says something is significant (its denials taken out)."""
    return "significant" in DENIALS.sub("", text)


series_values = st.lists(st.integers(min_value=0, max_value=3000), min_size=26, max_size=40)


def _measure_points(values: list[int], mid: str, name: str):  # type: ignore[no-untyped-def]
    s = replace(monthly(values), measure_id=mid)
    m = plan_measure(id=mid, name=name, analyses=("short_term", "rolling12", "extremes"))
    a = analyse_measure(s, m, (), REPORT_QUARTER)
    kept, _ = verified(measure_key_points(a, m, s), s, m, REPORT_QUARTER)  # as at a report
    return s, m, kept


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=series_values, b=series_values, limit=st.integers(min_value=2, max_value=12))
def test_the_verdict_is_said_once_in_a_run_and_every_point_still_passes(
    a: list[int], b: list[int], limit: int
) -> None:
    sa, ma, pa = _measure_points(a, "a", "Recorded offences")
    sb, mb, pb = _measure_points(b, "b", "Shoplifting offences")
    made = {p.key: p for p in (*pa, *pb)}
    box, _ = priority_points([*pa, *pb], limit=limit, per_measure=limit)
    facts = {"a": (sa, ma), "b": (sb, mb)}
    run_measure, full_in_run = None, 0
    for p in box:
        before = made[p.key]
        s, m = facts[p.measure]
        assert check_key_point(p, s, m, REPORT_QUARTER) == (), p.text
        # no number dropped, none added; never reads as significant when it was not
        assert Counter(NUMBER.findall(p.text)) <= Counter(NUMBER.findall(before.text))
        assert Counter(NUMBER.findall(before.text.split("; ")[0])) <= Counter(
            NUMBER.findall(p.text)
        )
        assert _claims(p.text) == _claims(before.text)
        if p.measure != run_measure:
            run_measure, full_in_run = p.measure, 0
        if p.kind in VERDICT_ONCE_KINDS:
            full_in_run += len(FULL.findall(p.text))
        assert full_in_run <= 1, [q.text for q in box]
        if AS_ABOVE.search(p.text):
            event("said once")
            assert p.significant is False or all(
                c["significant"] is False for c in p.evidence.get("comparisons", ())
            )
            assert full_in_run == 1  # said in full in an earlier point of the run
        elif p.text != before.text:
            raise AssertionError(f"changed without saying 'as above': {p.text}")
        if SWINGS in before.text and SWINGS not in p.text:
            event("long swings said once")
            earlier = [q for q in box[: box.index(p)] if q.measure == p.measure]
            assert any(SWINGS in q.text for q in earlier)


def _changes_point(significant: tuple[bool, bool], rho: float = 0.0) -> KeyPoint:
    made = []
    for shown, kind, label in (
        (significant[0], "same_period_last_year", "2022/23 Q1"),
        (significant[1], "previous_period", "2022/23 Q4"),
    ):
        c = change(
            100,
            120,
            kind=kind,
            comparison_label=label,
            significant=shown,
            p_value=0.01 if shown else 0.4,
            method="test",
        )
        made.append(replace(c, autocorrelation=rho))
    (kp,) = [
        p
        for p in measure_key_points(analysis(changes=tuple(made)), measure())
        if p.kind == "changes"
    ]
    return kp


def test_a_second_point_of_one_measure_says_as_above_and_keeps_its_numbers() -> None:
    first, second = _changes_point((False, False), 0.8), _changes_point((False, False), 0.8)
    second = replace(second, key="m:changes:again")
    out = said_once([first, second])
    assert out[0] == first
    assert out[1].text.endswith("Q4 (120); as above, neither is significant."), out[1].text
    assert "long swings" not in out[1].text  # said in the point above


def test_a_point_with_a_significant_change_keeps_its_own_verdicts() -> None:
    first, mixed = _changes_point((False, False)), _changes_point((True, False))
    assert said_once([first, mixed])[1] == mixed


def test_another_measures_point_ends_the_run() -> None:
    first, other = _changes_point((False, False)), _changes_point((False, False))
    other = replace(other, measure="other", key="other:changes")
    third = replace(first, key="m:changes:again")
    assert said_once([first, other, third]) == (first, other, third)


def test_the_checker_refuses_as_above_on_a_significant_change() -> None:
    kp = _changes_point((True, True))
    wrong = replace(
        kp,
        text=kp.text.replace(
            "both changes are statistically significant", "as above, neither is significant"
        ),
    )
    assert "as above" in wrong.text
    s = quarterly([100.0] * 4 + [120.0])
    assert "significance" in {p.kind for p in check_key_point(wrong, s, measure(), REPORT_QUARTER)}
