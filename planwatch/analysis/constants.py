"""Named constants shared by the analysis modules, each with its source.

In: nothing. Out: numbers that decide what counts as significant, low or strong.
Every value is explained in ``docs/methodology.md`` (section given beside it).
"""

from __future__ import annotations

#: Significance level for every test: the conventional 5% (methodology §1).
ALPHA = 0.05

#: Power used for the "minimum detectable trend" behind ``low_counts``: the
#: conventional 80% (Cohen 1988, *Statistical Power Analysis*, §1.4; methodology §2.4).
POWER_FOR_DETECTABLE = 0.80

#: A trend of this size (% a year) is the largest "plausible" one for crime counts
#: over a plan period: it is the lower edge of the "strong" band (methodology §2.3).
PLAUSIBLE_TREND_PCT_PER_YEAR = 10.0

#: Strength bands by the size of the trend (% a year, absolute): below the first
#: edge "very slight", then "slight", "moderate", and "strong" from the last edge
#: (methodology §2.3).
STRENGTH_EDGES_PCT_PER_YEAR: tuple[float, float, float] = (2.0, 5.0, 10.0)

#: Below this size (% a year, absolute) a trend estimate is described as flat.
FLAT_PCT_PER_YEAR = 0.5

#: Upper-tail level of the Pearson chi-squared goodness-of-fit test used to decide
#: over-dispersion (McCullagh & Nelder 1989, §4.4.3; methodology §2.2).
DISPERSION_TEST_LEVEL = 0.05

#: Fewest residual degrees of freedom a trend fit needs (two years of quarters
#: give 8 points - 5 parameters = 3; methodology §2.1).
MIN_RESIDUAL_DF = 3

#: Fewest periods of data for a trend: two full seasonal cycles (methodology §2.1).
MIN_CYCLES_FOR_TREND = 2

#: Periods per year by frequency.
PERIODS_PER_YEAR = {"quarter": 4, "month": 12}

#: Confidence level of every interval: 1 - ALPHA.
CONFIDENCE = 1.0 - ALPHA
