"""Key points: the findings of one measure's analysis, as ranked sentences with evidence.

In: a :class:`~planwatch.analysis.results.MeasureAnalysis`, the plan's
:class:`~planwatch.plan.models.Measure` (name, unit, polarity, data lag) and,
optionally, its :class:`~planwatch.measures.series.MeasureSeries` (to quote suspect values).
Out: frozen :class:`~planwatch.narrative.model.KeyPoint` objects — each with the
numbers it rests on (``evidence``), the method, whether a test showed significance,
whether the movement is good or bad for the public (from the measure's polarity), an
importance score and a stable ``key`` for analysts' overrides — and :func:`rank`,
which keeps the few that matter most (:data:`MAX_KEY_POINTS_PER_PRIORITY`).

A finding is called significant only when its result says so **and** its p-value is
below :data:`~planwatch.analysis.constants.ALPHA` (docs/methodology.md, "Significance"): the narrative does
not take a flag on trust when the number under it disagrees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from planwatch.analysis.constants import ALPHA
from planwatch.analysis.results import (
    ChangeResult,
    Direction,
    MeasureAnalysis,
    TrendResult,
    TwoProportionResult,
    to_jsonable,
)
from planwatch.errors import PeriodError
from planwatch.formatting import sentence_start
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import (
    MonthSpan,
    Window,
    like_for_like,
    months_compared,
    months_covered,
    uneven_quarters,
    year_to_date,
)
from planwatch.narrative import templates as t
from planwatch.narrative.model import GoodOrBad, KeyPoint, KeyPointKind, Placement
from planwatch.narrative.relations import (
    AreaSeries,
    Related,
    pattern_against,
    quarter_seasons,
    seasonal_against_last_year,
    share_of_whole,
)
from planwatch.narrative.subtrends import short_windows, sub_trends
from planwatch.periods import (
    MONTHS_PER_QUARTER,
    MONTHS_PER_YEAR,
    CalendarYear,
    Month,
    Quarter,
    parse_period,
)
from planwatch.plan.models import Event, Measure, RecordsSource

#: At most this many key points per priority: a handful a reader takes in at a glance
#: (the reference update shows three to five per priority).
MAX_KEY_POINTS_PER_PRIORITY = 5

#: At most this many of a priority's key points come from any one measure, so that a
#: priority with several measures speaks about more than one of them.
MAX_KEY_POINTS_PER_MEASURE = 2

#: When a priority's other measures leave places empty, one measure may fill them up to
#: this many points: a finding group in one or two sentences and a third for context,
#: not five near-identical ones (issue 12).
FILL_PER_MEASURE = 3

#: Starting importance by kind (0..1), ranked by what a reader needs first: how the
#: measure moved (a trend, a record, a run, a step after an event, a year on year
#: improvement) and, through :data:`SIGNIFICANT_BONUS`, whether a test showed it; then
#: comparisons; levels last. The notes on the data (a withheld value, a gap, data that
#: stop short of the quarter) go to the analyst's notes, not the box
#: (:data:`DATA_QUALITY_KINDS`); their order there follows the same scores.
BASE_IMPORTANCE: dict[KeyPointKind, float] = {
    "suspect_value": 0.75,
    "gap": 0.6,
    "data_lag": 0.55,
    "trend": 0.7,
    "trend_and_run": 0.7,  # at least the more important of the two it joins
    "trend_and_change": 0.5,  # at least the more important of the two it joins
    "spc": 0.65,
    "extreme": 0.6,
    "interrupted": 0.5,  # a step at a recording-rule change is context, not a finding
    "rolling12": 0.6,
    "windows": 0.65,  # lower (higher) than every earlier year: a record, like an extreme
    "sub_trend": 0.55,
    "sub_change": 0.45,  # a short sub-period's change, no trend claimed: like a change
    "share": 0.55,  # how much of the whole's movement a part accounts for: an explanation
    "seasonal": 0.3,  # context for the month's changes, like the pattern against another
    "quarter_season": 0.3,  # the usual highest or lowest quarter: context, like the above
    "pattern": 0.35,  # how one measure moves beside another: context
    "run": 0.45,
    "variance": 0.55,
    "peer_comparison": 0.55,
    "change_last_year": 0.5,
    "benchmark_gap": 0.5,
    "proportion_gap": 0.5,
    "group_comparison": 0.5,
    "change_previous": 0.4,
    "changes": 0.5,  # at least the most important of the changes it joins
    "baseline": 0.4,
    "named_quarter": 0.45,  # a comparison far back in time: context for the recent moves
    "calendar_years": 0.4,  # a level over a year, like the baseline
    "year_to_date": 0.45,  # the year so far against the same months a year before
    "proportion": 0.35,
    "no_trend": 0.3,
    "override": 0.8,
}
#: Notes on the data rather than findings: they go to the analyst's notes, not the
#: Commissioner's key points, unless an analyst promotes one.
DATA_QUALITY_KINDS: frozenset[KeyPointKind] = frozenset({"suspect_value", "gap", "data_lag"})
#: The order placements sort in: pinned points first, then promoted, then the rest.
PLACEMENT_ORDER: dict[Placement | None, int] = {"pinned": 0, "promoted": 1, None: 2, "demoted": 3}
#: Added to a run's importance for each move beyond two, up to :data:`RUN_BONUS_CAP`: two
#: moves in a row happen by chance one time in two, a long run much more rarely.
RUN_BONUS_PER_MOVE = 0.05
RUN_BONUS_CAP = 0.2
#: Added to a single quarter's move that turns a run of two or more the other way
#: ("increased in 2023/24 Q1, after two consecutive decreases"): a turn is what a reader
#: looks for first (the reference update leads with such turns); a month's turn is not.
TURN_BONUS = 0.15
#: Comparisons many years apart, whose size is no measure of news (a change over seven
#: years is large as a matter of course): they earn no size bonus.
FAR_KINDS: frozenset[KeyPointKind] = frozenset({"named_quarter", "calendar_years"})
#: Added when a test showed the finding is statistically significant.
SIGNIFICANT_BONUS = 0.3
#: A change of this many percent (or percentage points) earns the full size bonus.
MAGNITUDE_FULL_BONUS_AT = 50.0
#: The most the size of a change adds to importance.
MAGNITUDE_BONUS_CAP = 0.2

CHANGE_KINDS: dict[str, KeyPointKind] = {
    "previous_period": "change_previous",
    "same_period_last_year": "change_last_year",
    "rolling12_previous": "rolling12",
    "baseline": "baseline",
}


def shows_significance(flag: bool | None, p_value: float | None) -> bool:
    """True only when the result is flagged significant and its p-value is below ALPHA."""
    return flag is True and p_value is not None and p_value < ALPHA


def direction_of(current: float, comparison: float) -> Direction:
    if current > comparison:
        return "up"
    if current < comparison:
        return "down"
    return "flat"


def good_or_bad(direction: Direction | None, polarity: str) -> GoodOrBad:
    if direction in (None, "flat") or polarity == "neutral":
        return "neutral"
    good = (direction == "up") == (polarity == "up_is_good")
    return "good" if good else "bad"


def importance(kind: KeyPointKind, significant: bool | None, magnitude: float | None) -> float:
    score = BASE_IMPORTANCE[kind] + (SIGNIFICANT_BONUS if significant else 0.0)
    if magnitude is not None and kind not in FAR_KINDS:
        score += min(abs(magnitude) / MAGNITUDE_FULL_BONUS_AT, 1.0) * MAGNITUDE_BONUS_CAP
    return round(score, 6)


class _Builder:
    """Collects the key points of one measure."""

    def __init__(
        self,
        analysis: MeasureAnalysis,
        measure: Measure,
        series: MeasureSeries | None,
        events: Sequence[Event] = (),
        related: Sequence[Related] = (),
        areas: Sequence[AreaSeries] = (),
    ) -> None:
        self.a = analysis
        self.related = tuple(related)
        self.areas = tuple(areas)
        self.m = measure
        self.series = series
        self.events = tuple(e for e in events if e.affects(measure.id))
        self.s = _subject(measure)
        self.points: list[KeyPoint] = []

    def add(
        self,
        kind: KeyPointKind,
        text: str | None,
        *,
        period: str | None,
        direction: Direction | None = None,
        significant: bool | None = None,
        method: str | None = None,
        magnitude: float | None = None,
        evidence: dict[str, Any],
        detail: str | None = None,
        judged: bool = True,
    ) -> None:
        if text is None:
            return
        self.points.append(
            KeyPoint(
                measure=self.m.id,
                kind=kind,
                period=period or self.a.latest_label or "",
                direction=direction,
                good_or_bad=good_or_bad(direction, self.m.polarity) if judged else "neutral",
                significant=significant,
                method=method,
                magnitude=magnitude,
                evidence=to_jsonable(evidence),
                text=text,
                importance=importance(kind, significant, magnitude),
                key=f"{self.m.id}:{kind}" + (f":{detail}" if detail else ""),
            )
        )


def _trend_evidence(tr: TrendResult) -> dict[str, Any]:
    return {
        "first_label": tr.first_label,
        "last_label": tr.last_label,
        "n_periods": tr.n_periods,
        "pct_per_year": tr.pct_per_year,
        "ci_low": tr.ci_low,
        "ci_high": tr.ci_high,
        "p_value": tr.p_value,
        "strength": tr.strength,
        "low_counts": tr.low_counts,
        "agrees_with_robust_check": tr.agrees_with_robust_check,
        "inference": tr.inference,
        "residual_autocorrelation": tr.residual_autocorrelation,
        "effective_periods": tr.effective_periods,
    }


def _stepped(tr: TrendResult) -> bool:
    """One significant shift in level explains the series better than a steady trend."""
    step = tr.step
    return (
        step is not None
        and step.better_than_trend
        and shows_significance(step.significant, step.p_value)
    )


def _trend_verdict(tr: TrendResult) -> tuple[bool, Direction]:
    """Whether a trend is told as significant, and its direction (flat when it does not move)."""
    moving = tr.direction != "flat" and tr.pct_per_year is not None and tr.strength != "none"
    significant = shows_significance(tr.significant, tr.p_value) and moving
    return significant, ("up" if (tr.pct_per_year or 0) > 0 else "down") if moving else "flat"


def _trend(b: _Builder) -> None:
    tr: TrendResult | None = b.a.trend
    if tr is None or tr.method == "insufficient_data":
        return
    evidence = _trend_evidence(tr)
    step = tr.step
    if step is not None and _stepped(tr):
        # one shift in level explains the series better than a steady trend: say so
        b.add(
            "trend",
            t.step_text(b.s, tr),
            period=tr.last_label,
            direction="up" if step.pct > 0 else "down",
            significant=True,
            method="level_step",
            magnitude=step.pct,
            evidence={**evidence, "step": step},
            detail="step",
        )
        return
    significant, direction = _trend_verdict(tr)
    b.add(
        "trend" if significant else "no_trend",
        t.trend_text(b.s, tr, significant),
        period=tr.last_label,
        direction=direction,
        significant=significant,
        method=tr.method,
        magnitude=tr.pct_per_year,
        evidence=evidence,
        judged=significant,
    )


def _sub_trends(b: _Builder) -> None:
    """A trend over each sub-period the plan names (``trend_windows``; :mod:`subtrends`)."""
    if b.series is None or b.a.latest_label is None or not b.m.trend_windows:
        return
    for sub in sub_trends(b.series, b.m, b.a.latest_label, b.events, whole=b.a.trend):
        tr = sub.trend
        if _stepped(tr):
            continue  # a shift in level, not a steady trend, over the window
        significant, direction = _trend_verdict(tr)
        b.add(
            "sub_trend",
            t.sub_trend_text(b.s, tr, significant, sub.years),
            period=tr.last_label,
            direction=direction,
            significant=significant,
            method=tr.method,
            magnitude=tr.pct_per_year,
            evidence={
                **_trend_evidence(tr),
                "window": sub.window,
                "years": sub.years,
                "start_label": sub.start_label,
            },
            detail=sub.start_label,
            judged=significant,
        )


def _short_windows(b: _Builder) -> None:
    """A sub-period the plan names that is too short for a trend (:mod:`subtrends`): its
    change from the window's first period to the latest, with no trend claimed."""
    if b.series is None or b.a.latest_label is None or not b.m.trend_windows:
        return
    for sub in short_windows(b.series, b.m, b.a.latest_label):
        c = _compared(b, (sub.last_label, sub.last_value), (sub.start_label, sub.first_value))
        if not _tellable(b, c) or not _alike(b, sub.last_label, sub.start_label):
            continue
        b.add(
            "sub_change",
            t.sub_change_text(b.s, c, sub.periods, sub.years),
            period=sub.last_label,
            direction=c.direction,
            magnitude=_magnitude(b, c),
            evidence={
                "window": sub.window,
                "years": sub.years,
                "start_label": sub.start_label,
                "last_label": sub.last_label,
                "periods": sub.periods,
                "first_value": sub.first_value,
                "last_value": sub.last_value,
                "pct_change": c.pct_change,
            },
            detail=sub.start_label,
        )


