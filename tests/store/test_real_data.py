"""The real Home Office and data.police.uk files, loaded and read back."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from store_plans import make_plan

from planwatch.periods import Quarter
from planwatch.services.ingest import IngestResult
from planwatch.store.connection import reading
from planwatch.store.selectors import (
    MEASURE_COLUMNS,
    loads_frame,
    measure_frame,
    offence_codes_frame,
    population_frame,
    weights_frame,
)
from planwatch.store.status import store_status

pytestmark = pytest.mark.shared


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def one(store: Path, sql: str) -> object:
    with reading(store) as con:
        return con.execute(sql).fetchone()[0]  # type: ignore[index]


def test_pfa_table_loads_every_row(real_loads: tuple[Path, dict[str, IngestResult]]) -> None:
    store, results = real_loads
    (load,) = results["pfa"].loads
    assert (load.rows, load.periods_covered, load.note) == (
        23068,
        "2017/18 Q1 to 2017/18 Q4",
        "offence level",
    )
    assert one(store, "SELECT count(*) FROM prc_offences WHERE level = 'offence'") == 23068
    assert (
        one(store, "SELECT count(*) FROM prc_offences WHERE level = 'offence' AND force = 'Essex'")
        == 524
    )
    assert any("36 rows have negative counts" in w for w in load.warnings)


def test_group_compilation_loads_every_row_and_population(
    real_loads: tuple[Path, dict[str, IngestResult]], shared_data: Path
) -> None:
    store, results = real_loads
    (load,) = results["groups"].loads
    assert (load.rows, load.periods_covered) == (35939, "2002/03 Q1 to 2023/24 Q4")
    assert one(store, "SELECT count(*) FROM prc_offences WHERE level = 'group'") == 35939
    assert (
        one(
            store,
            "SELECT count(DISTINCT force) FROM prc_offences WHERE level = 'group' AND force LIKE '%&%'",
        )
        == 0
    )
    source = rows_of(shared_data / "prc-force-offencegroup-quarterly-2002-2024.csv")
    essex_2017 = {
        float(r["Population"])
        for r in source
        if r["Force Name"] == "Essex" and r["Financial Year"] == "2017/18"
    }
    pop = population_frame(store, "Essex")
    assert pop.loc[pop["year"] == 2017, "population"].tolist() == sorted(essex_2017)
    assert len(population_frame(store, "Avon & Somerset")) == 22


def test_prc_measure_by_offence_code_matches_the_file(real_store: Path, shared_data: Path) -> None:
    plan = make_plan(
        {"id": "harassment", "name": "H", "source": {"kind": "prc", "offence_codes": ["8L", "8M"]}}
    )
    frame = measure_frame(real_store, plan, "harassment")
    expected: Counter[tuple[date, str]] = Counter()
    for r in rows_of(shared_data / "prc-pfa-2017-18.csv"):
        if r["Force Name"] == "Essex" and r["Offence Code"] in ("8L", "8M"):
            expected[(Quarter(2017, int(r["Financial Quarter"])).start, r["Offence Code"])] += int(
                r["Number of Offences"]
            )
    got = {(row.period_start, row.category): row.value for row in frame.itertuples()}
    assert got == {k: float(v) for k, v in expected.items()} and len(got) == 8
    assert set(frame["frequency"]) == {"quarter"} and set(frame["area"]) == {"Essex"}


def test_all_crime_uses_the_group_table_without_double_counting(
    real_store: Path, shared_data: Path
) -> None:
    plan = make_plan({"id": "all", "name": "All", "source": {"kind": "prc"}})
    frame = measure_frame(real_store, plan, "all")
    assert list(frame.columns) == list(MEASURE_COLUMNS)
    assert isinstance(frame["period_start"].iloc[0], date)
    totals = frame.groupby("period_start")["value"].sum()
    source = rows_of(shared_data / "prc-force-offencegroup-quarterly-2002-2024.csv")
    q1 = sum(
        int(r["Number of Offences"])
        for r in source
        if r["Force Name"] == "Essex"
        and r["Financial Year"] == "2017/18"
        and r["Financial Quarter"] == "1"
    )
    assert totals[date(2017, 4, 1)] == q1
    assert len(totals) == 88 and totals.index[0] == date(2002, 4, 1)


#: Essex anti-social behaviour from data.police.uk, month by month.
ESSEX_ASB = {
    "id": "asb",
    "name": "ASB",
    "frequency": "month",
    "source": {
        "kind": "police_uk",
        "crime_types": ["Anti-social behaviour"],
        "falls_within": "Essex Police",
    },
}


def test_police_uk_monthly_counts_and_asb(real_store: Path, shared_data: Path) -> None:
    plan = make_plan(
        ESSEX_ASB,
        {
            "id": "crime",
            "name": "Crime",
            "frequency": "month",
            "source": {"kind": "police_uk", "falls_within": "Essex Police"},
        },
    )
    rows = rows_of(shared_data / "police-uk-street" / "essex" / "2018-01-essex-street.csv")
    asb = sum(r["Crime type"] == "Anti-social behaviour" for r in rows)
    asb_frame = measure_frame(real_store, plan, "asb")
    crime_frame = measure_frame(real_store, plan, "crime")
    assert asb_frame.loc[asb_frame["period_start"] == date(2018, 1, 1), "value"].tolist() == [asb]
    january = crime_frame[crime_frame["period_start"] == date(2018, 1, 1)]
    assert january["value"].sum() == len(rows) - asb and "Anti-social behaviour" not in set(
        crime_frame["category"]
    )
    assert len(asb_frame) == 12 and set(asb_frame["frequency"]) == {"month"}


def test_status_reports_the_essex_gap(real_store: Path) -> None:
    plan = make_plan(ESSEX_ASB)
    status = store_status(real_store, plan, Quarter(2018, 4))
    assert ("police_uk", "Essex Police", "2018-08") in status.gaps and (
        "police_uk",
        "Essex Police",
        "2018-09",
    ) in status.gaps
    (m,) = status.measures
    assert (m.latest, m.gaps, m.lag) == ("2019-02", ("2018-08", "2018-09"), 1)
    assert (
        "asb: no data for 2018-08, 2018-09 (gaps are shown as gaps, not filled)" in status.warnings
    )
    assert "asb: latest data is 2019-02, 1 month behind 2018/19 Q4 (usual lag 0)" in status.warnings
    wy = next(c for c in status.coverage if c.name == "West Yorkshire Police")
    assert (wy.first, wy.last, wy.periods, len(wy.gaps)) == ("2016-07", "2018-07", 3, 22)


def test_plan_selecting_absent_data_is_a_warning_not_an_error(real_store: Path) -> None:
    plan = make_plan(
        {"id": "ghost", "name": "G", "source": {"kind": "prc", "offence_codes": ["999Z"]}},
        {
            "id": "cycling",
            "name": "C",
            "frequency": "month",
            "source": {"kind": "police_uk", "crime_types": ["Cycling offences"]},
        },
        {"id": "survey", "name": "S", "source": {"kind": "series", "series": "victim_confidence"}},
    )
    status = store_status(real_store, plan, Quarter(2023, 1))
    for text in (
        "ghost: the plan selects offence code '999Z', which no loaded file contains",
        "cycling: the plan selects crime type 'Cycling offences', which no loaded file contains",
        "survey: the plan selects series 'victim_confidence', which no loaded file contains",
    ):
        assert text in status.warnings
    assert measure_frame(real_store, plan, "ghost").empty


def test_reference_tables(real_store: Path) -> None:
    weights = weights_frame(real_store)
    assert len(weights) == 134
    row = weights[weights["offence_code"] == "56A"].iloc[0]
    assert (row["policeuk_category"], round(row["weight"], 4)) == (
        "Criminal Damage and Arson",
        826.1901,
    )
    codes = offence_codes_frame(real_store)
    assert len(codes) == 132 and "1/4.1/4.10/4.2" in set(codes["offence_code"])


def test_loads_are_recorded_with_provenance(real_store: Path) -> None:
    loads = loads_frame(real_store)
    assert loads["source_kind"].value_counts().to_dict() == {
        "police_uk": 15,
        "prc": 2,
        "offence_codes": 1,
        "weights": 1,
    }
    assert loads["sha256"].str.len().eq(64).all() and loads["sha256"].is_unique
    essex = loads[loads["file_name"].str.contains("essex")]
    assert (
        sorted(essex["periods_covered"])[:2] == ["2018-01", "2018-02"]
        and essex["rows"].between(13752, 18713).all()
    )


def test_police_uk_counts_by_local_area_match_the_file(real_store: Path, shared_data: Path) -> None:
    """Every row of a real month is counted once, under the district its LSOA name gives."""
    rows = rows_of(shared_data / "police-uk-street" / "essex" / "2018-01-essex-street.csv")
    expected = Counter(
        (r["LSOA name"].rsplit(" ", 1)[0] if r["LSOA name"] else "", r["Crime type"]) for r in rows
    )
    with reading(real_store) as con:
        held = con.execute(
            """SELECT area, crime_type, sum(count) FROM police_uk_counts
               WHERE month = DATE '2018-01-01' AND falls_within = 'Essex Police' GROUP BY ALL"""
        ).fetchall()
        cells = con.execute("SELECT count(*), sum(count) FROM police_uk_counts").fetchone()
    assert {(area, kind): n for area, kind, n in held} == dict(expected)
    assert ("Colchester", "Burglary") in expected and ("", "Public order") in expected
    assert cells is not None and cells[1] == 286_646 and cells[0] < cells[1] / 15
