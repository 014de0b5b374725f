"""A second, independent check of every key point's sentence.

In: a :class:`~planwatch.narrative.model.KeyPoint`, the
:class:`~planwatch.measures.series.MeasureSeries` it is about, the plan's
:class:`~planwatch.plan.models.Measure` and the report quarter.
Out: typed :class:`ClaimProblem` s, one for each fact the sentence states that the data
do not bear out; none when the sentence is true. :func:`verified` splits a measure's key
points into those that pass and the problems of those that do not, so that a sentence
that fails is never printed (``planwatch report``) and the analyst is told why.

The checker is written apart from the templates and does not call them or the analysis:
it *reads* the sentence (direction words, run lengths, the extreme and the period it
reaches back to, both numbers of every comparison, percentages and percentage points,
the significance wording; a plan's named comparison quarter, a calendar year's monthly
average and the months it covers) and re-derives each fact from the series itself — moves
between adjacent periods with data, held-out values treated as missing, the series cut
at the report quarter. Numbers are compared as numbers: a stated ``1,235`` is right for
any value that rounds to it at the decimals shown.

A sentence form the checker does not read is not refused; the facts it can find in any
sentence (significance wording, periods named, the measure's name) are still checked.

A quarter of a part-year series covers only the months the plan says the series has, so
quarters may cover different numbers of months (2023/24 Q2 of a series without July and
August is of September only). No sentence may set a quarter against one covering another
number of months (:meth:`_Check.like_for_like`; restated here from the plan and the
quarter): not a change, a run's moves, an extreme's comparison, nor a pattern, control
chart or usual quarter made of quarter-to-quarter movements. A sentence saying why the
previous quarter is not compared ("No change from 2023/24 Q1 is given: that quarter covers
three months, this one covers one.") is checked as a claim of its own.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from planwatch.analysis.constants import ALPHA
from planwatch.errors import PeriodError, Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.model import KeyPoint
from planwatch.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Month, Quarter, parse_period
from planwatch.plan.models import Measure

ClaimKind = Literal[
    "direction", "run", "extreme", "period", "value", "size", "significance", "name"
]

#: Numbers up to nine are written in words (GSS style); the checker reads them back.
WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    )
}
#: "Stable" may describe a change of less than this many percent of the earlier value
#: (the narrative's own threshold, restated here so that the checker does not read it
#: from the templates it checks).
STABLE_BELOW_PCT = 1.0
#: A change's series "moves in long swings" from this corrected lag-1 autocorrelation of
#: its residuals, and a trend's when its periods carry the information of fewer than this
#: share of independent ones (analysis.shortterm.SWINGS_AUTOCORRELATION and the trend's
#: SWING_SHARE, methodology §2.6 and §4.2; restated here, not read from the narrative).
SWINGS_FROM_AUTOCORRELATION = 0.5
SWINGS_BELOW_SHARE = 0.5
#: Where a sentence says the series wanders (planwatch.narrative.templates.SWINGS).
_SWINGS = "moves in long swings"
#: The fractions a share of a change may be told as, and how far (as a share) it may be
#: from one (the narrative's own rule, restated: planwatch.narrative.relations).
FRACTION_WORDS = {
    "a quarter": 1 / 4,
    "a third": 1 / 3,
    "half": 1 / 2,
    "two thirds": 2 / 3,
    "three quarters": 3 / 4,
}
FRACTION_SLACK = 0.03
#: Cohen's (1988) large and medium correlations, restated from the narrative's relations.
LARGE_R = 0.5
MEDIUM_R = 0.3
#: The financial year starts in April (restated from planwatch.periods).
FINANCIAL_YEAR_START = 4
#: A stated number may differ from the true value by at most half a unit in its last
#: shown place; this much more allows for binary floating point.
FLOAT_SLACK = 1e-9

MINUS_SIGNS = "\u2212-"
_NUMBER = r"[\u2212-]?£?\d[\d,]*(?:\.\d+)?"
_QUARTER = r"\d{4}/\d{2} Q[1-4]"
_MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_MONTH = rf"{_MONTH_NAME} \d{{4}}"
_PERIOD = rf"(?:the 12 months to {_MONTH}|{_QUARTER}|{_MONTH})"
#: A difference as a sentence states it: size and unit with the way, or a count more/fewer.
_DIFFERENCE = rf"(?:({_NUMBER})(%| percentage points?) (higher|lower)|({_NUMBER}|\w+) (more|fewer))"
MONTH_NAMES = tuple(calendar.month_name[1:])
_SIGNIFICANT = re.compile(r"(?<!not )(?<!no )statistically significant")
_NOT_SIGNIFICANT = re.compile(r"\bnot statistically significant\b")
#: A later point of one measure saying its change is, like the one above, not significant.
_AS_ABOVE = re.compile(r"\bas above, (?:this is not|neither is) significant")
#: What a figure over part of a year is of, when the series never has some of its months
#: (the plan's ``part_year``): "11 months each: August, which has no data, is left out".
_LEFT_OUT = (
    rf"(\w+) months?( each)?: ({_MONTH_NAME}(?:(?:, | and ){_MONTH_NAME})*), which "
    r"(?:has|have) no data, (?:is|are) left out"
)
_LEFT_OUT_NOTE = re.compile(_LEFT_OUT)
#: The note as a sentence carries it, after a period or in the brackets after its value.
_LEFT_OUT_PLACED = re.compile(rf" \({_LEFT_OUT}\)|; {_LEFT_OUT}")
#: Periods a sentence names that are not figures of their own: where a run or an extreme
#: reaches back to ("since"), and the ends of a span ("from ... to ...").
_SPAN = re.compile(rf"\bfrom ({_PERIOD}) to ({_PERIOD})")
#: The year so far, as a sentence names it.
_SO_FAR = re.compile(
    rf"So far this financial year \(({_MONTH_NAME})(?: (\d{{4}}))? to ({_MONTH_NAME}) (\d{{4}})"
)
#: A calendar year's monthly average, and the months of it averaged.
_YEAR_AVERAGE = re.compile(rf"a month in (\d{{4}})(?: \(({_MONTH_NAME})(?: to ({_MONTH_NAME}))?)?")
#: Why the previous quarter is not compared (planwatch.narrative.templates.not_compared_text).
_NOT_COMPARED = re.compile(
    rf" ?No change from ({_QUARTER}) is given: that quarter covers (\w+) months?, "
    r"this one covers (\w+)\."
)
#: Kinds that may say why the previous quarter is not compared (the year's change).
NOT_COMPARED_KINDS = frozenset({"change_last_year", "changes", "trend_and_change"})
#: Kinds whose sentences set the figures of every quarter they name against each other.
COMPARING_KINDS = frozenset(
    {
        "change_previous",
        "change_last_year",
        "rolling12",
        "baseline",
        "changes",
        "named_quarter",
        "sub_change",
        "share",
        "proportion_gap",
    }
)
#: Kinds told from the movements between every pair of adjacent quarters: with quarters of
#: the year covering different numbers of months, they set unlike quarters together.
MOVEMENT_KINDS = frozenset({"spc", "pattern", "quarter_season"})
#: Words for the number of months a quarter covers, as a sentence says it ("three months").
_COVERING = r" covering (\w+) months?"
#: Kinds whose sentences state figures of periods that may take in months the series never
#: has: each such period says what it is of (planwatch.narrative.templates.left_out_notes).
NOTED_KINDS = frozenset(
    {
        "change_previous",
        "change_last_year",
        "rolling12",
        "baseline",
        "changes",
        "windows",
        "named_quarter",
        "run",
        "extreme",
        "trend_and_run",
        "trend_and_change",
        "year_to_date",
        "calendar_years",
    }
)


@dataclass(frozen=True)
class ClaimProblem(Problem):
    """A fact a key point states that the data do not bear out."""

    key: str = ""
    kind: ClaimKind = "value"
    claim: str = ""  # the words of the sentence that are wrong

    @staticmethod
    def of(kp: KeyPoint, kind: ClaimKind, claim: str, expected: str) -> ClaimProblem:
        return ClaimProblem(
            message=f"key point '{kp.key}' is left out: it says \u201c{claim}\u201d",
            expected=expected,
            measure=kp.measure,
            key=kp.key,
            kind=kind,
            claim=claim,
        )


@dataclass(frozen=True)
class _Facts:
    """The series as the checker sees it: periods up to the report quarter, values with
    held-out ones missing."""

    periods: tuple[Month | Quarter, ...]
    values: tuple[float | None, ...]
    numerators: tuple[float | None, ...] | None = None
    denominators: tuple[float | None, ...] | None = None
    labels: tuple[str, ...] = field(default=())
    held: frozenset[str] = frozenset()  # labels of values held out as suspect
    #: calendar months the plan says the series never has (``part_year``): not missing
    without: tuple[int, ...] = ()

    @staticmethod
    def of(series: MeasureSeries, quarter: Quarter | None, without: tuple[int, ...] = ()) -> _Facts:
        held = set(series.suspect)
        if quarter is None:
            keep = list(range(len(series.periods)))
        else:  # ends on or before the quarter's end: compared by index, month or quarter
            by_kind = {"quarter": quarter.index, "month": quarter.last_month.index}
            keep = [i for i, p in enumerate(series.periods) if p.index <= by_kind[p.kind]]
        values = tuple(None if i in held else series.values[i] for i in keep)

        def cut(xs: tuple[float | None, ...] | None) -> tuple[float | None, ...] | None:
            return None if xs is None else tuple(xs[i] for i in keep)

        periods = tuple(series.periods[i] for i in keep)
        return _Facts(
            periods,
            values,
            cut(series.numerators),
            cut(series.denominators),
            tuple(p.label for p in periods),
            frozenset(series.periods[i].label for i in held),
            without,
        )

    @property
    def per_year(self) -> int:
        monthly = bool(self.periods) and isinstance(self.periods[0], Month)
        return MONTHS_PER_YEAR if monthly else MONTHS_PER_YEAR // MONTHS_PER_QUARTER

    def covers(self, period: Month | Quarter) -> int:
        """How many months of ``period`` the series has: all but those the plan says it
        never has (``part_year``)."""
        return len(self.counted(period.months()))

    def alike(self, a: Month | Quarter, b: Month | Quarter) -> bool:
        """Two periods whose figures may be set against each other: as many months each."""
        return self.covers(a) == self.covers(b)

    @property
    def uneven(self) -> bool:
        """A quarterly series whose quarters cover different numbers of months (those with
        data: a quarter the series never has any month of is no figure at all)."""
        quarters = [p for p, v in zip(self.periods, self.values, strict=True) if v is not None]
        return (
            bool(self.without)
            and all(isinstance(p, Quarter) for p in self.periods)
            and len({self.covers(q) for q in quarters}) > 1
        )

    def between(self, first: str, last: str) -> int | None:
        """How many periods ``last`` is after ``first`` (gaps included)."""
        a, b = label_of(first), label_of(last)
        if a not in self.labels or b not in self.labels:
            return None
        return self.labels.index(b) - self.labels.index(a)

    def shift(self, phrase: str, by: int) -> str | None:
        """The label ``by`` periods from the period a sentence names."""
        label = label_of(phrase)
        if label not in self.labels:
            return None
        i = self.labels.index(label) + by
        return self.labels[i] if 0 <= i < len(self.labels) else None

    @property
    def latest(self) -> int | None:
        for i in range(len(self.values) - 1, -1, -1):
            if self.values[i] is not None:
                return i
        return None

    def moves(self) -> list[int]:
        """Signs of the moves between adjacent periods with data, latest first, up to the
        first gap (a gap ends a run), or the first move between quarters covering different
        numbers of months (a quarter of fewer is lower by construction: no move at all)."""
        last = self.latest
        out: list[int] = []
        if last is None:
            return out
        i = last
        while i > 0:
            cur, prev = self.values[i], self.values[i - 1]
            if cur is None or prev is None or not self.alike(self.periods[i], self.periods[i - 1]):
                break
            out.append((cur > prev) - (cur < prev))
            i -= 1
        return out

    def at(self, label: str) -> float | None:
        """The value of a period named in a sentence, or of a 12-month window or year built
        from the series' own periods (``None`` when the series cannot give it)."""
        try:
            period = parse_period(label.removeprefix("the "))
        except PeriodError:
            return None
        if isinstance(period, Month | Quarter):
            return (
                self.values[self.labels.index(period.label)]
                if period.label in self.labels
                else None
            )
        return self.total(period.months())

    def counted(self, months: Iterable[Month]) -> list[Month]:
        """The months a figure over ``months`` is of: all but those the plan says the series
        never has (``part_year``)."""
        return [m for m in months if m.month not in self.without]

    def total(self, months: Sequence[Month]) -> float | None:
        """The sum of the series' periods that make up ``months`` exactly, leaving out the
        months the series never has (``None`` when any other month has no value, or the
        periods do not cover them)."""
        wanted = set(self.counted(months))
        total, covered = 0.0, 0
        for p, v in zip(self.periods, self.values, strict=True):
            inside = self.counted(p.months())
            if inside and set(inside) <= wanted:
                if v is None:
                    return None
                total += v
                covered += len(inside)
        return total if wanted and covered == len(wanted) else None


