"""data.police.uk street files read as a record source: the same monthly counts as the
built-in police.uk reader, with the real 2018-08/09 gap kept as a gap."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from ingest_files import file_sha

from planwatch.errors import PlanError
from planwatch.plan.load import parse_plan
from planwatch.plan.models import Plan
from planwatch.services.ingest import ingest
from planwatch.store.selectors import measure_frame

PLAN = """\
metadata: {title: t, organisation: o, area: Essex, plan_period: 2024-2028}
record_sources:
  - name: street
    noun: crimes and ASB incidents
    date: month
    area: lsoa_name
    revise_by: [falls_within]
    columns:
      month: {type: date, header: Month, format: "%Y-%m"}
      falls_within: {type: text, header: Falls within}
      lsoa_name: {type: text, header: LSOA name}
      crime_type: {type: text, header: Crime type}
      outcome: {type: text, header: Last outcome category}
measures:
  - id: burglary_records
    name: Burglary (records)
    frequency: month
    source: {kind: records, records: street, where: {column: crime_type, equals: Burglary}}
  - id: burglary
    name: Burglary (police.uk counts)
    frequency: month
    source: {kind: police_uk, crime_types: [Burglary]}
  - id: asb_records
    name: ASB (records)
    frequency: month
    source: {kind: records, records: street, where: {column: crime_type, equals: Anti-social behaviour}}
  - id: asb
    name: ASB (police.uk counts)
    frequency: month
    source: {kind: police_uk, crime_types: [Anti-social behaviour]}
  - id: crime_records
    name: All crime (records)
    frequency: month
    source: {kind: records, records: street, where: {column: crime_type, not_in: [Anti-social behaviour]}}
  - id: crime
    name: All crime (police.uk counts)
    frequency: month
    source: {kind: police_uk}
priorities: [{number: 1, title: P, objective: O, measures: [burglary]}]
"""


def _series(project: Path, plan: object, measure: str) -> dict[date, float]:
    frame = measure_frame(project, plan, measure)  # type: ignore[arg-type]
    return frame.groupby("period_start")["value"].sum().to_dict()  # police.uk: one row per type


def test_street_files_as_records_count_like_the_police_uk_reader(
    shared_data: Path, tmp_path: Path
) -> None:
    essex = shared_data / "police-uk-street" / "essex"
    plan = parse_plan(PLAN)
    records, counts = tmp_path / "records", tmp_path / "counts"
    result = ingest(records, "records", [essex], record_source="street", plan=plan)
    ingest(counts, "police_uk", [essex])
    assert len(result.loads) == 12
    by_records = _series(records, plan, "burglary_records")
    assert by_records == _series(counts, plan, "burglary")
    assert _series(records, plan, "asb_records") == _series(counts, plan, "asb")
    assert date(2018, 8, 1) not in by_records and len(by_records) == 12
    assert all(v > 0 for v in by_records.values())
    assert _series(records, plan, "crime_records") == _series(counts, plan, "crime")


def test_a_month_loaded_again_replaces_that_month_only(shared_data: Path, tmp_path: Path) -> None:
    essex = shared_data / "police-uk-street" / "essex"
    plan = parse_plan(PLAN)
    project = tmp_path / "p"
    january, february = essex / "2018-01-essex-street.csv", essex / "2018-02-essex-street.csv"
    ingest(project, "records", [january, february], record_source="street", plan=plan)
    before = _series(project, plan, "burglary_records")
    lines = january.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0], *[line for line in lines[1:] if ",Burglary," not in line][:500]]
    smaller = tmp_path / "2018-01-essex-street.csv"
    smaller.write_text("".join(kept), encoding="utf-8")
    (load,) = ingest(project, "records", [smaller], record_source="street", plan=plan).loads
    assert load.replaced_rows == len(lines) - 1
    after = _series(project, plan, "burglary_records")
    assert after == {**before, date(2018, 1, 1): 0.0}


# --- a record source's columns checked on the real files: outcomes and LSOA names ---------

OUTCOME = "Investigation complete; no suspect identified"
UNABLE = "Unable to prosecute suspect"


@pytest.fixture(scope="module")
def street(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Essex street files loaded as record source 'street' (read, not changed, by the
    tests that use it)."""
    project = tmp_path_factory.mktemp("street") / "p"
    essex = shared_data / "police-uk-street" / "essex"
    ingest(project, "records", [essex], record_source="street", plan=parse_plan(PLAN))
    return project


