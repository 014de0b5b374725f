"""Numbers and periods as a reader sees them, written one way for the whole product.

In: floats (or ``None``), plan units and decimals, period labels and dates.
Out: short strings — ``122,057``, ``−12``, ``+3.5%``, ``17.2%``, ``0.98 percentage
points``, ``11 fewer``, ``three quarters``, ``June 2023``, ``2023/24 Q1``,
``August and September 2018``, ``25 November 2026``, ``11 months: August, which has no
data, is left out``.

Sentences (:mod:`planwatch.narrative`), tables, charts, HTML and PDF
(:mod:`planwatch.report`) and the web app all call these functions, so that a figure
reads the same wherever it appears. There is one rounding rule and one minus sign:

* halves round away from zero on the number as written (``Decimal(str(value))``,
  ``ROUND_HALF_UP``), as published statistical tables do: ``1234.5`` is ``1,235`` and
  ``2.675`` is ``2.68`` in a sentence and in the table under it;
* a negative number takes the true minus sign :data:`MINUS` (U+2212), never a hyphen;
  a value that rounds to zero is shown without a sign;
* a missing value (``None``, NaN) is an en dash, :data:`MISSING`.

Pure: no I/O, only :mod:`planwatch.periods` and :mod:`planwatch.errors`.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from planwatch.errors import PeriodError
from planwatch.periods import Month, Period, Quarter, parse_period

#: The one minus sign (U+2212 MINUS SIGN; GOV.UK and ONS style for published figures).
MINUS = "\u2212"
#: What a missing value is shown as (an en dash, as in ONS tables).
MISSING = "\u2013"
#: Sizes of change in percent are shown to one decimal place (GSS presentation guidance).
PCT_DECIMALS = 1
#: Percentage-point differences are shown to at least one decimal place (GSS guidance),
#: or to the measure's own decimals where it has more (the reference update: −0.98).
PP_DECIMALS = 1
#: Numbers up to nine are written in words in running text (GSS style guide).
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: Unit words used in sentences and column headings.
UNIT_WORDS = {
    "count": "number",
    "percent": "percentage",
    "rate_per_1000": "rate per 1,000 population",
    "hours": "hours",
    "score": "score",
    "number": "number",
    "currency": "pounds",
}
#: Symbols written next to a value everywhere (tables, charts and sentences).
UNIT_SYMBOL_SUFFIX = {"percent": "%"}
UNIT_SYMBOL_PREFIX = {"currency": "£"}
#: Words written after a value in a sentence only (a table says them in its heading).
UNIT_SENTENCE_SUFFIX = {"hours": " hours", "rate_per_1000": " per 1,000 population"}

MONTH_FULL = {calendar.month_abbr[i].lower(): calendar.month_name[i] for i in range(1, 13)}


# --- numbers ------------------------------------------------------------------------


def rounded(value: float, decimals: int = 0) -> Decimal:
    """The value as it is shown: halves away from zero on the number as written."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1,235``; ``-12`` → ``−12``; ``-0.001`` → ``0``; ``None`` → ``–``."""
    if value is None or _missing(value):
        return MISSING
    shown = rounded(value, decimals)
    if shown == 0:
        shown = abs(shown)
    return f"{shown:,.{decimals}f}".replace("-", MINUS)


def value(value: float | None, unit: str, decimals: int = 0) -> str:
    """A measure's value in a table or chart, with its unit where that is a symbol:
    ``72.4%``, ``£1,200``, ``5.35``; always to the measure's own decimals."""
    if value is None or _missing(value):
        return MISSING
    shown = number(value, decimals)
    return f"{UNIT_SYMBOL_PREFIX.get(unit, '')}{shown}{UNIT_SYMBOL_SUFFIX.get(unit, '')}"


def quantity(value_: float | None, unit: str, decimals: int = 0) -> str:
    """A measure's value in a sentence, with its unit: ``4.1%``, ``5.35 hours``, ``£1,200``."""
    if value_ is None or _missing(value_):
        return MISSING
    return f"{value(value_, unit, decimals)}{UNIT_SENTENCE_SUFFIX.get(unit, '')}"


def signed(value: float | None, decimals: int = 0, suffix: str = "") -> str:
    """``-12`` → ``−12``, ``12`` → ``+12``, ``0.004`` → ``0`` (no sign on a shown zero)."""
    if value is None or _missing(value):
        return MISSING
    sign = "+" if rounded(value, decimals) > 0 else ""
    return f"{sign}{number(value, decimals)}{suffix}"


def pct(value: float) -> str:
    """A size of change in percent, unsigned: ``17.2%``."""
    return f"{number(abs(value), PCT_DECIMALS)}%"


def pp_decimals(decimals: int = 0) -> int:
    """Decimals for a difference in percentage points of a measure with these decimals."""
    return max(decimals, PP_DECIMALS)