# --- reading a sentence -------------------------------------------------------------


def read_number(text: str) -> tuple[float, int]:
    """``−1,234.5`` → ``(-1234.5, 1)``; ``£1,200`` → ``(1200.0, 0)``; ``three`` → ``(3.0, 0)``."""
    word = text.strip().lower()
    if word in WORD_NUMBERS:
        return float(WORD_NUMBERS[word]), 0
    clean = text.strip().replace(",", "").replace("£", "")
    for sign in MINUS_SIGNS:
        clean = clean.replace(sign, "-")
    shown = Decimal(clean)
    exponent = shown.as_tuple().exponent
    return float(shown), (-exponent if isinstance(exponent, int) and exponent < 0 else 0)


def shows(stated: str, true: float) -> bool:
    """True when ``true`` rounds to the number ``stated`` at the decimals it shows."""
    value, decimals = read_number(stated)
    return abs(true - value) <= 0.5 * 10.0**-decimals + FLOAT_SLACK * max(1.0, abs(true))


def label_of(phrase: str) -> str | None:
    """The series label of a period as a sentence names it (``June 2023`` → ``2023-06``)."""
    try:
        return parse_period(phrase.removeprefix("the ")).label
    except PeriodError:
        return None


def _direction_word(word: str) -> int:
    return (
        1
        if word in ("increased", "increase", "increases", "rose", "higher", "above", "upward")
        else -1
    )


# --- the checks ---------------------------------------------------------------------


#: A "changes" sentence's lead: the latest value and its period.
_CHANGES_LEAD = re.compile(
    rf"^There are currently ({_NUMBER})[^(]*\(({_PERIOD})\)|"
    rf"(?:stood|remained stable) at ({_NUMBER})[^,;]*? in ({_PERIOD}),"
)
#: The size of one change: a percentage (or points) higher or lower, a number more or
#: fewer, or "the same".
_CHANGE_SIZE = (
    rf"(?:({_NUMBER})(%| percentage points?) (higher|lower)|({_NUMBER}|\w+) (more|fewer)|the same)"
)
#: "... higher than in <period> (<value> ...)".
_CHANGES_THAN = re.compile(rf"{_CHANGE_SIZE} (?:than|as) in ({_PERIOD}) \(({_NUMBER})[^)]*\)")
#: "compared with <period> (<value> ...; <size>)".
_CHANGES_COMPARED = re.compile(
    rf"(?:compared with|and|,) ({_PERIOD}) \(({_NUMBER})[^;]*; {_CHANGE_SIZE}\)"
)


