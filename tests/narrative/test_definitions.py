"""A record-based measure's key points carry its definition in words (issue 12): what the
records counted are, read from the plan, kept in every point's evidence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from series_built import REPORT_QUARTER, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.narrative.keypoints import measure_key_points
from planwatch.plan.load import load_plan
from planwatch.plan.models import RecordsSource

DEMO_PLAN = Path(__file__).parents[2] / "planwatch" / "demo" / "plan.yaml"
#: Rising then falling, so the series gives several kinds of point (trend, changes, run).
VALUES = [100.0 + 6 * i for i in range(12)] + [150.0, 140.0, 120.0, 90.0]


@pytest.mark.parametrize("measure_id", ["rural_crime", "dog_theft"])
def test_every_point_of_a_record_measure_carries_its_definition(measure_id: str) -> None:
    plan = load_plan(DEMO_PLAN)
    measure = plan.measure(measure_id)
    assert isinstance(measure.source, RecordsSource)
    definition = plan.measure_definition(measure_id)
    assert definition
    series = replace(quarterly(VALUES), measure_id=measure.id)
    analysis = analyse_measure(series, measure, (), REPORT_QUARTER)
    points = measure_key_points(analysis, measure, series, definition=definition)
    assert len({p.kind for p in points}) >= 2
    assert all(p.evidence["definition"] == definition for p in points)


def test_a_measure_without_a_definition_has_none_in_its_evidence() -> None:
    plan = load_plan(DEMO_PLAN)
    measure = plan.measure("domestic_abuse")  # a tidy series, not records
    assert plan.measure_definition("domestic_abuse") is None
    series = replace(quarterly(VALUES), measure_id=measure.id)
    analysis = analyse_measure(series, measure, (), REPORT_QUARTER)
    points = measure_key_points(
        analysis, measure, series, definition=plan.measure_definition(measure.id)
    )
    assert points and not any("definition" in p.evidence for p in points)