def _comparison_evidence(c: ChangeResult) -> dict[str, Any]:
    """The two periods and values of a comparison and its size, as a key point's evidence."""
    return {
        "current_label": c.current_label,
        "current_value": c.current_value,
        "comparison_label": c.comparison_label,
        "comparison_value": c.comparison_value,
        "pct_change": c.pct_change,
        "abs_change": c.abs_change,
    }


def _change(b: _Builder, c: ChangeResult) -> None:
    kind = CHANGE_KINDS[c.kind]
    significant = None if c.significant is None else shows_significance(c.significant, c.p_value)
    direction = (
        "flat" if c.direction == "flat" else direction_of(c.current_value, c.comparison_value)
    )
    magnitude = c.current_value - c.comparison_value if b.m.unit == "percent" else c.pct_change
    if t.low_count_base(b.s, c):
        magnitude = None  # a percentage from a tiny base says nothing (methodology §4.1)
    b.add(
        kind,
        t.change_text(b.s, c, significant),
        period=c.current_label,
        direction=direction,
        significant=significant,
        method=c.method,
        magnitude=magnitude,
        evidence={
            **_comparison_evidence(c),
            "p_value": c.p_value,
            "autocorrelation": c.autocorrelation,
            "variance_ratio": c.variance_ratio,
            "df": c.df,
            "n_history": c.n_history,
            "untested_reason": c.untested_reason,
        },
    )


