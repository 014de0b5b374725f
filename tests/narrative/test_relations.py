"""Two measures the plan links: a part's share of its whole and of the whole's change
(``part_of``; "stalking and harassment accounts for around a third of the fall in domestic
abuse"), and one measure's pattern against another's (``pattern_like``; "broadly matches
the pattern for all crime", with the correlation told). Each sentence is re-derived by
the claim checker from both series, and each wrong fact is found."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from series_built import REPORT_QUARTER, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.relations import Related, fraction_word, likeness
from planwatch.plan.models import Measure, SeriesSource

WHOLE = Measure(id="whole", name="Domestic abuse offences", source=SeriesSource(series="whole"))
#: Shaped like the reference's domestic abuse: 9,350 a year before, 9,120 now; stalking and
#: harassment 2,900 then 2,820 now: 80 of the fall of 230 (34.8%, about a third).
WHOLE_SERIES = MeasureSeries(
    "whole",
    "quarter",
    quarterly([9350, 9300, 9250, 9200, 9120]).periods,
    (9350, 9300, 9250, 9200, 9120),
)
PART_SERIES = quarterly([2900, 2880, 2860, 2840, 2820])


def _points(part: MeasureSeries, measure: Measure, other: Related) -> tuple[KeyPoint, ...]:
    analysis = analyse_measure(part, measure, (), REPORT_QUARTER)
    return measure_key_points(analysis, measure, part, related=[other])


def _one(points: tuple[KeyPoint, ...], kind: str) -> KeyPoint:
    (kp,) = [p for p in points if p.kind == kind]
    return kp


def test_a_part_is_told_as_a_share_of_its_whole_and_of_its_change() -> None:
    m = plan_measure(name="Stalking and harassment", part_of="whole")
    kp = _one(_points(PART_SERIES, m, Related(WHOLE, WHOLE_SERIES)), "share")
    assert kp.text == (
        "Stalking and harassment made up 30.9% of domestic abuse offences in 2023/24 Q1 "
        "(2,820 of 9,120), against 31.0% in 2022/23 Q1 (2,900 of 9,350). Stalking and "
        "harassment accounted for about a third (34.8%) of the fall in domestic abuse "
        "offences since 2022/23 Q1: 80 of 230."
    )
    assert kp.key == "m:share:whole" and kp.good_or_bad == "neutral"
    related = {"whole": WHOLE_SERIES}
    assert check_key_point(kp, PART_SERIES, m, REPORT_QUARTER, related) == ()

    def found(text: str) -> set[str]:
        wrong = replace(kp, text=text)
        return {p.kind for p in check_key_point(wrong, PART_SERIES, m, REPORT_QUARTER, related)}

    assert found(kp.text.replace("30.9%", "31.9%")) == {"value"}
    assert found(kp.text.replace("(2,900 of 9,350)", "(2,900 of 9,530)")) == {"value"}
    assert found(kp.text.replace("about a third", "about half")) == {"size"}
    assert found(kp.text.replace("(34.8%)", "(43.8%)")) == {"size"}
    assert found(kp.text.replace("the fall", "the rise")) == {"direction"}
    assert found(kp.text.replace("80 of 230", "90 of 230")) == {"value"}
    assert (
        found(kp.text.replace("against 31.0% in 2022/23 Q1", "against 31.0% in 2022/23 Q4"))
        != set()
    )
    # without the whole's series the sentence cannot be borne out
    assert {p.kind for p in check_key_point(kp, PART_SERIES, m, REPORT_QUARTER)} == {"value"}


def test_a_part_that_moved_against_its_whole_has_only_its_share() -> None:
    m = plan_measure(name="Stalking and harassment", part_of="whole")
    rising = quarterly([2900, 2880, 2860, 2840, 2950])
    kp = _one(_points(rising, m, Related(WHOLE, WHOLE_SERIES)), "share")
    assert "accounted for" not in kp.text
    assert check_key_point(kp, rising, m, REPORT_QUARTER, {"whole": WHOLE_SERIES}) == ()


def test_no_share_when_the_part_is_larger_than_its_whole_or_not_a_count() -> None:
    big = quarterly([9900, 9800, 9700, 9600, 9500])
    m = plan_measure(name="Stalking and harassment", part_of="whole")
    assert not [p for p in _points(big, m, Related(WHOLE, WHOLE_SERIES)) if p.kind == "share"]
    pct = plan_measure(name="Share", unit="percent", part_of="whole", decimals=1)
    assert not [
        p for p in _points(PART_SERIES, pct, Related(WHOLE, WHOLE_SERIES)) if p.kind == "share"
    ]


@pytest.mark.parametrize(
    ("share", "word"), [(0.348, "a third"), (0.5, "half"), (0.27, "a quarter"), (0.41, None)]
)
def test_fractions_are_said_only_when_close(share: float, word: str | None) -> None:
    assert fraction_word(share) == word


ALL_CRIME = Measure(id="all", name="All crime", source=SeriesSource(series="all"))
SEASON = (1.08, 1.02, 0.95, 0.95)  # a summer peak, as crime has


def _seasonal(level: float, growth: float, wobble: tuple[float, ...]) -> MeasureSeries:
    values = [
        round(level * math.exp(growth * k) * SEASON[k % 4] * wobble[k % len(wobble)])
        for k in range(29)
    ]
    return quarterly(values)


def test_a_pattern_is_told_with_its_correlation_and_checked() -> None:
    rural = _seasonal(600, 0.004, (1.0, 1.03, 0.98, 1.01, 0.99))
    crime = _seasonal(40_000, 0.01, (1.0, 1.01, 0.99, 1.0))
    m = plan_measure(name="Rural crime offences", pattern_like="all")
    kp = _one(_points(rural, m, Related(ALL_CRIME, crime)), "pattern")
    assert kp.text.startswith(
        "The pattern of rural crime offences broadly matches that of all crime:"
    )
    assert (
        "quarter-to-quarter changes from 2016/17 Q1 to 2023/24 Q1 have a correlation of 0."
        in kp.text
    )
    assert "(Pearson, on changes in logs; 28 changes)." in kp.text
    assert kp.evidence["correlation"] >= 0.5
    related = {"all": crime}
    assert check_key_point(kp, rural, m, REPORT_QUARTER, related) == ()
    r = kp.text.split("correlation of ")[1].split(" ")[0]

    def found(text: str) -> set[str]:
        wrong = replace(kp, text=text)
        return {p.kind for p in check_key_point(wrong, rural, m, REPORT_QUARTER, related)}

    assert found(kp.text.replace(f"of {r} ", "of 0.11 ")) == {"value"}
    assert found(kp.text.replace("broadly matches", "partly matches")) == {"size"}
    assert found(kp.text.replace("28 changes", "27 changes")) == {"value"}
    assert found(kp.text.replace("from 2016/17 Q1", "from 2016/17 Q2")) == {"period"}


def test_unrelated_patterns_are_not_said_to_match() -> None:
    flat = quarterly([100, 104, 98, 101, 99, 103, 97, 102, 100, 98, 104, 99, 101])
    crime = _seasonal(40_000, 0.01, (1.0,))
    m = plan_measure(name="Dog thefts", pattern_like="all")
    kp = _one(_points(flat, m, Related(ALL_CRIME, quarterly(crime.values[-13:]))), "pattern")
    assert "broadly matches" not in kp.text
    assert (
        check_key_point(kp, flat, m, REPORT_QUARTER, {"all": quarterly(crime.values[-13:])}) == ()
    )


@pytest.mark.parametrize(
    ("r", "words"),
    [
        (0.8, "broadly matches"),
        (0.4, "partly matches"),
        (0.0, "does not closely follow"),
        (-0.6, "moves against"),
    ],
)
def test_likeness_follows_cohens_sizes(r: float, words: str) -> None:
    assert likeness(r) == words
