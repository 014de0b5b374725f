"""The analysis run gives each record-based measure its definition in words (issue 12):
in every key point's evidence and in ``planwatch analyse --json`` per measure, from the
demo's own crime and HR extracts through the real pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planwatch.demo import spec
from planwatch.demo.generate import generate_demo_project
from planwatch.narrative.run import AnalysisRun
from planwatch.project import Project
from planwatch.services.analyse import analysis_to_json, run_analysis
from planwatch.services.ingest import ingest

SEED = 2024
#: counted from the crime extract by recorded date, and from the HR extract as people in post
CRIME_MEASURES = ("rural_crime", "dog_theft", "business_crime")
STAFF_MEASURES = ("special_constables", "police_officers", "ethnic_minority_in_post")
#: counted from the STATS19 road casualty files by collision date
ROAD_MEASURES = ("killed_seriously_injured", "killed_seriously_injured_adjusted")
RECORD_MEASURES = CRIME_MEASURES + STAFF_MEASURES + ROAD_MEASURES
#: what the report's first note for a measure says its records are, by its record source
RECORDS_NAMED = {
    "stats19_casualties": "the Department for Transport's road casualty records (STATS19)"
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> AnalysisRun:
    files = generate_demo_project(tmp_path_factory.mktemp("demo") / "anyshire", SEED)
    for extract in files.records:  # only the record-based measures' data, one load a source
        ingest(files.root, "records", [extract])
    ingest(files.root, "stats19", list(files.road_casualties))
    return run_analysis(Project.at(Path(files.root)), spec.REPORT_QUARTER)


def test_record_measures_key_points_carry_their_definition(run: AnalysisRun) -> None:
    results = {r.measure.id: r for p in run.priorities for r in p.measures}
    for measure_id in RECORD_MEASURES:
        definition = run.plan.measure_definition(measure_id)
        assert definition
        points = results[measure_id].key_points
        assert points, measure_id
        assert {p.evidence.get("definition") for p in points} == {definition}
    others = [r for mid, r in results.items() if mid not in RECORD_MEASURES]
    assert not any("definition" in kp.evidence for r in others for kp in r.key_points)


def test_analyse_json_gives_each_measure_its_definition(run: AnalysisRun) -> None:
    data = json.loads(json.dumps(analysis_to_json(run), allow_nan=False))
    by_id = {m["id"]: m for p in data["priorities"] for m in p["measures"]}
    assert set(RECORD_MEASURES) <= set(by_id)
    for measure_id, m in by_id.items():
        assert m["definition"] == run.plan.measure_definition(measure_id)
        if measure_id in RECORD_MEASURES:
            counted = (
                "by recorded date"
                if measure_id in CRIME_MEASURES
                else "by collision date"
                if measure_id in ROAD_MEASURES
                else "in post on the last day"
            )
            assert counted in m["definition"], measure_id
            assert all(kp["evidence"]["definition"] == m["definition"] for kp in m["key_points"])
        else:
            assert m["definition"] is None


def test_the_report_prints_each_record_measures_definition_in_its_notes(
    run: AnalysisRun,
) -> None:
    from planwatch.report.view import ReportOptions, report_view

    view = report_view(run, None, ReportOptions())
    measures = {m.id: m for p in view.priorities for m in p.measures}
    for measure_id, m in measures.items():
        definition = run.plan.measure_definition(measure_id)
        notes = [f.text for f in m.footnotes]
        if measure_id in RECORD_MEASURES:
            assert definition is not None
            source = getattr(run.plan.measure(measure_id).source, "records", "")
            records = RECORDS_NAMED.get(source, "the force's own records")
            assert notes[0] == f"Counted from {records}: {definition}."
        else:
            assert not any("Counted from" in n for n in notes), measure_id
