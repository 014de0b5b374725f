"""A data.police.uk measure counts one force, never several added together (issue 13's
audit: an Essex plan with the Essex and West Yorkshire July 2018 files loaded counted
3,017 burglaries, 988 + 2,029). With no ``falls_within`` the measure is for the plan's
force — the store's only force, or of several the one that is the plan's area — and a
store of several forces none of which is the plan's is that measure's error, naming them.
The real July 2018 street files of both forces, counted again here with the csv module."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from store_plans import make_plan

from planwatch.errors import PlanError
from planwatch.measures.areas import NO_LOCATION, area_table
from planwatch.periods import Quarter
from planwatch.services.ingest import ingest
from planwatch.store.measure_sql import same_force
from planwatch.store.selectors import area_frame, measure_frame, measure_frames, measures_periods
from planwatch.store.status import store_status

pytestmark = pytest.mark.shared

JULY = date(2018, 7, 1)
ESSEX_FILE = ("essex", "2018-07-essex-street.csv")
WY_FILE = ("west-yorkshire", "2018-07-west-yorkshire-street.csv")
BURGLARY = {
    "id": "burglary",
    "name": "Burglary",
    "frequency": "month",
    "source": {"kind": "police_uk", "crime_types": ["Burglary"]},
}
#: The forces of the store, as data.police.uk names them ('Falls within').
FORCES = "'Essex Police', 'West Yorkshire Police'"


def _rows(shared_data: Path, folder: str, name: str) -> list[dict[str, str]]:
    with (shared_data / "police-uk-street" / folder / name).open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        return list(csv.DictReader(fh))


def _burglaries(rows: list[dict[str, str]]) -> int:
    return sum(r["Crime type"] == "Burglary" for r in rows)


@pytest.fixture(scope="module")
def files(shared_data: Path) -> dict[str, list[dict[str, str]]]:
    return {"essex": _rows(shared_data, *ESSEX_FILE), "wy": _rows(shared_data, *WY_FILE)}


@pytest.fixture(scope="module")
def store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("forces") / "p"
    street = shared_data / "police-uk-street"
    ingest(project, "police_uk", [street / ESSEX_FILE[0] / ESSEX_FILE[1]])
    ingest(project, "police_uk", [street / WY_FILE[0] / WY_FILE[1]])
    return project


@pytest.mark.parametrize("area", ["Essex", "essex", "ESSEX POLICE", " Essex Police "])
def test_a_measure_naming_no_force_counts_the_plans_force_only(
    store: Path, files: dict[str, list[dict[str, str]]], area: str
) -> None:
    frame = measure_frame(store, make_plan(BURGLARY, area=area), "burglary")
    assert list(frame["period_start"]) == [JULY]
    assert list(frame["area"]) == ["Essex Police"]
    assert {r["Falls within"] for r in files["essex"]} == {"Essex Police"}
    assert frame["value"].sum() == _burglaries(files["essex"]) == 988  # not 988 + 2,029


def test_the_other_force_is_its_own_plans(
    store: Path, files: dict[str, list[dict[str, str]]]
) -> None:
    frame = measure_frame(store, make_plan(BURGLARY, area="West Yorkshire"), "burglary")
    assert {r["Falls within"] for r in files["wy"]} == {"West Yorkshire Police"}
    assert frame["value"].sum() == _burglaries(files["wy"]) == 2029


def test_a_named_force_is_counted_whatever_the_plans_area(
    store: Path, files: dict[str, list[dict[str, str]]]
) -> None:
    named = {**BURGLARY, "source": {**BURGLARY["source"], "falls_within": "west yorkshire police"}}
    frame = measure_frame(store, make_plan(named, area="Essex"), "burglary")
    assert frame["value"].sum() == _burglaries(files["wy"])


def test_several_forces_none_the_plans_is_an_error_naming_them(store: Path) -> None:
    with pytest.raises(PlanError) as caught:
        measure_frame(store, make_plan(BURGLARY, area="Kent"), "burglary")
    text = str(caught.value)
    assert f"the store holds data.police.uk crime of 2 forces ({FORCES})" in text
    assert "none of them is the plan's area, 'Kent'" in text
    assert f"expected 'falls_within:' on the measure's source naming one of {FORCES}" in text
    assert caught.value.problems[0].location.field == "falls_within"


def test_one_unclear_measure_does_not_hide_the_others(
    store: Path, files: dict[str, list[dict[str, str]]]
) -> None:
    """The error is the measure's, kept as data: the measures beside it are read (in the
    same one query), for the frames and for the periods ``planwatch status`` reads."""
    named = {
        **BURGLARY,
        "id": "essex_burglary",
        "source": {**BURGLARY["source"], "falls_within": "Essex Police"},
    }
    plan = make_plan(BURGLARY, named, area="Kent")
    frames = measure_frames(store, plan)
    with pytest.raises(PlanError, match="names no force"):
        frames.frame("burglary")
    assert frames.frame("essex_burglary")["value"].sum() == _burglaries(files["essex"])
    held = measures_periods(store, plan)
    assert isinstance(held["burglary"], PlanError)
    assert not isinstance(held["essex_burglary"], PlanError)
    assert held["essex_burglary"].starts == (JULY,)


def test_status_reads_the_plans_force_and_says_the_error(store: Path) -> None:
    """``planwatch status`` builds its query from the plan's outline: the same rule."""
    status = store_status(store, make_plan(BURGLARY, area="Essex"), Quarter(2018, 2))
    (m,) = status.measures
    assert m.latest == "2018-07"
    with pytest.raises(PlanError, match=r"none of them is the plan's area, 'Kent'"):
        store_status(store, make_plan(BURGLARY, area="Kent"), Quarter(2018, 2))