def _changes(b: _Builder) -> None:
    # A change between two survey periods that a two-proportion test also compares is told
    # once, by the test, which carries the verdict (methodology §6).
    tested = {
        (p.first.label, p.second.label) for p in b.a.proportion_tests if p.compared_with is None
    }
    for c in b.a.changes:
        if (c.current_label, c.comparison_label) not in tested:
            _change(b, c)


#: The order a measure's changes from one period are told in when joined: the year's
#: change first (free of the season), then the quarter's, then the baseline.
JOIN_ORDER: tuple[KeyPointKind, ...] = (
    "change_last_year",
    "rolling12",
    "change_previous",
    "baseline",
    "proportion_gap",  # a survey's share against earlier surveys (two-proportion tests)
)


def _as_change(p: KeyPoint, results: dict[tuple[str, str], ChangeResult]) -> ChangeResult | None:
    """The comparison a change or survey point tells, as a change between two periods."""
    e = p.evidence
    if p.kind != "proportion_gap":
        return results.get((str(e["current_label"]), str(e["comparison_label"])))
    now, before = 100 * float(e["first_proportion"]), 100 * float(e["second_proportion"])
    return ChangeResult(
        "previous_period",
        str(e["first_label"]),
        now,
        str(e["second_label"]),
        before,
        now - before,
        (now - before) / before * 100 if before else None,
        direction_of(now, before),
        p.significant,
        e.get("p_value"),
        p.method,
    )


def _join_rank(point: KeyPoint, c: ChangeResult) -> int:
    """Where a comparison comes in a joined sentence (:data:`JOIN_ORDER`); a survey's is
    placed as the year's or the period's change it is."""
    if point.kind != "proportion_gap":
        return JOIN_ORDER.index(point.kind)
    try:
        now, before = parse_period(c.current_label), parse_period(c.comparison_label)
    except PeriodError:
        return JOIN_ORDER.index(point.kind)
    year = False
    if isinstance(now, Quarter) and isinstance(before, Quarter):
        year = now.index - before.index == MONTHS_PER_YEAR // MONTHS_PER_QUARTER
    elif isinstance(now, Month) and isinstance(before, Month):
        year = now.index - before.index == MONTHS_PER_YEAR
    return JOIN_ORDER.index("change_last_year" if year else "change_previous")


def _join_changes(b: _Builder) -> None:
    """A measure's changes from the same latest period (a survey's too) become one
    sentence, the tests' verdicts said once
    (:func:`~planwatch.narrative.templates.changes_text`); the year's change first."""
    results = {(c.current_label, c.comparison_label): c for c in b.a.changes}
    groups: dict[str, list[tuple[KeyPoint, ChangeResult]]] = {}
    for p in b.points:
        c = _as_change(p, results) if p.kind in JOIN_ORDER else None
        if c is not None:
            groups.setdefault(c.current_label, []).append((p, c))
    for label, members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: (_join_rank(*m), m[1].comparison_label))
        verdicts = [p.significant for p, _ in members if p.significant is not None]
        lead = members[0][0]
        joined = replace(
            lead,
            kind="changes",
            text=t.changes_text(
                b.s, [(c, p.significant) for p, c in members], current=b.a.data_lag_periods == 0
            ),
            direction=members[0][1].direction,
            significant=any(verdicts) if verdicts else None,
            evidence={
                "current_label": label,
                "current_value": members[0][1].current_value,
                "comparisons": [
                    {
                        "kind": p.kind,
                        "comparison_label": c.comparison_label,
                        "comparison_value": c.comparison_value,
                        "pct_change": c.pct_change,
                        "p_value": c.p_value,
                        "significant": p.significant,
                        "autocorrelation": c.autocorrelation,
                    }
                    for p, c in members
                ],
            },
            importance=max(max(p.importance for p, _ in members), BASE_IMPORTANCE["changes"]),
            key=f"{b.m.id}:changes" + (":rolling12" if label.startswith("12 months") else ""),
        )
        told = {id(p) for p, _ in members}
        b.points = [p for p in b.points if id(p) not in told] + [joined]


def _run_and_extremes(b: _Builder) -> None:
    a = b.a
    if a.latest_label is None or a.latest_value is None:
        return
    if a.run is not None:
        r = a.run
        b.add(
            "run",
            t.run_text(b.s, r, a.latest_label),
            period=a.latest_label,
            direction=r.direction,
            evidence={
                "latest_label": a.latest_label,
                "direction": r.direction,
                "length": r.length,
                "previous_direction": r.previous_direction,
                "previous_length": r.previous_length,
            },
        )
        if b.points and b.points[-1].kind == "run":
            bonus = min(RUN_BONUS_PER_MOVE * max(r.length - 2, 0), RUN_BONUS_CAP)
            if r.length == 1 and r.previous_length >= 2 and b.m.frequency == "quarter":
                bonus += TURN_BONUS  # a month's turn is too common to lead with
            b.points[-1] = replace(
                b.points[-1], importance=round(b.points[-1].importance + bonus, 6)
            )
    if a.extreme is not None:
        e = a.extreme
        # compared only with quarters covering as many months (analysis.shortterm.extreme)
        covered = b.s.covers(a.latest_label) if b.s.uneven else None
        b.add(
            "extreme",
            t.extreme_text(
                b.s,
                e,
                a.latest_label,
                a.latest_value,
                None if e.since_label is None else _value_at(b.series, e.since_label),
            ),
            period=a.latest_label,
            direction="up" if e.kind == "highest" else "down",
            evidence={
                "latest_label": a.latest_label,
                "latest_value": a.latest_value,
                "kind": e.kind,
                "on_record": e.on_record,
                "since_label": e.since_label,
                "n_periods_compared": e.n_periods_compared,
                **({} if covered is None else {"months_covered": covered}),
            },
        )
    if a.windows is not None:
        w = a.windows
        b.add(
            "windows",
            t.windows_text(b.s, w),
            period=w.current_label,
            direction="down" if w.lower_than_all else "up",
            evidence={
                "current_label": w.current_label,
                "current_value": w.current_value,
                "previous_values": w.previous_values,
            },
        )


