"""Make (or check) ``planwatch/analysis/trend_critical.txt``: the critical value of the
trend's restricted likelihood ratio for every complete seasonal design (methodology §2.6).

Run: ``python scripts/trend_critical.py`` (writes the table; a few minutes on 2 cores),
``python scripts/trend_critical.py --check`` (recomputes a few rows with the shipped
draws and confirms, for those designs, that the largest 95% quantile over the whole
(rho, lambda) range is where the table simulates it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from planwatch.analysis.argls import (  # noqa: E402
    FIRST_USE_DRAWS,
    TABLE_ALPHA,
    TABLE_DRAWS,
    TABLE_FILE,
    shipped_table,
    simulate_critical,
)
from planwatch.analysis.design import trend_design  # noqa: E402

#: Designs in the table: quarterly 8 to 48 periods with TABLE_DRAWS null draws a point,
#: monthly 24 to 66 with FIRST_USE_DRAWS (longer or gappy series are simulated at first
#: use, with FIRST_USE_DRAWS).
QUARTERS = range(8, 49)
MONTHS = range(24, 67)
#: The whole range the size is held over, for ``--check``.
CHECK_RHO = np.array([0.0, 0.3, 0.5, 0.6, 0.7, 0.8])
CHECK_LAMBDA = np.array([0.0, 0.15, 0.3, 0.6, 1.0])


def draws_for(ppy: int) -> int:
    return TABLE_DRAWS if ppy == 4 else FIRST_USE_DRAWS


def critical(ppy: int, n: int, draws: int, full: bool = False) -> float:
    pos = np.arange(n)
    design = trend_design(pos, pos % ppy, ppy)
    points = (CHECK_RHO, CHECK_LAMBDA) if full else None
    if points is None:
        return simulate_critical(pos.astype(np.float64), design.X, 1, TABLE_ALPHA, draws)
    return simulate_critical(pos.astype(np.float64), design.X, 1, TABLE_ALPHA, draws, points)


def line(ppy: int, n: int, value: float) -> str:
    return f"{ppy} {n} {value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        table = shipped_table()
        for ppy, n in ((4, 8), (4, 12), (4, 29), (12, 36), (12, 63)):
            again = float(line(ppy, n, critical(ppy, n, draws_for(ppy))).split()[2])
            whole = critical(ppy, n, draws_for(ppy), full=True)
            print(
                f"{ppy} {n}: shipped {table[(ppy, n)]:.4f}, again {again:.4f}, whole range {whole:.4f}"
            )
        return
    rows = [
        f"# critical value of the trend's likelihood ratio, alpha {TABLE_ALPHA}; null draws a "
        f"point: quarterly {TABLE_DRAWS}, monthly {FIRST_USE_DRAWS}"
    ]
    rows.append("# periods-a-year periods critical-value; made by python scripts/trend_critical.py")
    for ppy, sizes in ((4, QUARTERS), (12, MONTHS)):
        for n in sizes:
            rows.append(line(ppy, n, critical(ppy, n, draws_for(ppy))))
            print(rows[-1], flush=True)
    TABLE_FILE.write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
