"""A plan run for another area (``planwatch report-areas``: :func:`plan_for_area`) counts
that area's force in a data.police.uk measure naming none or the plan's own, and keeps a
measure naming another force as it is. The real Essex July 2018 street file, alone in
the store: run for Kent, a measure naming no force counts Kent (nothing held), not the
store's only force."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.project import Project
from planwatch.services.analyse import plan_for_area, run_analysis
from planwatch.services.ingest import ingest

pytestmark = pytest.mark.shared

PLAN = """
metadata: {title: Essex Plan, organisation: Essex PFCC, area: Essex, plan_period: 2018-2021}
measures:
  - {id: crime, name: Crime, frequency: month, source: {kind: police_uk}}
  - {id: own, name: Own, frequency: month, source: {kind: police_uk, falls_within: Essex Police}}
  - {id: other, name: Other, frequency: month,
     source: {kind: police_uk, falls_within: West Yorkshire Police}}
priorities: [{number: 1, title: P, objective: O, measures: [crime, own, other]}]
"""


def test_a_plan_run_for_another_area_counts_that_areas_force() -> None:
    moved = plan_for_area(parse_plan(PLAN), "Kent", "Kent Police")
    assert [m.source.falls_within for m in moved.measures] == [  # type: ignore[union-attr]
        "Kent Police",
        "Kent Police",
        "West Yorkshire Police",  # named another force on purpose: kept
    ]


def test_the_stores_only_force_is_not_another_areas(shared_data: Path, tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    street = shared_data / "police-uk-street" / "essex" / "2018-07-essex-street.csv"
    ingest(tmp_path, "police_uk", [street])
    project = Project.at(tmp_path)
    own = {
        m.measure.id: m.series
        for m in run_analysis(project, Quarter(2018, 2)).priorities[0].measures
    }
    assert own["crime"].values and own["crime"].values == own["own"].values
    kent = run_analysis(project.for_area("Kent"), Quarter(2018, 2))
    series = {m.measure.id: m.series for m in kent.priorities[0].measures}
    assert series["crime"].values == () and series["own"].values == ()