def _spc(b: _Builder) -> None:
    spc = b.a.spc
    if spc is None or b.s.uneven:
        return  # limits from quarters of three months and of fewer set them against each other
    verdicts: dict[str, GoodOrBad] = {
        "special_cause_improving": "good",
        "special_cause_concerning": "bad",
    }
    verdict = verdicts.get(spc.variation, "neutral")
    text = t.spc_text(b.s, spc)
    b.add(
        "spc",
        text,
        period=None,
        method=spc.method,
        evidence={
            "variation": spc.variation,
            "rules": sorted({s.rule for s in spc.signals}),
            "mean": spc.mean,
            "upper_limit": spc.upper_limit,
            "lower_limit": spc.lower_limit,
            "autocorrelation": spc.autocorrelation,
            "verdict_adjusted": spc.verdict_adjusted,
            "standard_variation": spc.standard_variation,
            "adjusted_upper_limit": spc.adjusted_upper_limit,
            "adjusted_lower_limit": spc.adjusted_lower_limit,
        },
        judged=False,
    )
    if text is not None and verdict != "neutral":
        b.points[-1] = _with_verdict(b.points[-1], verdict)


def _with_verdict(point: KeyPoint, verdict: GoodOrBad) -> KeyPoint:
    return replace(point, good_or_bad=verdict)


def _proportions(b: _Builder) -> None:
    for p in b.a.proportions[
        -1:
    ]:  # the latest proportion: earlier ones are context for the tests below
        b.add(
            "proportion",
            t.proportion_text(b.s, p),
            period=p.label,
            method=p.method,
            evidence={
                "label": p.label,
                "successes": p.successes,
                "n": p.n,
                "proportion": p.proportion,
                "ci_low": p.ci_low,
                "ci_high": p.ci_high,
            },
            detail=p.label,
            judged=False,
        )
    for test in b.a.proportion_tests:
        if not _alike(b, test.first.label, test.second.label):
            continue  # quarters covering different numbers of months: not like for like
        significant = shows_significance(test.significant, test.p_value)
        if test.compared_with is not None:
            _group_comparison(b, test, significant)
            continue
        b.add(
            "proportion_gap",
            t.two_proportion_text(b.s, test, significant),
            period=test.first.label,
            direction=direction_of(test.first.proportion, test.second.proportion),
            significant=significant,
            method=test.method,
            magnitude=test.difference_pp,
            evidence={
                "first_label": test.first.label,
                "first_proportion": test.first.proportion,
                "second_label": test.second.label,
                "second_proportion": test.second.proportion,
                "difference_pp": test.difference_pp,
                "p_value": test.p_value,
            },
            detail=f"{test.first.label}|{test.second.label}",
        )
    g = b.a.benchmark_gap
    if g is not None:
        b.add(
            "benchmark_gap",
            t.benchmark_text(b.s, g),
            period=g.label,
            direction=direction_of(g.value_pct, g.benchmark_pct),
            magnitude=g.gap_pp,
            evidence={
                "label": g.label,
                "value_pct": g.value_pct,
                "benchmark_label": g.benchmark_label,
                "benchmark_pct": g.benchmark_pct,
                "gap_pp": g.gap_pp,
            },
        )


def _group_comparison(b: _Builder, test: TwoProportionResult, significant: bool) -> None:
    """This measure against another in the same period: a difference between groups, not
    a change, so it is not judged good or bad."""
    b.add(
        "group_comparison",
        t.group_comparison_text(b.s, test, significant),
        period=test.first.label,
        direction=direction_of(test.first.proportion, test.second.proportion),
        significant=significant,
        method=test.method,
        magnitude=test.difference_pp,
        evidence={
            "label": test.first.label,
            "first_proportion": test.first.proportion,
            "first_n": test.first.n,
            "compared_with": test.compared_with,
            "second_proportion": test.second.proportion,
            "second_n": test.second.n,
            "difference_pp": test.difference_pp,
            "z": test.z,
            "p_value": test.p_value,
        },
        detail=test.compared_with,
        judged=False,
    )


def _peer(b: _Builder) -> None:
    """The plan's area against the other forces (funnel plot, 99.8% limits)."""
    f = b.a.funnel
    if f is None or f.focus_area is None:
        return
    point = next((p for p in f.points if p.area == f.focus_area), None)
    if point is None:
        return
    side = t.peer_side(f, point)
    direction: Direction = "up" if side == "above" else "down" if side == "below" else "flat"
    b.add(
        "peer_comparison",
        t.peer_text(b.s, f, point),
        period=f.label,
        direction=direction,
        significant=point.outside_998,
        method=f.method,
        evidence={
            "label": f.label,
            "area": point.area,
            "count": point.count,
            "population": point.population,
            "rate_per_1000": point.rate_per_1000,
            "overall_rate_per_1000": f.overall_rate_per_1000,
            "z": point.z,
            "areas": len(f.points),
            "tau2": f.tau2,
        },
    )


def _variance_and_events(b: _Builder) -> None:
    for row in b.a.variance:
        known = [v for v in row.variance if v is not None]
        b.add(
            "variance",
            t.variance_text(b.s, row),
            period=row.label,
            direction=direction_of(sum(known), 0.0)
            if known and (all(v < 0 for v in known) or all(v > 0 for v in known))
            else None,
            magnitude=known[-1] if known else None,
            evidence={
                "label": row.label,
                "months": row.months,
                "current": row.current,
                "previous": row.previous,
                "variance": row.variance,
            },
            detail=row.label,
        )
    for i in b.a.interrupted:
        significant = shows_significance(i.significant, i.step_p)
        b.add(
            "interrupted",
            t.interrupted_text(b.s, i, significant),
            period=i.event_label,
            direction=None if i.step_pct is None else direction_of(i.step_pct, 0.0),
            significant=significant,
            method=i.method,
            magnitude=i.step_pct,
            evidence={
                "event_label": i.event_label,
                "event_date": i.event_date,
                "step_pct": i.step_pct,
                "step_p": i.step_p,
            },
            detail=i.event_label,
            judged=significant,
        )


def _data_quality(b: _Builder) -> None:
    a = b.a
    if a.data_lag_periods > 0 and a.latest_label is not None:
        note = b.m.data_lag.note if b.m.data_lag is not None else None
        b.add(
            "data_lag",
            t.data_lag_text(b.s, a.latest_label, note),
            period=a.latest_label,
            evidence={"latest_label": a.latest_label, "data_lag_periods": a.data_lag_periods},
            judged=False,
        )
    for label in a.suspect_values:
        value = _value_at(b.series, label)
        b.add(
            "suspect_value",
            t.suspect_text(b.s, label, value),
            period=label,
            evidence={"label": label, "value": value},
            detail=label,
            judged=False,
        )
    if a.gaps:
        b.add(
            "gap",
            t.gap_text(b.s, a.gaps),
            period=a.gaps[-1],
            evidence={"labels": a.gaps},
            judged=False,
        )


def _value_at(series: MeasureSeries | None, label: str) -> float | None:
    if series is None or label not in series.labels:
        return None
    return series.values[series.labels.index(label)]


