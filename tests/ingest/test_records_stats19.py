"""STATS19 on the real DfT rows in ../shared/data/stats19: KSIs by force and quarter, the
severity-adjusted count, both identity spellings, codes checked against the codebook."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from ingest_files import file_sha

from planwatch.errors import IngestError, PlanError
from planwatch.plan.models import Plan
from planwatch.plan.records import STATS19_CODEBOOK, STATS19_CODES
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.schema import record_relation
from planwatch.store.selectors import measure_frame

COLLISIONS = "dft-road-casualty-statistics-collision-2023.csv"
CASUALTIES = "dft-road-casualty-statistics-casualty-2023.csv"
CODEBOOK = "stats19-codebook-2024.csv"
#: The live 2023 files' names for the identity columns the shared copy calls accident_*.
LIVE_SPELLING = {
    "accident_index": "collision_index",
    "accident_year": "collision_year",
    "accident_reference": "collision_ref_no",
}


def plan(area: str = "Cleveland", **source: object) -> Plan:
    measures = [
        {"id": "ksi", "name": "KSI", "source": {"kind": "records", "records": "stats19_casualties",
         "where": {"column": "casualty_severity", "in": [1, 2]}, **source}},
        {"id": "ksi_adjusted", "name": "KSI (adjusted)", "unit": "number", "decimals": 2,
         "source": {"kind": "records", "records": "stats19_casualties", "aggregate": "sum",
                    "of": "ksi_weight", **source}},
    ]  # fmt: skip
    return Plan.model_validate(
        {
            "metadata": {"title": "t", "organisation": "o", "area": area, "plan_period": "2024-28"},
            "measures": measures,
            "priorities": [{"number": 1, "title": "P", "objective": "O", "measures": ["ksi"]}],
        }
    )


@pytest.fixture
def stats19(shared_data: Path, tmp_path: Path) -> Path:
    """A copy of the real files (tests may edit the copy)."""
    folder = tmp_path / "stats19"
    shutil.copytree(shared_data / "stats19", folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder


def quarters(project: Path, p: Plan, measure: str) -> dict[date, float]:
    frame = measure_frame(project, p, measure)
    return {d: round(v, 5) for d, v in zip(frame["period_start"], frame["value"], strict=True)}


def test_ksis_by_force_and_quarter_from_the_real_rows(stats19: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    (load,) = ingest(project, "stats19", [stats19]).loads
    assert load.rows == 12 and load.periods_covered == "2023-01 to 2023-12"
    p = plan()
    # 2023 in financial quarters: Jan-Mar 2023 is 2022/23 Q4. Fatal 17/11/2023, serious 05/11/2023.
    assert quarters(project, p, "ksi") == {
        date(2023, 1, 1): 0.0, date(2023, 4, 1): 0.0, date(2023, 7, 1): 0.0, date(2023, 10, 1): 2.0
    }  # fmt: skip
    # Adjusted: the fatal casualty counts 1, every other its probability of 'serious'.
    assert quarters(project, p, "ksi_adjusted") == {
        date(2023, 1, 1): round(0.0288 + 0.08212 + 0.1048, 5),
        date(2023, 4, 1): 0.0,
        date(2023, 7, 1): round(0.05754 + 0.04754, 5),
        date(2023, 10, 1): round(0.03813 + 0.07186 + 0.05731 + 1 + 1 + 0.11966 + 0.13216, 5),
    }
    assert p.measure_definition("ksi") == "road casualties with casualty severity 1 or 2, by date"


def test_force_code_names_the_force_and_other_forces_are_refused(
    stats19: Path, tmp_path: Path
) -> None:
    project = tmp_path / "p"
    ingest(project, "stats19", [stats19])
    with reading(project) as con:
        rows = record_relation(con, "records_stats19_casualties")  # text stored as codes
        assert con.execute(
            f"SELECT DISTINCT police_force, police_force_code FROM {rows}"
        ).fetchall() == [("Cleveland", 17)]
    with pytest.raises(
        PlanError, match=r"no stored 'stats19_casualties' record has police_force 'essex'"
    ):
        measure_frame(project, plan("Essex"), "ksi")


def test_the_live_collision_spelling_reads_the_same(stats19: Path, tmp_path: Path) -> None:
    for name in (COLLISIONS, CASUALTIES):
        path = stats19 / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0]
        for old, new in LIVE_SPELLING.items():
            header = header.replace(old, new)
        path.write_text(header + "".join(lines[1:]), encoding="utf-8")
    assert "collision_index" in (stats19 / CASUALTIES).read_text().splitlines()[0]
    project = tmp_path / "p"
    ingest(project, "stats19", [stats19])
    assert quarters(project, plan(), "ksi")[date(2023, 10, 1)] == 2.0


def counting(where: dict[str, object]) -> Plan:
    """A plan of one measure 'm': Cleveland's casualties that pass ``where``."""
    return Plan.model_validate(
        {
            "metadata": {"title": "t", "organisation": "o", "area": "Cleveland",
                         "plan_period": "2024-28"},
            "measures": [{"id": "m", "name": "M", "source": {
                "kind": "records", "records": "stats19_casualties", "where": where}}],
            "priorities": [{"number": 1, "title": "P", "objective": "O", "measures": ["m"]}],
        }
    )  # fmt: skip


