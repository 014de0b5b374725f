"""``compare_with``: a proportion measure compared with another (two-proportion z test)."""

from __future__ import annotations

import pytest

from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import parse_plan

SECOND = """  - id: non_victim_confidence
    name: Confidence among non-victims
    unit: percent
    aggregation: proportion
    source: {kind: series, series: non_victim_confidence}
    polarity: up_is_good
    analyses: [proportion]
    decimals: 1

priorities:"""


def _plan_text(compare_with: str, *, aggregation: str = "proportion") -> str:
    text = example_plan_text()
    anchor = "    analyses: [proportion, short_term]\n    decimals: 1\n"
    assert anchor in text and "\npriorities:" in text
    text = text.replace(anchor, anchor + f"    compare_with: {compare_with}\n", 1)
    text = text.replace(
        "\npriorities:",
        "\n" + SECOND.replace("proportion\n    source", f"{aggregation}\n    source", 1),
        1,
    )
    return text


def test_compare_with_names_another_measure() -> None:
    plan = parse_plan(_plan_text("non_victim_confidence"))
    assert plan.measure("victim_confidence").compare_with == "non_victim_confidence"
    assert plan.measure("non_victim_confidence").compare_with is None


def test_unknown_measure_gets_line_and_did_you_mean() -> None:
    text = _plan_text("non_victim_confidenc")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "compare_with:" in row)
    with pytest.raises(PlanError) as info:
        parse_plan(text, filename="plan.yaml")
    message = str(info.value)
    assert (
        "unknown measure 'non_victim_confidenc' in measure 'victim_confidence', compare_with"
        in message
    )
    assert f"plan.yaml:{line}" in message
    assert "did you mean 'non_victim_confidence'?" in message


def test_a_measure_cannot_be_compared_with_itself() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(_plan_text("victim_confidence"), filename="plan.yaml")
    assert "measure 'victim_confidence' is compared with itself" in str(info.value)


def test_both_measures_must_be_proportions() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(_plan_text("non_victim_confidence", aggregation="mean"), filename="plan.yaml")
    message = str(info.value)
    assert "only proportions can be compared" in message
    assert "aggregation: proportion" in message