#: Movements an event may explain, with the comparison evidence that says how far back
#: the movement reaches (an event between the two periods compared, or during the latest).
MOVEMENT_KINDS: frozenset[KeyPointKind] = frozenset(
    {"changes", "change_previous", "change_last_year", "rolling12", "run", "extreme"}
)


def _reaches_back_to(point: KeyPoint) -> date | None:
    """The start of the earliest period a movement is measured from."""
    labels = [str(c["comparison_label"]) for c in point.evidence.get("comparisons", ())]
    if "comparison_label" in point.evidence:
        labels.append(str(point.evidence["comparison_label"]))
    labels.append(point.period)
    starts = []
    for label in labels:
        try:
            starts.append(parse_period(label).start)
        except PeriodError:
            continue
    return min(starts) if starts else None


def _explained(b: _Builder) -> None:
    """An event's note goes with the key point it explains, once per measure: the step
    found after it, or else the most important movement measured across it ("This
    coincides with ...")."""
    if not b.events:
        return
    by_label = {e.label: e for e in b.events}
    told: set[str] = set()
    for k, p in enumerate(b.points):
        if p.kind == "interrupted" and p.period in by_label:
            b.points[k] = replace(p, text=t.with_note(p.text, by_label[p.period].note))
            told.add(p.period)
    best: dict[int, list[Event]] = {}
    for e in b.events:
        if e.label in told:
            continue
        across = [k for k, p in enumerate(b.points) if p.kind in MOVEMENT_KINDS and _across(p, e)]
        if across:
            k = max(across, key=lambda i: (b.points[i].importance, b.points[i].key))
            best.setdefault(k, []).append(e)
    for k, events in best.items():
        p = b.points[k]
        spans = [(e.label, e.date, e.end, e.note) for e in events]
        evidence = {**p.evidence, "events": [e.label for e in events]}
        b.points[k] = replace(p, text=t.coincides_text(p.text, spans), evidence=evidence)


def _across(point: KeyPoint, event: Event) -> bool:
    """True when the movement is measured across the event (or during it)."""
    start = _reaches_back_to(point)
    try:
        end = parse_period(point.period).end
    except PeriodError:
        return False
    return start is not None and event.during(start, end)


#: A calendar year's monthly average is told once the year has at least this many months
#: of data (a quarter), so that a month or two do not stand for a year. planwatch's own
#: threshold (no published rule is claimed).
MIN_MONTHS_OF_YEAR = MONTHS_PER_QUARTER
#: Units whose monthly values are averaged over a calendar year: flows that add up over
#: the year (offences, stories published, money spent). Not a level or an average already
#: (a headcount, hours per person, a percentage, a rate): "averaged" would mean nothing new.
AVERAGED_UNITS: frozenset[str] = frozenset({"count", "currency"})
#: Quarters in a year: a plan's named quarter is told only when it is further back than
#: the same quarter a year ago (nearer ones are the year's and the quarter's changes).
QUARTERS_PER_YEAR = MONTHS_PER_YEAR // MONTHS_PER_QUARTER


def _values_to_latest(b: _Builder) -> dict[Month | Quarter, float]:
    """The series' values with data up to the latest period analysed (held-out ones left out)."""
    s, latest = b.series, b.a.latest_label
    if s is None or latest is None or latest not in s.labels:
        return {}
    last = s.labels.index(latest)
    return {p: v for i, p, v in s.usable() if i <= last}


def _compared(b: _Builder, now: tuple[str, float], before: tuple[str, float]) -> ChangeResult:
    """Two values as a comparison with no test (a change far back, or two years' averages)."""
    (label, value), (old_label, old) = now, before
    pct_change = (value - old) / old * 100 if old else None
    return ChangeResult(
        "baseline", label, value, old_label, old, value - old, pct_change, direction_of(value, old)
    )


#: Units whose difference from an earlier value of 0 can still be told: counts (as "12
#: more"), headcounts and percentages (in points). Others have no percentage from 0.
FROM_ZERO_UNITS: frozenset[str] = frozenset({"count", "number", "percent"})


def _tellable(b: _Builder, c: ChangeResult) -> bool:
    return c.comparison_value != 0 or b.m.unit in FROM_ZERO_UNITS


def _magnitude(b: _Builder, c: ChangeResult) -> float | None:
    if t.low_count_base(b.s, c):
        return None  # a percentage from a tiny base says nothing (methodology §4.1)
    return c.current_value - c.comparison_value if b.m.unit == "percent" else c.pct_change


def _named_periods(b: _Builder) -> None:
    """The latest quarter against the earlier quarter the plan names (``compare_period``);
    a monthly measure's calendar year so far, as a monthly average, against the year the
    plan names or else the year before."""
    values = _values_to_latest(b)
    if not values or b.a.latest_label is None:
        return
    latest = parse_period(b.a.latest_label)
    named = b.m.comparison_period
    if isinstance(latest, Quarter) and isinstance(named, Quarter):
        if latest.index - named.index <= QUARTERS_PER_YEAR or named not in values:
            return
        if not _alike(b, latest.label, named.label):
            return  # the plan's quarter covers another number of months: not like for like
        c = _compared(b, (latest.label, values[latest]), (named.label, values[named]))
        if not _tellable(b, c):
            return
        b.add(
            "named_quarter",
            t.named_quarter_text(b.s, c),
            period=latest.label,
            direction=c.direction,
            magnitude=_magnitude(b, c),
            evidence=_comparison_evidence(c),
            detail=named.label,
        )
    if isinstance(latest, Month) and b.m.unit in AVERAGED_UNITS:
        year = CalendarYear(latest.year)
        earlier = named if isinstance(named, CalendarYear) else year.shift(-1)
        first = Month(year.year, 1)
        # a month the series never has (the plan's part_year) is left out of both years
        without = b.s.without
        so_far = [values.get(m) for m in months_compared(MonthSpan(first, latest), without)[0]]
        whole = [values.get(m) for m in months_compared(earlier, without)[0]]
        if earlier >= year or len(so_far) < MIN_MONTHS_OF_YEAR or not whole:
            return
        if any(v is None for v in (*so_far, *whole)):
            return  # a year with a gap has no average to tell
        now = sum(v for v in so_far if v is not None) / len(so_far)
        before = sum(v for v in whole if v is not None) / len(whole)
        c = _compared(b, (year.label, now), (earlier.label, before))
        if not _tellable(b, c):
            return
        b.add(
            "calendar_years",
            t.calendar_years_text(b.s, c, first, latest),
            period=latest.label,
            direction=c.direction,
            magnitude=_magnitude(b, c),
            evidence={
                "year": year.label,
                "first_month": first.label,
                "last_month": latest.label,
                "average": now,
                "comparison_year": earlier.label,
                "comparison_average": before,
                "pct_change": c.pct_change,
            },
            detail=earlier.label,
        )


#: Units whose financial year so far is a total (the window's values add up).
YEAR_TO_DATE_UNITS: frozenset[str] = frozenset({"count", "currency"})


