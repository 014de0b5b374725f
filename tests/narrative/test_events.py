"""The plan's events with the key points they explain: an event's note is printed once,
with the step found after it or the movement measured across it; an event can last."""

from __future__ import annotations

from datetime import date

import pytest
from hand_built import InterruptedResult, analysis
from pydantic import ValidationError
from series_built import REPORT_QUARTER, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.plan.models import Event

MEASURE = plan_measure()
SERIES = quarterly([100, 110, 120, 115, 108, 101])
OPERATION = Event(
    date=date(2022, 11, 14), label="Operation Somerton", note="patrols doubled in the town centre"
)


def _points(events: tuple[Event, ...]):  # type: ignore[no-untyped-def]
    a = analyse_measure(SERIES, MEASURE, events, REPORT_QUARTER)
    return measure_key_points(a, MEASURE, SERIES, events)


def test_a_movement_across_an_event_is_told_with_the_events_note_once() -> None:
    points = _points((OPERATION,))
    told = [p for p in points if "Operation Somerton" in p.text]
    assert len(told) == 1  # the most important movement across it, not every one
    assert told[0].kind == "changes"
    assert told[0].text.endswith(
        "This coincides with Operation Somerton (November 2022). Patrols doubled in the town centre."
    )
    assert told[0].evidence["events"] == ["Operation Somerton"]
    for p in points:
        assert check_key_point(p, SERIES, MEASURE) == (), p.text


def test_events_before_the_comparison_or_for_other_measures_are_not_mentioned() -> None:
    old = Event(date=date(2019, 5, 1), label="Old operation", note="long ago")
    elsewhere = Event(date=date(2022, 11, 1), label="Elsewhere", measures=("other",))
    assert not any("coincides" in p.text for p in _points((old, elsewhere)))


def test_an_event_that_lasted_has_an_end_and_is_told_as_a_span() -> None:
    covid = Event(
        date=date(2022, 3, 23), end=date(2022, 12, 31), label="COVID restrictions", note=None
    )
    assert covid.during(date(2022, 10, 1), date(2022, 12, 31))
    assert not covid.during(date(2023, 1, 1), date(2023, 3, 31))
    (told,) = [p for p in _points((covid,)) if "coincides" in p.text]
    assert told.text.endswith(
        "This coincides with COVID restrictions (March 2022 to December 2022)."
    )
    with pytest.raises(ValidationError, match="before the date"):
        Event(date=date(2022, 3, 23), end=date(2021, 1, 1), label="Backwards")


def test_the_step_after_an_event_carries_its_note() -> None:
    step = InterruptedResult(
        "segmented_poisson_glm",
        "Operation Somerton",
        date(2022, 11, 14),
        -23.4,
        (-30.0, -16.0),
        0.001,
        None,
        None,
        True,
    )
    (point,) = measure_key_points(analysis(interrupted=(step,)), MEASURE, None, (OPERATION,))
    assert point.text.endswith(
        "; this is statistically significant. Patrols doubled in the town centre."
    )


def test_a_claimed_event_the_evidence_does_not_name_is_refused() -> None:
    (told,) = [p for p in _points((OPERATION,)) if "coincides" in p.text]
    bare = told.__class__(**{**told.__dict__, "evidence": {**told.evidence, "events": []}})
    (problem,) = check_key_point(bare, SERIES, MEASURE)
    assert problem.kind == "period"
