"""Tidy measures CSV: one value per measure (series), period and optional area.

In: a CSV (or XLSX/ODS) with columns ``measure, period, value`` and optional
``area, numerator, denominator, note``. Periods may be months (``2023-06``,
``Jun-23``) or financial-year quarters (``2023/24 Q1``).
Out: a :class:`~planwatch.ingest.staged.StagedBatch` with a TEMP table for
``observations``: canonical period label, kind and start date, and ``status``
``ok`` or ``suspect`` (see :mod:`planwatch.ingest.suspect`).

Refused: a numerator greater than its denominator. When the project has a plan: a value
outside 0 to 100 in a series a percent measure reads is held out as suspect, with a
warning; a series no plan measure reads is warned about, with the nearest one it does.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from planwatch.errors import IngestError, Location, PeriodError, Problem
from planwatch.ingest.checks import (
    blank_problems,
    duplicate_problems,
    map_distinct,
    number_problems,
    ratio_problems,
    unread_series_warnings,
)
from planwatch.ingest.source import Column, NewFile, StagedTable, file_reader
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile, span_label
from planwatch.ingest.suspect import SUSPECT_RATIO, suspect_positions
from planwatch.periods import Month, Quarter, parse_period

#: The range of a percentage, for series a percent measure reads.
PERCENT_RANGE = (0.0, 100.0)

COLUMNS = (
    Column("measure", "series", aliases=("series",)),
    Column("period", "period"),
    Column("value", "value"),
    Column("area", "area", required=False),
    Column("numerator", "numerator", required=False),
    Column("denominator", "denominator", required=False),
    Column("note", "note", required=False),
)


def _month_or_quarter(label: str | None) -> Month | Quarter:
    period = parse_period(label or "")
    if not isinstance(period, Month | Quarter):
        raise PeriodError(
            f"'{label}' is a {period.kind.replace('_', ' ')}",
            expected="a month ('2023-06') or a quarter ('2023/24 Q1')",
        )
    return period


def _checked(con: duckdb.DuckDBPyConnection, new: NewFile, ctx: IngestContext) -> StagedBatch:
    """Check and stage one measures file."""
    raw, display = new.raw, new.display
    problems = number_problems(con, raw, "value", "value", display, whole=False, negative_ok=True)
    for key in ("numerator", "denominator"):
        if key in raw.present:
            problems += number_problems(con, raw, key, key, display, whole=False, required=False)
    problems += blank_problems(con, raw, "series", "measure", display, "a series name")
    plan = ctx.plan_series
    if not problems:  # values are numbers: compare them
        problems += ratio_problems(con, raw, display)
    periods: dict[tuple[str | None, ...], Month | Quarter]
    periods, bad = map_distinct(con, raw, ("period",), _month_or_quarter, display, "period")
    if problems or bad:
        raise IngestError(problems=problems + bad)
    unread = [] if plan is None else unread_series_warnings(con, raw, plan, display)
    frame = _frame(con, raw, periods, new.index)
    _flag_suspects(frame, ctx)
    warnings = [
        Problem(
            f"{row.series} {row.period_label} = {row.value:g} is about {row.ratio:.0f} times off the rest of its series "
            f"(flagged at {SUSPECT_RATIO:g}x): held out as suspect until confirmed with "
            f"'planwatch confirm --series {row.series} --period \"{row.period_label}\"'",
            Location(file=display, row=int(str(row.source_row)), field="value"),
        )
        for row in frame[frame["status"] == "suspect"].itertuples()
    ]
    percent = {name for name, unit in (plan or {}).items() if unit == "percent"}
    warnings += _hold_out_impossible_percentages(frame, percent, display) + unread
    table = f"obs_ready_{new.index}"
    con.register("obs_df", frame.drop(columns=["ratio"]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM obs_df")
    con.unregister("obs_df")
    dupes = duplicate_problems(
        con, table, ("series", "area", "period_label"), display, "measure, area and period"
    )
    if dupes:
        raise IngestError(problems=dupes)
    first = min(periods.values(), key=lambda p: p.start)
    last = max(periods.values(), key=lambda p: p.start)
    batch = StagedBatch("measures", tables={"observations": table})
    batch.files.append(
        StagedFile(
            display, new.sha, raw.rows, first.start, last.start, span_label(first, last), warnings
        )
    )
    return batch


#: Read, check and stage one measures file (file number ``index`` of this ingest).
stage_measures = file_reader("measures", COLUMNS, _checked)


def _frame(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    periods: dict[tuple[str | None, ...], Month | Quarter],
    index: int,
) -> pd.DataFrame:
    def opt(key: str, kind: str = "DOUBLE") -> str:
        return (
            f"TRY_CAST(replace({key}, ',', '') AS {kind})"
            if key in raw.present
            else f"NULL::{kind}"
        )

    frame = con.execute(
        f"""SELECT 0 AS _file, {raw.row_sql()} AS source_row, series, period,
                   TRY_CAST(replace(value, ',', '') AS DOUBLE) AS value, {opt("numerator")} AS numerator,
                   {opt("denominator")} AS denominator, {"coalesce(area, '')" if "area" in raw.present else "''"} AS area,
                   {"note" if "note" in raw.present else "NULL::VARCHAR"} AS note
            FROM {raw.table} ORDER BY rowid"""
    ).df()
    parsed = frame["period"].map(lambda p: periods[(p,)])
    frame["period_kind"] = parsed.map(lambda p: p.kind)
    frame["period_label"] = parsed.map(lambda p: p.label)
    frame["period_start"] = parsed.map(lambda p: p.start)
    frame["status"] = "ok"
    frame["ratio"] = float("nan")
    return frame.drop(columns=["period"])


def _hold_out_impossible_percentages(
    frame: pd.DataFrame, percent: set[str], display: str
) -> list[Problem]:
    """Values below 0 or above 100 in a series a percent measure reads: held out as suspect
    (one warning each) unless already held out as far off the rest of their series."""
    low, high = PERCENT_RANGE
    impossible = (
        frame["series"].str.lower().isin(percent)
        & ~frame["value"].between(low, high)
        & (frame["status"] == "ok")
    )
    frame.loc[impossible, "status"] = "suspect"
    return [
        Problem(
            f"{row.series} {row.period_label} = {row.value:g} is not a percentage: held out as "
            f"suspect until corrected with 'planwatch confirm --series {row.series} --period "
            f'"{row.period_label}" --value VALUE\'',
            Location(file=display, row=int(str(row.source_row)), field="value"),
            expected=f"a percentage from {low:g} to {high:g}",
        )
        for row in frame[impossible].itertuples()
    ]


def _flag_suspects(frame: pd.DataFrame, ctx: IngestContext) -> None:
    stored = pd.DataFrame() if ctx.observations is None else ctx.observations
    for (series, area), part in frame.groupby(["series", "area"], sort=False):
        if stored.empty:
            previous = pd.DataFrame(columns=["period_start", "value", "status"])
        else:
            mask = (stored["series"].str.lower() == str(series).lower()) & (
                stored["area"].str.lower() == str(area).lower()
            )
            previous = stored[mask & ~stored["period_start"].isin(part["period_start"])]
        values = part["value"].tolist()
        for pos in suspect_positions(values, previous["value"].tolist()):
            idx = part.index[pos]
            if _already_confirmed(stored, str(series), str(area), part.loc[idx]):
                frame.loc[idx, "status"] = "confirmed"
                continue
            others = [abs(v) for v in (*previous["value"], *values) if v is not None]
            frame.loc[idx, "status"] = "suspect"
            level = sorted(others)[len(others) // 2] or 1.0
            frame.loc[idx, "ratio"] = max(
                abs(part.loc[idx, "value"]) / level, level / max(abs(part.loc[idx, "value"]), 1e-12)
            )


def _already_confirmed(stored: pd.DataFrame, series: str, area: str, row: pd.Series) -> bool:
    if stored.empty:
        return False
    same = stored[
        (stored["series"].str.lower() == series.lower())
        & (stored["area"].str.lower() == area.lower())
        & (stored["period_start"] == row["period_start"])
        & (stored["status"] == "confirmed")
    ]
    return bool((same["value"] == row["value"]).any())
