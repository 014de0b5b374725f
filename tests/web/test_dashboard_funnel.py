"""The dashboard shows every chart the report draws for a measure: the series chart and,
when the plan asks for a comparison between forces, the funnel plot. A small project of
three forces is ingested and analysed by planwatch's own services (nothing mocked).

Figures: Kent 100 domestic burglaries a quarter over 1,000,000 people, Essex 150 over
1,000,000, Suffolk 100 over 500,000; 12 months to June 2023: Kent 0.4 per 1,000 against
an all-force 0.56 per 1,000, below the 99.8% limits (exact Poisson, three forces).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.web import reporting

pytestmark = pytest.mark.slow

REPORT = Quarter(2023, 1)
QUARTERS = [Quarter.from_index(i) for i in range(REPORT.index - 7, REPORT.index + 1)]
PLAN = """
metadata: {title: Dashboard plan, organisation: Test office, area: Kent, plan_period: 2022-2026}
measures:
  - id: burglary
    name: Domestic burglary offences
    source: {kind: prc, offence_subgroups: [Domestic burglary]}
    analyses: [short_term, comparison]
priorities:
  - number: 1
    title: Preventing crime
    objective: Less crime.
    measures: [burglary]
"""
POPULATION = "area,year,population\nKent,2023,1000000\nEssex,2023,1000000\nSuffolk,2023,500000\n"
BURGLARIES = {"Kent": 100, "Essex": 150, "Suffolk": 100}
PFA_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
    "Offence Subgroup,Offence Code,Number of Offences"
)


def _pfa() -> str:
    rows = [PFA_HEADER]
    rows += [
        f"{q.financial_year.label},{q.q},{force},Burglary Residential,Theft offences,"
        f"Domestic burglary,28E,{n}"
        for q in QUARTERS
        for force, n in BURGLARIES.items()
    ]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def forces_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from planwatch.services.ingest import ingest

    root = tmp_path_factory.mktemp("forces")
    (root / "plan.yaml").write_text(PLAN)
    (root / "population.csv").write_text(POPULATION)
    (root / "pfa.csv").write_text(_pfa())
    project = Project.at(root)
    ingest(project, "population", [root / "population.csv"])
    ingest(project, "prc", [root / "pfa.csv"])
    return root


def test_dashboard_shows_the_funnel_plot_after_the_series_chart(settings, forces_project, db):
    settings.PROJECT_DIR = forces_project
    board = reporting.dashboard(REPORT)
    assert board.charts and not board.message, board.message
    [panel] = board.panels
    figures = [f for f in panel.fragments if 'class="chart-figure"' in f]
    assert len(figures) == 2, "the series chart and the funnel plot"
    series, funnel = figures
    assert "funnel plot" not in series.lower()
    assert "Kent" in funnel and "Essex" in funnel and "Suffolk" in funnel
    assert any("below the range" in k for k in panel.key_points), panel.key_points