class _Check:
    def __init__(
        self,
        kp: KeyPoint,
        facts: _Facts,
        measure: Measure,
        related: Mapping[str, _Facts] | None = None,
    ) -> None:
        self.kp, self.f, self.m = kp, facts, measure
        self.related = related or {}
        self.problems: list[ClaimProblem] = []

    def fail(self, kind: ClaimKind, claim: str, expected: str) -> None:
        self.problems.append(ClaimProblem.of(self.kp, kind, claim, expected))

    # facts any sentence can state

    def significance(self) -> None:
        text, kp = self.kp.text, self.kp
        claims = bool(_SIGNIFICANT.search(text))
        denies = bool(_NOT_SIGNIFICANT.search(text) or _AS_ABOVE.search(text))
        p = _p_value(kp.evidence)
        if claims and kp.significant is not True:
            self.fail(
                "significance",
                "statistically significant",
                "no claim of significance: the test did not show it",
            )
        below = isinstance(p, int | float) and p < ALPHA
        if claims and kp.kind != "peer_comparison" and not below:
            self.fail(
                "significance", "statistically significant", f"a p-value below {ALPHA} (it is {p})"
            )
        if denies and kp.significant is not False:
            self.fail(
                "significance", "not statistically significant", "no verdict, or the test's verdict"
            )

    def swings(self) -> None:
        """ "The series moves in long swings" is said of a trend whose periods carry fewer
        than half as many independent ones, or beside a change that is not significant on a
        series whose autocorrelation is at least :data:`SWINGS_FROM_AUTOCORRELATION`."""
        if _SWINGS not in self.kp.text:
            return
        e = self.kp.evidence
        if self.kp.kind in ("trend", "no_trend", "sub_trend", "trend_and_run"):
            eff, n = e.get("effective_periods"), e.get("n_periods")
            ok = (
                isinstance(eff, int | float)
                and isinstance(n, int | float)
                and eff < SWINGS_BELOW_SHARE * n
            )
            expected = f"fewer than {SWINGS_BELOW_SHARE:.0%} of its periods as independent ones"
        else:
            rhos = [e.get("autocorrelation")] + [
                c.get("autocorrelation") for c in e.get("comparisons", ())
            ]
            ok = any(isinstance(r, int | float) and r >= SWINGS_FROM_AUTOCORRELATION for r in rhos)
            expected = f"an autocorrelation of at least {SWINGS_FROM_AUTOCORRELATION}"
        if not ok:
            self.fail("size", _SWINGS, expected)

    def periods_named(self) -> None:
        if self.kp.kind in ("data_lag", "interrupted", "override", "variance"):
            return  # these name periods the series need not hold (event dates, future data)
        text = self.kp.text
        if self.kp.kind == "year_to_date":  # its months, a quarterly series' too: year_to_date()
            text = _SO_FAR.sub("", text)
        for phrase in re.findall(rf"{_QUARTER}|(?<!12 months to ){_MONTH}", text):
            label = label_of(phrase)
            if label is not None and label not in self.f.labels:
                self.fail("period", phrase, "a period in the series")

    def name(self) -> None:
        if self.kp.kind in ("override", "peer_comparison"):
            return
        name = self.m.name
        text = self.kp.text
        words = name.split()
        if not words:
            return
        ordinary_first = (len(words[0]) < 2 or not words[0][1].isupper()) and not (
            len(words) > 1 and words[1][:1].isupper()
        )
        variants = {name, name[:1].upper() + name[1:]}
        if ordinary_first:  # only an ordinary first word may lose its capital mid-sentence
            variants.add(name[:1].lower() + name[1:])
        if not any(v in text for v in variants):
            self.fail("name", text, f"the measure's name as the plan writes it ({name})")

    # facts of particular kinds

    def run(self) -> None:
        text = self.kp.text
        last = self.f.latest
        moves = self.f.moves()
        every = re.search(
            rf"\b(increased|decreased) in each of the last (\w+) (?:quarters|months), to ({_PERIOD})"
            r"(?:, after (\w+) consecutive (increases|decreases))?",
            text,
        )
        broke = re.search(
            rf"\b(increased|decreased) in ({_PERIOD}), after (\w+) consecutive (increases|decreases)",
            text,
        )
        since_form = re.search(
            rf"\b(?:has|have) (risen|fallen) in each (?:quarter|month) since ({_PERIOD}), "
            rf"(\w+) (?:quarters|months) in a row to ({_PERIOD})"
            r"(?:, after (\w+) consecutive (increases|decreases))?",
            text,
        )
        if since_form:
            claim = since_form.group(0)
            verb, since, n_word, when, prev_word, prev_verb = since_form.groups()
            verb = "increased" if verb == "risen" else "decreased"
            length = int(read_number(n_word)[0])
            start = self.f.shift(when, -length)
            if start != label_of(since):
                self.fail(
                    "run", f"since {since}", f"since {start} ({n_word} periods before {when})"
                )
        elif every:
            claim = every.group(0)
            verb, n_word, when, prev_word, prev_verb = every.groups()
            length = int(read_number(n_word)[0])
        elif broke:
            claim = broke.group(0)
            verb, when, prev_word, prev_verb = broke.groups()
            length = 1
        else:
            return
        if last is None or label_of(when) != self.f.labels[last]:
            self.fail("period", when, "the latest period with data")
        if last is not None:
            told = length + (int(read_number(prev_word)[0]) if prev_word is not None else 0)
            self._moves_alike(claim, last, told)
        sign = _direction_word(verb)
        run = _prefix(moves, sign)
        if run != length:
            self.fail(
                "run",
                claim,
                f"{_told(sign, run)} in a row to the latest period",
            )
        if prev_word is not None:
            prev_sign = _direction_word(prev_verb)
            prev_len = int(read_number(prev_word)[0])
            before = _prefix(moves[run:], prev_sign)
            if before != prev_len:
                self.fail(
                    "run",
                    f"after {prev_word} consecutive {prev_verb}",
                    f"{_told(prev_sign, before)} in a row before that",
                )

    def _moves_alike(self, claim: str, last: int, told: int) -> None:
        """The ``told`` moves a run sentence claims, back from the latest period, are each
        between quarters covering as many months."""
        for i in range(last, max(last - told, 0), -1):
            a, b = self.f.periods[i - 1], self.f.periods[i]
            if not self.f.alike(a, b):
                self.fail(
                    "run",
                    claim,
                    f"moves only between quarters covering as many months ({a.label} covers "
                    f"{self.f.covers(a)}, {b.label} {self.f.covers(b)})",
                )
                return

    def like_for_like(self) -> None:
        """No sentence sets quarters covering different numbers of months against each other:
        every quarter a comparison names covers as many months as the others, and a finding
        made of the movements between adjacent quarters (a pattern, a control chart, the
        usual highest quarter) is not told of a series whose quarters are uneven."""
        kind, f = self.kp.kind, self.f
        if not f.without or not f.periods or not isinstance(f.periods[0], Quarter):
            return
        if kind in MOVEMENT_KINDS and f.uneven:
            self.fail(
                "period",
                self.kp.text,
                "no finding from quarter-to-quarter movements: the series' quarters cover "
                "different numbers of months",
            )
        if kind not in COMPARING_KINDS:
            return
        named = []
        for phrase in re.findall(_QUARTER, self.kp.text):
            quarter = parse_period(phrase)
            assert isinstance(quarter, Quarter)
            named.append(quarter)
        if len({f.covers(q) for q in named}) > 1:
            covering = ", ".join(f"{q.label} covers {f.covers(q)}" for q in dict.fromkeys(named))
            self.fail(
                "period",
                " against ".join(q.label for q in dict.fromkeys(named)),
                f"quarters covering as many months ({covering})",
            )

    def extreme(self) -> None:
        text = self.kp.text
        found = re.search(
            rf"The ({_PERIOD}) figure for .+ \(({_NUMBER})[^)]*\) is the (highest|lowest) "
            rf"(?:of all (\w+) (?:quarters|months)(?:{_COVERING})? in the series|"
            rf"(?:of any (?:quarter|month){_COVERING} )?(?:since ({_PERIOD})"
            rf"(?: \(when it was also ({_NUMBER})[^)]*\))?|"
            rf"for (\w+) years \(since ({_PERIOD})(?:, when it was also ({_NUMBER})[^)]*)?\)))",
            text,
        )
        last = self.f.latest
        if not found or last is None:
            return
        when, stated, kind, n_word, all_covering, any_covering, since, also = found.groups()[:8]
        years_word, years_since, years_also = found.groups()[8:]
        also = also or years_also
        covering = all_covering or any_covering
        if years_word is not None:
            since = years_since
            between = self.f.between(years_since, when)
            years = int(read_number(years_word)[0])
            if between is None or years != between // self.f.per_year:
                self.fail("extreme", f"for {years_word} years", f"{between} periods since {since}")
        current = self.f.values[last]
        assert current is not None
        if label_of(when) != self.f.labels[last]:
            self.fail("period", when, f"the latest period with data ({self.f.labels[last]})")
        if not shows(stated, current):
            self.fail("value", stated, f"the latest value, {current}")
        higher = kind == "highest"
        earlier = [(i, v) for i, v in enumerate(self.f.values[:last]) if v is not None]
        latest = self.f.periods[last]
        if covering is not None:  # compared only with quarters covering as many months
            months = int(read_number(covering)[0])
            if months != self.f.covers(latest):
                self.fail(
                    "extreme",
                    f"covering {covering} months",
                    f"{latest.label} covers {self.f.covers(latest)}",
                )
            earlier = [(i, v) for i, v in earlier if self.f.alike(self.f.periods[i], latest)]
        start = self.f.between(years_since or since, when) if (years_since or since) else None
        within = earlier if start is None else [(i, v) for i, v in earlier if i >= last - start]
        unlike = [
            self.f.labels[i] for i, _ in within if not self.f.alike(self.f.periods[i], latest)
        ]
        if unlike:
            self.fail(
                "extreme",
                found.group(0),
                f"a comparison only with quarters covering as many months as {latest.label} "
                f"({self.f.covers(latest)}; {', '.join(unlike)} cover other numbers)",
            )
        beats = [v < current if higher else v > current for _, v in earlier]
        if n_word is not None:
            if not all(beats):
                self.fail(
                    "extreme",
                    f"the {kind} of all",
                    f"no earlier value at least as {'high' if higher else 'low'}",
                )
            n = int(read_number(n_word)[0])
            if n != len(earlier) + 1:
                self.fail("extreme", f"all {n_word}", f"{len(earlier) + 1} periods with data")
        elif since is not None:
            # the latest earlier period at least as extreme: where "since" reaches back to
            back = next(
                (i for (i, _), b in zip(reversed(earlier), reversed(beats), strict=True) if not b),
                None,
            )
            expected = self.f.labels[back] if back is not None else "none: it is on record"
            if label_of(since) != expected:
                self.fail("extreme", f"the {kind} since {since}", f"the {kind} since {expected}")
            elif back is not None:  # a tie with the period it reaches back to is said
                tie = self.f.values[back] == current
                if tie and (also is None or not shows(also, current)):
                    self.fail(
                        "extreme", f"the {kind} since {since}", f"a tie: {since} was also {current}"
                    )
                if also is not None and not tie:
                    self.fail("extreme", f"also {also}", f"{since} was {self.f.values[back]}")

    def comparison(self) -> None:
        """A change between two periods: both numbers, the direction and the size."""
        text, e = self.kp.text, self.kp.evidence
        moved = re.search(
            rf"\b(increased|decreased) by ({_NUMBER})(%| percentage points?) to ({_NUMBER})[^,;]*? "
            rf"in ({_PERIOD}), from ({_NUMBER})[^,;]*? in ({_PERIOD})",
            text,
        )
        counts = re.search(
            rf"\b(rose|fell) from ({_NUMBER})[^,;]*? in ({_PERIOD}) to ({_NUMBER})[^,;]*? in ({_PERIOD})",
            text,
        )
        level = re.search(
            rf"\b(?:was little changed|remained stable) at ({_NUMBER})[^,;]*? in ({_PERIOD}), from ({_NUMBER})[^,;]*? in ({_PERIOD})",
            text,
        )
        size_word: str | None = None
        size: str | None = None
        if moved:
            verb, size, size_word, cur_s, when, old_s, before = moved.groups()
        elif counts:
            verb, old_s, before, cur_s, when = counts.groups()
        elif level:
            verb = "unchanged"
            cur_s, when, old_s, before = level.groups()
        else:
            return
        cur = self._value(when, e.get("current_value"))
        old = self._value(before, e.get("comparison_value"))
        if cur is None or old is None:
            return
        if not shows(cur_s, cur):
            self.fail("value", cur_s, f"the value for {when}, {cur}")
        if not shows(old_s, old):
            self.fail("value", old_s, f"the value for {before}, {old}")
        if verb != "unchanged" and (cur - old) * _direction_word(verb) <= 0:
            self.fail(
                "direction",
                verb,
                "increased" if cur > old else "decreased" if cur < old else "unchanged",
            )
        if size is not None and size_word is not None:
            if size_word == "%":
                if old != 0 and not shows(size, abs(cur - old) / abs(old) * 100):
                    self.fail("size", f"{size}%", f"{abs(cur - old) / abs(old) * 100:.3f}%")
            elif not shows(size, abs(cur - old)):
                self.fail("size", f"{size}{size_word}", f"{abs(cur - old):.4f} percentage points")

    def _value(self, phrase: str, evidence: object) -> float | None:
        """A period's value from the series; from the evidence where the series cannot give it."""
        label = label_of(phrase)
        from_series = self.f.at(label) if label is not None else None
        if from_series is not None:
            if self.m.aggregation not in ("sum",) and label not in self.f.labels:
                return float(evidence) if isinstance(evidence, int | float) else None
            return from_series
        return float(evidence) if isinstance(evidence, int | float) else None

    def changes(self) -> None:
        """One latest value against several earlier ones: every number, direction, size and
        each test's verdict."""
        text, e = self.kp.text, self.kp.evidence
        lead = _CHANGES_LEAD.search(text)
        if not lead:
            self.fail("value", text, "a sentence the checker can read")
            return
        cur_s = lead.group(1) or lead.group(3)
        when = lead.group(2) or lead.group(4)
        cur = self._value(when, e.get("current_value"))
        if cur is None:
            return
        if not shows(cur_s, cur):
            self.fail("value", cur_s, f"the value for {when}, {cur}")
        clauses = [*_CHANGES_THAN.finditer(text), *_CHANGES_COMPARED.finditer(text)]
        stable_all = "remained stable at" in text
        told: dict[str, bool] = {}
        for clause in clauses:
            g = clause.groups()
            if clause.group(0).endswith(")") and ";" in clause.group(0):
                before, old_s, pct_s, unit, way, n_word, more = g
                told[label_of(before) or before] = True
                stable = True
            else:
                pct_s, unit, way, n_word, more, before, old_s = g
                stable = False
                told[label_of(before) or before] = True
            comparison = next(
                (c for c in e.get("comparisons", ()) if label_of(period_of(c)) == label_of(before)),
                None,
            )
            old = self._value(before, comparison.get("comparison_value") if comparison else None)
            if old is None:
                continue
            if not shows(old_s, old):
                self.fail("value", old_s, f"the value for {before}, {old}")
            gap = cur - old
            if pct_s is not None:
                true = abs(gap) / abs(old) * 100 if unit == "%" and old != 0 else abs(gap)
                if not shows(pct_s, true):
                    self.fail("size", f"{pct_s}{unit}", f"{true:.4f}")
                if gap * _direction_word(way) <= 0:
                    self.fail("direction", way, "higher" if gap > 0 else "lower or the same")
            elif n_word is not None:
                if not shows(str(read_number(n_word)[0]), abs(gap)):
                    self.fail("size", f"{n_word} {more}", f"{abs(gap)}")
                if gap * (1 if more == "more" else -1) <= 0:
                    self.fail("direction", more, "more" if gap > 0 else "fewer or the same")
            elif gap != 0:
                self.fail("direction", "the same", f"a difference of {gap}")
            if (
                (stable or stable_all)
                and old != 0
                and abs(gap) / abs(old) * 100 >= STABLE_BELOW_PCT
            ):
                self.fail("size", "stable", f"a change of {abs(gap) / abs(old) * 100:.1f}%")
        for c in e.get("comparisons", ()):
            if label_of(period_of(c)) not in told:
                self.fail("value", text, f"a comparison with {period_of(c)}")
        self._verdicts(e.get("comparisons", ()))

    def _verdicts(self, comparisons: Sequence[Mapping[str, object]]) -> None:
        text = self.kp.text
        for c in comparisons:
            sig, p = c.get("significant"), c.get("p_value")
            since = re.escape(period_phrase_of(c))
            named = re.search(
                rf"the change since {since} is (not )?statistically significant", text
            )
            only = re.search(r"only the change since (.+?) is statistically significant", text)
            if only:
                said: bool | None = only.group(1) == period_phrase_of(c)
            elif (
                "neither change is statistically significant" in text
                or "as above, neither is significant" in text
            ):
                said = False
            elif "both changes are statistically significant" in text:
                said = True
            elif named:
                said = named.group(1) is None
            else:
                said = None
            if said != sig:
                self.fail(
                    "significance",
                    "statistically significant" if said else str(said),
                    f"the test's verdict ({sig})",
                )
            if said and (not isinstance(p, int | float) or not p < ALPHA):
                self.fail(
                    "significance",
                    "statistically significant",
                    f"a p-value below {ALPHA} (it is {p})",
                )

    def trend(self) -> None:
        """A trend's span ends at the latest period with data, and its direction and yearly
        rate are the fitted ones (the fit itself is the analysis', not re-done here)."""
        text, e = self.kp.text, self.kp.evidence
        span = re.search(rf" from ({_PERIOD}) to ({_PERIOD})", text)
        last = self.f.latest
        if span and last is not None and label_of(span.group(2)) != self.f.labels[last]:
            self.fail(
                "period", span.group(2), f"the latest period with data ({self.f.labels[last]})"
            )
        moving = re.search(
            rf"\b(upward|downward) (?:trend|movement)\b.*?\(about ({_NUMBER})% a year\)", text
        )
        rate = e.get("pct_per_year")
        if moving and isinstance(rate, int | float):
            way, stated = moving.groups()
            if not shows(stated, abs(rate)):
                self.fail("size", f"about {stated}% a year", f"{abs(rate):.3f}% a year")
            if (rate > 0) != (way == "upward"):
                self.fail("direction", way, "upward" if rate > 0 else "downward")

    def sub_window(self) -> None:
        """A trend over a sub-period: the span starts where a window the plan names starts
        ("last N years" counted back from the latest period with data) and ends at the latest."""
        text = self.kp.text
        span = re.search(rf" from ({_PERIOD}) to ({_PERIOD})", text)
        last = self.f.latest
        if span is None or last is None:
            self.fail("period", text, "a span from the window's start to the latest period")
            return
        first = label_of(span.group(1))
        years = re.match(r"Over the last (\w+) years?\b", text)
        starts = self._window_starts(last)
        if years is not None:
            n = int(read_number(years.group(1))[0])
            named = next((w for w in starts if re.fullmatch(rf"last {n} years?", w)), None)
            if named is None or starts[named] != first:
                self.fail(
                    "period",
                    f"the last {years.group(1)} years from {span.group(1)}",
                    f"a window of the plan's trend_windows ({', '.join(self.m.trend_windows)})",
                )
        elif first not in starts.values():
            self.fail(
                "period",
                f"from {span.group(1)}",
                f"the start of a window of the plan's trend_windows ({', '.join(self.m.trend_windows)})",
            )

    def _window_starts(self, last: int) -> dict[str, str]:
        """The first period of each window of the plan's ``trend_windows``, by window: a
        start as written, or "last N years" counted back from the latest period with data."""
        starts: dict[str, str] = {}
        for window in self.m.trend_windows:
            found = re.fullmatch(r"last (\d+) years?", window)
            if found is None:
                starts[window] = label_of(window) or window
                continue
            back = self.f.shift(self.f.labels[last], -(int(found.group(1)) * self.f.per_year - 1))
            if back is not None:
                starts[window] = back
        return starts

    def sub_change(self) -> None:
        """A sub-period too short for a trend: the window is one the plan names, ends at the
        latest period, is shorter than two years (as many periods as it says), and both its
        values, the direction and the size are the series'; no trend is claimed."""
        found = re.search(
            rf"^(?:Over the last (\w+ years|year), from|From) ({_PERIOD}) to ({_PERIOD}) \((\w+) "
            rf"(?:quarters?|months?)\), .+? (?:(rose|fell) from ({_NUMBER})[^(;]*? to "
            rf"({_NUMBER})[^(;]*? \((?:{_DIFFERENCE})\)|was ({_NUMBER})[^;]*? at both ends); "
            r"(\w+) (?:quarters?|months?) are too few for a trend test",
            self.kp.text,
        )
        last = self.f.latest
        if not found or last is None:
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        years_s, first_s, last_s, n_s, verb, old_s, cur_s = found.groups()[:7]
        difference, same_s, n_again = found.groups()[7:12], found.group(13), found.group(14)
        if re.search(r"\btrend in\b|\b(?:upward|downward) (?:trend|movement)", self.kp.text):
            self.fail("size", "trend", "no trend claimed over a window this short")
        if label_of(last_s) != self.f.labels[last]:
            self.fail("period", last_s, "the latest period with data")
            return
        starts = self._window_starts(last)
        first = label_of(first_s)
        if years_s is not None:
            n_years = 1 if years_s == "year" else int(read_number(years_s.split()[0])[0])
            named = next((w for w in starts if re.fullmatch(rf"last {n_years} years?", w)), None)
            if named is None or starts[named] != first:
                self.fail(
                    "period", f"the last {years_s} years", "a window of the plan's trend_windows"
                )
        elif first not in starts.values():
            self.fail(
                "period", f"from {first_s}", "the start of a window of the plan's trend_windows"
            )
        between = self.f.between(first_s, last_s)
        n = int(read_number(n_s)[0])
        if between is None or n != between + 1 or n != int(read_number(n_again)[0]):
            self.fail(
                "period", f"{n_s} periods", f"{None if between is None else between + 1} periods"
            )
        if n >= 2 * self.f.per_year:
            self.fail("period", f"{n_s} periods", "a window shorter than two years")
        cur, old = self.f.at(last_s), self.f.at(first_s)
        if cur is None or old is None:
            self.fail("value", self.kp.text, f"values for both {first_s} and {last_s}")
            return
        if same_s is not None:
            if cur != old or not shows(same_s, cur):
                self.fail("value", same_s, f"{old} and {cur}")
            return
        if not shows(cur_s, cur):
            self.fail("value", cur_s, f"the value for {last_s}, {cur}")
        if not shows(old_s, old):
            self.fail("value", old_s, f"the value for {first_s}, {old}")
        if (cur - old) * _direction_word(str(verb)) <= 0:
            self.fail("direction", str(verb), "rose" if cur > old else "fell or the same")
        self._difference(cur, old, difference)

    def gap_between(self) -> None:
        """A value against another (a benchmark, an earlier survey): both numbers, the
        direction and the size in percentage points."""
        text, e = self.kp.text, self.kp.evidence
        found = re.search(
            rf"stood at ({_NUMBER})%? in ({_PERIOD}), ({_NUMBER}) percentage points? "
            rf"(above|below|higher than|lower than) (?:the .+? \(({_NUMBER})%\)|({_NUMBER})% in ({_PERIOD}))",
            text,
        )
        if not found:
            return
        first_s, when, size, way, bench_s, second_s, before = found.groups()
        first = self._value(when, e.get("value_pct", _pct(e.get("first_proportion"))))
        if before is not None:
            second = self._value(before, _pct(e.get("second_proportion")))
            other_s = second_s
        else:
            second = e.get("benchmark_pct")
            other_s = bench_s
        if first is None or not isinstance(second, int | float):
            return
        if not shows(first_s, first):
            self.fail("value", first_s, f"the value for {when}, {first}")
        if not shows(other_s, second):
            self.fail("value", other_s, f"the value compared with, {second}")
        if not shows(size, abs(first - second)):
            self.fail(
                "size", f"{size} percentage points", f"{abs(first - second):.4f} percentage points"
            )
        if (first - second) * _direction_word(way.split()[0]) <= 0:
            self.fail("direction", way, "higher" if first > second else "lower or the same")

    def _difference(self, cur: float, old: float, groups: Sequence[str | None]) -> None:
        """A stated difference (``8.0% higher``, ``0.98 percentage points lower``, ``two
        more``, ``the same``) against the two values it is between."""
        size, unit, way, n_word, more = groups
        gap = cur - old
        if size is not None:
            true = abs(gap) / abs(old) * 100 if unit == "%" and old != 0 else abs(gap)
            if unit == "%" and old == 0:
                self.fail("size", f"{size}%", "no percentage: the earlier value is 0")
            elif not shows(size, true):
                self.fail("size", f"{size}{unit}", f"{true:.4f}")
            if gap * _direction_word(str(way)) <= 0:
                self.fail("direction", str(way), "higher" if gap > 0 else "lower or the same")
        elif n_word is not None:
            if not shows(str(int(read_number(n_word)[0])), abs(gap)):
                self.fail("size", f"{n_word} {more}", f"{abs(gap)}")
            if gap * (1 if more == "more" else -1) <= 0:
                self.fail("direction", str(more), "more" if gap > 0 else "fewer or the same")
        elif gap != 0:
            self.fail("direction", "the same", f"a difference of {gap}")

    def named_quarter(self) -> None:
        """The latest quarter against the quarter the plan names: both numbers, the
        direction and the size."""
        found = re.search(
            rf"^In ({_QUARTER}), .+? stood at ({_NUMBER})[^,]*?, (?:{_DIFFERENCE} than|the same as) "
            rf"in ({_QUARTER}) \(({_NUMBER})[^)]*\)\.",
            self.kp.text,
        )
        if not found:
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        when, cur_s, *difference, before, old_s = found.groups()
        last = self.f.latest
        if last is None or label_of(when) != self.f.labels[last]:
            self.fail("period", when, "the latest period with data")
        if label_of(before) != label_of(str(self.m.compare_period)):
            self.fail("period", before, f"the plan's comparison quarter ({self.m.compare_period})")
        cur, old = self.f.at(when), self.f.at(before)
        if cur is None or old is None:
            self.fail("value", self.kp.text, f"values for both {when} and {before}")
            return
        if not shows(cur_s, cur):
            self.fail("value", cur_s, f"the value for {when}, {cur}")
        if not shows(old_s, old):
            self.fail("value", old_s, f"the value for {before}, {old}")
        self._difference(cur, old, difference)

    def calendar_years(self) -> None:
        """A calendar year's monthly average so far against a whole earlier year's: the
        months averaged, both averages, the direction and the size, from the months."""
        found = re.search(
            rf"averaged ({_NUMBER})[^,;]*? a month in (\d{{4}})(?: \(({_MONTH_NAME})"
            rf"(?: to ({_MONTH_NAME}))?\))?, against ({_NUMBER})[^,;]*? a month in (\d{{4}}): "
            rf"(?:({_NUMBER})(%)? (higher|lower)|({_NUMBER}|\w+) (more|fewer)|the same)\.",
            self.kp.text,
        )
        if not found:
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        now_s, year_s, first, to, old_s, before_s, *difference = found.groups()
        last = self.f.latest
        latest = self.f.periods[last] if last is not None else None
        if not isinstance(latest, Month) or latest.year != int(year_s):
            self.fail("period", year_s, "the calendar year of the latest month with data")
            return
        named = self.m.compare_period or str(latest.year - 1)
        if before_s != named:
            self.fail("period", before_s, f"the year compared with ({named})")
        stated = (first or "January", to or first or "December")
        shown = (MONTH_NAMES[0], MONTH_NAMES[latest.month - 1])
        if stated != shown:
            self.fail("period", " to ".join(stated), " to ".join(shown))
        now = self._average([Month(latest.year, k) for k in range(1, latest.month + 1)])
        old = self._average([Month(int(before_s), k) for k in range(1, MONTHS_PER_YEAR + 1)])
        if now is None or old is None:
            self.fail("value", self.kp.text, "data for every month averaged")
            return
        if not shows(now_s, now):
            self.fail("value", now_s, f"the average for {year_s}, {now}")
        if not shows(old_s, old):
            self.fail("value", old_s, f"the average for {before_s}, {old}")
        self._shown_difference(now, old, (now_s, old_s), difference)

    def _shown_difference(
        self, now: float, old: float, stated: tuple[str, str], groups: Sequence[str | None]
    ) -> None:
        """A difference between two values as the sentence shows them (``stated``, each
        already checked against its true value): "the same" only for two equal shown
        values; a difference in the values' own units equal to the difference of the two
        shown values, and its way; a percentage of the true values, and never beside two
        shown values that are the same."""
        size, unit, way, n_word, more = groups
        shown_now, shown_old = (Decimal(str(read_number(x)[0])) for x in stated)
        gap = shown_now - shown_old
        if size is None and n_word is None:
            if gap != 0:
                self.fail(
                    "direction", "the same", f"a difference of {gap} between the values shown"
                )
            return
        if gap == 0:
            self.fail(
                "size",
                f"{size or n_word} {way or more}",
                "no difference: the values shown are the same",
            )
            return
        sign = 1 if (way or more) in ("higher", "more") else -1
        if gap * sign < 0:
            self.fail("direction", str(way or more), "higher" if gap > 0 else "lower")
        if unit == "%":
            true = abs(now - old) / abs(old) * 100 if old else None
            if true is None or not shows(str(size), true):
                self.fail("size", f"{size}%", f"{true}")
            return
        stated_gap = Decimal(str(read_number(str(size or n_word))[0]))
        if stated_gap != abs(gap):
            self.fail(
                "size", str(size or n_word), f"{abs(gap)}, the difference of the values shown"
            )

    def year_to_date(self) -> None:
        """The financial year so far against the same months a year before: the months (April
        to the latest month with data), the year before named, both totals from the series'
        own periods (every one of them with data), the direction and the size."""
        found = re.search(
            rf"^So far this financial year \(({_MONTH_NAME})(?: (\d{{4}}))? to ({_MONTH})\), .+? "
            rf"totalled ({_NUMBER})[^,]*?, (?:{_DIFFERENCE} than|the same as) in the same months "
            rf"of (\d{{4}}/\d{{2}}) \(({_NUMBER})[^)]*\)\.$",
            self.kp.text,
        )
        last = self.f.latest
        if not found or last is None:
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        first_name, _, to, now_s, *difference, year_s, old_s = found.groups()
        latest = self.f.periods[last]
        end = latest if isinstance(latest, Month) else latest.last_month
        start_year = end.year if end.month >= FINANCIAL_YEAR_START else end.year - 1
        start = Month(start_year, FINANCIAL_YEAR_START)
        if label_of(to) != end.label or first_name != MONTH_NAMES[start.month - 1]:
            self.fail(
                "period",
                f"{first_name} to {to}",
                f"{MONTH_NAMES[start.month - 1]} to {end.long_label}",
            )
            return
        if end.month == FINANCIAL_YEAR_START - 1:
            self.fail("period", to, "a year not yet over")
        before = f"{start_year - 1}/{start_year % 100:02d}"
        if year_s != before:
            self.fail("period", year_s, f"the year before ({before})")
        months = [start.shift(k) for k in range(end.index - start.index + 1)]
        now, old = self.f.total(months), self.f.total([m.shift(-MONTHS_PER_YEAR) for m in months])
        if now is None or old is None:
            self.fail("value", self.kp.text, "data for every period of both spans")
            return
        if not shows(now_s, now):
            self.fail("value", now_s, f"the total so far, {now}")
        if not shows(old_s, old):
            self.fail("value", old_s, f"the total a year before, {old}")
        self._difference(now, old, difference)

    def share(self) -> None:
        """A part's share of the whole the plan names, now and before (the same period a
        year before, else the one before), and of the whole's change: every number from
        the two series."""
        found = re.search(
            rf" made up ({_NUMBER})% of .+? in ({_PERIOD}) \(({_NUMBER}) of ({_NUMBER})\), "
            rf"against ({_NUMBER})% in ({_PERIOD}) \(({_NUMBER}) of ({_NUMBER})\)\."
            rf"(?: .+? accounted for (?:about ({'|'.join(FRACTION_WORDS)}) \()?({_NUMBER})%\)? "
            rf"of the (rise|fall) in .+? since ({_PERIOD}): ({_NUMBER}) of ({_NUMBER})\.)?$",
            self.kp.text,
        )
        whole = self.related.get(str(self.m.part_of))
        if not found or whole is None:
            self.fail("value", self.kp.text, "a sentence the checker can read, with its whole")
            return
        share_s, when, p1_s, w1_s, old_s, before, p0_s, w0_s = found.groups()[:8]
        fraction, of_s, way, since, dp_s, dw_s = found.groups()[8:]
        last = self.f.latest
        if last is None or label_of(when) != self.f.labels[last]:
            self.fail("period", when, "the latest period with data")
            return
        back = next(
            (
                lab
                for lab in (self.f.shift(when, -self.f.per_year), self.f.shift(when, -1))
                if lab is not None and self.f.at(lab) is not None
            ),
            None,
        )
        if label_of(before) != back:
            self.fail("period", before, f"the period compared with ({back})")
        p1, p0, w1, w0 = self.f.at(when), self.f.at(before), whole.at(when), whole.at(before)
        if p1 is None or p0 is None or w1 is None or w0 is None or not w1 or not w0:
            self.fail("value", self.kp.text, f"values of both measures for {when} and {before}")
            return
        for stated, true, what in (
            (p1_s, p1, f"the part in {when}"),
            (w1_s, w1, f"the whole in {when}"),
            (p0_s, p0, f"the part in {before}"),
            (w0_s, w0, f"the whole in {before}"),
            (share_s, p1 / w1 * 100, f"the share in {when}"),
            (old_s, p0 / w0 * 100, f"the share in {before}"),
        ):
            if not shows(stated, true):
                self.fail("value", stated, f"{what}, {true}")
        if of_s is None:
            return
        if label_of(since) != label_of(before):
            self.fail("period", since, f"the period compared with ({before})")
        of = (p1 - p0) / (w1 - w0) if w1 != w0 else None
        if of is None or not 0 < of <= 1:
            self.fail("size", f"{of_s}%", "a part that moved the same way as the whole, by no more")
            return
        if not shows(of_s, of * 100):
            self.fail("size", f"{of_s}%", f"{of * 100:.3f}%")
        if fraction is not None and abs(of - FRACTION_WORDS[fraction]) > FRACTION_SLACK:
            self.fail("size", f"about {fraction}", f"{of * 100:.1f}%")
        if (way == "rise") != (w1 > w0):
            self.fail("direction", way, "rise" if w1 > w0 else "fall")
        if not shows(dp_s, abs(p1 - p0)) or not shows(dw_s, abs(w1 - w0)):
            self.fail("value", f"{dp_s} of {dw_s}", f"{abs(p1 - p0)} of {abs(w1 - w0)}")

    def pattern(self) -> None:
        """One measure's pattern against the one the plan names: the correlation of their
        relative changes between adjacent periods both have data for, re-computed here, and
        the words it is told in (Cohen's sizes, restated)."""
        found = re.search(
            rf"^The pattern of .+? (broadly matches|partly matches|moves against|does not closely "
            rf"follow) that of .+?: their \w+-to-\w+ changes from ({_PERIOD}) to ({_PERIOD}) "
            rf"have a correlation of ({_NUMBER}) \(Pearson, on changes in logs; (\w+) changes\)\.$",
            self.kp.text,
        )
        area = self.kp.evidence.get("area")
        if area is not None:  # the same measure for another area, which the sentence names
            other = self.related.get(f"area:{area}")
            if f"that of the same measure for {area}:" not in self.kp.text:
                self.fail("name", self.kp.text, f"the area compared with ({area})")
        else:
            other = self.related.get(str(self.m.pattern_like))
        if not found or other is None:
            self.fail(
                "value", self.kp.text, "a sentence the checker can read, with its other measure"
            )
            return
        words, first, last_s, r_s, n_s = found.groups()
        last = self.f.latest
        if last is None or label_of(last_s) != self.f.labels[last]:
            self.fail("period", last_s, "the latest period with data")
            return
        both = [
            (i, v, other.at(lab))
            for i, (lab, v) in enumerate(
                zip(self.f.labels[: last + 1], self.f.values, strict=False)
            )
            if v is not None and other.at(lab) is not None
        ]
        pairs = [(a, b) for a, b in pairwise(both) if b[0] - a[0] == 1]
        if not pairs or any(min(a[1], a[2] or 0, b[1], b[2] or 0) <= 0 for a, b in pairs):
            self.fail("value", self.kp.text, "changes between values above 0 in both series")
            return
        xs = [math.log(b[1] / a[1]) for a, b in pairs]
        ys = [math.log((b[2] or 0) / (a[2] or 1)) for a, b in pairs]
        r = _pearson(xs, ys)
        if label_of(first) != self.f.labels[pairs[0][0][0]]:
            self.fail("period", first, self.f.labels[pairs[0][0][0]])
        if int(read_number(n_s)[0]) != len(pairs):
            self.fail("value", f"{n_s} changes", f"{len(pairs)} changes")
        if r is None or not shows(r_s, r):
            self.fail("value", r_s, f"a correlation of {r}")
            return
        expected = (
            "broadly matches"
            if r >= LARGE_R
            else "partly matches"
            if r >= MEDIUM_R
            else "moves against"
            if r <= -MEDIUM_R
            else "does not closely follow"
        )
        if words != expected:
            self.fail("size", words, expected)

    def seasonal(self) -> None:
        """A monthly measure's last 12 month-to-month changes against the same months' a
        year before: the latest month, the 25 months behind it, the correlation re-computed
        here and the words it is told in (Cohen's sizes, restated)."""
        found = re.search(
            rf"^.+? (followed much the same|partly followed the|moved against the|did not "
            rf"closely follow the) seasonal pattern (?:as|of) the year before: the month-to-month "
            rf"changes in the 12 months to ({_MONTH}) have a correlation of ({_NUMBER}) with "
            rf"those a year earlier \(Pearson, on changes in logs; 12 changes\)\.$",
            self.kp.text,
        )
        last = self.f.latest
        if not found or last is None:
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        words, month, r_s = found.groups()
        if label_of(month) != self.f.labels[last]:
            self.fail("period", month, "the latest period with data")
            return
        values = self.f.values[last - 24 : last + 1] if last >= 24 else []
        if len(values) != 25 or any(v is None or v <= 0 for v in values):
            self.fail("value", self.kp.text, "25 months with values above 0 to the latest")
            return
        logs = [math.log(v or 1) for v in values]
        moves = [b - a for a, b in pairwise(logs)]
        r = _pearson(moves[12:], moves[:12])
        if r is None or not shows(r_s, r):
            self.fail("value", r_s, f"a correlation of {r}")
            return
        expected = (
            "followed much the same"
            if r >= LARGE_R
            else "partly followed the"
            if r >= MEDIUM_R
            else "moved against the"
            if r <= -MEDIUM_R
            else "did not closely follow the"
        )
        if words != expected:
            self.fail("size", words, expected)

    def quarter_season(self) -> None:
        """The usual highest (lowest) quarter of the financial year: each quarter's value
        over its centred four-quarter moving average (weights 1/8, 1/4, 1/4, 1/4, 1/8, the
        five quarters all with values above 0), re-computed here; the quarter was the
        strict highest (lowest) of every one of the years named, those years are the latest
        in a row with all four ratios, and there are at least four of them."""
        found = re.search(
            r"^.+? (?:is|are) usually (highest|lowest) in Q([1-4]) of the financial year "
            r"\((\w+ to \w+)\): allowing for the trend \(each quarter against its centred "
            r"four-quarter moving average\), Q([1-4]) was the (highest|lowest) quarter in each "
            r"of the (\w+) financial years (\d{4})/\d{2} to (\d{4})/\d{2}\.$",
            self.kp.text,
        )
        if not found or not self.f.periods or not isinstance(self.f.periods[0], Quarter):
            self.fail("value", self.kp.text, "a sentence the checker can read")
            return
        kind, q_s, months, q_again, kind_again, n_s, first_s, last_s = found.groups()
        q, n, first, last = int(q_s), int(read_number(n_s)[0]), int(first_s), int(last_s)
        start = Month(2000, FINANCIAL_YEAR_START).shift((q - 1) * MONTHS_PER_QUARTER)
        end = start.shift(MONTHS_PER_QUARTER - 1)
        if months != f"{MONTH_NAMES[start.month - 1]} to {MONTH_NAMES[end.month - 1]}":
            self.fail("period", months, f"the months of Q{q}")
        if (q_again, kind_again) != (q_s, kind) or last - first + 1 != n or n < 4:
            self.fail("value", f"{n_s} financial years", "four or more years in a row, as named")
        values = dict(zip(self.f.periods, self.f.values, strict=True))
        weights = (0.125, 0.25, 0.25, 0.25, 0.125)
        ratio: dict[tuple[int, int], float] = {}
        for p, v in values.items():
            assert isinstance(p, Quarter)
            around = [values.get(p.shift(k)) for k in range(-2, 3)]
            if v is not None and all(a is not None and a > 0 for a in around):
                ratio[(p.fy_start, p.q)] = v / sum(
                    w * (a or 0.0) for w, a in zip(weights, around, strict=True)
                )
        years = sorted({y for y, _ in ratio if all((y, k) in ratio for k in range(1, 5))})
        if not years or years[-1] != last:
            self.fail(
                "period",
                last_s,
                f"the latest financial year with four ratios ({years[-1] if years else None})",
            )
            return
        pick = max if kind == "highest" else min
        for year in range(first, last + 1):
            qs = {k: ratio.get((year, k)) for k in range(1, 5)}
            if any(r is None for r in qs.values()):
                self.fail("period", f"{year}", "a year with all four ratios")
                return
            best = pick(r for r in qs.values() if r is not None)
            if [k for k, r in qs.items() if r == best] != [q]:
                self.fail(
                    "size", f"Q{q} in {year}", f"the {kind} quarter of that year (ratios {qs})"
                )
        before = {k: ratio.get((first - 1, k)) for k in range(1, 5)}
        if all(r is not None for r in before.values()):
            best = pick(r for r in before.values() if r is not None)
            if [k for k, r in before.items() if r == best] == [q]:
                self.fail("value", f"{n_s} financial years", f"also {first - 1}: the run is longer")

    def _average(self, months: Sequence[Month]) -> float | None:
        """The mean of the months' values, leaving out the months the series never has, or
        ``None`` when any other month has none."""
        values = [self.f.at(m.label) for m in self.f.counted(months)]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None) / len(values)

    def not_compared(self) -> None:
        """Why the previous quarter is not compared, when a sentence says it: of the year's
        change, the quarter named is the one before the latest with data, and it and the
        latest cover the numbers of months said, which differ (restated from the plan)."""
        f, last = self.f, self.f.latest
        for found in _NOT_COMPARED.finditer(self.kp.text):
            named, before_s, now_s = found.groups()
            claim = found.group(0).strip()
            if self.kp.kind not in NOT_COMPARED_KINDS or last is None or last == 0:
                self.fail("period", claim, "the year's change of the latest quarter")
                continue
            latest, previous = f.periods[last], f.periods[last - 1]
            if label_of(named) != previous.label:
                self.fail("period", named, f"the quarter before {latest.label} ({previous.label})")
                continue
            before, now = int(read_number(before_s)[0]), int(read_number(now_s)[0])
            if (before, now) != (f.covers(previous), f.covers(latest)):
                self.fail(
                    "period",
                    claim,
                    f"{previous.label} covers {f.covers(previous)} months, "
                    f"{latest.label} {f.covers(latest)}",
                )
            elif before == now:
                self.fail("period", claim, "quarters covering as many months are compared")

    def left_out(self) -> None:
        """A figure over a period that takes in months the plan says the series never has
        (``part_year``) says what it is of: after it (or after the last period of the
        sentence it is true of, with "each"), how many months and exactly which were left
        out, restated here from the plan and the period; and no sentence says so of a
        period it is not true of. The figures themselves are then checked as the sums (or
        means) of the months it says were compared (:meth:`_Facts.total`)."""
        text, without = self.kp.text, self.f.without
        events: list[tuple[int, int, tuple[int, tuple[str, ...]], str, bool | None]] = []
        if without and self.kp.kind in NOTED_KINDS:
            for end, phrase, months in self._figures(text):
                shape = self._shape(months)
                if shape is not None:
                    events.append((end, 0, shape, phrase, None))
        for note in _LEFT_OUT_NOTE.finditer(text):
            n_word, each, names = note.groups()
            listed = tuple(re.split(r", | and ", names))
            events.append(
                (note.start(), 1, (int(read_number(n_word)[0]), listed), note[0], bool(each))
            )
        pending: dict[tuple[int, tuple[str, ...]], list[str]] = {}
        for _, is_note, shape, words, each in sorted(events, key=lambda e: (e[0], e[1])):
            if not is_note:
                pending.setdefault(shape, []).append(words)
                continue
            before = pending.pop(shape, [])
            if not before:
                self.fail(
                    "period", words, "a period before it, of as many months with those left out"
                )
            elif each != (len(before) > 1):
                self.fail("period", words, f"'each' only when said of more than one ({before})")
        for shape, phrases in pending.items():
            n, names = shape
            for phrase in phrases:
                self.fail(
                    "period",
                    phrase,
                    f"what the figure for {phrase} is of: {n} months, "
                    f"{' and '.join(names)} left out (the plan's part_year)",
                )

    def _shape(self, months: Sequence[Month]) -> tuple[int, tuple[str, ...]] | None:
        """How many months a figure over ``months`` is of, and the names of those left out."""
        left = [m for m in months if m.month in self.f.without]
        if not left or len(months) < 2:
            return None
        names = tuple(dict.fromkeys(MONTH_NAMES[m.month - 1] for m in left))
        return len(months) - len(left), names

    def _figures(self, text: str) -> list[tuple[int, str, tuple[Month, ...]]]:
        """The periods whose figures the sentence states (where they end, the words, the
        months): every period it names but where a run or extreme reaches back to and the
        ends of a span; the year so far; a calendar year's average (so far, or whole)."""
        spans = {m.start(k) for m in _SPAN.finditer(text) for k in (1, 2)}
        out: list[tuple[int, str, tuple[Month, ...]]] = []
        for found in re.finditer(_PERIOD, text):
            if found.start() in spans or text[: found.start()].endswith("since "):
                continue
            try:
                period = parse_period(found[0].removeprefix("the "))
            except PeriodError:
                continue
            out.append((found.end(), found[0], period.months()))
        so_far = _SO_FAR.search(text)
        if so_far:
            first_name, first_year, last_name, last_year = so_far.groups()
            last = Month(int(last_year), MONTH_NAMES.index(last_name) + 1)
            first = Month(int(first_year or last_year), MONTH_NAMES.index(first_name) + 1)
            months = tuple(first.shift(k) for k in range(last.index - first.index + 1))
            out.append((so_far.end(), so_far[0], months))
        for year in _YEAR_AVERAGE.finditer(text):
            y, first_name, last_name = year.groups()
            lo = MONTH_NAMES.index(first_name) + 1 if first_name else 1
            hi = MONTH_NAMES.index(last_name or first_name) + 1 if first_name else MONTHS_PER_YEAR
            months = tuple(Month(int(y), k) for k in range(lo, hi + 1))
            out.append((year.end(), year[0], months))
        return out

    def suspect(self) -> None:
        label = self.kp.evidence.get("label")
        if label not in self.f.held:
            self.fail("value", str(label), "a value the series holds out as suspect")

    def gap(self) -> None:
        labels = self.kp.evidence.get("labels") or ()
        for label in labels:
            if label in self.f.labels and self.f.values[self.f.labels.index(label)] is not None:
                self.fail("value", str(label), "a period with no data")


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The Pearson correlation, by its sums (``None`` when either list does not vary)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def period_of(comparison: Mapping[str, object]) -> str:
    return str(comparison.get("comparison_label"))


