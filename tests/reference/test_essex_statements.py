"""The reference update's statements about Essex, reproduced from the real open data.

The published 2023/24 Q1 update (../shared/reference) says, of Essex:
- sexual offences show an upward trend from 2016/17 Q1 to 2023/24 Q1;
- sexual offences rose slightly in 2023/24 Q1 against the previous two quarters;
- violence rose in 2023/24 Q1 after falling in the previous two quarters (the reference
  says this of violence with injury, a subgroup; the open compilation has the group,
  violence against the person, which moved the same way).
Here the whole pipeline (ingest, store, measures, analysis, narrative) runs on the
Home Office compilation and must reach the same findings on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest

PLAN = """
metadata:
  title: Reference check
  organisation: planwatch tests
  area: Essex
  plan_period: 2021-2024
departments:
  - {id: pau, name: Performance Analysis}
measures:
  - id: sexual_offences
    name: Sexual offences
    source: {kind: prc, offence_groups: [Sexual offences]}
    series_start: 2016/17 Q1
    analyses: [trend, short_term, extremes]
  - id: violence
    name: Violence against the person
    source: {kind: prc, offence_groups: [Violence against the person]}
    series_start: 2016/17 Q1
    analyses: [trend, short_term]
priorities:
  - number: 1
    title: Violence
    objective: Less violence.
    measures: [sexual_offences, violence]
    commitments:
      - {id: c1, text: Do the work., owners: [pau]}
"""


@pytest.fixture(scope="module")
def essex_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> AnalysisRun:
    root = tmp_path_factory.mktemp("essex-reference")
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    project = Project.at(root)
    ingest(project, "prc", [shared_data / "prc-force-offencegroup-quarterly-2002-2024.csv"])
    return run_analysis(project, Quarter(2023, 1))


def _measure(run: AnalysisRun, measure_id: str) -> MeasureResult:
    return next(m for p in run.priorities for m in p.measures if m.measure.id == measure_id)


def test_series_match_the_published_counts(essex_run: AnalysisRun) -> None:
    sexual = _measure(essex_run, "sexual_offences").series
    latest = dict(zip(sexual.labels, sexual.values, strict=True))
    assert latest["2022/23 Q3"] == 1455
    assert latest["2022/23 Q4"] == 1477
    assert latest["2023/24 Q1"] == 1522
    assert sexual.labels[0] == "2016/17 Q1"


def test_sexual_offences_upward_trend_since_2016(essex_run: AnalysisRun) -> None:
    trend = _measure(essex_run, "sexual_offences").analysis.trend
    assert trend is not None
    assert (trend.first_label, trend.last_label) == ("2016/17 Q1", "2023/24 Q1")
    assert trend.direction == "up"
    assert trend.significant and trend.p_value is not None and trend.p_value < 0.05
    # the rank check points the same way; with its variance corrected for a wander this
    # long (AR 0.85, methodology §2.6) it may fall short, and then a caveat says so
    assert trend.mann_kendall is not None and trend.mann_kendall.s > 0
    assert trend.agrees_with_robust_check or any("rank-based check" in c for c in trend.caveats)


def test_sexual_offences_rose_on_the_previous_two_quarters(essex_run: AnalysisRun) -> None:
    analysis = _measure(essex_run, "sexual_offences").analysis
    previous = next(c for c in analysis.changes if c.kind == "previous_period")
    assert (previous.current_value, previous.comparison_value) == (1522, 1477)
    assert previous.direction == "up"
    assert previous.pct_change == pytest.approx(100 * 45 / 1477)
    values = _measure(essex_run, "sexual_offences").series.values
    assert values[-1] is not None and values[-2] is not None and values[-3] is not None
    assert values[-1] > max(values[-2], values[-3])  # above both previous quarters


def test_violence_rose_after_two_quarters_of_decrease(essex_run: AnalysisRun) -> None:
    run = _measure(essex_run, "violence")
    assert run.analysis.run is not None
    assert run.analysis.run.direction == "up"
    assert run.analysis.run.length == 1
    assert run.analysis.run.previous_direction == "down"
    assert run.analysis.run.previous_length >= 2
    texts = " ".join(kp.text for kp in run.key_points)
    assert "Violence against the person" in texts


def test_key_points_never_claim_more_than_the_tests_showed(essex_run: AnalysisRun) -> None:
    for priority in essex_run.priorities:
        for kp in priority.key_points:
            if _claims_significance(kp.text):
                assert kp.significant is True, kp.text


#: A clause that says "statistically significant" with one of these words denies it
#: ("not statistically significant", "neither change is statistically significant").
_NEGATION = re.compile(r"\b(not|neither|nor|no)\b", re.I)


def _claims_significance(text: str) -> bool:
    """Whether some clause of ``text`` says a result *is* statistically significant."""
    clauses = re.split(r"[.;]", text)
    return any("statistically significant" in c and not _NEGATION.search(c) for c in clauses)


def test_the_significance_reading_sees_negations() -> None:
    assert _claims_significance("Offences rose by 5%; this is statistically significant.")
    assert not _claims_significance("Offences rose by 5%; this is not statistically significant.")
    assert not _claims_significance(
        "It fell, and rose; neither change is statistically significant."
    )
    assert _claims_significance("Neither rose. The fall is statistically significant.")
