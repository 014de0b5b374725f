"""Comparisons that need more than one series, through the real store and engine:
two measures compared (``compare_with``), the plan's force against other forces
(``comparison``: funnel plot) and harm-weighted crime selected by group or all offences.

Hand-worked figures:

* victims 140/230 = 60.87%, non-victims 453/600 = 75.50%: a gap of 14.63 points;
  pooled p = 593/830, se = sqrt(p(1-p)(1/230 + 1/600)) = 0.03503, z = -4.18.
* burglary, 12 months to June 2023: Kent 4 x 100 = 400 over 1,000,000 people (the 2023
  estimate, not 2022's 900,000) = 0.40 per 1,000; Essex 600 / 1,000,000; Suffolk 400 /
  500,000; all three 1,400 / 2,500,000 = 0.56 per 1,000, so Kent expects 560 and the
  99.8% Poisson limits are about 560 -/+ 3.09 sqrt(560) = 487 to 633: 400 is below.
* harm: Kent's quarter is 100 burglaries x 500 + 10 robberies x 1,000 = 60,000;
  robbery alone 10,000.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.services.ingest import ingest

REPORT = Quarter(2023, 1)  # 2023/24 Q1
QUARTERS = [Quarter.from_index(i) for i in range(REPORT.index - 7, REPORT.index + 1)]

PLAN = """
metadata: {title: Test plan, organisation: Test office, area: Kent, plan_period: 2022-2026}
measures:
  - id: burglary
    name: Domestic burglary offences
    source: {kind: prc, offence_subgroups: [Domestic burglary]}
    analyses: [short_term, comparison]
  - id: harm
    name: Crime harm
    unit: score
    aggregation: harm_weighted
    source: {kind: prc}
    analyses: [short_term]
  - id: robbery_harm
    name: Robbery harm
    unit: score
    aggregation: harm_weighted
    source: {kind: prc, offence_groups: [Robbery]}
    analyses: [short_term]
  - id: victims
    name: Confidence among victims
    unit: percent
    aggregation: proportion
    source: {kind: series, series: victims}
    polarity: up_is_good
    analyses: [proportion]
    decimals: 1
    compare_with: non_victims
  - id: non_victims
    name: Confidence among non-victims
    unit: percent
    aggregation: proportion
    source: {kind: series, series: non_victims}
    polarity: up_is_good
    analyses: [proportion]
    decimals: 1
priorities:
  - number: 1
    title: Preventing crime
    objective: Less crime.
    measures: [burglary, harm, robbery_harm]
  - number: 2
    title: Victims
    objective: Confidence.
    measures: [victims, non_victims]