def period_phrase_of(comparison: Mapping[str, object]) -> str:
    """How a sentence names an evidence period: ``June 2023``, ``the 12 months to ...``."""
    label = period_of(comparison)
    try:
        period = parse_period(label)
    except PeriodError:
        return label
    text = period.long_label if isinstance(period, Month) else period.label
    return f"the {text}" if text.startswith("12 months") else text


def _p_value(evidence: Mapping[str, object]) -> object:
    """The p-value of the result a sentence's verdict is about: a level step's own (a
    step told instead of a trend carries the trend's evidence too), else the point's."""
    step = evidence.get("step")
    if isinstance(step, Mapping) and "p_value" in step:
        return step["p_value"]
    return evidence.get("p_value", evidence.get("step_p"))


def _pct(proportion: object) -> float | None:
    return proportion * 100 if isinstance(proportion, int | float) else None


def _prefix(moves: Sequence[int], sign: int) -> int:
    n = 0
    for move in moves:
        if move != sign:
            break
        n += 1
    return n


def _told(sign: int, n: int) -> str:
    return f"{n} {'increase' if sign > 0 else 'decrease'}{'' if n == 1 else 's'}"


#: Where a sentence turns to the plan's events (planwatch.narrative.templates.coincides_text).
COINCIDES = " This coincides with "
CHANGE_KINDS = frozenset({"change_previous", "change_last_year", "rolling12", "baseline"})


