"""Sentence templates: one plain-English sentence (or two) per kind of finding.

In: a :class:`Subject` (the measure's name, unit, decimals and frequency) and one
typed result from :mod:`planwatch.analysis.results`, plus whether the finding's test
showed significance (decided in :mod:`planwatch.narrative.keypoints`, never here).
Out: a string. The templates are deterministic and say nothing the numbers do not:

* "statistically significant" appears only when ``significant`` is ``True``;
  "not statistically significant" only when a test was run and did not show it,
  with "numbers are low" when the test could not have shown a plausible change;
* the direction word is taken from the numbers themselves (current against
  comparison), never from a label that could disagree with them;
* exact figures with thousands separators, percentages to one decimal place,
  quarters as ``2023/24 Q1``, months as ``June 2023``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from planwatch.analysis.proportions import decimals_of
from planwatch.analysis.results import (
    BenchmarkGap,
    ChangeResult,
    ExtremeResult,
    FunnelPoint,
    FunnelResult,
    InterruptedResult,
    ProportionResult,
    RunResult,
    SPCResult,
    TrendResult,
    TwoProportionResult,
    VarianceRow,
    WindowComparison,
)
from planwatch.analysis.shortterm import SWINGS_AUTOCORRELATION
from planwatch.errors import PeriodError
from planwatch.formatting import (
    PCT_DECIMALS,
    count_change,
    count_word,
    join_words,
    left_out_note,
    long_date,
    mid_sentence,
    month_full_name,
    month_year,
    number,
    number_word,
    pct,
    period_list,
    period_phrase,
    pp,
    pp_decimals,
    quantity,
    rounded,
    sentence_start,
)
from planwatch.formatting import period_text as period_name
from planwatch.measures.windows import (
    MonthSpan,
    Window,
    left_out_names,
    months_compared,
    months_covered,
    uneven_quarters,
)
from planwatch.narrative.relations import (
    CORRELATION_DECIMALS,
    SEASON_CHANGES,
    Pattern,
    QuarterSeason,
    Seasonal,
    Share,
    fraction_word,
    likeness,
    seasonal_words,
)
from planwatch.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Month, Quarter, parse_period

SIGNIFICANT = "statistically significant"
NOT_SIGNIFICANT = "not statistically significant"
LOW_NUMBERS = "numbers are low"
#: Decimals for a suspect value that is not a whole number (enough to show a slipped decimal point).
SUSPECT_DECIMALS = 2
#: A change in a count whose earlier value is below this is told as the two counts
#: ("fell from 3 to 0"), not as a percentage: below 50 one offence moves the
#: percentage by over 2 points and Poisson noise alone is about ±28%. planwatch's own
#: threshold, reasoned in methodology §4.1 (no published rule is claimed).
LOW_COUNT_BASE = 50
#: Decimals for rates per 1,000 population in a peer comparison (as the Home Office
#: and ONS publish force rates).
RATE_DECIMALS = 1
#: Words that link a group to its measure ("confidence *among* victims"): kept when
#: the names of two compared measures share everything up to them.
LINKING_WORDS = frozenset({"among", "amongst", "for", "in", "of", "by", "with", "from"})
TWO_PROPORTION_METHOD = "two-proportion z test"


@dataclass(frozen=True)
class Subject:
    """What a sentence is about."""

    name: str
    unit: str = "count"
    decimals: int = 0
    frequency: str = "quarter"
    #: Counted at each period's end (a headcount), not over it: periods are named by the day.
    stock: bool = False
    #: Calendar months the series never has (the plan's ``part_year``): a figure over a
    #: period that takes them in says what it is of (:meth:`left_out_notes`).
    without: tuple[int, ...] = ()

    @property
    def inner(self) -> str:
        return mid_sentence(self.name)

    def value(self, v: float) -> str:
        return quantity(v, self.unit, self.decimals)

    @property
    def period_word(self) -> str:
        return "month" if self.frequency == "month" else "quarter"

    def point(self, label: str) -> str:
        """A period as a sentence names it: ``2023/24 Q1``, ``June 2023``; for a stock
        (counted at each period's end), the day it is counted on: ``30 June 2023``."""
        if self.stock:
            try:
                period = parse_period(label)
            except PeriodError:
                return period_phrase(label)
            if isinstance(period, Month | Quarter):
                return long_date(period.end)
        return period_phrase(label)

    def when(self, label: str) -> str:
        """``in 2023/24 Q1``; for a stock, ``at 30 June 2023``."""
        return f"{'at' if self.stock and self.point(label)[:1].isdigit() else 'in'} {self.point(label)}"

    def compared(self, period: Compared | None) -> tuple[int, tuple[str, ...]] | None:
        """How many months a figure over ``period`` is of and the names of the months it
        leaves out (:func:`~planwatch.measures.windows.months_compared`), when the series
        never has some of them; ``None`` when it leaves none out (or counts at a period's
        end: a stock's figure is of one day)."""
        if period is None or not self.without or self.stock:
            return None
        months, left_out = months_compared(period, self.without)
        if not left_out or not months:
            return None
        return len(months), left_out_names(period, self.without)

    @property
    def uneven(self) -> bool:
        """A quarterly series whose quarters of the year cover different numbers of months
        (:func:`~planwatch.measures.windows.uneven_quarters`): a quarter is set only against
        quarters covering as many months."""
        return self.frequency == "quarter" and uneven_quarters(self.without)

    def covers(self, label: str) -> int | None:
        """How many months the period ``label`` names covers (``None``: not a period)."""
        period = _period(label)
        return None if period is None else months_covered(period, self.without)

    def left_out_notes(self, periods: Sequence[Compared | str | None]) -> list[str | None]:
        """The note each period of a sentence carries, in the order the sentence names them
        (labels are parsed): what a figure over part of a year is of
        (:func:`~planwatch.formatting.left_out_note`), said after the last period it is true
        of, with "each" when it is true of more than one ("the 12 months to July 2022 (11
        months each: August, which has no data, is left out)"); ``None`` elsewhere."""
        shapes = [self.compared(_period(p) if isinstance(p, str) else p) for p in periods]
        notes: list[str | None] = [None] * len(shapes)
        for k, shape in enumerate(shapes):
            if shape is not None and shape not in shapes[k + 1 :]:
                notes[k] = left_out_note(*shape, each=shapes.count(shape) > 1)
        return notes


#: A period a figure is over (a month, quarter, year, 12 months or a span of months).
Compared = Window | Month | Quarter


def _period(label: str) -> Compared | None:
    try:
        return parse_period(label)
    except PeriodError:
        return None


def _aside(note: str | None) -> str:
    """A note after a period: `` (11 months: August, ...)``."""
    return f" ({note})" if note else ""


def _also(note: str | None) -> str:
    """A note inside the brackets after a period's value: ``; 11 months: ...``."""
    return f"; {note}" if note else ""


def significance_clause(significant: bool | None, *, low_counts: bool = False) -> str:
    """``""`` when no test applies; otherwise the verdict of the test."""
    if significant is None:
        return ""
    if significant:
        return f"this is {SIGNIFICANT}"
    return (
        f"this is {NOT_SIGNIFICANT}; {LOW_NUMBERS}" if low_counts else f"this is {NOT_SIGNIFICANT}"
    )


def _with_clause(text: str, clause: str) -> str:
    return f"{text}; {clause}." if clause else f"{text}."


# --- trend --------------------------------------------------------------------------


#: Below this share of its periods as effective independent ones, a series "moves in
#: long swings" (the same rule as the analysis; methodology §2.6).
SWING_SHARE = 0.5


def swings(t: TrendResult) -> bool:
    """The series wanders in long swings: its periods carry the information of fewer
    than half as many independent ones."""
    return (
        t.effective_periods is not None
        and t.n_periods > 0
        and t.effective_periods < SWING_SHARE * t.n_periods
    )


#: Said of a significant trend the robust check does not confirm.
NOT_CONFIRMED = "a rank-based check (Mann-Kendall) does not confirm it"


def _rate(t: TrendResult) -> str:
    return f"about {pct(t.pct_per_year)} a year" if t.pct_per_year is not None else ""


def trend_text(s: Subject, t: TrendResult, significant: bool) -> str:
    """The long-term trend, always with its size; when it is not significant, the reason
    in plain words (low numbers, or long swings that a steady trend cannot be told from)."""
    span = f"from {period_name(t.first_label)} to {period_name(t.last_label)}"
    rate = _rate(t)
    caveats = "".join(f" {sentence_start(c).rstrip('.')}." for c in t.caveats)
    if t.direction == "flat" or t.pct_per_year is None or t.strength == "none":
        size = f" ({rate})" if rate else ""
        if t.low_counts and not significant:
            return f"There is no clear trend in {s.inner} {span}{size} ({NOT_SIGNIFICANT}; {LOW_NUMBERS}).{caveats}"
        return f"There is no clear trend in {s.inner} {span}{size}.{caveats}"
    way = "upward" if t.pct_per_year > 0 else "downward"
    if significant:
        text = f"There is a {SIGNIFICANT} {t.strength} {way} trend in {s.inner} {span} ({rate})"
        if t.agrees_with_robust_check is False and not any("rank-based" in c for c in t.caveats):
            text += f"; {NOT_CONFIRMED}"  # unless the analysis' own caveat already says so
        return f"{text}.{caveats}"
    text = f"There is a {t.strength} {way} movement in {s.inner} {span} ({rate}), but "
    if t.low_counts:
        text += f"it is {NOT_SIGNIFICANT}; {LOW_NUMBERS}"
    elif swings(t):
        text += f"the series moves in long swings, so this is {NOT_SIGNIFICANT} as a steady trend"
    else:
        text += f"it is {NOT_SIGNIFICANT}"
    return f"{text}.{caveats}"


def sub_trend_text(s: Subject, t: TrendResult, significant: bool, years: int | None) -> str:
    """The trend over a sub-period the plan names (``trend_windows``), worded as the
    long-term trend is (:func:`trend_text`: its span, its size, its verdict); a window of
    the last N years says so first: "Over the last two years alone, there is a
    statistically significant slight downward trend in ... from 2021/22 Q2 to 2023/24 Q1
    (about 6.1% a year)." """
    text = trend_text(s, t, significant)
    if years is None:
        return text
    alone = " alone" if significant else ""
    return f"Over the last {count_word(years, 'year')}{alone}, {text[:1].lower()}{text[1:]}"


#: Said of a window too short for the trend test (narrative.subtrends.too_short).
TOO_SHORT_FOR_TREND = (
    "too few for a trend test, which needs two years of data, so no trend is claimed"
)


def sub_change_text(s: Subject, c: ChangeResult, periods: int, years: int | None) -> str:
    """A sub-period the plan names that is too short for a trend (under two years): its
    first value against its latest, with the size, and why no trend is told: "From
    2021/22 Q3 to 2022/23 Q4 (six quarters), female confidence ... rose from 76.3% to
    78.7% (2.4 percentage points higher); six quarters are too few for a trend test, which
    needs two years of data, so no trend is claimed." """
    span = count_word(periods, s.period_word)
    head = f"From {period_name(c.comparison_label)} to {period_name(c.current_label)} ({span})"
    if years is not None:
        last = "year" if years == 1 else count_word(years, "year")
        head = f"Over the last {last}, from {period_name(c.comparison_label)} to {period_name(c.current_label)} ({span})"
    old, now = s.value(c.comparison_value), s.value(c.current_value)
    diff = _difference(s, c)
    if diff == "the same":
        moved = f"was {now} at both ends"
    else:
        verb = "rose" if c.current_value > c.comparison_value else "fell"
        moved = f"{verb} from {old} to {now} ({diff})"
    return f"{head}, {s.inner} {moved}; {span} are {TOO_SHORT_FOR_TREND}."


def step_text(s: Subject, t: TrendResult) -> str:
    """A single level shift that explains the series better than a steady trend
    (``t.step`` significant and ``better_than_trend``)."""
    step = t.step
    assert step is not None
    way = "up" if step.pct > 0 else "down"
    when = period_phrase(step.label)
    after = f", after {step.event_label}" if step.event_label else ""
    return (
        f"{sentence_start(s.inner)} stepped {way} by about {pct(abs(step.pct))} around {when}{after}; "
        f"a single shift in level explains the series from {period_name(t.first_label)} to "
        f"{period_name(t.last_label)} better than a steady trend, and the shift is {SIGNIFICANT}."
    )


# --- changes ------------------------------------------------------------------------


def low_count_base(s: Subject, c: ChangeResult) -> bool:
    """True for a change in counts from a base too small for a percentage (:data:`LOW_COUNT_BASE`)."""
    return s.unit == "count" and abs(c.comparison_value) < LOW_COUNT_BASE


def _moved(s: Subject, c: ChangeResult) -> str:
    """``decreased by 17.2% to 122,057`` (or percentage points for percentages)."""
    if c.direction == "flat" or c.current_value == c.comparison_value:
        return f"was little changed at {s.value(c.current_value)}"
    verb = "increased" if c.current_value > c.comparison_value else "decreased"
    if s.unit == "percent":
        return f"{verb} by {pp(c.current_value - c.comparison_value, s.decimals)} to {s.value(c.current_value)}"
    if c.pct_change is None:
        return f"{verb} to {s.value(c.current_value)}"
    return f"{verb} by {pct(c.pct_change)} to {s.value(c.current_value)}"


#: Said beside a change or a chart point when the series wanders (issue 11).
SWINGS = "the series moves in long swings"


def _change_clause(c: ChangeResult, significant: bool | None) -> str:
    """The test's verdict; for a change that is not significant on a series that moves in
    long swings, why; for an untested count change, the reason (methodology §4.2)."""
    if significant is None:
        return c.untested_reason or ""
    clause = significance_clause(significant)
    swings = c.autocorrelation is not None and c.autocorrelation >= SWINGS_AUTOCORRELATION
    if significant is False and swings:
        clause += f"; {SWINGS}, so a change of this size is within its usual movement"
    return clause


def change_text(s: Subject, c: ChangeResult, significant: bool | None) -> str:
    """One change between two periods; a figure over part of a year says what it is of
    (:meth:`Subject.left_out_notes`)."""
    when, before = s.when(c.current_label), s.when(c.comparison_label)
    if low_count_base(s, c) and c.current_value != c.comparison_value:
        verb = "rose" if c.current_value > c.comparison_value else "fell"
        old_note, new_note = s.left_out_notes([c.comparison_label, c.current_label])
        text = (
            f"{sentence_start(s.inner)} {verb} from {s.value(c.comparison_value)} {before}"
            f"{_aside(old_note)} to {s.value(c.current_value)} {when}{_aside(new_note)}"
        )
        return _with_clause(text, _change_clause(c, significant))
    new_note, old_note = s.left_out_notes([c.current_label, c.comparison_label])
    text = (
        f"{sentence_start(s.inner)} {_moved(s, c)} {when}{_aside(new_note)}, "
        f"from {s.value(c.comparison_value)} {before}{_aside(old_note)}"
    )
    return _with_clause(text, _change_clause(c, significant))


# --- a measure's changes told together ---------------------------------------------

#: A change of less than this many percent (of the earlier value; for percentages too)
#: that no test shows to be significant is told as "stable". planwatch's own threshold
#: (no published rule is claimed): a one per cent move is within the quarter-to-quarter
#: noise of all but the largest counts, so a reader should not be told it "increased".
STABLE_PCT = 1.0


def is_stable(c: ChangeResult, significant: bool | None) -> bool:
    """A small change that no test shows to be significant (:data:`STABLE_PCT`)."""
    if significant or c.comparison_value == 0:
        return False
    return abs(c.current_value - c.comparison_value) / abs(c.comparison_value) * 100 < STABLE_PCT


def _difference(s: Subject, c: ChangeResult) -> str:
    """``12.0% higher``, ``0.98 percentage points lower``, ``17 fewer`` (headcounts and small
    counts, :data:`LOW_COUNT_BASE`), ``the same``."""
    gap = c.current_value - c.comparison_value
    if gap == 0:
        return "the same"
    way = "higher" if gap > 0 else "lower"
    if s.unit == "number" or low_count_base(s, c) or (s.stock and s.unit == "count"):
        return count_change(gap)  # a headcount, or a small count: how many more or fewer
    if s.unit == "percent":
        return f"{pp(gap, s.decimals)} {way}"
    if c.pct_change is None:  # no percentage from a base of 0 (money, hours): the difference
        return f"{s.value(abs(gap))} {way}"
    return f"{pct(c.pct_change)} {way}"


def _against(
    s: Subject, c: ChangeResult, significant: bool | None, stable: bool, note: str | None = None
) -> str:
    """One earlier period of a joined sentence, its value in brackets; ``note``: what the
    figures over part of a year are of, said in the brackets."""
    before, old = s.point(c.comparison_label), s.value(c.comparison_value)
    diff = _difference(s, c)
    if is_stable(c, significant):
        return f"{'' if stable else 'stable '}compared with {before} ({old}; {diff}{_also(note)})"
    if diff == "the same":
        return f"the same as {s.when(c.comparison_label)} ({old}{_also(note)})"
    return f"{diff} than {s.when(c.comparison_label)} ({old}{_also(note)})"


def _verdicts(s: Subject, tested: Sequence[tuple[ChangeResult, bool | None]]) -> str:
    verdicts = [(c, sig) for c, sig in tested if sig is not None]
    if not verdicts:
        return ""
    if len(verdicts) == len(tested) > 1 and all(sig is False for _, sig in verdicts):
        return f"neither change is {SIGNIFICANT}"
    if len(verdicts) == len(tested) > 1 and all(sig for _, sig in verdicts):
        return f"both changes are {SIGNIFICANT}"
    shown = [c for c, sig in verdicts if sig]
    if len(verdicts) == len(tested) > 1 and len(shown) == 1:
        return f"only the change since {s.point(shown[0].comparison_label)} is {SIGNIFICANT}"
    return "; ".join(
        f"the change since {s.point(c.comparison_label)} is {SIGNIFICANT if sig else NOT_SIGNIFICANT}"
        for c, sig in verdicts
    )


def changes_text(
    s: Subject, changes: Sequence[tuple[ChangeResult, bool | None]], *, current: bool
) -> str:
    """One sentence for a measure's latest value against two or more earlier periods (and
    each test's verdict, said once): "Sexual offences stood at 477 in 2023/24 Q1, 12.0%
    higher than in 2022/23 Q1 (426) and 7.7% higher than in 2022/23 Q4 (443); neither change
    is statistically significant." A headcount says how many more or fewer ("There are
    currently 181 special constables in post (2023/24 Q1), 17 fewer than in ..."), and
    changes too small to matter "remained stable" (:data:`STABLE_PCT`). ``current``: the
    latest value is for the report's own period."""
    first = changes[0][0]
    when, value = s.when(first.current_label), s.value(first.current_value)
    stable = all(is_stable(c, sig) for c, sig in changes)
    lead, *notes = s.left_out_notes(
        [first.current_label, *(c.comparison_label for c, _ in changes)]
    )
    clauses = [
        _against(s, c, sig, stable, note) for (c, sig), note in zip(changes, notes, strict=True)
    ]
    if stable:  # "compared with A (...) and B (...)", not "... and compared with B"
        clauses[1:] = [c.removeprefix("compared with ") for c in clauses[1:]]
    against = join_words(clauses)
    if stable:
        head = f"{sentence_start(s.inner)} remained stable at {value} {when}{_aside(lead)}"
    elif (s.unit == "number" or s.stock) and current:
        at = when if s.stock else when.removeprefix("in ")
        head = f"There are currently {value} {s.inner} ({at}{_also(lead)})"
    else:
        head = f"{sentence_start(s.inner)} stood at {value} {when}{_aside(lead)}"
    return _with_clause(f"{head}, {against}", _verdicts(s, changes) + _swings_clause(changes))


def _swings_clause(changes: Sequence[tuple[ChangeResult, bool | None]]) -> str:
    """Why changes a test did not show are not significant, when the series moves in long
    swings (issue 11, "Size is always told"): the sizes stay in the sentence, and so does the
    reason ("; the series moves in long swings, so changes of this size are within its
    usual movement")."""
    unshown = [
        c
        for c, sig in changes
        if sig is False
        and c.autocorrelation is not None
        and c.autocorrelation >= SWINGS_AUTOCORRELATION
    ]
    if not unshown:
        return ""
    what = "a change of this size is" if len(unshown) == 1 else "changes of this size are"
    return f"; {SWINGS}, so {what} within its usual movement"


#: A later point of one measure, after one that already said its change is not
#: significant, says so briefly instead of repeating the verdict (issue 12).
AS_ABOVE = "as above"
_VERDICTS_SAID_ONCE = {
    f"; this is {NOT_SIGNIFICANT}": f"; {AS_ABOVE}, this is not significant",
    f"; neither change is {SIGNIFICANT}": f"; {AS_ABOVE}, neither is significant",
}
_SWINGS_REASONS = (
    f"; {SWINGS}, so a change of this size is within its usual movement",
    f"; {SWINGS}, so changes of this size are within its usual movement",
)


def not_significant_verdict(text: str) -> str | None:
    """The "not significant" verdict a change sentence ends with (and the long-swings
    reason after it), or ``None`` when it has none."""
    for verdict in _VERDICTS_SAID_ONCE:
        for reason in (*_SWINGS_REASONS, ""):
            if f"{verdict}{reason}." in text:
                return verdict + reason
    return None


def verdict_said_above(text: str, *, swings_said: bool) -> str:
    """``text`` with its "not significant" verdict shortened to "as above,
    this is not significant" (every number kept); the long-swings reason is kept unless
    the point above gave it (``swings_said``)."""
    told = not_significant_verdict(text)
    if told is None:
        return text
    verdict = next(v for v in _VERDICTS_SAID_ONCE if told.startswith(v))
    reason = told.removeprefix(verdict)
    short = _VERDICTS_SAID_ONCE[verdict] + ("" if swings_said else reason)
    return text.replace(f"{told}.", f"{short}.", 1)


# --- runs and extremes --------------------------------------------------------------


def _verb(direction: str) -> str:
    return {"up": "increased", "down": "decreased"}.get(direction, "stayed level")


def _noun(direction: str, n: int) -> str:
    word = {"up": "increase", "down": "decrease"}.get(direction, "unchanged period")
    return word if n == 1 else word + "s"


def _previous_run(r: RunResult) -> str:
    assert r.previous_direction is not None
    noun = "consecutive " + _noun(r.previous_direction, 1)
    return count_word(r.previous_length, noun, "consecutive " + _noun(r.previous_direction, 2))


def run_text(s: Subject, r: RunResult, latest_label: str) -> str | None:
    """Only runs of two or more moves, or a single move that breaks such a run, are worth
    a sentence; a run of two or more that followed another run says both."""
    when = period_name(latest_label) + _aside(s.left_out_notes([latest_label])[0])
    if r.direction == "flat":
        return None
    broke = r.previous_direction not in (None, "flat", r.direction) and r.previous_length >= 2
    if r.length == 1 and broke:
        return (
            f"{sentence_start(s.inner)} {_verb(r.direction)} in {when}, after {_previous_run(r)}."
        )
    if r.length >= LONG_RUN:
        since = _shifted(latest_label, -r.length)
        if since is not None:
            verb = {"up": "risen", "down": "fallen"}[r.direction]
            text = (
                f"{sentence_start(s.inner)} {'have' if _plural(s.name) else 'has'} {verb} in each "
                f"{s.period_word} since {period_name(since)}, {count_word(r.length, s.period_word)} "
                f"in a row to {when}"
            )
            return f"{text}, after {_previous_run(r)}." if broke else f"{text}."
    if r.length >= 2:
        text = f"{sentence_start(s.inner)} {_verb(r.direction)} in each of the last {count_word(r.length, s.period_word)}, to {when}"
        return f"{text}, after {_previous_run(r)}." if broke else f"{text}."
    return None


#: A run this long is told from where it started ("has fallen in each quarter since
#: 2021/22 Q2"), as the reference update does for its longer runs.
LONG_RUN = 4
#: Extremes reaching back at least this many years are told in years ("the lowest for
#: seven years"); nearer ones by the period they reach back to.
EXTREME_YEARS_FROM = 2


def _shifted(label: str, by: int) -> str | None:
    """The label ``by`` periods from ``label`` (months or quarters)."""
    try:
        period = parse_period(label)
    except PeriodError:
        return None
    return period.shift(by).label if isinstance(period, Month | Quarter) else None


def _periods_between(first: str, last: str) -> int | None:
    try:
        a, b = parse_period(first), parse_period(last)
    except PeriodError:
        return None
    if (isinstance(a, Month) and isinstance(b, Month)) or (
        isinstance(a, Quarter) and isinstance(b, Quarter)
    ):
        return b.index - a.index
    return None


def _plural(name: str) -> bool:
    """A name whose head word is plural ("offences", "incidents"; "special constables" in
    "special constables in post", the word before a linking word): "have fallen"."""
    words = name.split(" (")[0].split()
    linked = next((k for k, w in enumerate(words) if k > 0 and w.lower() in LINKING_WORDS), None)
    head = words[:linked] if linked is not None else words
    return bool(head) and head[-1].lower().endswith("s") and not head[-1].lower().endswith("ss")


def extreme_text(
    s: Subject,
    e: ExtremeResult,
    latest_label: str,
    latest_value: float,
    since_value: float | None = None,
) -> str:
    """The latest value as the highest or lowest on record, for N years or since a period.
    ``since_value``: the value of the period it reaches back to; when that is the same as
    the latest (a tie: on a mostly-zero series, an earlier 0), the sentence says so ("since
    June 2020, when it was also 0"), so that "lowest" is not read as lower than every
    period of the span. A quarter of a series whose quarters cover different numbers of
    months (:attr:`Subject.uneven`) was compared only with quarters covering as many
    months as it, and the sentence says so: "the lowest of any quarter covering three
    months since 2021/22 Q3"."""
    when = period_name(latest_label)
    tie = since_value is not None and since_value == latest_value
    also = f", when it was also {s.value(latest_value)}" if tie else ""
    note = _also(s.left_out_notes([latest_label])[0])
    head = f"The {when} figure for {s.inner} ({s.value(latest_value)}{note})"
    covered = s.covers(latest_label) if s.uneven else None
    like = "" if covered is None else f" covering {count_word(covered, 'month')}"
    of_any = "" if covered is None else f" of any {s.period_word}{like}"
    if e.on_record:  # the latest period and every earlier one it is compared with
        return f"{head} is the {e.kind} of all {count_word(e.n_periods_compared + 1, s.period_word)}{like} in the series."
    if e.since_label:
        between = _periods_between(e.since_label, latest_label)
        per_year = (
            MONTHS_PER_YEAR if s.frequency == "month" else MONTHS_PER_YEAR // MONTHS_PER_QUARTER
        )
        years = between // per_year if between is not None else 0
        if years >= EXTREME_YEARS_FROM:  # every period of those years was less extreme
            return f"{head} is the {e.kind}{of_any} for {count_word(years, 'year')} (since {period_name(e.since_label)}{also})."
        if tie:
            return f"{head} is the {e.kind}{of_any} since {period_name(e.since_label)} ({also.removeprefix(', ')})."
        return f"{head} is the {e.kind}{of_any} since {period_name(e.since_label)}."
    return f"{head} is the {e.kind} of the last {count_word(e.n_periods_compared, s.period_word)}{like}."


def not_compared_text(s: Subject, previous_label: str, latest_label: str) -> str:
    """Why a quarter is not set against the one before it (the analysis does not compare
    quarters covering different numbers of months): "No change from 2023/24 Q1 is given:
    that quarter covers three months, this one covers one." No figure of it is stated."""
    before, now = s.covers(previous_label), s.covers(latest_label)
    assert before is not None and now is not None
    return (
        f"No change from {period_name(previous_label)} is given: that {s.period_word} covers "
        f"{count_word(before, 'month')}, this one covers {number_word(now)}."
    )


def windows_text(s: Subject, w: WindowComparison) -> str | None:
    if not (w.lower_than_all or w.higher_than_all) or not w.previous_values:
        return None
    word = "lower" if w.lower_than_all else "higher"
    earlier = join_words(
        [f"{s.value(v)} in the {label[0].lower() + label[1:]}" for label, v in w.previous_values]
    )
    now, *before = s.left_out_notes([w.current_label, *(label for label, _ in w.previous_values)])
    earlier += "".join(_also(n) for n in before)  # said once, after the windows it is true of
    return (
        f"The figure for {s.inner} in {period_phrase(w.current_label)} ({s.value(w.current_value)}"
        f"{_also(now)}) was {word} than in each of the "
        f"{count_word(len(w.previous_values), 'earlier year')} ({earlier})."
    )


# --- control charts -----------------------------------------------------------------

SPC_RULES = {
    "outside_limits": "a point outside the control limits",
    "shift": "a long run of points on one side of the average",
    "trend": "a long run of consecutive rises or falls",
    "two_of_three": "two of three points close to a control limit",
}


def spc_text(s: Subject, spc: SPCResult) -> str | None:
    rules = join_words(sorted({SPC_RULES[sig.rule] for sig in spc.signals}))
    reason = f" ({rules})" if rules else ""
    if spc.variation == "common_cause":
        if not spc.verdict_adjusted or spc.standard_variation in (None, "common_cause"):
            return None
        # the plain rules flag the latest point, but the swings account for it (spc.py)
        return (
            f"The control chart (XmR) for {s.inner} flags the latest point{reason}, but {SWINGS}, "
            f"so a single {s.period_word} outside the usual limits is weaker evidence: allowing "
            "for that, it is within common-cause variation."
        )
    judged = {
        "special_cause_improving": ", an improvement",
        "special_cause_concerning": ", a cause for concern",
    }.get(spc.variation, "")
    allowing = f", even allowing for the way {SWINGS}" if spc.verdict_adjusted else ""
    return f"The control chart (XmR) for {s.inner} shows special-cause variation{reason}{allowing}{judged}."


# --- proportions and benchmarks -----------------------------------------------------


def proportion_text(s: Subject, p: ProportionResult) -> str:
    level = round(p.confidence * 100)
    return (
        f"{sentence_start(s.inner)} stood at {number(p.proportion * 100, 1)}% in {period_name(p.label)} "
        f"({number(p.successes)} of {number(p.n)}; {level}% confidence interval {number(p.ci_low * 100, 1)}% "
        f"to {number(p.ci_high * 100, 1)}%)."
    )


def two_proportion_text(s: Subject, t: TwoProportionResult, significant: bool) -> str:
    a, b = t.first, t.second
    if a.proportion == b.proportion:
        moved = "the same as"
    else:
        moved = f"{pp(t.difference_pp)} {'higher' if a.proportion > b.proportion else 'lower'} than"
    text = (
        f"{sentence_start(s.inner)} stood at {number(a.proportion * 100, 1)}% in {period_name(a.label)}, {moved} "
        f"{number(b.proportion * 100, 1)}% in {period_name(b.label)}"
    )
    clause = significance_clause(significant)
    if t.overlap > 0:  # overlapping rolling results share respondents (methodology §6.5)
        clause += (
            f" (the two results share about {number(100 * t.overlap)}% of their respondents, "
            "which the test allows for)"
        )
    return _with_clause(text, clause)


def _other_group(name: str, other: str) -> str:
    """How to name the other measure after "than": the words it shares with ``name`` are
    dropped, except a linking word ("among non-victims"); otherwise its whole name."""
    mine, theirs = name.lower().split(), other.split()
    k = 0
    while k < min(len(mine), len(theirs)) - 1 and mine[k] == theirs[k].lower():
        k += 1
    if k == 0:
        return mid_sentence(other)
    if theirs[k - 1].lower() in LINKING_WORDS:
        k -= 1
    return " ".join(theirs[k:])


def group_comparison_text(s: Subject, t: TwoProportionResult, significant: bool) -> str:
    """One measure against another in the same period (e.g. victims against non-victims)."""
    a, b = t.first, t.second
    other = _other_group(s.name, t.compared_with_name or t.compared_with or "the other group")
    if a.proportion == b.proportion:
        moved = "the same as"
    else:
        moved = f"{pp(t.difference_pp)} {'higher' if a.proportion > b.proportion else 'lower'} than"
    verdict = SIGNIFICANT if significant else NOT_SIGNIFICANT
    return (
        f"In {period_name(a.label)}, {s.inner} ({number(a.proportion * 100, 1)}%) was {moved} "
        f"{other} ({number(b.proportion * 100, 1)}%); the gap is {verdict} "
        f"({TWO_PROPORTION_METHOD})."
    )


def peer_side(f: FunnelResult, point: FunnelPoint) -> str:
    """``"above"``, ``"below"`` or ``"within"`` the 99.8% limits (methodology §7)."""
    if not point.outside_998:
        return "within"
    return "above" if point.rate_per_1000 > f.overall_rate_per_1000 else "below"


def peer_text(s: Subject, f: FunnelResult, point: FunnelPoint) -> str:
    """The plan's area among the forces compared, by the funnel plot's 99.8% limits."""
    others = len(f.points) - 1
    where = peer_side(f, point)
    window = f" in the {mid_sentence(f.label)}" if f.label else ""
    adjusted = ", allowing for over-dispersion between forces" if f.tau2 is not None else ""
    return (
        f"{point.area}'s rate of {s.inner}{window} ({number(point.rate_per_1000, RATE_DECIMALS)} "
        f"per 1,000 population) was {where} the range expected from the other "
        f"{count_word(others, 'force')} (average across all {count_word(len(f.points), 'force')}: "
        f"{number(f.overall_rate_per_1000, RATE_DECIMALS)} per 1,000; funnel plot, 99.8% limits{adjusted})."
    )


def benchmark_text(s: Subject, b: BenchmarkGap) -> str:
    """The latest value against the plan's benchmark: the value to the measure's decimals,
    the benchmark as the plan writes it (11.21%), the gap to the decimals the analysis
    chose for it (methodology §6.3), or finer when it would otherwise show as nothing."""
    places = s.decimals if b.decimals is None else b.decimals
    if rounded(b.gap_pp, pp_decimals(places)) == 0:  # too small to show: as finely as written
        places = max(places, decimals_of(b.value_pct), decimals_of(b.benchmark_pct))
    if rounded(b.gap_pp, pp_decimals(places)) == 0:
        where = "the same as"
    else:
        where = f"{pp(b.gap_pp, places)} {'above' if b.gap_pp > 0 else 'below'}"
    shown = number(b.benchmark_pct, max(s.decimals, decimals_of(b.benchmark_pct)))
    return (
        f"{sentence_start(s.inner)} stood at {quantity(b.value_pct, 'percent', s.decimals)} in "
        f"{period_name(b.label)}, {where} the {mid_sentence(b.benchmark_label)} ({shown}%)."
    )


# --- variance tables ----------------------------------------------------------------


def variance_text(s: Subject, row: VarianceRow) -> str | None:
    pairs = [(m, v) for m, v in zip(row.months, row.variance, strict=True) if v is not None]
    if not pairs:
        return None
    years = row.label.split(" variance to ")
    this_year, last_year = (years[0], years[1]) if len(years) == 2 else ("this year", "last year")
    counts = {
        "fell": sum(1 for _, v in pairs if v < 0),
        "rose": sum(1 for _, v in pairs if v > 0),
        "was unchanged": sum(1 for _, v in pairs if v == 0),
    }
    months = count_word(len(pairs), "month")
    moves = [(verb, n) for verb, n in counts.items() if n]
    if len(moves) == 1:
        spread = (
            f"{moves[0][0]} in {'the one month' if len(pairs) == 1 else 'each of the ' + months}"
        )
    else:
        spread = (
            join_words([f"{verb} in {number_word(n)}" for verb, n in moves]) + f" of the {months}"
        )
    last_month = pairs[-1][0]
    idx = row.months.index(last_month)
    cur, prev = row.current[idx], row.previous[idx]
    assert cur is not None and prev is not None
    return (
        f"Compared with the same month of {last_year}, {s.inner} {spread} of {this_year} with data so far; "
        f"{month_full_name(last_month)}: {s.value(cur)} against {s.value(prev)}."
    )


# --- events -------------------------------------------------------------------------


def interrupted_text(s: Subject, i: InterruptedResult, significant: bool) -> str | None:
    if i.step_pct is None:
        return None
    if i.step_pct == 0:
        return f"There was no change in the level of {s.inner} after {i.event_label}."
    way = "rise" if i.step_pct > 0 else "fall"
    text = f"After {i.event_label} ({i.event_date.strftime('%B %Y').lstrip('0')}) the level of {s.inner} showed a {way} of about {pct(i.step_pct)}"
    return _with_clause(text, significance_clause(significant))


def event_span(start: date, end: date | None) -> str:
    """``October 2021``, ``March 2020 to July 2021``."""
    if end is None or (end.year, end.month) == (start.year, start.month):
        return month_year(start)
    return f"{month_year(start)} to {month_year(end)}"


def with_note(text: str, note: str | None) -> str:
    """A sentence followed by an event's note from the plan."""
    return f"{text} {sentence_start(note.strip()).rstrip('.')}." if note and note.strip() else text


def coincides_text(text: str, events: Sequence[tuple[str, date, date | None, str | None]]) -> str:
    """A movement followed by the plan's events it may be explained by: "This coincides with
    Operation Somerton (October 2021). Patrols doubled in the town centre." (one event's
    note is given; with several, their names)."""
    named = join_words([f"{label} ({event_span(start, end)})" for label, start, end, _ in events])
    note = events[0][3] if len(events) == 1 else None
    return with_note(f"{text} This coincides with {named}.", note)


# --- data quality -------------------------------------------------------------------


def data_lag_text(s: Subject, latest_label: str, note: str | None = None) -> str:
    text = f"The latest data available for {s.inner} is to {period_name(latest_label)}."
    return f"{text} {sentence_start(note.strip()).rstrip('.')}." if note else text


def suspect_text(s: Subject, label: str, value: float | None) -> str:
    if value is None:
        shown = "The value"
    else:
        shown = f"A value of {number(value, 0 if float(value).is_integer() else max(s.decimals, SUSPECT_DECIMALS))}"
    return f"{shown} for {period_name(label)} ({s.inner}) looks like a data-entry error and is left out until confirmed."


def gap_text(s: Subject, labels: tuple[str, ...]) -> str:
    """A quarter built from months is a gap when any month is missing: "no complete data"."""
    what = "no complete data" if s.frequency == "quarter" else "no data"
    return f"There is {what} for {s.inner} for {period_list(labels)}; the gap is left empty, not estimated."


# --- named earlier periods ------------------------------------------------------------


def named_quarter_text(s: Subject, c: ChangeResult) -> str:
    """The latest quarter against an earlier one the plan names (``compare_period``), both
    numbers and the size: "In 2023/24 Q1, domestic abuse offences stood at 9,120, 51.7%
    higher than in 2016/17 Q1 (6,010)." No test is run on a comparison this far apart."""
    diff = _difference(s, c)
    now, then = s.left_out_notes([c.current_label, c.comparison_label])
    before = f"{period_phrase(c.comparison_label)} ({s.value(c.comparison_value)}{_also(then)})"
    against = f"the same as in {before}" if diff == "the same" else f"{diff} than in {before}"
    return (
        f"In {period_phrase(c.current_label)}{_aside(now)}, {s.inner} stood at "
        f"{s.value(c.current_value)}, {against}."
    )


def calendar_years_text(s: Subject, c: ChangeResult, first_month: Month, last_month: Month) -> str:
    """A calendar year's monthly average (so far: ``first_month`` to ``last_month``) against
    a whole earlier year's (``c`` holds the two averages, labelled by year): "Rural crime
    offences averaged 203 a month in 2023 (January to June), against 188 a month in 2020:
    8.0% higher." """
    now, then = s.left_out_notes([MonthSpan(first_month, last_month), c.comparison_label])
    months = ""
    if (first_month.month, last_month.month) != (1, MONTHS_PER_YEAR):
        months = f" ({month_full_name(first_month.short_name)}"
        months += (
            "" if first_month == last_month else f" to {month_full_name(last_month.short_name)}"
        )
        months += f"{_also(now)})"
    else:
        months = _aside(now)
    shown = replace(s, decimals=average_decimals(s, c.current_value, c.comparison_value))
    return (
        f"{sentence_start(s.inner)} averaged {shown.value(c.current_value)} a month in "
        f"{c.current_label}{months}, against {shown.value(c.comparison_value)} a month in "
        f"{c.comparison_label}{_aside(then)}: {_average_difference(shown, c)}."
    )


#: The most decimals a monthly average is shown with beyond the measure's own, to tell two
#: different averages apart ("0.33 a month against 0.25").
AVERAGE_EXTRA_DECIMALS = 2


def average_decimals(s: Subject, now: float, before: float) -> int:
    """Decimals for two monthly averages: the measure's own; at least one for an average
    of small counts (below :data:`LOW_COUNT_BASE` a month, where a whole number hides most
    of the difference: 2.4 and 2.6 are not "2" and "3"); and more, up to
    :data:`AVERAGE_EXTRA_DECIMALS` beyond, until two different averages show differently."""
    places = s.decimals
    if s.unit == "count" and min(abs(now), abs(before)) < LOW_COUNT_BASE:
        places = max(places, 1)
    while (
        now != before
        and rounded(now, places) == rounded(before, places)
        and places < s.decimals + AVERAGE_EXTRA_DECIMALS
    ):
        places += 1
    return places


def _average_difference(s: Subject, c: ChangeResult) -> str:
    """How two averages differ, as their shown values do (``s.decimals`` are those shown):
    "the same" only when they show the same; otherwise a percentage when it is one (counts
    from :data:`LOW_COUNT_BASE`, money from a base above 0) and shows as more than 0.0%,
    else the difference of the two values as shown ("0.2 fewer", "£0.40 higher")."""
    now, before = rounded(c.current_value, s.decimals), rounded(c.comparison_value, s.decimals)
    if now == before:
        return "the same"
    way = "higher" if now > before else "lower"
    if (
        c.pct_change is not None
        and not low_count_base(s, c)
        and s.unit != "number"
        and rounded(abs(c.pct_change), PCT_DECIMALS) != 0
    ):
        return f"{pct(c.pct_change)} {way}"
    gap = float(now - before)
    if s.unit in ("count", "number"):
        if s.decimals == 0:
            return count_change(gap)
        return f"{number(abs(gap), s.decimals)} {'more' if gap > 0 else 'fewer'}"
    return f"{s.value(abs(gap))} {way}"


def year_to_date_text(
    s: Subject, c: ChangeResult, span: str, previous_year: str, months: MonthSpan | None = None
) -> str:
    """The financial year so far against the same months a year before (``c`` holds the
    two totals): "So far this financial year (April to June 2023), recorded offences
    totalled 615, 3.1% lower than in the same months of 2022/23 (635)." ``months``: the
    span, whose note says what it is of when the series never has some of its months
    ("April to September 2023; five months: August, which has no data, is left out")."""
    diff = _difference(s, c)
    before = f"in the same months of {previous_year} ({s.value(c.comparison_value)})"
    against = f"the same as {before}" if diff == "the same" else f"{diff} than {before}"
    note = _also(s.left_out_notes([months])[0])
    return (
        f"So far this financial year ({span}{note}), {s.inner} totalled "
        f"{s.value(c.current_value)}, {against}."
    )


# --- two measures the plan links ------------------------------------------------------


def share_text(s: Subject, whole: Subject, sh: Share) -> str:
    """A part's share of its whole, now and before, with the counts; and the share of the
    whole's change the part accounts for: "Stalking and harassment made up 28.4% of
    domestic abuse offences in 2023/24 Q1 (2,590 of 9,120), against 31.0% in 2022/23 Q1
    (2,900 of 9,350). Stalking and harassment accounted for about a third (34.1%) of the
    fall in domestic abuse offences since 2022/23 Q1: 310 of 910."""
    text = (
        f"{sentence_start(s.inner)} made up {number(sh.share, PCT_DECIMALS)}% of {whole.inner} in "
        f"{period_phrase(sh.label)} ({number(sh.part)} of {number(sh.whole)}), against "
        f"{number(sh.comparison_share, PCT_DECIMALS)}% in {period_phrase(sh.comparison_label)} "
        f"({number(sh.comparison_part)} of {number(sh.comparison_whole)})."
    )
    if sh.of_change is None:
        return text
    fraction = fraction_word(sh.of_change)
    size = f"{number(sh.of_change * 100, PCT_DECIMALS)}%"
    amount = f"about {fraction} ({size})" if fraction else size
    way = "rise" if sh.whole > sh.comparison_whole else "fall"
    return (
        f"{text} {sentence_start(s.inner)} accounted for {amount} of the {way} in {whole.inner} "
        f"since {period_phrase(sh.comparison_label)}: {number(abs(sh.part - sh.comparison_part))} "
        f"of {number(abs(sh.whole - sh.comparison_whole))}."
    )


def pattern_text(s: Subject, other: str, p: Pattern) -> str:
    """One measure's pattern against another's, with the measure of similarity: "The
    pattern of rural crime broadly matches that of all crime: their quarter-to-quarter
    changes from 2016/17 Q1 to 2023/24 Q1 have a correlation of 0.82 (Pearson, on changes
    in logs; 28 changes)." ``other``: how the sentence names the other series ("all crime";
    "the same measure for England and Wales")."""
    step = f"{s.period_word}-to-{s.period_word}"
    return (
        f"The pattern of {s.inner} {likeness(p.correlation)} that of {other}: their {step} "
        f"changes from {period_name(p.first_label)} to {period_name(p.last_label)} have a "
        f"correlation of {number(p.correlation, CORRELATION_DECIMALS)} (Pearson, on changes in "
        f"logs; {number(p.changes)} changes)."
    )


def seasonal_text(s: Subject, p: Seasonal) -> str:
    """A monthly measure's last year against the year before: "Anti-social behaviour
    incidents followed much the same seasonal pattern as the year before: the
    month-to-month changes in the 12 months to June 2023 have a correlation of 0.81 with
    those a year earlier (Pearson, on changes in logs; 12 changes)." """
    return (
        f"{sentence_start(s.inner)} {seasonal_words(p.correlation)}: the month-to-month changes "
        f"in the 12 months to {period_name(p.last_label)} have a correlation of "
        f"{number(p.correlation, CORRELATION_DECIMALS)} with those a year earlier (Pearson, "
        f"on changes in logs; {number(SEASON_CHANGES)} changes)."
    )


#: The months of each quarter of the financial year.
QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


def quarter_season_text(s: Subject, q: QuarterSeason) -> str:
    """The usual highest (lowest) quarter of the financial year, by the ratio to a centred
    moving average: "Recorded offences are usually highest in Q2 of the financial year (July
    to September): allowing for the trend (each quarter against its centred four-quarter
    moving average), Q2 was the highest quarter in each of the four financial years 2018/19
    to 2021/22." """
    verb = "are" if _plural(s.name) else "is"
    return (
        f"{sentence_start(s.inner)} {verb} usually {q.kind} in Q{q.quarter} of the financial "
        f"year ({QUARTER_MONTHS[q.quarter]}): allowing for the trend (each quarter against its "
        f"centred four-quarter moving average), Q{q.quarter} was the {q.kind} quarter in each "
        f"of the {number_word(q.years)} financial years {q.first_year} to {q.last_year}."
    )


def other_area(area: str) -> str:
    """How a pattern sentence names the same measure for another area."""
    return f"the same measure for {area}"