"""

CODES = """Offence Group,Offence Code,Offence Description,Offence Subgroup,Police.uk Category
Theft offences,28E,Burglary Residential,Domestic burglary,Burglary
Robbery,34B,Robbery of personal property,Robbery of personal property,Robbery
"""
WEIGHTS_HEADER = (
    "ONS_COUNTS_category,ONS_COUNTS_description,ONS_SEVERITY_code,ONS_COUNTS_code,"
    "ONS_SEVERITY_category,ONS_SEVERITY_offence,ONS_SEVERITY_weight,POLICE_UK_CAT_MAP_code,"
    "POLICE_UK_CAT_MAP_sub_class,POLICE_UK_CAT_MAP_offence,POLICE_UK_CAT_MAP_category"
)
WEIGHTS = f"""{WEIGHTS_HEADER}
theft offences,Burglary Residential,28E,28E,victim based crime - theft offences,Burglary Residential,500.0,,Domestic burglary,Burglary Residential,Burglary
robbery,Robbery of personal property,34B,34B,victim based crime - robbery,Robbery of personal property,1000.0,,Robbery,Robbery of personal property,Robbery
"""
POPULATION = """area,year,population
Kent,2022,900000
Kent,2023,1000000
Essex,2023,1000000
Suffolk,2023,500000
"""
BURGLARIES = {"Kent": 100, "Essex": 150, "Suffolk": 100}
ROBBERIES = 10
PFA_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
    "Offence Subgroup,Offence Code,Number of Offences"
)


def _pfa() -> str:
    rows = [PFA_HEADER]
    for q in QUARTERS:
        fy = q.financial_year.label
        for force, n in BURGLARIES.items():
            rows.append(
                f"{fy},{q.q},{force},Burglary Residential,Theft offences,Domestic burglary,28E,{n}"
            )
            rows.append(
                f"{fy},{q.q},{force},Robbery of personal property,Robbery,"
                f"Robbery of personal property,34B,{ROBBERIES}"
            )
    return "\n".join(rows) + "\n"


def _surveys() -> str:
    rows = ["measure,period,value,numerator,denominator"]
    for series, (num, den) in {"victims": (140, 230), "non_victims": (453, 600)}.items():
        rows.append(f"{series},2022/23 Q3,{100 * num / den:.1f},{num},{den}")
        rows.append(f"{series},2022/23 Q4,{100 * num / den:.1f},{num},{den}")
    rows.append("victims,2023/24 Q1,50.0,100,200")  # non-victims are a quarter behind
    return "\n".join(rows) + "\n"


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("comparisons")
    _write(root, "plan.yaml", PLAN)
    proj = Project.at(root)
    ingest(proj, "offence_codes", [_write(root, "codes.csv", CODES)])
    ingest(proj, "weights", [_write(root, "weights.csv", WEIGHTS)])
    ingest(proj, "population", [_write(root, "population.csv", POPULATION)])
    ingest(proj, "prc", [_write(root, "pfa.csv", _pfa())])
    ingest(proj, "measures", [_write(root, "surveys.csv", _surveys())])
    return proj


@pytest.fixture(scope="module")
def results(project: Project) -> dict[str, object]:
    from planwatch.services.analyse import run_analysis

    run = run_analysis(project, REPORT)
    out: dict[str, object] = {r.measure.id: r for p in run.priorities for r in p.measures}
    out["warnings"] = run.warnings
    return out


def _points(result: object, kind: str) -> list[object]:
    return [kp for kp in result.key_points if kp.kind == kind]  # type: ignore[attr-defined]


def test_two_measures_are_compared_in_their_latest_common_period(results: dict) -> None:
    victims = results["victims"]
    tests = [t for t in victims.analysis.proportion_tests if t.compared_with == "non_victims"]
    assert len(tests) == 1
    test = tests[0]
    assert (test.first.label, test.second.label) == ("2022/23 Q4", "2022/23 Q4")
    assert test.difference_pp == pytest.approx(100 * (140 / 230 - 453 / 600))
    pooled = 593 / 830
    se = math.sqrt(pooled * (1 - pooled) * (1 / 230 + 1 / 600))
    assert test.z == pytest.approx((140 / 230 - 453 / 600) / se) and test.z == pytest.approx(
        -4.18, abs=0.01
    )
    (point,) = _points(victims, "group_comparison")
    assert point.text == (
        "In 2022/23 Q4, confidence among victims (60.9%) was 14.6 percentage points lower than "
        "among non-victims (75.5%); the gap is statistically significant (two-proportion z test)."
    )
    assert point.significant is True and point.good_or_bad == "neutral"
    assert not _points(results["non_victims"], "group_comparison")  # only the side that asks


def test_peer_comparison_places_the_force_among_the_others(results: dict) -> None:
    burglary = results["burglary"]
    funnel = burglary.analysis.funnel
    assert funnel is not None and funnel.focus_area == "Kent"
    assert funnel.label == "12 months to June 2023"
    assert funnel.overall_rate_per_1000 == pytest.approx(1400 / 2_500_000 * 1000)
    kent = next(p for p in funnel.points if p.area == "Kent")
    assert (kent.count, kent.population, kent.outside_998) == (400.0, 1_000_000.0, True)
    assert funnel.tau2 is None  # three forces: exact Poisson limits
    (point,) = _points(burglary, "peer_comparison")
    assert point.text == (
        "Kent's rate of domestic burglary offences in the 12 months to June 2023 "
        "(0.4 per 1,000 population) was below the range expected from the other two forces "
        "(average across all three forces: 0.6 per 1,000; funnel plot, 99.8% limits)."
    )
    assert (point.direction, point.good_or_bad) == ("down", "good")


def test_harm_weighted_crime_by_group_or_all_offences_is_weighted_offence_by_offence(
    results: dict,
) -> None:
    harm, robbery = results["harm"], results["robbery_harm"]
    assert harm.series.values[-1] == 100 * 500 + ROBBERIES * 1000
    assert robbery.series.values[-1] == ROBBERIES * 1000
    assert not [w for w in results["warnings"] if w.measure in ("harm", "robbery_harm")]


def test_group_level_rows_only_give_a_clear_warning(tmp_path: Path) -> None:
    from planwatch.services.analyse import run_analysis

    _write(tmp_path, "plan.yaml", PLAN)
    proj = Project.at(tmp_path)
    ingest(proj, "offence_codes", [_write(tmp_path, "codes.csv", CODES)])
    ingest(proj, "weights", [_write(tmp_path, "weights.csv", WEIGHTS)])
    rows = [
        "Financial Year,Financial Quarter,Force Name,Offence Group,Number of Offences,Population"
    ]
    rows += [f"{q.financial_year.label},{q.q},Kent,Robbery,{ROBBERIES},1000000" for q in QUARTERS]
    ingest(proj, "prc", [_write(tmp_path, "groups.csv", "\n".join(rows) + "\n")])
    run = run_analysis(proj, REPORT)
    (problem,) = [w for w in run.warnings if w.measure == "robbery_harm"]
    warning = str(problem)
    assert "measure 'robbery_harm' is harm-weighted" in warning
    assert "only by offence group" in warning
    assert "offence-level police recorded crime" in warning
    # the measure is shown empty, never with a figure weighted by the wrong thing
    counted = next(r for p in run.priorities for r in p.measures if r.measure.id == "robbery_harm")
    assert counted.series.values == ()


def test_harm_weighted_without_an_offence_lookup_says_what_is_needed(tmp_path: Path) -> None:
    from planwatch.services.analyse import run_analysis

    _write(tmp_path, "plan.yaml", PLAN)
    proj = Project.at(tmp_path)
    ingest(proj, "weights", [_write(tmp_path, "weights.csv", WEIGHTS)])
    ingest(proj, "prc", [_write(tmp_path, "pfa.csv", _pfa())])
    run = run_analysis(proj, REPORT)
    (problem,) = [w for w in run.warnings if w.measure == "harm"]
    warning = str(problem)
    assert "no offence codes are known" in warning and "offence code lookup" in warning