def pp(value: float, decimals: int = 0) -> str:
    """A size of difference in percentage points, unsigned: ``0.98 percentage points``,
    ``1.0 percentage point``."""
    size = rounded(abs(value), pp_decimals(decimals))
    return f"{number(abs(value), pp_decimals(decimals))} percentage point{'' if size == 1 else 's'}"


def number_word(n: int) -> str:
    """``three``, ``12``: whole numbers up to nine in words (``0`` is ``no``)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else number(n)


def count_word(n: int, singular: str, plural: str | None = None) -> str:
    """``one quarter``, ``three quarters``, ``12 months``: numbers up to nine in words."""
    return f"{number_word(n)} {singular if n == 1 else (plural or singular + 's')}"


def count_change(difference: float, noun: str | None = None, plural: str | None = None) -> str:
    """A change in a count: ``11 fewer employees``, ``one more officer``, ``11 fewer``
    (without a noun), ``no change``."""
    n = int(rounded(abs(difference)))
    if n == 0:
        return "no change"
    word = "more" if difference > 0 else "fewer"
    if noun is None:
        return f"{number_word(n)} {word}"
    return f"{number_word(n)} {word} {noun if n == 1 else (plural or noun + 's')}"


# --- words --------------------------------------------------------------------------


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def month_names(months: Sequence[int]) -> str:
    """Calendar months by number as a phrase: ``(7, 8)`` → ``July and August``."""
    return join_words([calendar.month_name[m] for m in months])


def left_out_note(compared: int, left_out: Sequence[str], *, each: bool = False) -> str:
    """What a figure over part of a year is of, when the series never has some of its months
    (the plan's ``part_year``): ``11 months: August, which has no data, is left out``;
    ``two months each: ...`` when said once of several periods alike;
    ``10 months: July and August, which have no data, are left out``."""
    many = len(left_out) > 1
    return (
        f"{count_word(compared, 'month')}{' each' if each else ''}: {join_words(left_out)}, "
        f"which {'have' if many else 'has'} no data, {'are' if many else 'is'} left out"
    )


def _capitalised(word: str) -> bool:
    return len(word) > 0 and word[0].isupper()


def mid_sentence(name: str) -> str:
    """A measure name inside a sentence. An ordinary first word is lower-cased
    (``Anti-social behaviour`` → ``anti-social behaviour``); the plan's other capitals are
    kept, and so is a name in title case or starting with an acronym (``All Crime Harm``,
    ``Special Constables``, ``ASB incidents``)."""
    words = name.split()
    if not words or not _capitalised(words[0]) or (len(words[0]) > 1 and words[0][1].isupper()):
        return name
    if len(words) > 1 and _capitalised(words[1]):
        return name  # title case: the capitals are the plan's, not a sentence's
    return name[0].lower() + name[1:]


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- periods and dates --------------------------------------------------------------


def period_text(label: str | None) -> str:
    """A period label as a reader sees it: ``2023-06`` → ``June 2023``; ``2023/24-Q1`` →
    ``2023/24 Q1``; a label in a form not parsed is shown as it is; ``None`` → ``–``."""
    if label is None:
        return MISSING
    try:
        period = parse_period(label)
    except PeriodError:
        return label
    return period.long_label if isinstance(period, Month) else period.label


def period_phrase(label: str) -> str:
    """A period inside a sentence after "in"/"from": ``June 2022``, ``2023/24 Q1``,
    ``the 12 months to June 2023``."""
    name = period_text(label)
    return f"the {name}" if name.lower().startswith("12 months") else name


def period_list(labels: Sequence[str]) -> str:
    """Period labels as a phrase, months of one year grouped: ``August and September 2018``."""
    periods: list[Period | None] = []
    for label in labels:
        try:
            periods.append(parse_period(label))
        except PeriodError:
            periods.append(None)
    if periods and all(isinstance(p, Month) for p in periods):
        years: dict[int, list[str]] = {}
        for m in periods:
            assert isinstance(m, Month)
            years.setdefault(m.year, []).append(calendar.month_name[m.month])
        return join_words([f"{join_words(names)} {year}" for year, names in years.items()])
    return join_words(
        [
            p.label if isinstance(p, Quarter) else label
            for p, label in zip(periods, labels, strict=True)
        ]
    )


def short_period(period: Month | Quarter) -> str:
    """Axis and table labels: ``Jun 2023`` or ``2023/24 Q1``."""
    return f"{period.short_name} {period.year}" if isinstance(period, Month) else period.label


def month_full_name(short: str) -> str:
    """``Jun`` → ``June`` (names not recognised are returned unchanged)."""
    return MONTH_FULL.get(short.lower()[:3], short)


def month_label(month: Month | None) -> str:
    return month.long_label if month is not None else "not known"


def month_year(day: date) -> str:
    """``October 2021``."""
    return f"{calendar.month_name[day.month]} {day.year}"


def long_date(day: date) -> str:
    """``25 November 2026``."""
    return f"{day.day} {day:%B %Y}"
