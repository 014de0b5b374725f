"""Issue 13's measures in words (issue 12): a stock — a headcount counted on each
period's last day (``stock:`` on a record source, or ``aggregation: last``) — is told at
its day ("There are currently 297 Special Constables (at 30 June 2023), 23 fewer than at
30 June 2022"), and the financial year so far against the same months a year before
("So far this financial year (April to June 2023), ... totalled ..."). From series to
sentence, each sentence re-checked by the claim checker; sentences made wrong on purpose
are caught."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, key_points, monthly, plan_measure, quarterly

from planwatch.narrative.checker import check_key_point
from planwatch.narrative.model import KeyPoint
from planwatch.plan.models import Measure, RecordsSource, Stock

SPECIALS = plan_measure(name="Special Constables", unit="number", aggregation="last")


def _kind(points: tuple[KeyPoint, ...], kind: str) -> KeyPoint | None:
    return next((p for p in points if p.kind == kind), None)


def test_a_headcount_is_told_at_the_day_it_is_counted() -> None:
    s = quarterly([330, 320, 308, 303, 301, 297])
    kp = _kind(key_points(s, SPECIALS), "changes")
    assert kp is not None and kp.text == (
        "There are currently 297 Special Constables (at 30 June 2023), 23 fewer than at 30 June "
        "2022 (320) and four fewer than at 31 March 2023 (301)."
    )
    assert check_key_point(kp, s, SPECIALS, REPORT_QUARTER) == ()
    for old, new in (
        ("at 31 March 2023", "at 30 April 2023"),  # no period ends that day
        ("at 31 March 2023", "at 31 December 2022"),  # another period's day
        ("four fewer", "three fewer"),
    ):
        wrong = replace(kp, text=kp.text.replace(old, new))
        assert check_key_point(wrong, s, SPECIALS, REPORT_QUARTER), new


def test_a_stock_on_a_record_source_is_a_stock() -> None:
    m = SPECIALS.model_copy(
        update={
            "aggregation": "sum",
            "source": RecordsSource(records="people", stock=Stock(snapshot=True)),
        }
    )
    s = quarterly([277, 270, 269, 268, 266])
    kp = _kind(key_points(s, m), "changes")
    assert kp is not None and "than at 30 June 2022 (277)" in kp.text
    assert "11 fewer than at 30 June 2022" in kp.text
    assert check_key_point(kp, s, m, REPORT_QUARTER) == ()


def test_a_stock_counted_in_hundreds_says_how_many_fewer() -> None:
    m = plan_measure(
        name="Police officers",
        source=RecordsSource(records="people", stock=Stock(snapshot=True)),
    )
    s = quarterly([3_310, 3_290, 3_300, 3_280, 3_250])
    kp = _kind(key_points(s, m), "changes")
    assert kp is not None and kp.text.startswith(
        "There are currently 3,250 police officers (at 30 June 2023), 60 fewer than at 30 June "
        "2022 (3,310)"
    )
    assert check_key_point(kp, s, m, REPORT_QUARTER) == ()


def test_a_flow_is_still_told_by_its_period() -> None:
    s = quarterly([330, 320, 308, 303, 301, 297])
    m = plan_measure(name="Special Constables", unit="number")
    kp = _kind(key_points(s, m), "changes")
    assert kp is not None and "(2023/24 Q1)" in kp.text and " at 3" not in kp.text


def test_the_year_so_far_against_the_same_months_a_year_before() -> None:
    m = plan_measure(frequency="month", analyses=("short_term",))
    s = monthly([200.0] * 12 + [210.0, 190.0, 200.0] + [220.0] * 9 + [180.0, 190.0, 200.0])
    kp = _kind(key_points(s, m), "year_to_date")
    assert kp is not None and kp.text == (
        "So far this financial year (April to June 2023), recorded offences totalled 570, 5.0% "
        "lower than in the same months of 2022/23 (600)."
    )
    assert check_key_point(kp, s, m, REPORT_QUARTER) == ()
    for old, new in (("April", "May"), ("570", "575"), ("lower", "higher"), ("2022/23", "2021/22")):
        wrong = replace(kp, text=kp.text.replace(old, new, 1))
        assert check_key_point(wrong, s, m, REPORT_QUARTER), new


def test_a_first_quarter_alone_or_a_level_has_no_year_so_far() -> None:
    q = quarterly([100.0 + k for k in range(9)])
    assert _kind(key_points(q, plan_measure()), "year_to_date") is None  # Q1: the quarter itself
    hours = plan_measure(frequency="month", unit="hours", aggregation="mean", decimals=2)
    s = monthly([5.0 + k / 10 for k in range(27)])
    assert _kind(key_points(s, hours), "year_to_date") is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(float)),
        min_size=13,
        max_size=27,
    ),
    stock=st.booleans(),
    frequency=st.sampled_from(["month", "quarter"]),
)
def test_stocks_and_years_so_far_from_series_to_sentence(
    values: list[float | None], stock: bool, frequency: str
) -> None:
    m: Measure = plan_measure(
        frequency=frequency,
        unit="number" if stock else "count",
        aggregation="last" if stock else "sum",
        analyses=("short_term",),
    )
    s = (monthly if frequency == "month" else quarterly)(values)
    for kp in key_points(s, m):
        assert check_key_point(kp, s, m, REPORT_QUARTER) == (), kp.text
        if kp.kind == "year_to_date":
            event(f"year so far told ({frequency})")
            assert not stock  # a quarterly one too, once its latest quarter is past Q1
        if stock and kp.kind in ("changes", "change_previous", "change_last_year"):
            event("stock told at its day")
            assert " 2023/24 Q" not in kp.text and re.search(
                r"\bat \d{1,2} [A-Z][a-z]+ 20\d\d", kp.text
            )


def test_a_name_with_a_linking_word_agrees_with_its_head_word() -> None:
    m = plan_measure(name="Special constables in post", unit="number", aggregation="last")
    s = quarterly([200.0 - k for k in range(8)])
    run = _kind(key_points(s, m), "run")
    assert run is not None and run.text.startswith("Special constables in post have fallen")
    assert check_key_point(run, s, m, REPORT_QUARTER) == ()