def check_key_point(
    kp: KeyPoint,
    series: MeasureSeries,
    measure: Measure,
    quarter: Quarter | None = None,
    related: Mapping[str, MeasureSeries] | None = None,
) -> tuple[ClaimProblem, ...]:
    """Every fact ``kp.text`` states that ``series`` (cut at ``quarter``) does not bear out.
    The plan's events a sentence ends with ("This coincides with ...") are the plan's
    words, not the series': the checker reads the sentence before them. ``related``: the
    series of the measures the plan links this one to (``part_of``, ``pattern_like``), by id.
    What a figure over part of a year is of (the plan's ``part_year``: "11 months: August,
    which has no data, is left out") is checked first (:meth:`_Check.left_out`), then the
    sentence is read without it."""
    return _check_point(kp, series, measure, quarter, related, read_notes=True)


def _check_point(
    kp: KeyPoint,
    series: MeasureSeries,
    measure: Measure,
    quarter: Quarter | None,
    related: Mapping[str, MeasureSeries] | None,
    *,
    read_notes: bool,
) -> tuple[ClaimProblem, ...]:
    claim, _, events = kp.text.partition(COINCIDES)
    if events and not kp.evidence.get("events"):
        return (ClaimProblem.of(kp, "period", COINCIDES.strip(), "an event the evidence names"),)
    if claim != kp.text:
        kp = replace(kp, text=claim)
    without = measure.part_year.without if measure.part_year is not None else ()
    if read_notes:  # why the previous quarter is not compared, then the sentence without it
        noted = _Check(kp, _facts(series, quarter, without), measure)
        noted.not_compared()
        if noted.problems:
            return tuple(noted.problems)
        kp = replace(kp, text=_NOT_COMPARED.sub("", kp.text))
    if read_notes:  # what each figure over part of a year is of, then the sentence without it
        noted = _Check(kp, _facts(series, quarter, without), measure)
        noted.left_out()
        if noted.problems:
            return tuple(noted.problems)
        kp = replace(kp, text=_LEFT_OUT_PLACED.sub("", kp.text))
    if _counted_at_period_end(measure):  # a stock's periods are named by the day counted
        named, wrong = _days_as_periods(kp.text, _facts(series, quarter, without))
        if wrong:
            return tuple(
                ClaimProblem.of(kp, "period", day, "the last day of a period in the series")
                for day in wrong
            )
        kp = replace(kp, text=named)
    if kp.kind == "trend_and_change":  # two findings in one sentence: each checked as its own
        return _trend_and_change(kp, series, measure, quarter, related)
    others = {k: _facts(v, quarter) for k, v in (related or {}).items()}
    check = _Check(kp, _facts(series, quarter, without), measure, others)
    if kp.kind != "changes":  # its verdicts are one per comparison (_Check.changes)
        check.significance()
    check.periods_named()
    check.name()
    check.like_for_like()
    if (
        kp.kind in ("trend", "no_trend", "sub_trend", "trend_and_run", "changes")
        or kp.kind in CHANGE_KINDS
    ):
        check.swings()
    if kp.kind == "run":
        check.run()
    elif kp.kind == "trend_and_run":  # both facts, in one sentence
        check.trend()
        check.run()
    elif kp.kind in ("trend", "no_trend"):
        check.trend()
    elif kp.kind == "sub_trend":
        check.trend()
        check.sub_window()
    elif kp.kind == "sub_change":
        check.sub_change()
    elif kp.kind == "extreme":
        check.extreme()
    elif kp.kind in CHANGE_KINDS:
        check.comparison()
    elif kp.kind == "changes":
        check.changes()
    elif kp.kind in ("benchmark_gap", "proportion_gap"):
        check.gap_between()
    elif kp.kind == "named_quarter":
        check.named_quarter()
    elif kp.kind == "calendar_years":
        check.calendar_years()
    elif kp.kind == "year_to_date":
        check.year_to_date()
    elif kp.kind == "share":
        check.share()
    elif kp.kind == "pattern":
        check.pattern()
    elif kp.kind == "seasonal":
        check.seasonal()
    elif kp.kind == "quarter_season":
        check.quarter_season()
    elif kp.kind == "gap":
        check.gap()
    elif kp.kind == "suspect_value":
        check.suspect()
    return tuple(check.problems)


