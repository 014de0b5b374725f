"""The key point as data.

In: nothing — this is the shape :mod:`planwatch.narrative` produces.
Out: frozen :class:`KeyPoint` objects, ranked, each carrying the numbers and the
method behind its sentence, so that a reader (or a test) can check the text
against its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from planwatch.analysis.results import Direction

KeyPointKind = Literal[
    "trend",
    "no_trend",
    "sub_trend",  # a trend over a sub-period the plan names (trend_windows)
    "sub_change",  # a sub-period too short for a trend: its change, no trend claimed
    "change_previous",
    "change_last_year",
    "changes",  # a measure's changes from one period, told in one sentence
    "run",
    "trend_and_run",  # a trend and a run against it, told in one sentence
    "trend_and_change",  # a trend no test showed and the year's change against it
    "extreme",
    "rolling12",
    "baseline",
    "named_quarter",  # the latest quarter against an earlier one the plan names
    "calendar_years",  # a calendar year's monthly average against an earlier year's
    "year_to_date",  # the financial year so far against the same months a year before
    "windows",
    "spc",
    "proportion",
    "proportion_gap",
    "group_comparison",
    "peer_comparison",
    "benchmark_gap",
    "variance",
    "interrupted",
    "data_lag",
    "suspect_value",
    "gap",
    "share",  # a part's share of its whole, and of the whole's change (part_of)
    "pattern",  # one measure's pattern against another's (pattern_like)
    "seasonal",  # a monthly measure's last 12 months' pattern against the year before's
    "quarter_season",  # a quarterly measure's usual highest or lowest quarter of the year
    "override",
]
GoodOrBad = Literal["good", "bad", "neutral"]
#: Where an analyst placed a point: pinned first in its priority's box, promoted into the
#: box (a data-quality note too), or demoted out of it into the analyst's notes.
Placement = Literal["pinned", "promoted", "demoted"]


@dataclass(frozen=True)
class KeyPoint:
    measure: str
    kind: KeyPointKind
    period: str
    direction: Direction | None
    good_or_bad: GoodOrBad
    significant: bool | None
    method: str | None
    magnitude: float | None
    evidence: dict[str, Any]
    text: str
    importance: float = 0.0
    priority: int | None = None
    overridden: bool = False
    override_stale: bool = False  # the numbers under an override changed since it was written
    key: str = field(default="")  # stable id for overrides: "<measure>:<kind>[:<detail>]"
    placement: Placement | None = None  # set by an analyst's pin, promote or demote
