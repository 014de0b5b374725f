"""A share by group at two snapshots: the workforce table of a quarterly update.

In: a frame by group (the measure frame columns; ``category`` the group, e.g. a staff
group — :func:`planwatch.store.records.records_frame` with ``by=`` on a ``share:``
measure), the two periods to set side by side, and the measure's benchmark (optional:
the economically active ethnic-minority population, say).
Out: a frozen :class:`SnapshotTable`: one :class:`ShareRow` per group — the percentage
at each period (numerator ÷ denominator × 100) and the difference in percentage points —
a row for all groups pooled (numerators and denominators summed, never the mean of the
groups' percentages), and the benchmark with the latest pooled figure's gap to it in
percentage points. A group with no records at a period has no figure there, and no
difference. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from planwatch.measures.windows import PERCENT
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Benchmark

#: The pooled row's name.
ALL_GROUPS = "All"


@dataclass(frozen=True)
class ShareRow:
    group: str
    first: float | None  # percent at the first period
    second: float | None  # percent at the second period
    difference_pp: float | None  # second - first, in percentage points
    counts: tuple[
        tuple[float, float] | None, tuple[float, float] | None
    ]  # (numerator, denominator)


@dataclass(frozen=True)
class SnapshotTable:
    measure_id: str
    first: Month | Quarter
    second: Month | Quarter
    rows: tuple[ShareRow, ...]  # groups by name, then the pooled row
    benchmark: Benchmark | None = None
    benchmark_gap_pp: float | None = None  # the pooled second figure less the benchmark


def _as_date(value: Any) -> date:
    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, stamp.day)


def _row(
    group: str, first: tuple[float, float] | None, second: tuple[float, float] | None
) -> ShareRow:
    def pct(pair: tuple[float, float] | None) -> float | None:
        return pair[0] / pair[1] * PERCENT if pair is not None and pair[1] > 0 else None

    a, b = pct(first), pct(second)
    return ShareRow(
        group, a, b, b - a if a is not None and b is not None else None, (first, second)
    )


def snapshot_table(
    frame: pd.DataFrame,
    measure_id: str,
    first: Month | Quarter,
    second: Month | Quarter,
    *,
    benchmark: Benchmark | None = None,
) -> SnapshotTable:
    """The table (module docstring) of ``frame`` at ``first`` and ``second``."""
    starts = {first.start: 0, second.start: 1}
    counts: dict[str, list[tuple[float, float] | None]] = {}
    for start, group, num, den in zip(
        frame["period_start"], frame["category"], frame["numerator"], frame["denominator"],
        strict=True,
    ):  # fmt: skip
        at = starts.get(_as_date(start))
        if at is None or pd.isna(num) or pd.isna(den) or den <= 0:
            continue
        cells = counts.setdefault(str(group), [None, None])
        cells[at] = (float(num), float(den))
    rows = [_row(g, *counts[g]) for g in sorted(counts)]
    pooled = [_pool([c[i] for c in counts.values()]) for i in (0, 1)]
    total = _row(ALL_GROUPS, *pooled)
    gap = (
        total.second - benchmark.value
        if benchmark is not None and total.second is not None
        else None
    )
    return SnapshotTable(measure_id, first, second, (*rows, total), benchmark, gap)


def _pool(pairs: list[tuple[float, float] | None]) -> tuple[float, float] | None:
    """Numerators and denominators summed over the groups with a figure."""
    known = [p for p in pairs if p is not None]
    if not known:
        return None
    return sum(n for n, _ in known), sum(d for _, d in known)
