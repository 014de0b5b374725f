"""measure_frame rules on small stores made in tmp_path (no shared data needed)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from store_plans import make_plan

from planwatch.periods import Quarter
from planwatch.services.ingest import ingest
from planwatch.store.selectors import measure_frame
from planwatch.store.status import store_status

PRC_HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]
GROUP_HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Group",
    "Number of Offences",
    "Population",
]


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_prc_levels_are_never_added_together(tmp_path: Path) -> None:
    project = tmp_path / "p"
    offence_rows = [
        ["2017/18", q, "Essex", d, g, s, c, n]
        for q in (1, 2)
        for d, g, s, c, n in (
            ("Robbery of business property", "Robbery", "Robbery", "34A", 10),
            ("Other miscellaneous", "Miscellaneous crimes", "Miscellaneous crimes", "99", 5),
        )
    ]
    group_rows = [
        ["2017/18", 1, "Essex", "Robbery", 12, 1800000],
        ["2017/18", 1, "Essex", "Miscellaneous crimes against society", 6, 1800000],
    ]
    ingest(project, "prc", [write(tmp_path / "pfa.csv", PRC_HEADER, offence_rows)])
    ingest(project, "prc", [write(tmp_path / "groups.csv", GROUP_HEADER, group_rows)])
    plan = make_plan(
        {"id": "all", "name": "All", "source": {"kind": "prc"}},
        {
            "id": "misc",
            "name": "Misc",
            "source": {"kind": "prc", "offence_groups": ["Miscellaneous crimes"]},
        },
        {
            "id": "robbery_sub",
            "name": "R",
            "source": {"kind": "prc", "offence_subgroups": ["Robbery"]},
        },
    )
    totals = measure_frame(project, plan, "all").groupby("period_start")["value"].sum().to_dict()
    assert totals == {
        date(2017, 4, 1): 18.0,
        date(2017, 7, 1): 15.0,
    }  # Q1 from the group table, Q2 from offences
    misc = measure_frame(project, plan, "misc")
    assert misc[["period_start", "category", "value"]].values.tolist() == [
        [date(2017, 4, 1), "Miscellaneous crimes against society", 6.0],
        [date(2017, 7, 1), "Miscellaneous crimes against society", 5.0],
    ]
    sub = measure_frame(project, plan, "robbery_sub")
    assert sub[["category", "value"]].values.tolist() == [["Robbery", 10.0], ["Robbery", 10.0]]


def test_series_by_area_and_month(tmp_path: Path) -> None:
    project = tmp_path / "p"
    rows = [
        ["calls_answered", m, a, v, n, d]
        for m, a, v, n, d in (
            ("2023-04", "North", 91.0, 910, 1000),
            ("2023-05", "North", 90.0, 900, 1000),
            ("2023-04", "South", 80.0, 400, 500),
        )
    ]
    ingest(
        project,
        "measures",
        [
            write(
                tmp_path / "m.csv",
                ["measure", "period", "area", "value", "numerator", "denominator"],
                rows,
            )
        ],
    )
    plan = make_plan(
        {
            "id": "calls",
            "name": "Calls",
            "frequency": "month",
            "unit": "percent",
            "source": {"kind": "series", "series": "calls_answered", "area": "North"},
        }
    )
    frame = measure_frame(project, plan, "calls")
    assert frame[
        ["period_start", "frequency", "area", "value", "numerator", "denominator", "status"]
    ].values.tolist() == [
        [date(2023, 4, 1), "month", "North", 91.0, 910.0, 1000.0, "ok"],
        [date(2023, 5, 1), "month", "North", 90.0, 900.0, 1000.0, "ok"],
    ]


def test_lag_within_the_usual_delay_is_not_a_warning(tmp_path: Path) -> None:
    project = tmp_path / "p"
    rows = [["survey", f"2022/23 Q{q}", 70 + q] for q in (1, 2, 3, 4)]
    ingest(project, "measures", [write(tmp_path / "m.csv", ["measure", "period", "value"], rows)])
    plan = make_plan(
        {
            "id": "s",
            "name": "S",
            "source": {"kind": "series", "series": "survey"},
            "data_lag": {"periods": 1},
        }
    )
    on_time = store_status(project, plan, Quarter(2023, 1))
    assert on_time.measures[0].lag == 1 and on_time.warnings == ()
    late = store_status(project, plan, Quarter(2023, 2))
    assert late.warnings == (
        "s: latest data is 2022/23 Q4, 2 quarters behind 2023/24 Q2 (usual lag 1)",
    )
