"""measure_frames: every measure of a plan read in one query, split back by measure.

Each measure's frame from the batch must equal the frame read for it alone (so the
branches' parameters — named for PRC, police.uk and tidy series, positional for records —
are bound to the right branch), whatever the order of the measures; a measure whose query
fails keeps its own error and does not stop the others."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_frames import PRC_HEADER, write

from planwatch.errors import PlanError
from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.plan.outline import outline_of
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.measure_sql import plain_periods
from planwatch.store.selectors import (
    NO_PERIODS,
    measure_frame,
    measure_frames,
    measure_periods,
    measure_rows,
    measures_periods,
)
from planwatch.store.status import store_status

PLAN = """\
metadata: {title: t, organisation: o, area: Essex, plan_period: 2024-2028}
record_sources:
  - name: crimes
    noun: crimes
    id: [crime_ref]
    date: recorded_date
    area: district
    columns:
      crime_ref: text
      recorded_date: date
      flagged: flag
      district: text
measures:
  - {id: all, name: All, source: {kind: prc}}
  - {id: robbery, name: Robbery, source: {kind: prc, offence_subgroups: [Robbery]}}
  - {id: calls, name: Calls, frequency: month, source: {kind: series, series: calls}}
  - {id: beats, name: Beats, frequency: month, source: {kind: series, series: beats}}
  - {id: absent, name: Absent, source: {kind: series, series: absent}}
  - id: flagged
    name: Flagged
    frequency: month
    source: {kind: records, records: crimes, where: {column: flagged, is_true: true}}
  - id: north
    name: North
    frequency: month
    source: {kind: records, records: crimes, area: North,
             where: {column: flagged, is_true: false}}
priorities:
  - {number: 1, title: P, objective: O,
     measures: [all, robbery, calls, beats, absent, flagged, north]}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "p"
    offences = [
        ["2017/18", q, "Essex", d, g, s, c, n]
        for q in (1, 2, 4)
        for d, g, s, c, n in (
            ("Robbery of business property", "Robbery", "Robbery", "34A", 10 + q),
            ("Other miscellaneous", "Miscellaneous crimes", "Miscellaneous crimes", "99", 5),
        )
    ]
    ingest(project, "prc", [write(tmp_path / "pfa.csv", PRC_HEADER, offences)])
    series = [["calls", "", m, 90.0 + i] for i, m in enumerate(("2023-04", "2023-05", "2023-07"))]
    series += [["beats", "Colchester", "2023-04", 3.0]]  # district rows only: an error
    ingest(
        project,
        "measures",
        [write(tmp_path / "m.csv", ["measure", "area", "period", "value"], series)],
    )
    crimes = [
        [f"C{i}", f"2023-0{month}-1{i % 9}", flag, district]
        for i, (month, flag, district) in enumerate(
            [(4, "Y", "North"), (4, "N", "North"), (5, "N", "South"), (5, "Y", "North"),
             (6, "N", "North"), (6, "N", "South")]
        )
    ]  # fmt: skip
    path = write(
        tmp_path / "crimes.csv", ["crime_ref", "recorded_date", "flagged", "district"], crimes
    )
    ingest(project, "records", [path], record_source="crimes", plan=parse_plan(PLAN))
    return project


def test_every_frame_of_the_batch_is_the_frame_read_alone(project: Path) -> None:
    plan = parse_plan(PLAN)
    good = [m for m in plan.measures if m.id != "beats"]
    for order in (plan.measures, tuple(reversed(plan.measures))):
        frames = measure_frames(project, plan, order)
        for m in good:
            pd.testing.assert_frame_equal(frames.frame(m.id), measure_frame(project, plan, m))
    frames = measure_frames(project, plan)  # all the plan's measures
    assert list(frames.frame("robbery")["value"]) == [11.0, 12.0, 14.0]
    assert list(frames.frame("calls")["value"]) == [90.0, 91.0, 92.0]
    assert list(frames.frame("flagged")["value"]) == [1.0, 1.0, 0.0]
    assert list(frames.frame("north")["value"]) == [1.0, 0.0, 1.0]
    assert frames.frame("absent").empty
    assert list(frames.frame("absent").columns) == list(frames.frame("calls").columns)


def _plain(values: list[object]) -> list[object]:
    """A frame column's values as the plain rows give them (NaN is a NULL: None)."""
    return [None if isinstance(v, float) and v != v else v for v in values]