def test_the_breakdown_by_district_is_the_plans_force_only(
    store: Path, files: dict[str, list[dict[str, str]]]
) -> None:
    """By district too: no West Yorkshire district in Essex's table, and its rows (the
    crimes with no location among them) add up to Essex's count."""
    essex = files["essex"]
    frame = area_frame(store, make_plan(BURGLARY, area="Essex"), "burglary")
    assert frame["value"].sum() == _burglaries(essex)
    districts = {r["LSOA name"].rsplit(" ", 1)[0] for r in essex if r["Crime type"] == "Burglary"}
    assert set(frame["area"]) == districts
    assert "Leeds" not in set(frame["area"])
    with pytest.raises(PlanError, match=r"names no force"):
        area_frame(store, make_plan(BURGLARY, area="Kent"), "burglary")


def test_crimes_with_no_location_are_one_labelled_row_that_keeps_the_total(
    store: Path, files: dict[str, list[dict[str, str]]]
) -> None:
    """All crime (anti-social behaviour apart) in July 2018's quarter: the Essex rows with
    no LSOA are one row, labelled and unranked, after the districts, and every row adds
    up to the force's count. The quarter (2018/19 Q2) lacks August and September in the
    store, so the table is built for the month's own rows as a quarter's."""
    crime = {"id": "crime", "name": "Crime", "frequency": "month", "source": {"kind": "police_uk"}}
    plan = make_plan(crime, area="Essex")
    frame = area_frame(store, plan, "crime")
    # the one month, as the quarter's figure, so that the table can be built
    frame["frequency"] = "quarter"
    table = area_table(frame, "crime", Quarter(2018, 2))
    crimes = [r for r in files["essex"] if r["Crime type"] != "Anti-social behaviour"]
    unlocated = sum(not r["LSOA name"] for r in crimes)
    assert unlocated == 73  # the file's crimes published with no location
    last = table.rows[-1]
    assert (last.area, last.value, last.rank, last.rate_per_1000, last.group) == (
        NO_LOCATION,
        unlocated,
        None,
        None,
        None,
    )
    assert all(r.area for r in table.rows)  # no nameless row
    assert [r.rank for r in table.districts] == list(range(1, len(table.rows)))
    assert sum(r.value for r in table.rows) == len(crimes)
    assert sum(r.value for r in table.districts) == len(crimes) - unlocated


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Essex", "Essex Police", True),
        ("essex police", "ESSEX", True),
        ("Avon & Somerset", "Avon and Somerset Constabulary", True),
        ("Essex", "West Yorkshire Police", False),
        ("Anytown", "anytown ", True),  # no known force: itself only
        ("Anytown", "Anytown Police", False),
    ],
)
def test_the_one_force_matching_rule(a: str, b: str, same: bool) -> None:
    assert same_force(a, b) is same


#: Months of the Essex files for the zero-filling test: January of two years and a
#: February, which is of the same quarter as January 2018.
ZERO_MONTHS = ("2018-01", "2018-02", "2019-01")


def test_a_held_month_with_none_of_a_districts_crimes_is_its_zero(
    shared_data: Path, tmp_path: Path
) -> None:
    """A street file lists crimes, not districts: a district with no burglary in a month
    the force's file is held for has 0 that month (not a missing month, which would leave
    the district out of its quarter), for every district with burglaries in that quarter
    or the same quarter a year earlier or later; a month not held is not filled."""
    street = shared_data / "police-uk-street" / "essex"
    ingest(tmp_path / "p", "police_uk", [street / f"{m}-essex-street.csv" for m in ZERO_MONTHS])
    counted: dict[tuple[str, str], int] = {}
    for month in ZERO_MONTHS:
        for r in _rows(shared_data, "essex", f"{month}-essex-street.csv"):
            if r["Crime type"] == "Burglary":
                key = (month, r["LSOA name"].rsplit(" ", 1)[0] if r["LSOA name"] else "")
                counted[key] = counted.get(key, 0) + 1
    frame = area_frame(tmp_path / "p", make_plan(BURGLARY, area="Essex"), "burglary")
    held = {
        (f"{d:%Y-%m}", a): v
        for d, a, v in zip(frame["period_start"], frame["area"], frame["value"], strict=True)
    }
    # every district of January 2018 or 2019 has both Januaries, and February 2018
    january = {a for (m, a) in counted if m in ("2018-01", "2019-01")}
    for area in january:
        for month in ZERO_MONTHS:
            assert held[(month, area)] == counted.get((month, area), 0), (month, area)
    assert any(counted.get(("2019-01", a), 0) == 0 for a in january)  # a zero was filled
    assert sum(held.values()) == sum(counted.values())
    assert {m for m, _ in held} == set(ZERO_MONTHS)  # nothing for months not held


def test_two_spellings_of_the_plans_force_are_an_error_too(
    shared_data: Path, tmp_path: Path
) -> None:
    """Two *Falls within* names that are both the plan's force are not added together
    either: the measure must name the one it means."""
    street = shared_data / "police-uk-street" / ESSEX_FILE[0] / ESSEX_FILE[1]
    with street.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header, first = list(reader.fieldnames or ()), next(reader)
    respelt = tmp_path / "files" / "2018-07-essex-constabulary-street.csv"
    respelt.parent.mkdir()
    with respelt.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerow({**first, "Falls within": "Essex Constabulary"})
    ingest(tmp_path / "p", "police_uk", [street])
    ingest(tmp_path / "p", "police_uk", [respelt])
    with pytest.raises(
        PlanError,
        match=r"'Essex Constabulary', 'Essex Police' all match the plan's area, 'Essex'",
    ):
        measure_frame(tmp_path / "p", make_plan(BURGLARY, area="Essex"), "burglary")