#: 2023's financial quarters that a calendar year of STATS19 covers: the quarters starting
#: January (2022/23 Q4), April, July and October 2023.
QUARTERS = [date(2023, 1, 1), date(2023, 4, 1), date(2023, 7, 1), date(2023, 10, 1)]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ({"column": "casualty_severity", "in": [7]}, "casualty_severity 7"),
        ({"column": "casualty_severity", "in": [1, 7]}, "casualty_severity 7"),  # 1 is fine
        ({"column": "sex_of_casualty", "equals": 3}, "sex_of_casualty 3"),
    ],
)
def test_a_code_the_codebook_does_not_define_is_a_plan_error(
    stats19: Path, tmp_path: Path, where: dict[str, object], value: str
) -> None:
    project = tmp_path / "p"
    ingest(project, "stats19", [stats19])
    before = file_sha(project / "planwatch.duckdb")
    with pytest.raises(PlanError) as err:
        measure_frame(project, counting(where), "m")
    message = str(err.value)
    assert (
        f"measure 'm': {value} is not a code of the {STATS19_CODEBOOK} and no stored "
        "'stats19_casualties' record has it" in message
    )
    nearest = {"casualty_severity": "3, 2, 1", "sex_of_casualty": "2, 1, -1"}
    assert f"nearest {nearest[str(where['column'])]}" in message
    assert message.count("is not a code") == 1
    assert file_sha(project / "planwatch.duckdb") == before


@pytest.mark.parametrize(
    "where",
    [
        {"column": "casualty_class", "equals": 2},  # passengers: none among the 12
        {"column": "age_band_of_casualty", "in": [1, 2, 3]},  # children: none either
    ],
)
def test_a_code_the_codebook_defines_that_no_record_has_counts_zero(
    stats19: Path, tmp_path: Path, where: dict[str, object]
) -> None:
    project = tmp_path / "p"
    ingest(project, "stats19", [stats19])
    assert quarters(project, counting(where), "m") == dict.fromkeys(QUARTERS, 0.0)


def test_the_codes_planwatch_knows_are_the_codebooks(shared_data: Path) -> None:
    """STATS19_CODES, by which a plan's codes are checked, are those of the shared codebook
    (``police_force_code`` is the codebook's ``police_force``)."""
    book: dict[str, set[int]] = {}
    with (shared_data / "stats19" / CODEBOOK).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            book.setdefault(row["variable"], set()).add(int(row["code"]))
    for column, codes in STATS19_CODES.items():
        variable = "police_force" if column == "police_force_code" else column
        assert set(codes) == book[variable], column
        assert len(codes) == len(set(codes)), column


