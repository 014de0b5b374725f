"""data.police.uk street files read as a record source: the same monthly counts as the
built-in police.uk reader, with the real 2018-08/09 gap kept as a gap."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from planwatch.plan.load import parse_plan
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