#: Series whose facts are kept (a measure's key points, and its related series', are
#: checked against the same facts; the last few series are enough).
FACTS_KEPT = 64
_facts_kept: dict[tuple[int, Quarter | None, tuple[int, ...]], tuple[MeasureSeries, _Facts]] = {}


def _facts(series: MeasureSeries, quarter: Quarter | None, without: tuple[int, ...] = ()) -> _Facts:
    """:meth:`_Facts.of`, remembered for the same series object, quarter and months the plan
    says it never has (the entry holds the series, so its id cannot be reused while it is
    kept)."""
    key = (id(series), quarter, without)
    kept = _facts_kept.get(key)
    if kept is not None and kept[0] is series:
        return kept[1]
    facts = _Facts.of(series, quarter, without)
    if len(_facts_kept) >= FACTS_KEPT:
        _facts_kept.clear()
    _facts_kept[key] = (series, facts)
    return facts


def _counted_at_period_end(measure: Measure) -> bool:
    """A stock (``stock`` on a record source, or ``aggregation: last``): counted on each
    period's last day (restated from the plan, not read from the narrative)."""
    stock = getattr(measure.source, "stock", None)
    return measure.aggregation == "last" or stock is not None


_DAY = re.compile(rf"(\()?(\bat )?\b(\d{{1,2}}) ({_MONTH_NAME}) (\d{{4}})(\))?")


