"""data.police.uk through what a user runs (``planwatch analyse``, ``planwatch report``),
on the real Essex street files of April to July 2018 with West Yorkshire's July 2018 in
the same store (issue 13's audit):

* a measure naming no force counts Essex (the plan's area), never both forces added;
  a plan whose area is neither force gets the measure's error, naming them, as a warning
  that does not stop the measures beside it;
* the district table the report prints: every Essex district once, the crimes published
  with no location as one labelled, unranked row, all of it adding up to the force's
  count (counted again here from the files with the csv module);
* the rate per 1,000 with populations loaded through the real ingest
  (``planwatch ingest population``): count / population x 1,000 to one decimal, as the
  formatter rounds it, and the rank by count.

The populations are made up for the test (no district estimates are among the shared
files): :func:`_population` gives each district its own figure, one district none.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from children import planwatch
from html_tables import html_table

from planwatch import formatting as fmt
from planwatch.measures.areas import NO_LOCATION
from planwatch.measures.build import RATE_PER
from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.report.tables import ALL_DISTRICTS, FORCE_FIGURE, NOT_IN_A_DISTRICT
from planwatch.services.analyse import run_analysis
from planwatch.services.areas import with_district_tables
from planwatch.services.ingest import ingest
from planwatch.services.report import generate_report

pytestmark = pytest.mark.shared

Q1 = Quarter(2018, 1)  # 2018/19 Q1: April to June 2018, every month held for Essex
Q1_MONTHS = ("2018-04", "2018-05", "2018-06")
#: July 2018: the month both forces' files are held for (Essex's August and September not).
JULY = "2018-07"
ESSEX_MONTHS = (*Q1_MONTHS, JULY)
ASB = "Anti-social behaviour"
#: A district given no population: its rate is shown as missing.
NO_POPULATION = "Uttlesford"
#: The two districts of the plan's one local policing area.
NORTH = ("Colchester", "Tendring")

PLAN = """
metadata: {title: Essex Plan, organisation: Essex PFCC, area: AREA, plan_period: 2018-2021}
departments:
  - {id: north, name: North LPA, areas: [Colchester, Tendring]}
measures:
  - {id: crime, name: Crime, frequency: month, source: {kind: police_uk},
     analyses: [short_term]}
  - {id: burglary, name: Burglary, frequency: month,
     source: {kind: police_uk, crime_types: [Burglary]}, analyses: [short_term]}
  - {id: essex_asb, name: Essex ASB, frequency: month,
     source: {kind: police_uk, falls_within: Essex Police, crime_types: [Anti-social behaviour]},
     analyses: [short_term]}
priorities:
  - {number: 1, title: Safer streets, objective: Less crime, measures: [crime, burglary, essex_asb]}
"""


def _district(row: dict[str, str]) -> str:
    """The district of a street-file row as the store names it ('' with no LSOA)."""
    name = row["LSOA name"]
    return name.rsplit(" ", 1)[0] if name else ""


def _population(i: int) -> int:
    """The made-up population of the i-th district in name order."""
    return 50_000 + 7_919 * i


@pytest.fixture(scope="module")
def essex_rows(shared_data: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for month in ESSEX_MONTHS:
        path = shared_data / "police-uk-street" / "essex" / f"{month}-essex-street.csv"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


@pytest.fixture(scope="module")
def populations(essex_rows: list[dict[str, str]]) -> dict[str, int]:
    districts = sorted({_district(r) for r in _q1(essex_rows)} - {"", NO_POPULATION})
    return {d: _population(i) for i, d in enumerate(districts)}


@pytest.fixture(scope="module")
def essex(
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    populations: dict[str, int],
) -> Project:
    root = tmp_path_factory.mktemp("essex") / "essex"
    root.mkdir()
    (root / "plan.yaml").write_text(PLAN.replace("AREA", "Essex"), encoding="utf-8")
    street = shared_data / "police-uk-street"
    ingest(root, "police_uk", [street / "essex" / f"{m}-essex-street.csv" for m in ESSEX_MONTHS])
    ingest(root, "police_uk", [street / "west-yorkshire" / "2018-07-west-yorkshire-street.csv"])
    pop = root.parent / "districts-population.csv"
    pop.write_text(
        "area,year,population\n" + "".join(f"{a},2018,{n}\n" for a, n in populations.items()),
        encoding="utf-8",
    )
    ingest(root, "population", [pop])
    return Project.at(root)


@pytest.fixture(scope="module")
def kent(essex: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The same store under a plan for Kent: neither force in the store is the plan's."""
    root = tmp_path_factory.mktemp("kent") / "kent"
    root.mkdir()
    (root / "plan.yaml").write_text(PLAN.replace("AREA", "Kent"), encoding="utf-8")
    shutil.copy(essex.store_path, root / essex.store_path.relative_to(essex.root))
    return Project.at(root)


def _monthly(
    rows: list[dict[str, str]], keep: object, months: tuple[str, ...] = ESSEX_MONTHS
) -> list[int]:
    by_month = Counter(r["Month"] for r in rows if keep(r))  # type: ignore[operator]
    return [by_month[m] for m in months]


def _q1(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["Month"] in Q1_MONTHS]


def test_analyse_counts_the_plans_force_only(
    essex: Project, essex_rows: list[dict[str, str]]
) -> None:
    done = planwatch("analyse", "-p", essex.root, "-q", Quarter(2018, 2).label, "--json")
    assert done.returncode == 0, done.stderr
    measures = {m["id"]: m for p in json.loads(done.stdout)["priorities"] for m in p["measures"]}
    for measure, keep in (
        ("burglary", lambda r: r["Crime type"] == "Burglary"),
        ("crime", lambda r: r["Crime type"] != ASB),
    ):
        series = measures[measure]["series"]
        held = dict(zip(series["periods"], series["values"], strict=True))
        assert [held[m] for m in ESSEX_MONTHS] == _monthly(essex_rows, keep), measure
    # July: Essex's 988 burglaries, not with West Yorkshire's 2,029 added
    burglary = measures["burglary"]["series"]
    assert burglary["values"][burglary["periods"].index(JULY)] == 988