def _year_to_date(b: _Builder) -> None:
    """The financial year so far against the same months a year before
    (:func:`~planwatch.measures.windows.year_to_date`), for a measure with short-term
    analysis whose values add up, once the year so far is more than its latest period
    (a first quarter alone is the year's change) and both spans are whole."""
    s, latest = b.series, b.a.latest_label
    if s is None or latest is None or "short_term" not in b.m.analyses:
        return
    if b.m.unit not in YEAR_TO_DATE_UNITS or b.m.aggregation not in ("sum", "harm_weighted"):
        return
    period = parse_period(latest)
    if not isinstance(period, Month | Quarter):
        return
    found = year_to_date(s, period)
    if found is None or not found.partial or not found.comparable:
        return
    if found.current is None or found.previous is None:
        return
    if len(found.span.months()) <= len(period.months()):
        return
    c = _compared(b, (latest, found.current.value), (latest, found.previous.value))
    if not _tellable(b, c):
        return
    previous_year = found.span.first.shift(-MONTHS_PER_YEAR).financial_year.label
    b.add(
        "year_to_date",
        t.year_to_date_text(b.s, c, found.span.label, previous_year, found.span),
        period=latest,
        direction=c.direction,
        magnitude=_magnitude(b, c),
        evidence={
            "span": found.span.label,
            "first_month": found.span.first.label,
            "last_month": found.span.last.label,
            "total": found.current.value,
            "previous_year": previous_year,
            "previous_total": found.previous.value,
            "pct_change": c.pct_change,
        },
    )


#: How a trend's sentence starts (:func:`~planwatch.narrative.templates.trend_text`) when it
#: can lead a joined sentence ("Although there is a ...").
TREND_LEAD = "There is a "


def _join_trend_and_run(b: _Builder) -> None:
    """A significant trend and a run of two or more moves against it become one sentence,
    the trend's words unchanged: "Although there is a statistically significant slight
    upward trend in offences from ... (about 2.1% a year), offences decreased in each of
    the last two quarters, to 2023/24 Q1." The trend's caveats follow (a robust check that
    does not confirm the trend among them). A trend sentence
    of another shape (a step, a caveat inside it) or a run the plan's events explain is
    left as it is."""
    trend = next((p for p in b.points if p.kind == "trend" and p.method != "level_step"), None)
    run = next((p for p in b.points if p.kind == "run"), None)
    if trend is None or run is None or "events" in run.evidence:
        return
    against = {("up", "down"), ("down", "up")}
    if (trend.direction, run.direction) not in against or int(run.evidence["length"]) < 2:
        return
    head, sep, caveats = trend.text.partition(". ")
    head = head if sep else head.removesuffix(".")
    if head.endswith(f"; {t.NOT_CONFIRMED}"):  # the robust check's word becomes a caveat
        head = head.removesuffix(f"; {t.NOT_CONFIRMED}")
        unconfirmed = sentence_start(t.NOT_CONFIRMED.removesuffix(" it")) + " the trend."
        caveats = f"{unconfirmed} {caveats}" if caveats else unconfirmed
    start = sentence_start(b.s.inner)
    if not head.startswith(TREND_LEAD) or ";" in head or not run.text.startswith(start):
        return
    text = f"Although {head[:1].lower()}{head[1:]}, {b.s.inner}{run.text[len(start) :]}"
    joined = replace(
        trend,
        kind="trend_and_run",
        text=f"{text} {caveats}" if caveats else text,
        evidence={**trend.evidence, "run": run.evidence},
        importance=max(trend.importance, run.importance),
        key=f"{b.m.id}:trend_and_run",
    )
    b.points = [p for p in b.points if p is not trend and p is not run] + [joined]


#: Between a trend no test showed and the year's change told after it, in one sentence.
MEANWHILE = "; meanwhile, "


def _join_unshown_trend_and_change(b: _Builder) -> None:
    """A movement no test showed to be a trend and the year's change against it become one
    sentence, both told whole, with their sizes and verdicts (issue 12): "There is a very
    slight upward movement in offences from ... (about 1.2% a year), but it is not
    statistically significant; meanwhile, offences stood at 442 in 2023/24 Q1, 7.5% lower
    than in 2022/23 Q1 (478) ...". The trend's caveats follow. A change the plan's events
    explain, or a trend sentence of another shape, is left as it is."""
    trend = next((p for p in b.points if p.kind == "no_trend"), None)
    if (
        trend is None
        or trend.direction not in ("up", "down")
        or not trend.text.startswith(TREND_LEAD)
    ):
        return
    change = next(
        (
            p
            for p in b.points
            if "events" not in p.evidence
            and (
                p.kind == "change_last_year"
                or (
                    p.kind == "changes"
                    and p.evidence["comparisons"][0]["kind"] == "change_last_year"
                    and not str(p.evidence["current_label"]).startswith("12 months")
                )
            )
        ),
        None,
    )
    if change is None or {trend.direction, change.direction} != {"up", "down"}:
        return
    head, sep, caveats = trend.text.partition(". ")
    head = head if sep else head.removesuffix(".")
    start = sentence_start(b.s.inner)
    if not change.text.startswith(start):
        return
    told = f"{head}{MEANWHILE}{b.s.inner}{change.text[len(start) :]}"
    joined = replace(
        trend,
        kind="trend_and_change",
        text=f"{told} {caveats}" if caveats else told,
        evidence={
            **trend.evidence,
            "change": change.evidence,
            "change_kind": change.kind,
            "change_significant": change.significant,
        },
        importance=max(trend.importance, change.importance),
        key=f"{b.m.id}:trend_and_change",
    )
    b.points = [p for p in b.points if p is not trend and p is not change] + [joined]


def _related(b: _Builder, measure_id: str | None) -> Related | None:
    return next((r for r in b.related if r.measure.id == measure_id), None)


def _relations(b: _Builder) -> None:
    """The measure's share of the whole the plan names (``part_of``) and its pattern
    against the measure the plan names (``pattern_like``; :mod:`relations`)."""
    latest = b.a.latest_label
    if b.series is None or latest is None:
        return
    whole = _related(b, b.m.part_of)
    sh = None if whole is None else share_of_whole(b.series, b.m, latest, whole)
    if sh is not None and whole is not None:
        theirs = _without(whole.measure)
        labels = (sh.label, sh.comparison_label)
        # a share, and its change, only over periods the part and the whole cover alike
        if not (_alike(b, *labels) and _alike(b, *labels, without=theirs)) or any(
            b.s.covers(x) != _covers(x, theirs) for x in labels
        ):
            sh = None
    if whole is not None and sh is not None:
        b.add(
            "share",
            t.share_text(b.s, _subject(whole.measure), sh),
            period=sh.label,
            direction=direction_of(sh.share, sh.comparison_share),
            magnitude=sh.share - sh.comparison_share,
            evidence={
                "whole": whole.measure.id,
                "label": sh.label,
                "part": sh.part,
                "whole_value": sh.whole,
                "comparison_label": sh.comparison_label,
                "comparison_part": sh.comparison_part,
                "comparison_whole": sh.comparison_whole,
                "share_pct": sh.share,
                "comparison_share_pct": sh.comparison_share,
                "share_of_change": sh.of_change,
            },
            detail=whole.measure.id,
            judged=False,
        )
    other = _related(b, b.m.pattern_like)
    if other is not None:
        _pattern(b, other.series, _subject(other.measure).inner, {"other": other.measure.id})
    for area in b.areas:  # the same measure for another area (the national series, peers)
        _pattern(b, area.series, t.other_area(area.area), {"area": area.area})


