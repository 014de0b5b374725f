"""Statements about two measures the plan links: a part and its whole (``part_of``) and
one measure's pattern against another's (``pattern_like``).

In: the measure, its :class:`~planwatch.measures.series.MeasureSeries` and latest period
analysed, and the linked measure with its series (:class:`Related`).
Out: the facts and sentences as plain values (:class:`Share`, :class:`Pattern`); the key
points are made in :mod:`planwatch.narrative.keypoints`.

**Share** (methodology, "Part and whole"): the part's share of the whole in the latest
period and in the comparison period (the same period a year before, else the one before),
as counts of both; and, when the whole moved and the part moved the same way by no more,
the share of the whole's change that the part accounts for, ``(p1 - p0) / (w1 - w0)``,
with the simple fraction it is close to ("about a third", within
:data:`FRACTION_TOLERANCE`). Counts only, and only when the part is never more than the
whole in the two periods.

**Pattern** (methodology, "Pattern against another measure"): the Pearson correlation of
the two series' period-to-period changes in logs (relative changes) over the periods both
have data for, up to the latest; shared seasonality and shared turns both count as a
shared pattern, a shared long-term level does not (the changes, not the levels, are
correlated, so two rising series are not "alike" for rising alone). Worded by Cohen's
(1988) conventional sizes of a correlation: from :data:`LARGE_CORRELATION` "broadly
matches", from :data:`MEDIUM_CORRELATION` "partly matches", below it "does not closely
follow"; as negative, "moves against". No test of significance is claimed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from planwatch.measures.series import MeasureSeries
from planwatch.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Month, Quarter
from planwatch.plan.models import Measure

#: Units whose values add up, so that a part has a share of its whole.
SHARE_UNITS: frozenset[str] = frozenset({"count"})
#: Simple fractions a share of a change is told as, when within :data:`FRACTION_TOLERANCE`.
FRACTIONS: tuple[tuple[float, str], ...] = (
    (1 / 4, "a quarter"),
    (1 / 3, "a third"),
    (1 / 2, "half"),
    (2 / 3, "two thirds"),
    (3 / 4, "three quarters"),
)
#: How close (as a share, 0.03 = 3 percentage points) a share must be to a fraction to be
#: called "about" it. planwatch's own threshold: the fraction then rounds the share shown
#: to one decimal by no more than a reader would round it in speech.
FRACTION_TOLERANCE = 0.03
#: Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed., §3.2:
#: a correlation of 0.5 is "large" and 0.3 "medium".
LARGE_CORRELATION = 0.5
MEDIUM_CORRELATION = 0.3
#: Fewest changes the pattern is compared over: two years of quarters. planwatch's own
#: floor (a correlation of fewer points moves too much from one quarter to the next).
MIN_PATTERN_CHANGES = 8
#: Decimals of a correlation as told.
CORRELATION_DECIMALS = 2


@dataclass(frozen=True)
class Related:
    """A measure the plan links to another, with its series."""

    measure: Measure
    series: MeasureSeries


@dataclass(frozen=True)
class Share:
    label: str
    part: float
    whole: float
    comparison_label: str
    comparison_part: float
    comparison_whole: float
    #: The share of the whole's change the part accounts for (0 to 1), when it does.
    of_change: float | None

    @property
    def share(self) -> float:
        return self.part / self.whole * 100

    @property
    def comparison_share(self) -> float:
        return self.comparison_part / self.comparison_whole * 100


@dataclass(frozen=True)
class Pattern:
    first_label: str
    last_label: str
    changes: int
    correlation: float


def _usable(series: MeasureSeries, latest_label: str) -> dict[str, float]:
    if latest_label not in series.labels:
        return {}
    last = series.labels.index(latest_label)
    return {p.label: v for i, p, v in series.usable() if i <= last}


def _comparison(latest: Month | Quarter, values: dict[str, float]) -> str | None:
    """The same period a year before, else the period before, when it has data."""
    per_year = (
        MONTHS_PER_YEAR if isinstance(latest, Month) else MONTHS_PER_YEAR // MONTHS_PER_QUARTER
    )
    for back in (per_year, 1):
        label = latest.shift(-back).label
        if label in values:
            return label
    return None


def share_of_whole(
    part: MeasureSeries, measure: Measure, latest_label: str, whole: Related
) -> Share | None:
    """The part's share of the whole, now and a year (or a period) before; ``None`` when it
    cannot be told (rules in the module docstring)."""
    if measure.unit not in SHARE_UNITS or whole.measure.unit not in SHARE_UNITS:
        return None
    mine, theirs = _usable(part, latest_label), _usable(whole.series, latest_label)
    if latest_label not in mine or latest_label not in theirs:
        return None
    latest = part.periods[part.labels.index(latest_label)]
    before = _comparison(latest, mine)
    if before is None or before not in theirs:
        return None
    p1, p0, w1, w0 = mine[latest_label], mine[before], theirs[latest_label], theirs[before]
    if min(p1, p0) < 0 or w1 <= 0 or w0 <= 0 or p1 > w1 or p0 > w0:
        return None
    of_change = None
    if w1 != w0 and p1 != p0 and (p1 - p0) * (w1 - w0) > 0 and abs(p1 - p0) <= abs(w1 - w0):
        of_change = (p1 - p0) / (w1 - w0)
    return Share(latest_label, p1, w1, before, p0, w0, of_change)


def fraction_word(share: float) -> str | None:
    """``a third`` for 0.34; ``None`` when no simple fraction is within the tolerance."""
    for value, word in FRACTIONS:
        if abs(share - value) <= FRACTION_TOLERANCE:
            return word
    return None


@dataclass(frozen=True)
class AreaSeries:
    """The same measure for another area — the national or the peer group's series — to
    compare the pattern of the plan's own with (the key-point builder's ``areas``)."""

    area: str  # as a sentence names it: "England and Wales", "the most similar forces"
    series: MeasureSeries


def pattern_against(
    series: MeasureSeries, latest_label: str, other: MeasureSeries
) -> Pattern | None:
    """The correlation of the two series' relative changes (module docstring), or ``None``
    with fewer than :data:`MIN_PATTERN_CHANGES` changes or a value of 0 or less."""
    mine, theirs = _usable(series, latest_label), _usable(other, latest_label)
    labels = [p.label for p in series.periods if p.label in mine and p.label in theirs]
    if any(mine[k] <= 0 or theirs[k] <= 0 for k in labels):
        return None
    index = {p.label: i for i, p in enumerate(series.periods)}
    pairs = [(a, b) for a, b in pairwise(labels) if index[b] - index[a] == 1]
    if len(pairs) < MIN_PATTERN_CHANGES:
        return None
    x = np.array([math.log(mine[b] / mine[a]) for a, b in pairs])
    y = np.array([math.log(theirs[b] / theirs[a]) for a, b in pairs])
    if float(np.std(x)) == 0.0 or float(np.std(y)) == 0.0:
        return None
    r = float(np.corrcoef(x, y)[0, 1])
    return Pattern(pairs[0][0], pairs[-1][1], len(pairs), r)


def likeness(r: float) -> str:
    """How a correlation of changes is worded (Cohen's sizes)."""
    if r >= LARGE_CORRELATION:
        return "broadly matches"
    if r >= MEDIUM_CORRELATION:
        return "partly matches"
    if r <= -MEDIUM_CORRELATION:
        return "moves against"
    return "does not closely follow"


#: Changes a monthly measure's seasonal pattern is compared over: the last year's months.
SEASON_CHANGES = MONTHS_PER_YEAR


@dataclass(frozen=True)
class Seasonal:
    """The last 12 month-to-month changes against the same months' changes a year before."""

    last_label: str
    correlation: float


def seasonal_against_last_year(series: MeasureSeries, latest_label: str) -> Seasonal | None:
    """The Pearson correlation of a monthly series' month-to-month changes in logs over the
    12 months to ``latest_label`` with the changes in the same months a year before
    (methodology as for a pattern against another measure, the other being the series a
    year earlier); ``None`` for a quarterly series, without 25 consecutive months with
    values above 0 to the latest, or when either year's changes do not vary."""
    if series.frequency != "month" or latest_label not in series.labels:
        return None
    values = _usable(series, latest_label)
    last = series.labels.index(latest_label)
    span = series.labels[last - 2 * SEASON_CHANGES : last + 1] if last >= 2 * SEASON_CHANGES else []
    if not span or any(values.get(k, 0.0) <= 0 for k in span):
        return None
    logs = [math.log(values[k]) for k in span]
    changes = [b - a for a, b in pairwise(logs)]
    x, y = np.array(changes[SEASON_CHANGES:]), np.array(changes[:SEASON_CHANGES])
    if float(np.std(x)) == 0.0 or float(np.std(y)) == 0.0:
        return None
    return Seasonal(latest_label, float(np.corrcoef(x, y)[0, 1]))


def seasonal_words(r: float) -> str:
    """How the seasonal comparison is worded (Cohen's sizes, as :func:`likeness`)."""
    if r >= LARGE_CORRELATION:
        return "followed much the same seasonal pattern as the year before"
    if r >= MEDIUM_CORRELATION:
        return "partly followed the seasonal pattern of the year before"
    if r <= -MEDIUM_CORRELATION:
        return "moved against the seasonal pattern of the year before"
    return "did not closely follow the seasonal pattern of the year before"


#: Financial years in a row a quarter must be the highest (or lowest) of its year, after
#: allowing for the trend, to be told as the usual one: with no seasonal pattern (the four
#: quarters' ratios exchangeable) some quarter is highest in each of four years with
#: probability 4 x (1/4)^4 = 1/64, about 1.6% (and the same for lowest). planwatch's own
#: threshold, from that chance (docs/keypoints.md, "Quarterly seasonal pattern").
MIN_SEASON_YEARS = 4
#: Weights of the centred four-quarter moving average (a 2x4 MA: classical decomposition,
#: Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., §3.4).
CENTRED_MA_WEIGHTS = (0.125, 0.25, 0.25, 0.25, 0.125)


@dataclass(frozen=True)
class QuarterSeason:
    """The quarter of the financial year that was the highest (or lowest) in each of the
    last ``years`` financial years, against a centred moving average."""

    kind: str  # "highest" or "lowest"
    quarter: int  # 1..4, the quarter of the financial year
    years: int
    first_year: str  # labels of the financial years, e.g. "2018/19"
    last_year: str


def season_ratios(series: MeasureSeries, latest_label: str) -> dict[Quarter, float]:
    """Each quarter's value against its centred four-quarter moving average (the
    ratio-to-moving-average of classical decomposition), where the five quarters around it
    all have data above 0, up to ``latest_label``."""
    # keyed by the quarter's index (one quarter, one index) rather than its label: the
    # quarters around each one are then found without building them
    labels = series.labels
    if latest_label not in labels:
        return {}
    last = labels.index(latest_label)
    values = {p.index: v for i, p, v in series.usable() if i <= last and isinstance(p, Quarter)}
    out: dict[Quarter, float] = {}
    for p in series.periods:
        if not isinstance(p, Quarter) or (at := p.index) not in values:
            continue
        around = [values.get(at + k) for k in range(-2, 3)]
        if any(v is None or v <= 0 for v in around):
            continue
        ma = sum(w * (v or 0.0) for w, v in zip(CENTRED_MA_WEIGHTS, around, strict=True))
        out[p] = values[at] / ma
    return out


def quarter_seasons(series: MeasureSeries, latest_label: str) -> tuple[QuarterSeason, ...]:
    """The usual highest and lowest quarter of a quarterly series (:class:`QuarterSeason`):
    counted back from the latest financial year whose four quarters all have a ratio
    (:func:`season_ratios`), the years in a row in which the same quarter had the highest
    (lowest) ratio, strictly; told from :data:`MIN_SEASON_YEARS`."""
    if series.frequency != "quarter":
        return ()
    ratios = season_ratios(series, latest_label)
    by_year: dict[int, dict[int, float]] = {}
    for p, r in ratios.items():
        by_year.setdefault(p.fy_start, {})[p.q] = r
    whole = sorted((y for y, qs in by_year.items() if len(qs) == QUARTERS_IN_YEAR), reverse=True)
    out: list[QuarterSeason] = []
    for kind in ("highest", "lowest"):
        run: list[int] = []
        usual: int | None = None
        for year in whole:
            if run and year != run[-1] - 1:
                break
            qs = by_year[year]
            best = (max if kind == "highest" else min)(qs.values())
            top = [q for q, r in qs.items() if r == best]
            if len(top) != 1 or (usual is not None and top[0] != usual):
                break
            usual = top[0]
            run.append(year)
        if usual is not None and len(run) >= MIN_SEASON_YEARS:
            label = Quarter(run[0], usual).financial_year.label
            first = Quarter(run[-1], usual).financial_year.label
            out.append(QuarterSeason(kind, usual, len(run), first, label))
    return tuple(out)


#: Quarters in a financial year.
QUARTERS_IN_YEAR = MONTHS_PER_YEAR // MONTHS_PER_QUARTER