def test_the_older_accident_severity_spelling_reads_the_same(stats19: Path, tmp_path: Path) -> None:
    """A collision file of the older layout names its severity ``accident_severity``."""
    path = stats19 / COLLISIONS
    with path.open(encoding="utf-8", newline="") as fh:
        collisions = list(csv.DictReader(fh))
    with (stats19 / CASUALTIES).open(encoding="utf-8", newline="") as fh:
        casualties = list(csv.DictReader(fh))
    current = tmp_path / "current"
    ingest(current, "stats19", [stats19])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].count("collision_severity") == 1
    path.write_text(
        lines[0].replace("collision_severity", "accident_severity") + "".join(lines[1:]),
        encoding="utf-8",
    )
    older = tmp_path / "older"
    ingest(older, "stats19", [stats19])
    # counted independently: casualties of fatal or serious collisions, by collision quarter
    severity = {c["accident_index"]: int(c["collision_severity"]) for c in collisions}
    day = {c["accident_index"]: c["date"] for c in collisions}
    expected = dict.fromkeys(QUARTERS, 0.0)
    for casualty in casualties:
        if severity[casualty["accident_index"]] in (1, 2):
            _, m, y = (int(x) for x in day[casualty["accident_index"]].split("/"))
            expected[date(y, 3 * ((m - 1) // 3) + 1, 1)] += 1
    serious = counting({"column": "collision_severity", "in": [1, 2]})
    assert quarters(older, serious, "m") == expected == quarters(current, serious, "m")
    assert sum(expected.values()) > 0
    stored = {}
    for project in (current, older):
        with reading(project) as con:
            stored[project.name] = con.execute(
                "SELECT collision_index, casualty_reference, collision_severity "
                "FROM records_stats19_casualties ORDER BY ALL"
            ).fetchall()
    assert stored["older"] == stored["current"]
    assert {s for *_, s in stored["older"]} == set(severity.values())


def _refused(stats19: Path, tmp_path: Path, match: str) -> None:
    project = tmp_path / "p"
    base = tmp_path / "base.csv"
    base.write_text("measure,period,value\nx,2022/23 Q1,1\n")
    ingest(project, "measures", [base])
    before = file_sha(project / "planwatch.duckdb")
    with pytest.raises(IngestError, match=match):
        ingest(project, "stats19", [stats19])
    assert file_sha(project / "planwatch.duckdb") == before


def test_a_code_the_codebook_does_not_list(stats19: Path, tmp_path: Path) -> None:
    path = stats19 / CASUALTIES
    lines = path.read_text().splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[9] = "7"  # casualty_severity
    lines[3] = ",".join(cells)
    path.write_text("".join(lines))
    _refused(
        stats19,
        tmp_path,
        r"unknown casualty_severity code '7' \(.*row 4, field 'casualty_severity'\)",
    )


def test_a_casualty_without_its_collision(stats19: Path, tmp_path: Path) -> None:
    path = stats19 / COLLISIONS
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("20231700H1872")))
    _refused(
        stats19, tmp_path, r"casualty of collision '20231700H1872', which is in no collision file"
    )


def test_the_codebook_is_required(stats19: Path, tmp_path: Path) -> None:
    (stats19 / CODEBOOK).unlink()
    _refused(stats19, tmp_path, r"no STATS19 codebook among the files")


def test_an_unparseable_collision_date(stats19: Path, tmp_path: Path) -> None:
    path = stats19 / COLLISIONS
    path.write_text(path.read_text().replace("30/09/2023", "2023-13-30"))
    _refused(
        stats19, tmp_path, r"'date' is '2023-13-30' \(.*collision-2023.csv, row 2, field 'date'\)"
    )


def test_a_provisional_mid_year_file_covers_january_to_june(stats19: Path, tmp_path: Path) -> None:
    """The DfT's provisional files for the first half of a year: the months after June are
    not covered (no false zeros for them), the months before with no casualty are zero."""
    rows = [
        r for r in _read(stats19 / COLLISIONS) if r["date"][3:5] in {"01", "02", "03", "04", "05"}
    ]
    kept = {r["accident_index"] for r in rows}
    mid = "dft-road-casualty-statistics-{}-provisional-mid-year-unvalidated-2023.csv"
    _write(stats19 / mid.format("collision"), rows)
    _write(
        stats19 / mid.format("casualty"),
        [r for r in _read(stats19 / CASUALTIES) if r["accident_index"] in kept],
    )
    for name in (COLLISIONS, CASUALTIES, "dft-road-casualty-statistics-vehicle-2023.csv"):
        (stats19 / name).unlink()
    project = tmp_path / "p"
    (load,) = ingest(project, "stats19", [stats19]).loads
    assert load.periods_covered == "2023-01 to 2023-06"
    counted = quarters(project, plan(), "ksi")
    assert set(counted) == {date(2023, 1, 1), date(2023, 4, 1)}  # 2022/23 Q4, 2023/24 Q1


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