def _pattern(b: _Builder, other: MeasureSeries, named: str, which: dict[str, str]) -> None:
    """The measure's pattern against another series (:func:`relations.pattern_against`):
    another measure the plan names, or the same measure for another area."""
    assert b.series is not None and b.a.latest_label is not None
    if b.s.uneven or (other.frequency == "quarter" and uneven_quarters(other.without_months)):
        return  # its quarter-to-quarter changes would set quarters of unlike coverage together
    pat = pattern_against(b.series, b.a.latest_label, other)
    if pat is None:
        return
    b.add(
        "pattern",
        t.pattern_text(b.s, named, pat),
        period=pat.last_label,
        method="pearson_log_changes",
        evidence={
            **which,
            "first_label": pat.first_label,
            "last_label": pat.last_label,
            "changes": pat.changes,
            "correlation": pat.correlation,
        },
        detail=which.get("other") or f"area:{which['area']}",
        judged=False,
    )


def _seasonal(b: _Builder) -> None:
    """A monthly measure's last 12 months' changes against the same months' a year before
    (:func:`~planwatch.narrative.relations.seasonal_against_last_year`), with short-term
    analysis."""
    latest = b.a.latest_label
    if b.series is None or latest is None or "short_term" not in b.m.analyses:
        return
    found = seasonal_against_last_year(b.series, latest)
    if found is None:
        return
    b.add(
        "seasonal",
        t.seasonal_text(b.s, found),
        period=found.last_label,
        method="pearson_log_changes",
        evidence={"last_label": found.last_label, "correlation": found.correlation},
        judged=False,
    )


def is_stock(m: Measure) -> bool:
    """A measure counted at each period's end (a headcount: ``stock`` in the plan, or the
    value of the period's last month, ``aggregation: last``), not over the period."""
    return m.aggregation == "last" or (
        isinstance(m.source, RecordsSource) and m.source.stock is not None
    )


def _quarter_seasons(b: _Builder) -> None:
    """A quarterly measure's usual highest and lowest quarter of the financial year
    (:func:`~planwatch.narrative.relations.quarter_seasons`), with short-term analysis."""
    latest = b.a.latest_label
    if b.series is None or latest is None or "short_term" not in b.m.analyses:
        return
    if b.s.without and b.m.frequency == "quarter":
        return  # a quarter that never has one of its months is "usually lowest" by construction
    for q in quarter_seasons(b.series, latest):
        b.add(
            "quarter_season",
            t.quarter_season_text(b.s, q),
            period=latest,
            method="ratio_to_centred_moving_average",
            evidence={
                "kind": q.kind,
                "quarter": q.quarter,
                "years": q.years,
                "first_year": q.first_year,
                "last_year": q.last_year,
            },
            detail=q.kind,
            judged=False,
        )


def _without(m: Measure) -> tuple[int, ...]:
    """The calendar months the plan says a measure's series never has (``part_year``)."""
    return m.part_year.without if m.part_year is not None else ()


def _covers(label: str, without: tuple[int, ...]) -> int | None:
    try:
        period = parse_period(label)
    except PeriodError:
        return None
    return months_covered(period, without)


def _alike(b: _Builder, *labels: str, without: tuple[int, ...] | None = None) -> bool:
    """Whether the periods ``labels`` name all cover as many months of the series (of one
    that never has ``without``; default the measure's own part_year), so that their figures
    may be set against each other (:func:`~planwatch.measures.windows.like_for_like`)."""
    months = b.s.without if without is None else without
    return len({_covers(label, months) for label in labels}) <= 1


def _previous_not_compared(b: _Builder) -> None:
    """A quarter covering a different number of months from the one before it is not
    compared with it (the analysis makes no such change:
    :func:`~planwatch.analysis.shortterm.period_change`); the latest quarter's change on
    the year before says why (:func:`~planwatch.narrative.templates.not_compared_text`)."""
    latest = b.a.latest_label
    if latest is None or not b.s.without or "short_term" not in b.m.analyses:
        return
    period = parse_period(latest)
    if not isinstance(period, Quarter):
        return
    before = period.previous
    if like_for_like(period, before, b.s.without) or before not in _values_to_latest(b):
        return
    for k, p in enumerate(b.points):
        if p.kind in ("change_last_year", "changes") and p.evidence["current_label"] == latest:
            not_compared = {
                "period": before.label,
                "months_covered": months_covered(before, b.s.without),
                "latest_months_covered": months_covered(period, b.s.without),
            }
            b.points[k] = replace(
                p,
                text=f"{p.text} {t.not_compared_text(b.s, before.label, latest)}",
                evidence={**p.evidence, "not_compared": not_compared},
            )


def _subject(m: Measure) -> t.Subject:
    without = _without(m)
    return t.Subject(m.name, m.unit, m.decimals, m.frequency, stock=is_stock(m), without=without)


def periods_compared(point: KeyPoint) -> tuple[Window | Month | Quarter, ...]:
    """The periods whose figures a key point states and compares, in its evidence: the two
    of a change (or the latest and each earlier one of a joined sentence), a 12-month window
    and the earlier ones, a year so far and the same months a year before, two calendar
    years, the latest period of a run or an extreme; none for a point of another kind."""
    e, kind = point.evidence, point.kind
    if kind == "trend_and_run":
        e, kind = e["run"], "run"
    elif kind == "trend_and_change":
        e, kind = e["change"], e["change_kind"]
    if kind == "year_to_date":
        first, last = parse_period(e["first_month"]), parse_period(e["last_month"])
        assert isinstance(first, Month) and isinstance(last, Month)
        return (MonthSpan(first, last), MonthSpan(first, last).shift(-MONTHS_PER_YEAR))
    if kind == "calendar_years":
        first, last = parse_period(e["first_month"]), parse_period(e["last_month"])
        assert isinstance(first, Month) and isinstance(last, Month)
        earlier = parse_period(e["comparison_year"])
        assert isinstance(earlier, CalendarYear)
        return (MonthSpan(first, last), earlier)
    if kind not in COMPARED_KINDS:
        return ()
    labels = [e.get("current_label"), e.get("comparison_label"), e.get("latest_label")]
    labels += [c["comparison_label"] for c in e.get("comparisons", ())]
    labels += [w[0] for w in e.get("previous_values", ())]
    out: list[Window | Month | Quarter] = []
    for label in labels:
        if isinstance(label, str):
            try:
                out.append(parse_period(label))
            except PeriodError:
                continue
    return tuple(dict.fromkeys(out))


