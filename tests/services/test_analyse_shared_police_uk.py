"""Real data.police.uk files (Essex, 2018-01 to 2019-02 without August and September 2018)
through ingest, the store, build_series and run_analysis: the gap stays a gap and is said."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from planwatch.periods import Month, Quarter
from planwatch.project import Project

MISSING = [
    m
    for m in ("planwatch.store.selectors", "planwatch.analysis.engine", "planwatch.services.ingest")
    if importlib.util.find_spec(m) is None
]
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        bool(MISSING), reason=f"pipeline step(s) not built yet: {', '.join(MISSING)}"
    ),
]

PLAN = """
metadata: {title: Essex test, organisation: Test, area: Essex, plan_period: 2018-2019}
measures:
  - id: asb
    name: Anti-social behaviour incidents
    frequency: month
    source: {kind: police_uk, crime_types: [Anti-social behaviour]}
    analyses: [short_term, extremes]
  - id: violence
    name: Violence and sexual offences
    frequency: quarter
    source: {kind: police_uk, crime_types: [Violence and sexual offences]}
    analyses: [short_term]
priorities:
  - {number: 1, title: Safer streets, objective: Less crime., measures: [asb, violence]}
"""


@pytest.fixture(scope="module")
def essex(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    from planwatch.services.ingest import ingest

    root = tmp_path_factory.mktemp("essex")
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    project = Project.at(root)
    ingest(project, "police_uk", [shared_data / "police-uk-street" / "essex"])
    return project


def test_series_keep_the_real_gap(essex: Project) -> None:
    from planwatch.measures.build import build_series
    from planwatch.plan.load import load_plan
    from planwatch.store.selectors import measure_frame

    plan = load_plan(essex.plan_path)
    asb = build_series(measure_frame(essex, plan, "asb"), plan.measure("asb"))
    assert (asb.periods[0], asb.periods[-1]) == (Month(2018, 1), Month(2019, 2))
    assert asb.gaps() == (Month(2018, 8), Month(2018, 9))
    assert all(
        v is not None and v > 0
        for i, v in enumerate(asb.values)
        if asb.periods[i] not in asb.gaps()
    )
    violence = build_series(measure_frame(essex, plan, "violence"), plan.measure("violence"))
    # Jan-Mar 2018 is 2017/18 Q4; Jul-Sep 2018 (2018/19 Q2) lacks two months; Jan-Feb 2019 is incomplete.
    assert violence.periods == (
        Quarter(2017, 4),
        Quarter(2018, 1),
        Quarter(2018, 2),
        Quarter(2018, 3),
    )
    assert violence.values[2] is None and all(
        v is not None for v in (violence.values[0], violence.values[1], violence.values[3])
    )


def test_run_analysis_names_the_gap(essex: Project) -> None:
    from planwatch.services.analyse import run_analysis

    run = run_analysis(essex, Quarter(2018, 4))
    assert run.data_to == Month(2019, 2)
    texts = [kp.text for r in run.priorities[0].measures for kp in r.key_points]
    assert (
        "There is no data for anti-social behaviour incidents for August and September 2018; the gap is left empty, not estimated."
        in texts
    )