def test_the_plain_rows_are_the_frames_columns(project: Path) -> None:
    # the analysis reads plain columns (no pandas): the same values in the same order
    plan = parse_plan(PLAN)
    rows = measure_rows(project, plan)
    frames = measure_frames(project, plan)
    for m in plan.measures:
        if m.id == "beats":
            continue
        columns, frame = rows.columns(m.id), frames.frame(m.id)
        assert list(columns) == list(frame.columns)
        for name, values in columns.items():
            assert values == _plain(frame[name].tolist()), (m.id, name)
    assert rows.columns("calls")["value"] == [90.0, 91.0, 92.0]
    assert rows.columns("calls")["numerator"] == [None, None, None]
    assert rows.columns("absent")["period_start"] == []
    with pytest.raises(PlanError, match="rows only for areas Colchester"):
        rows.columns("beats")
    changed = rows.columns("calls")
    changed["value"].append(1.0)  # a caller's change is its own
    assert rows.columns("calls")["value"] == [90.0, 91.0, 92.0]


def test_a_failing_measure_keeps_its_own_error(project: Path) -> None:
    plan = parse_plan(PLAN)
    frames = measure_frames(project, plan)
    with pytest.raises(PlanError, match="rows only for areas Colchester"):
        frames.frame("beats")
    with pytest.raises(PlanError, match="rows only for areas Colchester"):
        measure_frame(project, plan, "beats")
    assert not frames.frame("calls").empty  # read in the same query all the same


def test_periods_of_the_batch_match_each_frame(project: Path) -> None:
    plan = parse_plan(PLAN)
    held = measures_periods(project, plan)
    assert isinstance(held["beats"], PlanError)
    assert held["absent"] == NO_PERIODS
    for m in plan.measures:
        if m.id == "beats":
            continue
        frame = measure_frame(project, plan, m)
        one = measure_periods(project, plan, m)
        assert held[m.id] == one
        assert one.starts == tuple(sorted(set(frame["period_start"])))


def test_periods_from_the_plans_outline_are_the_selectors_periods(project: Path) -> None:
    """``planwatch status`` builds its query from the plan's outline (no models): for every
    measure that is not record-based, the same periods and the same errors."""
    plan = parse_plan(PLAN)
    plain = tuple(m for m in plan.measures if m.source.kind != "records")
    outline = outline_of(plan)
    assert not outline.plain  # the records measures are left to the models
    outlined = tuple(m for m in outline.measures if m.source.kind != "records")
    expected = measures_periods(project, plan, plain)
    with reading(project) as con:
        for measures in (outlined, tuple(reversed(outlined)), plain):
            held = plain_periods(con, outline.area, measures)
            assert set(held) == set(expected)
            for measure_id, periods in held.items():
                if isinstance(periods, PlanError):
                    assert str(periods) == str(expected[measure_id])
                else:
                    assert periods == expected[measure_id]
    assert isinstance(expected["beats"], PlanError)  # an error is compared too
    assert expected["robbery"].starts  # and periods


def test_status_of_a_plan_with_records_matches_its_outline_without(project: Path) -> None:
    """A plan with record-based measures has its status read through the selectors, one
    without through its outline: the measures both have get the same status and notes."""
    text = PLAN.replace(
        "  - {id: beats, name: Beats, frequency: month, source: {kind: series, series: beats}}\n",
        "",
    ).replace("calls, beats, absent", "calls, absent")
    whole = parse_plan(text)
    assert not outline_of(whole).plain
    plain_text = text.split("  - id: flagged")[0] + text[text.index("priorities:") :]
    plain = parse_plan(plain_text.replace(", flagged, north]", "]"))
    assert outline_of(plain).plain
    with_records = store_status(project, whole, Quarter(2023, 3))
    outlined = store_status(project, outline_of(plain), Quarter(2023, 3))
    assert store_status(project, plain, Quarter(2023, 3)) == outlined
    by_id = {m.measure_id: m for m in with_records.measures}
    assert [by_id[m.measure_id] for m in outlined.measures] == list(outlined.measures)
    assert {"flagged", "north"} <= set(by_id) and by_id["flagged"].latest == "2023-06"
    assert set(outlined.warnings) <= set(with_records.warnings)
    assert any(w.startswith("calls: no data for 2023-06") for w in outlined.warnings)
