"""Flag values that jump about a hundredfold against their own series.

In: the new values of one series (and the values already stored for it).
Out: the positions of the new values to hold out as ``suspect`` until an analyst
confirms, rejects or corrects them (``planwatch confirm``).

A misplaced decimal point, or a percentage typed as 428 instead of 4.28, moves a
value by a factor of about 100. Real movement in a force's performance series is
far smaller from one period to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

#: A value this many times larger (or smaller) than the median of the rest of its
#: series is suspect. Decimal-point and percent-scale slips are ~100x; genuine
#: period-to-period movement in these series is a few times at most, so 20x flags
#: every slip with a wide margin and leaves real change alone.
SUSPECT_RATIO = 20.0
#: Fewer other values than this and a series has no settled level to compare with.
MIN_OTHER_VALUES = 3


def suspect_positions(new: Sequence[float], stored: Sequence[float] = ()) -> list[int]:
    """Indices into ``new`` of values ``SUSPECT_RATIO`` times off the median of all other values."""
    flagged: list[int] = []
    pool = [abs(v) for v in (*stored, *new)]
    offset = len(stored)
    for i, value in enumerate(new):
        others = pool[: offset + i] + pool[offset + i + 1 :]
        if len(others) < MIN_OTHER_VALUES or value == 0:
            continue
        level = median(others)
        if level == 0:
            continue
        ratio = abs(value) / level
        if ratio >= SUSPECT_RATIO or ratio <= 1 / SUSPECT_RATIO:
            flagged.append(i)
    return flagged
