"""Numbers and periods as a reader sees them (UK official-statistics style).

In: floats, units and period labels. Out: short strings — ``122,057``,
``17.2%``, ``0.4 percentage points``, ``August and September 2018``, ``2023/24 Q1``.
Shared by every sentence template so that a figure is written the same way everywhere.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence

from planwatch.errors import PeriodError
from planwatch.periods import Month, Period, Quarter, parse_period

#: Percentages (changes, shares) are shown to one decimal place (GSS presentation guidance).
PCT_DECIMALS = 1
#: Percentage-point differences likewise.
PP_DECIMALS = 1

MONTH_FULL = {calendar.month_abbr[i].lower(): calendar.month_name[i] for i in range(1, 13)}
UNIT_SUFFIX = {"percent": "%", "hours": " hours", "rate_per_1000": " per 1,000 population"}
UNIT_PREFIX = {"currency": "£"}


def number(value: float, decimals: int = 0) -> str:
    """``122057.0`` → ``122,057``; negative zero is shown as ``0``."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def quantity(value: float, unit: str, decimals: int = 0) -> str:
    """A value with its unit: ``4.1%``, ``5.35 hours``, ``£1,200``, ``122,057``."""
    shown = number(value, max(decimals, PCT_DECIMALS) if unit == "percent" else decimals)
    return f"{UNIT_PREFIX.get(unit, '')}{shown}{UNIT_SUFFIX.get(unit, '')}"


def pct(value: float) -> str:
    """A size of change in percent, unsigned: ``17.2%``."""
    return f"{number(abs(value), PCT_DECIMALS)}%"


def pp(value: float) -> str:
    """A size of difference in percentage points, unsigned."""
    size = number(abs(value), PP_DECIMALS)
    return f"{size} percentage point{'' if size == '1.0' else 's'}"


def period_name(label: str) -> str:
    """``2022-06`` → ``June 2022``; quarter and window labels are already in reading form."""
    try:
        period = parse_period(label)
    except PeriodError:  # a label in a form we do not parse: show it as it is
        return label
    return period.long_label if isinstance(period, Month) else label


def period_phrase(label: str) -> str:
    """A period inside a sentence after "in"/"from": ``June 2022``, ``2023/24 Q1``,
    ``the 12 months to June 2023``."""
    name = period_name(label)
    return f"the {name}" if name.lower().startswith("12 months") else name


def month_full_name(short: str) -> str:
    """``Jun`` → ``June`` (names not recognised are returned unchanged)."""
    return MONTH_FULL.get(short.lower()[:3], short)


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def period_list(labels: Sequence[str]) -> str:
    """Period labels as a phrase, months of one year grouped: ``August and September 2018``."""
    periods: list[Period | None] = []
    for label in labels:
        try:
            periods.append(parse_period(label))
        except PeriodError:
            periods.append(None)
    if periods and all(isinstance(p, Month) for p in periods):
        months = [p for p in periods if isinstance(p, Month)]
        years: dict[int, list[str]] = {}
        for m in months:
            years.setdefault(m.year, []).append(m.long_label.split(" ")[0])
        return join_words([f"{join_words(names)} {year}" for year, names in years.items()])
    return join_words(
        [
            p.label if isinstance(p, Quarter) else label
            for p, label in zip(periods, labels, strict=True)
        ]
    )


def mid_sentence(name: str) -> str:
    """A measure name inside a sentence: ``Anti-social behaviour`` → ``anti-social behaviour``,
    but ``ASB incidents`` stays as it is."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def count_word(n: int, singular: str, plural: str | None = None) -> str:
    """``1 quarter``, ``3 quarters``; numbers up to nine in words (GSS style)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    shown = words[n] if 0 <= n < len(words) else number(n)
    return f"{shown} {singular if n == 1 else (plural or singular + 's')}"
