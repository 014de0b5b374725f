"""The demo's key points, end to end: every sentence passes the independent claim checker,
none is refused at `planwatch report`, and the full text matches its reviewed snapshot
(snapshots/key_points.txt; regenerate with PLANWATCH_UPDATE_SNAPSHOTS=1 and read the diff)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planwatch.demo import spec
from planwatch.demo.generate import DemoFiles
from planwatch.narrative.checker import ClaimProblem, check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.run import AnalysisRun
from planwatch.project import Project
from planwatch.services import ingest as ingest_service
from planwatch.services.analyse import run_analysis

SNAPSHOT = Path(__file__).parent / "snapshots" / "key_points.txt"


@pytest.fixture(scope="module")
def demo_run(demo_files: DemoFiles) -> AnalysisRun:
    project = Project.at(demo_files.root)
    for kind, paths in demo_files.loads():
        ingest_service.ingest(project, kind, list(paths))
    return run_analysis(project, spec.REPORT_QUARTER)


def test_every_demo_key_point_passes_the_claim_checker(demo_run: AnalysisRun) -> None:
    checked = 0
    for priority in demo_run.priorities:
        for r in priority.measures:
            for kp in measure_key_points(r.analysis, r.measure, r.series):
                assert check_key_point(kp, r.series, r.measure, demo_run.quarter) == (), kp.text
                checked += 1
    assert checked > 50
    assert not [w for w in demo_run.warnings if isinstance(w, ClaimProblem)]


def _key_point_text(run: AnalysisRun) -> str:
    lines: list[str] = []
    for priority in run.priorities:
        lines.append(f"## Priority {priority.priority.number}: {priority.priority.title}")
        lines += [f"- {kp.text}" for kp in priority.key_points]
        lines.append("")
    lines.append("## Analyst's notes")
    lines += [f"- {kp.text}" for kp in run.analyst_notes]
    return "\n".join(lines) + "\n"


def test_demo_key_point_text_matches_its_reviewed_snapshot(demo_run: AnalysisRun) -> None:
    text = _key_point_text(demo_run)
    if os.environ.get("PLANWATCH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")