#: Kinds whose evidence names the periods compared by label (:func:`periods_compared`).
COMPARED_KINDS: frozenset[str] = frozenset(
    {*CHANGE_KINDS.values(), "changes", "windows", "named_quarter", "run", "extreme"}
)


def _part_year(b: _Builder) -> None:
    """For a series that never has some months (the plan's ``part_year``), every point's
    evidence lists what each period it states was compared over: ``compared``, one entry a
    period, with the months compared and those left out (``YYYY-MM``), as its sentence says
    (:meth:`~planwatch.narrative.templates.Subject.left_out_notes`)."""
    if not b.s.without or b.s.stock:
        return
    for k, p in enumerate(b.points):
        periods = periods_compared(p)
        if not periods:
            continue
        compared = []
        for period in periods:
            months, left_out = months_compared(period, b.s.without)
            compared.append(
                {
                    "period": period.label,
                    "months_compared": [m.label for m in months],
                    "months_left_out": [m.label for m in left_out],
                }
            )
        b.points[k] = replace(p, evidence={**p.evidence, "compared": compared})


STEPS: tuple[Callable[[_Builder], None], ...] = (
    _data_quality,
    _trend,
    _sub_trends,
    _short_windows,
    _changes,
    _run_and_extremes,
    _spc,
    _proportions,
    _peer,
    _variance_and_events,
    _named_periods,
    _year_to_date,
    _relations,
    _seasonal,
    _quarter_seasons,
    _join_changes,
    _previous_not_compared,  # before the events' notes, which end a sentence
    _explained,
    _join_trend_and_run,
    _join_unshown_trend_and_change,
    _part_year,
)


def measure_key_points(
    analysis: MeasureAnalysis,
    measure: Measure,
    series: MeasureSeries | None = None,
    events: Sequence[Event] = (),
    *,
    definition: str | None = None,
    related: Sequence[Related] = (),
    areas: Sequence[AreaSeries] = (),
) -> tuple[KeyPoint, ...]:
    """Every key point the analysis supports, most important first; ``events`` (the plan's)
    add their notes to the points they may explain (:func:`_explained`). ``definition``:
    a record-based measure's definition in words
    (:meth:`~planwatch.plan.models.Plan.measure_definition`), kept in every point's
    evidence as ``"definition"``. ``related``: the measures the plan links this one to
    (``part_of``, ``pattern_like``) with their series, cut at the report quarter.
    ``areas``: the same measure for other areas (the national series, the peer group's),
    whose pattern the measure's is told against; the checker needs each as
    ``related["area:<area>"]``."""
    builder = _Builder(analysis, measure, series, events, related, areas)
    for step in STEPS:
        step(builder)
    points = builder.points
    if definition is not None:  # what a record-based measure counts, with every point
        points = [replace(p, evidence={**p.evidence, "definition": definition}) for p in points]
    return rank(points, limit=None)


def rank(
    points: Iterable[KeyPoint],
    *,
    limit: int | None = MAX_KEY_POINTS_PER_PRIORITY,
    per_measure: int | None = None,
) -> tuple[KeyPoint, ...]:
    """Pinned points first, then promoted ones, then most important first (ties by key, so
    the order is stable); at most ``limit`` in all (but every pinned one) and at most
    ``per_measure`` from any one measure while other measures have points to give (so one
    measure cannot crowd out the rest of a priority; places left empty go to its next
    points; an analyst's own, pinned or promoted points do not count against it)."""
    ordered = sorted(points, key=lambda p: (PLACEMENT_ORDER[p.placement], -p.importance, p.key))
    if per_measure is not None:
        seen: dict[str, int] = {}
        kept: list[KeyPoint] = []
        over: list[KeyPoint] = []
        for p in ordered:
            placed = p.kind == "override" or p.placement in ("pinned", "promoted")
            if not placed:
                seen[p.measure] = seen.get(p.measure, 0) + 1
            (kept if placed or seen[p.measure] <= per_measure else over).append(p)
        # places the other measures leave empty go to a measure's next points, in order,
        # up to FILL_PER_MEASURE from any one measure
        room = max((limit or 0) - len(kept), 0) if limit is not None else 0
        fill: list[KeyPoint] = []
        for p in over:
            if (
                len(fill) < room
                and sum(q.measure == p.measure for q in kept + fill) < FILL_PER_MEASURE
            ):
                fill.append(p)
        ordered = sorted(kept + fill, key=ordered.index)
    if limit is None:
        return tuple(ordered)
    pinned = sum(1 for p in ordered if p.placement == "pinned")
    return tuple(ordered[: max(limit, pinned)])


def is_analyst_note(point: KeyPoint) -> bool:
    """A note on the data, or a point an analyst demoted, unless an analyst placed it in the box."""
    if point.placement in ("pinned", "promoted"):
        return False
    return point.placement == "demoted" or point.kind in DATA_QUALITY_KINDS


def priority_points(
    points: Iterable[KeyPoint],
    *,
    limit: int = MAX_KEY_POINTS_PER_PRIORITY,
    per_measure: int = MAX_KEY_POINTS_PER_MEASURE,
) -> tuple[tuple[KeyPoint, ...], tuple[KeyPoint, ...]]:
    """A priority's key points (the box the Commissioner reads, ranked by :func:`rank`) and
    its analyst's notes (every note on the data and every demoted point, ranked)."""
    every = list(points)
    notes = [p for p in every if is_analyst_note(p)]
    findings = [p for p in every if not is_analyst_note(p)]
    box = rank(findings, limit=limit, per_measure=per_measure)
    return said_once(box), rank(notes, limit=None)


#: The kinds whose "not significant" verdict is said once in a run of one measure's points.
VERDICT_ONCE_KINDS = frozenset(
    {"change_previous", "change_last_year", "rolling12", "baseline", "changes"}
)


def said_once(box: Sequence[KeyPoint]) -> tuple[KeyPoint, ...]:
    """Say "not statistically significant" once (issue 12): in consecutive points of one
    measure whose changes a test did not show, the first says it in full and each later
    one says "as above, this is not significant" (or "neither is"), keeping
    every number; the long-swings reason is not repeated either. A point with any
    significant change, an analyst's own words, and a point after another measure's are
    left as they are."""
    out: list[KeyPoint] = []
    told: tuple[str, bool] | None = None  # (measure, whether the long-swings reason was given)
    for p in box:
        if told is not None and told[0] != p.measure:
            told = None
        verdict = (
            t.not_significant_verdict(p.text)
            if p.kind in VERDICT_ONCE_KINDS and not p.overridden
            else None
        )
        if verdict is None:
            out.append(p)
        elif told is None:
            told = (p.measure, t.SWINGS in verdict)
            out.append(p)
        else:
            text = t.verdict_said_above(p.text, swings_said=told[1])
            told = (p.measure, told[1] or t.SWINGS in verdict)
            out.append(replace(p, text=text))
    return tuple(out)
