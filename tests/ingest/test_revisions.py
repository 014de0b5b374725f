"""A newer release replaces what it revises and records each change; suspect values wait for an analyst."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ingest_files import PRC_HEADER, PRC_ROWS, STREET_HEADER, street_rows, write_csv

from planwatch.errors import NotFoundError
from planwatch.plan.models import Plan
from planwatch.services.ingest import confirm, ingest
from planwatch.store.connection import reading
from planwatch.store.selectors import measure_frame, revisions_frame
from planwatch.store.status import store_status

MEASURE_HEADER = ["measure", "period", "value"]
RATES = [
    ["victim_satisfaction", f"2022/23 Q{q}", v]
    for q, v in ((1, "4.1"), (2, "4.3"), (3, "4.4"), (4, "4.2"))
]


def plan_for(series: str) -> Plan:
    return Plan.model_validate(
        {
            "metadata": {
                "title": "t",
                "organisation": "o",
                "area": "Essex",
                "plan_period": "2024-2028",
            },
            "measures": [
                {
                    "id": "m",
                    "name": "M",
                    "unit": "percent",
                    "source": {"kind": "series", "series": series},
                }
            ],
            "priorities": [{"number": 1, "title": "P", "objective": "O", "measures": ["m"]}],
        }
    )


def test_newer_prc_release_replaces_and_records_revisions(tmp_path: Path, prc_csv: Path) -> None:
    project = tmp_path / "p"
    first = ingest(project, "prc", [prc_csv]).loads[0]
    revised = [list(r) for r in PRC_ROWS]
    revised[0][7] = 104  # Essex 2017/18 Q1 34A: 100 -> 104
    newer = write_csv(tmp_path / "prc-v2.csv", PRC_HEADER, revised[:4])  # Q1 only
    second = ingest(project, "prc", [newer]).loads[0]
    assert second.replaced_load_id == first.load_id and second.revisions == 1
    revs = revisions_frame(project)
    assert revs[
        ["load_id", "replaced_load_id", "table_name", "key", "old_value", "new_value"]
    ].to_dict("records") == [
        {
            "load_id": second.load_id,
            "replaced_load_id": first.load_id,
            "table_name": "prc_offences",
            "key": "Essex | 2017/18 Q1 | 34A",
            "old_value": 100.0,
            "new_value": 104.0,
        }
    ]
    with reading(project) as con:
        counts = con.execute(
            "SELECT quarter, load_id, count(*), sum(count) FROM prc_offences GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert counts == [
        (1, second.load_id, 4, 104 + 300 + 50 + 150),
        (2, first.load_id, 4, 100 + 300 + 50 + 150),
    ]


def test_newer_police_uk_month_replaces_that_month(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (tmp_path / "v1").mkdir()
    jan = write_csv(
        tmp_path / "v1" / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 12)
    )
    ingest(project, "police_uk", [jan])
    (tmp_path / "v2").mkdir()
    jan2 = write_csv(
        tmp_path / "v2" / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 16)
    )
    load = ingest(project, "police_uk", [jan2]).loads[0]
    assert load.replaced_load_id == 1
    with reading(project) as con:
        assert con.execute("SELECT sum(count) FROM police_uk_counts").fetchone() == (16,)
    changes = {r.key: (r.old_value, r.new_value) for r in revisions_frame(project).itertuples()}
    assert changes == {
        "Essex Police | 2018-01 | Anti-social behaviour": (3.0, 4.0),
        "Essex Police | 2018-01 | Burglary": (6.0, 8.0),
        "Essex Police | 2018-01 | Violence and sexual offences": (3.0, 4.0),
    }


def test_hundredfold_value_is_suspect_until_confirmed(tmp_path: Path) -> None:
    project = tmp_path / "p"
    rows = [*RATES, ["victim_satisfaction", "2023/24 Q1", "428"]]
    result = ingest(project, "measures", [write_csv(tmp_path / "m.csv", MEASURE_HEADER, rows)])
    (warning,) = result.warnings
    assert (
        "victim_satisfaction 2023/24 Q1 = 428" in warning
        and "row 6" in warning
        and str(tmp_path / "m.csv") in warning
    )
    plan = plan_for("victim_satisfaction")
    frame = measure_frame(project, plan, "m")
    assert frame["status"].tolist() == ["ok", "ok", "ok", "ok", "suspect"]
    status = store_status(project, plan)
    assert status.measures[0].suspect == 1
    assert any(
        w.startswith("suspect value held out of analysis: victim_satisfaction 2023/24 Q1 = 428")
        for w in status.warnings
    )
    assert confirm(project, "victim_satisfaction", "2023/24-Q1") == 1
    assert measure_frame(project, plan, "m")["status"].tolist()[-1] == "confirmed"
    assert not any("suspect" in w for w in store_status(project, plan).warnings)


def test_suspect_value_rejected_or_corrected(tmp_path: Path) -> None:
    project = tmp_path / "p"
    rows = [
        *RATES,
        ["victim_satisfaction", "2023/24 Q1", "428"],
        ["victim_satisfaction", "2023/24 Q2", "0.043"],
    ]
    ingest(project, "measures", [write_csv(tmp_path / "m.csv", MEASURE_HEADER, rows)])
    plan = plan_for("victim_satisfaction")
    assert measure_frame(project, plan, "m")["status"].tolist()[-2:] == ["suspect", "suspect"]
    confirm(project, "victim_satisfaction", "2023/24 Q1", action="correct", value=4.28)
    confirm(project, "victim_satisfaction", "2023/24 Q2", action="reject")
    frame = measure_frame(project, plan, "m")
    assert frame["value"].tolist() == [4.1, 4.3, 4.4, 4.2, 4.28]
    assert frame["status"].tolist()[-1] == "confirmed"
    revs = revisions_frame(project)
    assert revs[["key", "old_value", "new_value"]].to_dict("records") == [
        {"key": "victim_satisfaction | 2023/24 Q1", "old_value": 428.0, "new_value": 4.28}
    ]


def test_ordinary_movement_is_not_suspect(tmp_path: Path) -> None:
    rows = [
        *RATES,
        ["victim_satisfaction", "2023/24 Q1", "8.9"],
    ]  # doubled: real change, not a slip
    result = ingest(
        tmp_path / "p", "measures", [write_csv(tmp_path / "m.csv", MEASURE_HEADER, rows)]
    )
    assert result.warnings == ()


def test_new_values_compared_with_stored_series(tmp_path: Path) -> None:
    project = tmp_path / "p"
    ingest(project, "measures", [write_csv(tmp_path / "m1.csv", MEASURE_HEADER, RATES)])
    later = ingest(
        project,
        "measures",
        [
            write_csv(
                tmp_path / "m2.csv", MEASURE_HEADER, [["victim_satisfaction", "2023/24 Q1", "430"]]
            )
        ],
    )
    assert len(later.warnings) == 1


def test_confirm_unknown_series_suggests(tmp_path: Path) -> None:
    project = tmp_path / "p"
    ingest(project, "measures", [write_csv(tmp_path / "m.csv", MEASURE_HEADER, RATES)])
    with pytest.raises(NotFoundError) as caught:
        confirm(project, "victim_satisfation", "2022/23 Q1")
    assert caught.value.problems[0].suggestion == "victim_satisfaction"
    assert date(2022, 4, 1).strftime("%d %B %Y") in caught.value.render()


def test_a_failure_while_writing_rolls_everything_back(
    tmp_path: Path, prc_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the write fails after every row is inserted, before COMMIT."""
    import planwatch.services.ingest as service
    import planwatch.store.services as store_services

    real = store_services._write_batch

    def fail_after_writing(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_services, "_write_batch", fail_after_writing)
    with pytest.raises(RuntimeError):
        service.ingest(tmp_path / "new", "prc", [prc_csv])
    assert not (tmp_path / "new" / "planwatch.duckdb").exists()  # no empty store left behind

    monkeypatch.setattr(store_services, "_write_batch", real)
    project = tmp_path / "p"
    ingest(project, "measures", [write_csv(tmp_path / "m.csv", MEASURE_HEADER, RATES)])
    monkeypatch.setattr(store_services, "_write_batch", fail_after_writing)
    with pytest.raises(RuntimeError):
        service.ingest(project, "prc", [prc_csv])
    with reading(project) as con:
        assert con.execute("SELECT count(*) FROM loads").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM prc_offences").fetchone() == (0,)