def test_a_plan_of_neither_force_is_told_which_forces_there_are(
    kent: Project, essex_rows: list[dict[str, str]]
) -> None:
    done = planwatch("analyse", "-p", kent.root, "-q", Q1.label)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())  # the console wraps long lines
    for measure in ("crime", "burglary"):
        assert (
            f"Warning: measure '{measure}' names no force ('falls_within') and the store holds "
            "data.police.uk crime of 2 forces ('Essex Police', 'West Yorkshire Police'); none "
            "of them is the plan's area, 'Kent'"
        ) in out
    assert "expected 'falls_within:' on the measure's source naming one of" in out
    # the measure naming its force is analysed all the same
    run = run_analysis(kent, Q1)
    results = {m.measure.id: m for m in run.priorities[0].measures}
    assert list(results["essex_asb"].series.values) == _monthly(
        essex_rows, lambda r: r["Crime type"] == ASB, Q1_MONTHS
    )
    assert results["crime"].series.values == ()
    # and the report's district tables are built for it alone, the warning said once
    with_tables = with_district_tables(kent, run)
    tables = {m.measure.id: m.areas for m in with_tables.priorities[0].measures}
    assert tables["crime"] is None and tables["essex_asb"] is not None
    assert with_tables.warnings == run.warnings


def _n(text: str) -> int:
    return int(text.replace(",", "").replace("\u2212", "-"))


@pytest.fixture(scope="module")
def crime_table(essex: Project, tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    out = tmp_path_factory.mktemp("report")
    files = generate_report(essex, Q1, pdf=False, out_dir=out, chart_data=False)
    return html_table(files.html.read_text(encoding="utf-8"), "Crime by district")


def test_the_district_table_adds_up_to_the_force_count(
    crime_table: list[list[str]], essex_rows: list[dict[str, str]]
) -> None:
    header, body = crime_table[0], crime_table[1:]
    assert header[:3] == ["District", "Local policing area", "2018/19 Q1"]
    crimes = [r for r in _q1(essex_rows) if r["Crime type"] != ASB]
    expected = Counter(_district(r) for r in crimes)
    shown = {r[0]: _n(r[2]) for r in body}
    districts = {r[0]: _n(r[2]) for r in body if r[0] in expected}
    # every Essex district once, and no West Yorkshire one (Leeds, Bradford, ...)
    assert districts == {d: n for d, n in expected.items() if d}
    assert [r[0] for r in body].count("Colchester") == 1
    assert "" not in shown and "Leeds" not in shown
    # the crimes with no location: one labelled row, not among the districts' ranks
    (unlocated,) = [r for r in body if r[0] == NO_LOCATION]
    assert _n(unlocated[2]) == expected[""] > 0
    assert (unlocated[1], unlocated[-1]) == ("", fmt.MISSING)
    # after all the districts, which add up on their own; with them, the force's count:
    # nothing left over, nothing added twice
    labels = [r[0] for r in body]
    assert labels.index(ALL_DISTRICTS) < labels.index(NO_LOCATION) < labels.index(FORCE_FIGURE)
    assert sum(districts.values()) == shown[ALL_DISTRICTS]
    assert shown[ALL_DISTRICTS] + _n(unlocated[2]) == shown[FORCE_FIGURE] == len(crimes)
    assert NOT_IN_A_DISTRICT not in shown
    assert shown["North LPA total"] == sum(expected[d] for d in NORTH)


def test_the_rate_per_1000_is_the_count_over_the_loaded_population(
    crime_table: list[list[str]],
    essex_rows: list[dict[str, str]],
    populations: dict[str, int],
) -> None:
    header, body = crime_table[0], crime_table[1:]
    rate_at, rank_at = header.index("Rate per 1,000 population"), header.index("Rank")
    crimes = Counter(_district(r) for r in _q1(essex_rows) if r["Crime type"] != ASB)
    rows = {r[0]: r for r in body if r[0] in crimes or r[0] == NO_LOCATION}
    for district, pop in populations.items():
        rate = crimes[district] / pop * RATE_PER
        assert rows[district][rate_at] == fmt.number(rate, 1), district
    assert rows[NO_POPULATION][rate_at] == fmt.MISSING
    assert rows[NO_LOCATION][rate_at] == fmt.MISSING
    # ranked by count, 1 = the most (the rate does not rank)
    by_count = sorted((d for d in crimes if d), key=lambda d: (-crimes[d], d))
    assert {d: _n(rows[d][rank_at]) for d in by_count} == {d: i + 1 for i, d in enumerate(by_count)}


def test_the_local_policing_areas_rate_is_over_its_districts_population(
    essex: Project, essex_rows: list[dict[str, str]], populations: dict[str, int]
) -> None:
    run = with_district_tables(essex, run_analysis(essex, Q1))
    areas = {m.measure.id: m.areas for m in run.priorities[0].measures}["crime"]
    assert areas is not None
    (north,) = areas.groups
    crimes = Counter(_district(r) for r in _q1(essex_rows) if r["Crime type"] != ASB)
    count = sum(crimes[d] for d in NORTH)
    assert (north.area, north.value) == ("North LPA", count)
    assert north.rate_per_1000 == pytest.approx(
        count / sum(populations[d] for d in NORTH) * RATE_PER
    )
