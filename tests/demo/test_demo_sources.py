"""What the demo shows of the force's own records and the national files: its business
crime and road casualty measures count what the generated files hold (read here with
the csv module, not planwatch), the road measures count Anyshire alone out of national
files, the part-year series has no invented August figures, and the district
breakdowns group districts into the plan's local policing areas with rates from the
populations the demo loads."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from planwatch.demo import spec
from planwatch.demo.generate import DemoFiles, generate_demo_project
from planwatch.demo.stats19 import FORCE_CODES, ksi_counts
from planwatch.plan.load import load_plan
from planwatch.services import demo as demo_service
from planwatch.store.selectors import measure_frame

SEED = 2024
#: casualty_severity codes of the killed and the seriously injured (DfT codebook).
KSI_CODES = {"1", "2"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The demo as `planwatch demo` builds it: generated, loaded, analysed and reported."""
    out = tmp_path_factory.mktemp("demo-sources") / "anyshire-demo"
    files = generate_demo_project(out, SEED)
    demo_service.build_demo(
        files.project,
        files.loads(),
        spec.REPORT_QUARTER,
        stem=f"{spec.FILE_SLUG}-{spec.REPORT_QUARTER.slug}",
        pdf=False,
        echo=lambda _line: None,
    )
    return files


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _quarter_of(day: date) -> date:
    """The start of the financial quarter holding ``day`` (April to June is Q1)."""
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _counted(files: DemoFiles, measure: str) -> dict[date, float]:
    plan = load_plan(files.plan)
    frame = measure_frame(files.root, plan, measure)
    return {d: float(v) for d, v in zip(frame["period_start"], frame["value"], strict=True)}


def _casualties(files: DemoFiles) -> list[tuple[str, date, dict[str, str]]]:
    """(force code, collision date, casualty row) of every casualty in the files."""
    collisions = {}
    for path in files.road_casualties:
        if "statistics-collision-" in path.name:
            for row in _rows(path):
                when = datetime.strptime(row["date"], "%d/%m/%Y").date()
                collisions[row["collision_index"]] = (row["police_force"], when)
    return [
        (*collisions[row["collision_index"]], row)
        for path in files.road_casualties
        if "statistics-casualty-" in path.name
        for row in _rows(path)
    ]


def test_killed_or_seriously_injured_counts_anyshire_out_of_national_files(
    built: DemoFiles,
) -> None:
    everyone: Counter[date] = Counter()
    own: Counter[date] = Counter()
    for force, when, row in _casualties(built):
        if row["casualty_severity"] in KSI_CODES:
            everyone[_quarter_of(when)] += 1
            own[_quarter_of(when)] += force == FORCE_CODES[spec.AREA]
    counted = _counted(built, "killed_seriously_injured")
    assert counted == {q: float(n) for q, n in own.items()}
    # the files are national: adding every force would have given far more
    assert all(everyone[q] > 2 * own[q] for q in counted)
    # and the measure keeps the trend of the series the files were made from
    series = {q: n for q, n in counted.items() if q >= spec.FORCE_SERIES_FIRST.start}
    assert series == {q.start: float(n) for q, n in ksi_counts(SEED).items()}


def test_the_severity_adjusted_count_sums_each_casualtys_chance(built: DemoFiles) -> None:
    """A death counts 1, any other casualty its adjusted probability of a serious injury."""
    adjusted: defaultdict[date, float] = defaultdict(float)
    raw: Counter[date] = Counter()
    for force, when, row in _casualties(built):
        if force != FORCE_CODES[spec.AREA]:
            continue
        fatal = row["casualty_severity"] == "1"
        adjusted[_quarter_of(when)] += (
            1.0 if fatal else float(row["casualty_adjusted_severity_serious"])
        )
        raw[_quarter_of(when)] += row["casualty_severity"] in KSI_CODES
    counted = _counted(built, "killed_seriously_injured_adjusted")
    assert counted.keys() == adjusted.keys()
    for quarter, value in counted.items():
        assert value == pytest.approx(adjusted[quarter], abs=1e-6), quarter
        assert value > raw[quarter]  # slight casualties' chances of a serious injury added


def test_business_crime_counts_the_crimes_flagged_business(built: DemoFiles) -> None:
    extract = next(p for p in built.records if "crime-extract" in p.name)
    crimes: defaultdict[date, set[str]] = defaultdict(set)
    for row in _rows(extract):
        if row["Business Flag"] == "Y":
            when = datetime.strptime(row["Recorded Date"], "%d/%m/%Y").date()
            crimes[_quarter_of(when)].add(row["Crime Reference"])
    counted = _counted(built, "business_crime")
    assert counted == {q: float(len(refs)) for q, refs in crimes.items()}
    assert min(counted.values()) > 0


