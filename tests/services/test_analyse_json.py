"""analysis_to_json on a hand-built run: the shape ``planwatch analyse --json`` prints."""

from __future__ import annotations

import json

from planwatch.analysis.results import ChangeResult, MeasureAnalysis
from planwatch.errors import Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.overrides import fingerprint
from planwatch.narrative.run import AnalysisRun, MeasureResult, PriorityResult
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Measure as PlanMeasure
from planwatch.plan.models import Metadata, Plan, Priority, SeriesSource
from planwatch.services.analyse import analysis_to_json


def test_json_shape() -> None:
    measure = PlanMeasure(id="asb", name="ASB incidents", source=SeriesSource(series="asb"))
    series = MeasureSeries(
        "asb", "quarter", (Quarter(2022, 4), Quarter(2023, 1)), (120.0, float("nan")), suspect=(1,)
    )
    change = ChangeResult(
        "previous_period", "2023/24 Q1", 100.0, "2022/23 Q4", 120.0, -20.0, -16.7, "down"
    )
    analysis = MeasureAnalysis("asb", "2023/24 Q1", 100.0, 0, changes=(change,))
    points = measure_key_points(analysis, measure)
    priority = Priority(number=1, title="Safer streets", objective="Less ASB.", measures=("asb",))
    plan = Plan(
        metadata=Metadata(
            title="A plan", organisation="An office", area="Anyshire", plan_period="2024-2028"
        ),
        measures=(measure,),
        priorities=(priority,),
    )
    run = AnalysisRun(
        plan,
        Quarter(2023, 1),
        (PriorityResult(priority, (MeasureResult(measure, series, analysis, points),), points),),
        Month(2023, 6),
        (Problem("a warning", measure="m1"),),
    )
    data = json.loads(json.dumps(analysis_to_json(run), allow_nan=False))
    assert set(data) == {"plan", "quarter", "data_to", "warnings", "priorities"}
    assert (data["quarter"], data["data_to"], data["warnings"]) == (
        "2023/24 Q1",
        "2023-06",
        [
            {
                "message": "a warning",
                "location": {"file": None, "line": None, "row": None, "field": None},
                "expected": None,
                "suggestion": None,
                "measure": "m1",
            }
        ],
    )
    (p,) = data["priorities"]
    assert (p["number"], p["title"]) == (1, "Safer streets")
    (kp,) = p["key_points"]
    assert kp["key"] == "asb:change_previous" and kp["fingerprint"] == fingerprint(
        points[0].evidence
    )
    assert kp["evidence"]["current_value"] == 100.0 and kp["direction"] == "down"
    (m,) = p["measures"]
    assert m["series"] == {
        "periods": ["2022/23 Q4", "2023/24 Q1"],
        "values": [120.0, None],
        "suspect": [1],
    }
    assert m["analysis"]["changes"][0]["pct_change"] == -16.7