def counting(where: str) -> Plan:
    """PLAN with measure 'm': the street records passing ``where``, by month."""
    measure = f"""  - id: m
    name: M
    frequency: month
    source: {{kind: records, records: street, where: {where}}}
"""
    return parse_plan(PLAN.replace("priorities:", measure + "priorities:", 1))


def in_files(essex: Path, keep: Callable[[dict[str, str]], bool]) -> dict[date, float]:
    """The rows of the real files that ``keep`` keeps, by month: counted with csv alone."""
    counts: dict[date, float] = {}
    for path in sorted(essex.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                year, month = (int(x) for x in row["Month"].split("-"))
                counts.setdefault(date(year, month, 1), 0.0)
                counts[date(year, month, 1)] += keep(row)
    return counts


@pytest.mark.parametrize(
    ("where", "keep"),
    [
        (f"{{column: outcome, equals: '{OUTCOME.upper()} '}}", lambda o: o == OUTCOME),
        (f"{{column: outcome, in: ['{OUTCOME}', '{UNABLE}']}}", lambda o: o in (OUTCOME, UNABLE)),
        (f"{{column: outcome, not_in: ['{OUTCOME}']}}", lambda o: o != OUTCOME),
        ("{column: outcome, is_empty: true}", lambda o: o == ""),  # ASB has no outcome
    ],
)
def test_the_outcome_column_counts_what_the_files_hold(
    shared_data: Path, street: Path, where: str, keep: Callable[[str], bool]
) -> None:
    expected = in_files(
        shared_data / "police-uk-street" / "essex",
        lambda row: keep(row["Last outcome category"].strip()),
    )
    assert _series(street, counting(where), "m") == expected
    assert len(expected) == 12 and all(v > 0 for v in expected.values())


def test_a_misspelt_outcome_names_the_nearest(street: Path) -> None:
    before = file_sha(street / "planwatch.duckdb")
    plan = counting("{column: outcome, in: ['Investigation complete; no suspect identifed']}")
    with pytest.raises(PlanError) as err:
        measure_frame(street, plan, "m")
    assert (
        "no stored 'street' record has outcome 'investigation complete; no suspect identifed'"
        in str(err.value)
    )
    assert f"nearest '{OUTCOME}'" in str(err.value)
    assert file_sha(street / "planwatch.duckdb") == before


@pytest.mark.parametrize(
    ("name", "nearest"),
    [
        ("Colchester 001Z", "nearest 'Colchester 001"),  # no such LSOA: others of Colchester 001
        ("colchster 001a", "nearest 'Colchester 001A', "),  # misspelt, in another case
    ],
)
def test_an_lsoa_name_no_record_has_is_an_error(street: Path, name: str, nearest: str) -> None:
    """LSOA names are too many to list (1,352 in Essex's twelve months, above CODED_MAX),
    but a name no record has is looked up and refused, with the nearest names."""
    before = file_sha(street / "planwatch.duckdb")
    with pytest.raises(PlanError) as err:
        measure_frame(street, counting(f"{{column: lsoa_name, equals: {name}}}"), "m")
    message = str(err.value)
    assert f"no stored 'street' record has lsoa_name '{name.lower()}'" in message
    assert nearest in message
    assert file_sha(street / "planwatch.duckdb") == before


def test_an_lsoa_name_that_occurs_counts_its_records(shared_data: Path, street: Path) -> None:
    """One name of a list that occurs is enough (another LSOA may come in a later month)."""
    plan = counting("{column: lsoa_name, in: [colchester 001a, Colchester 001Z]}")
    expected = in_files(
        shared_data / "police-uk-street" / "essex",
        lambda row: row["LSOA name"] == "Colchester 001A",
    )
    assert _series(street, plan, "m") == expected and sum(expected.values()) > 0