def _days_as_periods(text: str, facts: _Facts) -> tuple[str, list[str]]:
    """A stock's sentence with each day it names ("at 31 March 2023") read as the period
    ending on it ("in 2022/23 Q4"), so that the claims are checked as the period's; the
    days that end no period of the series are returned as wrong."""
    ends = {p.end: p for p in facts.periods}
    wrong: list[str] = []

    def period(found: re.Match[str]) -> str:
        opened, at, day, month, year, closed = found.groups()
        when = date(int(year), MONTH_NAMES.index(month) + 1, int(day))
        p = ends.get(when)
        if p is None:
            wrong.append(found.group(0))
            return found.group(0)
        name = p.long_label if isinstance(p, Month) else p.label
        if opened and closed:
            return f"({name})"
        return f"{opened or ''}{'in ' if at else ''}{name}{closed or ''}"

    return _DAY.sub(period, text), wrong


#: Between the two findings of a "trend_and_change" point (keypoints.MEANWHILE).
_MEANWHILE = "; meanwhile, "


def _trend_and_change(
    kp: KeyPoint,
    series: MeasureSeries,
    measure: Measure,
    quarter: Quarter | None,
    related: Mapping[str, MeasureSeries] | None,
) -> tuple[ClaimProblem, ...]:
    """A trend no test showed and the year's change, each checked as the point it was."""
    trend_text, sep, rest = kp.text.partition(_MEANWHILE)
    e = dict(kp.evidence)
    change_evidence, change_kind = e.pop("change", None), e.pop("change_kind", None)
    change_significant = e.pop("change_significant", None)
    if not sep or not isinstance(change_evidence, dict) or change_kind not in KINDS_JOINED:
        return (ClaimProblem.of(kp, "value", kp.text, "a trend and the year's change"),)
    change, _, caveats = rest.partition(". ")
    trend = replace(kp, kind="no_trend", text=f"{trend_text}. {caveats}".strip(), evidence=e)
    year = replace(
        kp,
        kind=change_kind,
        text=f"{change[:1].upper()}{change[1:].removesuffix('.')}.",
        evidence=change_evidence,
        significant=change_significant,
    )
    comparisons = change_evidence.get("comparisons") or [change_evidence]
    cur, old = change_evidence.get("current_value"), comparisons[0].get("comparison_value")
    moved = cur - old if isinstance(cur, int | float) and isinstance(old, int | float) else 0
    against = {"up": moved < 0, "down": moved > 0}.get(str(kp.direction), False)
    if kp.significant is not False or not against:
        return (
            ClaimProblem.of(kp, "direction", kp.text, "a trend no test showed, against the change"),
        )
    return _check_point(trend, series, measure, quarter, related, read_notes=False) + _check_point(
        year, series, measure, quarter, related, read_notes=False
    )


#: The kinds of change a "trend_and_change" point may join.
KINDS_JOINED = frozenset({"change_last_year", "changes"})


def verified(
    points: Iterable[KeyPoint],
    series: MeasureSeries,
    measure: Measure,
    quarter: Quarter | None = None,
    related: Mapping[str, MeasureSeries] | None = None,
) -> tuple[tuple[KeyPoint, ...], tuple[ClaimProblem, ...]]:
    """The key points whose sentences pass the check, and the problems of those that fail
    (an override's own words are the analyst's and are not checked); ``related`` as for
    :func:`check_key_point`."""
    kept: list[KeyPoint] = []
    problems: list[ClaimProblem] = []
    for kp in points:
        found = (
            ()
            if kp.kind == "override" or kp.overridden
            else check_key_point(kp, series, measure, quarter, related)
        )
        if found:
            problems.extend(found)
        else:
            kept.append(kp)
    return tuple(kept), tuple(problems)
