"""District populations loaded for the district tables (``planwatch ingest population``
with districts beside the forces) leave the comparison between forces as it was: a
district is no peer force. Before, each district with a population was compared as a
force with no data, so the other forces' series summed with it was all gaps and the
forces were miscounted ('the other 4 forces'). The plan and force files of
test_analyse_comparisons (Kent against Essex and Suffolk), through the real ingest."""

from __future__ import annotations

import pytest
from test_analyse_comparisons import BURGLARIES, CODES, PLAN, POPULATION, REPORT, _pfa, _write

from planwatch.plan.load import load_plan
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest
from planwatch.services.peers import others_series, peer_series, populations
from planwatch.store.connection import reading

#: Districts (of Kent and of Essex) with populations, as a district population file has.
DISTRICTS = "area,year,population\nMaidstone,2023,180000\nColchester,2023,190000\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("peers")
    _write(root, "plan.yaml", PLAN)
    proj = Project.at(root)
    ingest(proj, "offence_codes", [_write(root, "codes.csv", CODES)])
    ingest(proj, "population", [_write(root, "population.csv", POPULATION)])
    ingest(proj, "population", [_write(root, "districts.csv", DISTRICTS)])
    ingest(proj, "prc", [_write(root, "pfa.csv", _pfa())])
    return proj


def test_districts_with_a_population_are_no_peer_forces(project: Project) -> None:
    plan = load_plan(project.plan_path)
    measure = plan.measure("burglary")
    run = run_analysis(project, REPORT)
    (result,) = [r for r in run.priorities[0].measures if r.measure.id == "burglary"]
    with reading(project) as store:
        pops = populations(store)
        assert {"Maidstone", "Colchester"} <= set(pops)  # loaded, for the district tables
        each = peer_series(store, plan, measure, REPORT, pops)
    assert sorted(each) == ["Essex", "Kent", "Suffolk"]
    others = others_series(plan, measure, result.series, each)
    assert others is not None and others.area == "the other 2 forces with data"
    per_quarter = BURGLARIES["Essex"] + BURGLARIES["Suffolk"]
    assert others.series.values == (per_quarter,) * len(result.series.periods)
    funnel = result.analysis.funnel
    assert funnel is not None and [p.area for p in funnel.points] == ["Essex", "Kent", "Suffolk"]
