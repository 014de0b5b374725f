"""Key points for comparisons between groups and between forces, and low-count changes:
literal texts for hand-built results (hand_built.py), significance only when shown."""

from __future__ import annotations

import dataclasses
from typing import Any

from hand_built import analysis, change, measure

from planwatch.analysis.engine import analyse_areas
from planwatch.analysis.proportions import two_proportions, wilson
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.templates import LOW_COUNT_BASE, Subject, change_text
from planwatch.plan.models import Measure

VICTIMS = measure(
    id="victims", name="Confidence among victims", unit="percent", aggregation="proportion"
)


def _group(first: tuple[int, int], second: tuple[int, int], name: str) -> object:
    test = two_proportions(wilson("2022/23 Q4", *first), wilson("2022/23 Q4", *second))
    return dataclasses.replace(test, compared_with="non_victims", compared_with_name=name)


def _one(kind: str, m: Measure = VICTIMS, **kw: Any) -> KeyPoint:
    points = [p for p in measure_key_points(analysis(**kw), m) if p.kind == kind]
    assert len(points) == 1, points
    return points[0]


def test_significant_gap_between_groups() -> None:
    test = _group((140, 230), (453, 600), "Confidence among non-victims")
    point = _one("group_comparison", proportion_tests=(test,))
    assert point.text == (
        "In 2022/23 Q4, confidence among victims (60.9%) was 14.6 percentage points lower than "
        "among non-victims (75.5%); the gap is statistically significant (two-proportion z test)."
    )
    assert point.significant is True and point.direction == "down"
    assert point.key == "victims:group_comparison:non_victims"
    assert point.evidence["first_n"] == 230 and point.evidence["second_n"] == 600


def test_gap_that_chance_could_explain_is_not_called_significant() -> None:
    # 30/50 = 60% against 33/50 = 66%: z = -0.62, p = 0.53
    test = _group((30, 50), (33, 50), "Confidence in the police among people who were not victims")
    m = measure(
        id="victims",
        name="Confidence in the police among victims",
        unit="percent",
        aggregation="proportion",
    )
    point = _one("group_comparison", proportion_tests=(test,), m=m)
    assert point.text == (
        "In 2022/23 Q4, confidence in the police among victims (60.0%) was 6.0 percentage points "
        "lower than among people who were not victims (66.0%); the gap is not statistically "
        "significant (two-proportion z test)."
    )
    assert point.significant is False


def test_names_with_nothing_in_common_are_given_in_full() -> None:
    test = _group((50, 100), (50, 100), "Satisfaction of witnesses")
    point = _one("group_comparison", proportion_tests=(test,))
    assert point.text == (
        "In 2022/23 Q4, confidence among victims (50.0%) was the same as satisfaction of "
        "witnesses (50.0%); the gap is not statistically significant (two-proportion z test)."
    )


def _funnel(counts: dict[str, float], pops: dict[str, float], **kw: object) -> object:
    return analyse_areas(counts, pops, focus_area="Kent", label="12 months to June 2023", **kw)  # type: ignore[arg-type]


BURGLARY = measure(id="burglary", name="Domestic burglary offences")


def test_peer_point_within_the_limits_is_neither_good_nor_bad() -> None:
    # 500 against an expected 1,500 x 1/3 = 500: exactly on the average
    f = _funnel(
        {"Kent": 500, "Essex": 500, "Suffolk": 500}, {"Kent": 1e6, "Essex": 1e6, "Suffolk": 1e6}
    )
    point = _one("peer_comparison", funnel=f, m=BURGLARY)
    assert point.text == (
        "Kent's rate of domestic burglary offences in the 12 months to June 2023 (0.5 per 1,000 "
        "population) was within the range expected from the other two forces (average across "
        "all three forces: 0.5 per 1,000; funnel plot, 99.8% limits)."
    )
    assert (point.direction, point.good_or_bad, point.significant) == ("flat", "neutral", False)


def test_peer_point_above_the_limits_is_bad_for_a_crime() -> None:
    # Kent 700 against an expected 1,700/3 = 567; 99.8% limits about 567 +/- 3.09 x 23.8
    f = _funnel(
        {"Kent": 700, "Essex": 500, "Suffolk": 500}, {"Kent": 1e6, "Essex": 1e6, "Suffolk": 1e6}
    )
    point = _one("peer_comparison", funnel=f, m=BURGLARY)
    assert "(0.7 per 1,000 population) was above the range expected" in point.text
    assert (point.direction, point.good_or_bad, point.significant) == ("up", "bad", True)


def test_peer_point_names_the_over_dispersion_allowance() -> None:
    forces = {f"F{i}": 400.0 + 40 * i for i in range(11)}
    forces["Kent"] = 420.0
    f = _funnel(forces, dict.fromkeys(forces, 1e6), overdispersion=True)
    point = _one("peer_comparison", funnel=f, m=BURGLARY)
    assert point.text.endswith(
        "from the other 11 forces (average across all 12 forces: 0.6 per 1,000; funnel plot, "
        "99.8% limits, allowing for over-dispersion between forces)."
    )


def test_small_counts_are_told_as_counts_not_percentages() -> None:
    s = Subject("Drug-related homicides")
    assert change_text(s, change(0, 3), False) == (
        "Drug-related homicides fell from 3 in 2022/23 Q4 to 0 in 2023/24 Q1; "
        "this is not statistically significant."
    )
    assert change_text(s, change(7, 0), None) == (
        "Drug-related homicides rose from 0 in 2022/23 Q4 to 7 in 2023/24 Q1."
    )
    just_below = change(60, LOW_COUNT_BASE - 1)
    assert change_text(s, just_below, None).startswith("Drug-related homicides rose from 49 ")
    at_base = change(60, LOW_COUNT_BASE)
    assert change_text(s, at_base, None) == (
        "Drug-related homicides increased by 20.0% to 60 in 2023/24 Q1, from 50 in 2022/23 Q4."
    )


def test_small_counts_do_not_rank_as_big_changes() -> None:
    point = _one(
        "change_previous",
        changes=(change(0, 3, significant=False, p_value=0.25),),
        m=measure(name="Drug-related homicides"),
    )
    assert point.magnitude is None and "100" not in point.text


def test_percentages_from_small_bases_of_other_units_keep_their_wording() -> None:
    s = Subject("Hours lost", unit="hours", decimals=2)
    assert change_text(s, change(5.0, 4.0), None) == (
        "Hours lost increased by 25.0% to 5.00 hours in 2023/24 Q1, from 4.00 hours in 2022/23 Q4."
    )
