"""The measure frame: the one table shape that passes from the store to the measures.

In: nothing. Out: the column names of the frame that
:func:`planwatch.store.selectors.measure_frame` returns and
:func:`planwatch.measures.build.build_series` reads — one row per period, area and
category (offence code, crime type or series name).
"""

from __future__ import annotations

MEASURE_FRAME_COLUMNS: tuple[str, ...] = (
    "period_start",  # date: first day of the month or quarter
    "frequency",  # "month" | "quarter"
    "area",
    "category",
    "value",
    "numerator",
    "denominator",
    "status",  # "ok" | "suspect" | "confirmed" | "rejected"
)