def test_the_school_year_series_has_no_august_figures(built: DemoFiles) -> None:
    plan = load_plan(built.plan)
    measure = plan.measure("education_audience")
    assert measure.part_year is not None and measure.part_year.without == (8,)
    path = next(p for p in built.measures if p.name == "education-programme.csv")
    months = [row["period"] for row in _rows(path) if row["measure"] == "education_audience"]
    assert months and not [m for m in months if m.endswith("-08")]
    assert len({m[:4] for m in months}) > 5  # several years, each without its August


def test_district_breakdowns_group_districts_into_local_policing_areas(built: DemoFiles) -> None:
    """In the report's JSON: each district under the area the plan puts it in, the areas'
    totals the sums of their districts, the rate per 1,000 from the loaded population."""
    plan = load_plan(built.plan)
    groups = plan.district_groups()
    assert set(groups) == set(spec.DISTRICT_SHARES)
    report = json.loads(next((built.root / "output").glob("*.json")).read_text(encoding="utf-8"))
    table = next(
        t
        for p in report["priorities"]
        for m in p["measures"]
        if m["id"] == "business_crime"
        for t in m["tables"]
        if t["headers"][:2] == ["District", "Local policing area"]
    )
    headers = table["headers"]
    latest, rate = (
        headers.index(spec.REPORT_QUARTER.label),
        headers.index("Rate per 1,000 population"),
    )
    population = {
        row["area"]: float(row["population"])
        for row in _rows(built.population)
        if row["year"] == str(spec.REPORT_QUARTER.start.year)
    }
    districts = [r for r in table["rows"] if r[0] in groups]
    assert len(districts) == len(groups)
    for row in districts:
        assert row[1] == groups[row[0]]
        count = int(row[latest].replace(",", ""))
        assert float(row[rate]) == pytest.approx(count / population[row[0]] * 1000, abs=0.05)
    for area in set(groups.values()):
        total = next(r for r in table["rows"] if r[0] == f"{area} total")
        members = [int(r[latest].replace(",", "")) for r in districts if r[1] == area]
        assert int(total[latest].replace(",", "")) == sum(members)
    whole = next(r for r in table["rows"] if r[0] == "All districts")
    assert (
        int(whole[latest].replace(",", ""))
        == _counted(built, "business_crime")[spec.REPORT_QUARTER.start]
    )


def test_comparisons_use_the_plans_peer_group(built: DemoFiles) -> None:
    plan = load_plan(built.plan)
    assert plan.peer_group is not None
    report = json.loads(next((built.root / "output").glob("*.json")).read_text(encoding="utf-8"))
    said = [
        kp["text"]
        for p in report["priorities"]
        for m in p["measures"]
        for kp in m["key_points"]
        if plan.peer_group.name in kp["text"]
    ]
    assert said
    left_out = {f.name for f in spec.FORCES} - set(plan.peer_group.forces) - {spec.AREA}
    assert left_out and not [t for t in said if any(name in t for name in left_out)]


@pytest.mark.parametrize(
    ("measure", "origin", "source"),
    [
        ("rural_crime", "the force's own records", "crimes"),
        (
            "killed_seriously_injured",
            "the Department for Transport's road casualty records (STATS19)",
            "stats19_casualties",
        ),
    ],
)
def test_each_record_measure_says_whose_records_it_counts(
    built: DemoFiles, measure: str, origin: str, source: str
) -> None:
    """In the report's JSON, as a machine reads it, and in its notes and chart text, as a
    person does: the definition, and whose records it is counted from."""
    plan = load_plan(built.plan)
    words = plan.measure_definition(measure)
    assert words
    report = json.loads(next((built.root / "output").glob("*.json")).read_text(encoding="utf-8"))
    (m,) = [m for p in report["priorities"] for m in p["measures"] if m["id"] == measure]
    assert m["source"] == f"{origin[0].upper()}{origin[1:]}, record source '{source}'"
    assert m["footnotes"][0] == f"Counted from {origin}: {words}."
    (chart,) = m["charts"]
    assert (chart["definition"], chart["counted_from"]) == (words, origin)
    assert f"counted from {origin}: {words}" in chart["alt_text"]
    html = next((built.root / "output").glob("*.html")).read_text(encoding="utf-8")
    assert f"Counted from {origin}: {words}.".replace("'", "&#39;") in html
