"""The Essex example (examples/essex) on the real open data in ../shared/data: the plan
loads, every file goes through the normal ingest, and the analysis reports what the
data really holds (the long series, the 2018 police.uk gap, the 2017/18 offence-level year)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from planwatch.narrative.run import AnalysisRun
from planwatch.periods import Month, Quarter
from planwatch.plan.load import load_plan
from planwatch.project import Project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "essex"
QUARTER = Quarter(2023, 4)  # 2023/24 Q4, the last quarter of the group-level table

pytestmark = pytest.mark.shared


def _loads(data: Path) -> list[tuple[str, list[Path]]]:
    """The same files, in the same order, as examples/essex/run.sh."""
    return [
        ("offence_codes", [data / "lookups" / "ho-offence-code-to-policeuk-category.csv"]),
        ("weights", [data / "lookups" / "crime-severity-weights-policeuk-ons-code-join.csv"]),
        ("prc", [data / "prc-force-offencegroup-quarterly-2002-2024.csv"]),
        ("prc", [data / "prc-pfa-2017-18.csv"]),
        ("police_uk", [data / "police-uk-street" / "essex"]),
    ]


def test_run_script_uses_the_same_files_as_this_test(shared_data: Path) -> None:
    script = (EXAMPLE / "run.sh").read_text(encoding="utf-8")
    for kind, paths in _loads(shared_data):
        for path in paths:
            rel = path.relative_to(shared_data).as_posix()
            assert re.search(
                rf'planwatch ingest {kind.replace("_", "-")} "\$DATA/{re.escape(rel)}"', script
            ), rel
    assert "2023/24-Q4" in script


def test_example_plan_loads() -> None:
    plan = load_plan(EXAMPLE / "plan.yaml")
    assert plan.metadata.area == "Essex"
    assert {m.source.kind for m in plan.measures} == {"prc", "police_uk"}


@pytest.fixture(scope="module")
def essex_project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    from planwatch.services.ingest import ingest

    project = Project.at(tmp_path_factory.mktemp("essex"))
    shutil.copy(EXAMPLE / "plan.yaml", project.plan_path)
    for kind, paths in _loads(shared_data):
        ingest(project, kind, paths)
    return project


@pytest.fixture(scope="module")
def essex_run(essex_project: Project) -> AnalysisRun:
    from planwatch.services.analyse import run_analysis

    return run_analysis(essex_project, QUARTER)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_essex_analysis_on_real_data(essex_run: AnalysisRun) -> None:
    run = essex_run
    results = {m.measure.id: m for p in run.priorities for m in p.measures}

    all_crime = results["all_crime_long_run"]
    assert all_crime.series.periods[-1] == QUARTER
    assert all_crime.analysis.trend is not None
    assert any("2014" in c or "comparab" in c for c in all_crime.analysis.trend.caveats)

    asb = results["asb_incidents"]
    assert set(asb.series.gaps()) == {Month(2018, 8), Month(2018, 9)}
    assert asb.series.periods[-1] == Month(2019, 2)
    assert asb.analysis.data_lag_periods > 0

    harm = results["crime_harm_2017"]
    values = [v for v in harm.series.values if v is not None]
    assert harm.series.periods[0] == Quarter(2017, 1) and len(values) == 4
    burglary = results["domestic_burglary_2017"].series
    assert max(v for v in burglary.values if v is not None) < min(
        values
    )  # weights make harm far larger than counts

    comparison = results["violence"].analysis.funnel
    if comparison is not None:  # peer comparison across the 43 forces
        assert len(comparison.points) > 30 and any(p.area == "Essex" for p in comparison.points)


@pytest.mark.slow
def test_essex_report_html(essex_run: AnalysisRun) -> None:
    from planwatch.report import build

    html = build.render_html(essex_run, None)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Essex" in text and "2023/24 Q4" in text
    assert "Open Government Licence" in text
    assert "August and September 2018" in text


@pytest.mark.slow
def test_essex_key_points_pass_the_claim_checker(essex_run: AnalysisRun) -> None:
    """Every sentence on the real data, re-derived from its series by the independent
    checker; none is refused at `planwatch report`."""
    from planwatch.narrative.checker import ClaimProblem, check_key_point
    from planwatch.narrative.keypoints import measure_key_points

    checked = 0
    for priority in essex_run.priorities:
        for r in priority.measures:
            events = essex_run.plan.events
            for kp in measure_key_points(r.analysis, r.measure, r.series, events):
                assert check_key_point(kp, r.series, r.measure, essex_run.quarter) == (), kp.text
                checked += 1
    assert checked > 10
    assert not [w for w in essex_run.warnings if isinstance(w, ClaimProblem)]
