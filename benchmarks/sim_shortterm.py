"""Simulation harness for the short-term change tests and the SPC verdict (issue 11).

In: seeded series from :mod:`tests.analysis.simulate` (seasonal counts around a
log-level that follows a stationary AR(1), marginal sd 0.08; Poisson or negative
binomial noise; levels 5 to 15,000 a period) and :mod:`tests.analysis.simulate_shortterm`
(a level shift where the latest 12 months begin).
Out: markdown tables on stdout, each rate with the upper end of its Wilson 95% interval:

1. false-positive rate of "significant" for the four comparisons (previous period, same
   period last year, rolling 12 vs previous 12, against the 12 months to March 2020),
   now (:func:`planwatch.analysis.shortterm.count_change_test`) and before issue 11
   (exact / quasi-Poisson test with the trend fit's dispersion, independent periods);
2. power at a +10% and +20% level shift, beside the oracle (a z test with the true
   variance of the comparison, parameters known): the limit of power;
3. SPC: share of charts whose latest point is called special cause, with and without
   the autocorrelation adjustment (:mod:`planwatch.analysis.spc`).

4. with the real PRC table present (``../shared/data``): the share of real force x
   offence group series whose latest changes are called significant, now and before.

Run: ``python benchmarks/sim_shortterm.py [--reps 1000] [--quick] [--only size|power|spc|real]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from planwatch.analysis.dist import (  # noqa: E402
    binomial_two_sided_p,
    normal_quantile,
    normal_two_sided_p,
)
from planwatch.analysis.results import ChangeResult  # noqa: E402
from planwatch.analysis.shortterm import period_days  # noqa: E402
from planwatch.analysis.spc import xmr  # noqa: E402
from planwatch.analysis.trend import fit_trends  # noqa: E402
from planwatch.measures.series import MeasureSeries  # noqa: E402
from tests.analysis.simulate import (  # noqa: E402
    LOG_SD,
    Config,
    as_series,
    latent_ar1,
    mean_path,
    wilson_upper,
)
from tests.analysis.simulate_shortterm import (  # noqa: E402
    KINDS,
    LEVELS,
    NB_SHAPE,
    latest_year_start,
    short_term_changes,
    stepped_counts,
)

ALPHA = 0.05
QUARTER_ARS = (0.0, 0.3, 0.6, 0.8)
MONTH_ARS = (0.0, 0.5)
SHORT = {
    "previous_period": "previous",
    "same_period_last_year": "same last yr",
    "rolling12_previous": "12 v 12",
    "baseline": "v baseline",
}


def configs(levels: tuple[float, ...], nb: bool) -> list[tuple[str, Config]]:
    shape = NB_SHAPE if nb else None
    out = [
        (f"Q AR {ar} L{level:g}", Config(ar=ar, level=level, nb_shape=shape))
        for ar in QUARTER_ARS
        for level in levels
    ]
    out += [
        (
            f"M AR {ar} L{level:g}",
            Config(frequency="month", n_periods=63, ar=ar, level=level, nb_shape=shape),
        )
        for ar in MONTH_ARS
        for level in levels
    ]
    return out


def rate_cell(flags: list[bool]) -> str:
    k, n = int(sum(flags)), len(flags)
    return f"{100 * k / n:.1f} ({100 * wilson_upper(k, n):.1f})"


def _significant(c: ChangeResult | None) -> bool:
    return bool(c is not None and c.significant)


# --- before issue 11: independent periods, the trend fit's dispersion ----------------


def _before(series: MeasureSeries, change: ChangeResult | None, dispersion: float | None) -> bool:
    """The test planwatch used before: exact Poisson test of the two totals with days as
    exposure, or its quasi-Poisson form with the trend fit's Pearson dispersion."""
    if change is None:
        return False
    a, b = change.current_value, change.comparison_value
    days = {p.label: period_days(p) for p in series.periods}
    if change.kind in ("previous_period", "same_period_last_year"):
        ea, eb = days[change.current_label], days[change.comparison_label]
    else:
        ea = eb = 365.0  # 12-month windows: equal lengths to within a leap day
    p0 = ea / (ea + eb)
    if a + b == 0:
        return False
    if dispersion is not None and dispersion > 1.0:
        z = (a - (a + b) * p0) / math.sqrt(dispersion * (a + b) * p0 * (1 - p0))
        return normal_two_sided_p(z) < ALPHA
    return binomial_two_sided_p(round(a), round(a + b), p0) < ALPHA


def now_and_before(
    series: list[MeasureSeries],
) -> tuple[dict[str, list[bool]], dict[str, list[bool]]]:
    """For each comparison kind, whether each series' latest change is called significant
    by the test now and by the test before issue 11."""
    trends = fit_trends(series, count=True)
    now: dict[str, list[bool]] = {k: [] for k in KINDS}
    before: dict[str, list[bool]] = {k: [] for k in KINDS}
    for one, trend in zip(series, trends, strict=True):
        changes = short_term_changes(one)
        for k in KINDS:
            now[k].append(_significant(changes[k]))
            before[k].append(_before(one, changes[k], trend.dispersion))
    return now, before


def size_table(reps: int, seed: int, levels: tuple[float, ...]) -> None:
    for nb in (False, True):
        noise = f"negative binomial (shape {NB_SHAPE:g})" if nb else "Poisson"
        print(f"\n#### False-positive rate, {noise} noise, % (upper end of 95% interval)\n")
        print(
            "| series | "
            + " | ".join(f"{SHORT[k]} now" for k in KINDS)
            + " | "
            + " | ".join(f"{SHORT[k]} before" for k in KINDS)
            + " |"
        )
        print("|---" * (1 + 2 * len(KINDS)) + "|")
        for s, (label, config) in enumerate(configs(levels, nb)):
            start = time.time()
            y = stepped_counts(config, reps, seed + 100 * s + (50 if nb else 0), 0.0)
            now, before = now_and_before(as_series(y, config.frequency))
            cells = [rate_cell(now[k]) for k in KINDS] + [rate_cell(before[k]) for k in KINDS]
            print(
                f"| {label} | " + " | ".join(cells) + f" |  <!-- {time.time() - start:.0f}s -->",
                flush=True,
            )


# --- power against the oracle -----------------------------------------------------------


def _true_cov(config: Config, step_pct: float, at: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the counts under the generator (lognormal AR(1) level,
    Poisson or NB2 noise), and the null means (no step) for the oracle's contrast."""
    n = config.n_periods
    i = np.arange(n)
    base = mean_path(config)
    step = np.where(i >= at, 1.0 + step_pct / 100.0, 1.0)
    s2 = config.log_sd**2
    mu = base * step * math.exp(s2 / 2.0)
    corr = config.ar ** np.abs(i[:, None] - i[None, :])
    cov = np.outer(mu, mu) * (np.exp(s2 * corr) - 1.0)
    second = mu**2 * math.exp(s2)  # E[lambda^2]
    cov[np.diag_indices(n)] += mu + (second / config.nb_shape if config.nb_shape else 0.0)
    return base * math.exp(s2 / 2.0), cov


def _oracle_power(
    y: np.ndarray, config: Config, a: np.ndarray, b: np.ndarray, step: float, at: int
) -> float:
    null_mu, _ = _true_cov(config, 0.0, at)
    _, cov0 = _true_cov(config, 0.0, at)
    c = np.zeros(config.n_periods)
    c[a] = 1.0 / null_mu[a].sum()
    c[b] = -1.0 / null_mu[b].sum()
    sd = math.sqrt(float(c @ cov0 @ c))
    z = (y @ c) / sd
    return float(np.mean(np.abs(z) > normal_quantile(1 - ALPHA / 2)))


def _indices(config: Config, kind: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Current and earlier indices of a comparison and where its step is put."""
    n, ppy = config.n_periods, config.periods_per_year
    year = latest_year_start(config)
    if kind == "previous_period":
        return np.array([n - 1]), np.array([n - 2]), n - 1
    if kind == "same_period_last_year":
        return np.array([n - 1]), np.array([n - 1 - ppy]), year
    if kind == "rolling12_previous":
        return np.arange(year, n), np.arange(year - ppy, year), year
    first = 12  # the 12 months to March 2020 start at index 12, quarterly or monthly
    return np.arange(year, n), np.arange(first, first + ppy), year


def power_table(reps: int, seed: int) -> None:
    settings = [
        ("Q AR 0.6 L1000", Config(ar=0.6, level=1000.0)),
        ("Q AR 0.6 L15000", Config(ar=0.6, level=15000.0)),
        ("Q AR 0.8 L15000", Config(ar=0.8, level=15000.0)),
        ("Q AR 0.0 L100", Config(ar=0.0, level=100.0)),
        ("M AR 0.5 L1000", Config(frequency="month", n_periods=63, ar=0.5, level=1000.0)),
        ("M AR 0.5 L100", Config(frequency="month", n_periods=63, ar=0.5, level=100.0)),
    ]
    for step in (10.0, 20.0):
        print(f"\n#### Power at a +{step:g}% level shift, % now / oracle\n")
        print("| series | " + " | ".join(SHORT[k] for k in KINDS) + " |")
        print("|---" * (1 + len(KINDS)) + "|")
        for s, (label, config) in enumerate(settings):
            cells = []
            for k, kind in enumerate(KINDS):
                a, b, at = _indices(config, kind)
                y = stepped_counts(config, reps, seed + 10 * s + k, step, at=at)
                found = [
                    _significant(short_term_changes(one)[kind])
                    for one in as_series(y, config.frequency)
                ]
                cells.append(
                    f"{100 * np.mean(found):.0f} / {100 * _oracle_power(y, config, a, b, step, at):.0f}"
                )
            print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


# --- SPC ---------------------------------------------------------------------------------


def _spc_counts(
    config: Config, reps: int, seed: int, seasonal: bool, jump_pct: float = 0.0
) -> np.ndarray:
    """Counts for the SPC runs: the generator's series (``seasonal``) or the same wander
    around a flat level (as the issue's table), with the latest point raised by
    ``jump_pct``."""
    rng = np.random.default_rng(seed)
    x = latent_ar1(rng, reps, config.n_periods, config.ar, LOG_SD)
    base = mean_path(config) if seasonal else np.full(config.n_periods, config.level)
    jump = np.ones(config.n_periods)
    jump[-1] = 1.0 + jump_pct / 100.0
    result: np.ndarray = rng.poisson(base[None, :] * jump[None, :] * np.exp(x)).astype(np.float64)
    return result


def spc_table(reps: int, seed: int) -> None:
    settings = [
        (
            f"{'Q' if f == 'quarter' else 'M'} AR {ar} L{level:g}",
            Config(frequency=f, n_periods=n, ar=ar, level=level),
        )
        for f, n, ars in (("quarter", 29, QUARTER_ARS), ("month", 63, MONTH_ARS))
        for ar in ars
        for level in (100.0, 15000.0)
    ]
    for seasonal in (False, True):
        shape = "seasonal" if seasonal else "flat level"
        print(f"\n#### SPC: latest point called special cause, {shape}, % standard / adjusted\n")
        print("| series | no change | +20% latest | +40% latest | median autocorrelation |")
        print("|---|---|---|---|---|")
        for s, (label, config) in enumerate(settings):
            cells = []
            rhos: list[float] = []
            for jump in (0.0, 20.0, 40.0):
                y = _spc_counts(config, reps, seed + 10 * s + int(jump), seasonal, jump)
                charts = [xmr(one, polarity="neutral") for one in as_series(y, config.frequency)]
                std = [c is not None and c.standard_variation != "common_cause" for c in charts]
                adj = [c is not None and c.variation != "common_cause" for c in charts]
                cells.append(f"{rate_cell(std)} / {rate_cell(adj)}")
                if jump == 0.0:
                    rhos = [
                        c.autocorrelation
                        for c in charts
                        if c is not None and c.autocorrelation is not None
                    ]
            print(f"| {label} | " + " | ".join(cells) + f" | {np.median(rhos):.2f} |", flush=True)


# --- the worst size cells, again on more series ------------------------------------------

RECHECK = (
    ("M AR 0.0 L100 Poisson, previous", Config(frequency="month", n_periods=63, level=100.0), 1),
    (
        "M AR 0.5 L15000 Poisson, previous",
        Config(frequency="month", n_periods=63, ar=0.5, level=15000.0),
        1,
    ),
    (
        "M AR 0.0 L1000 NB, previous",
        Config(frequency="month", n_periods=63, level=1000.0, nb_shape=NB_SHAPE),
        1,
    ),
    ("Q AR 0.6 L100 NB, same last yr", Config(ar=0.6, level=100.0, nb_shape=NB_SHAPE), 4),
    (
        "M AR 0.5 L1000 NB, same last yr",
        Config(frequency="month", n_periods=63, ar=0.5, level=1000.0, nb_shape=NB_SHAPE),
        12,
    ),
)


def recheck_table(reps: int = 4000, seed: int = 31337) -> None:
    """The single-period cells with the highest rates at 1,000 series, on fresh series."""
    from planwatch.analysis.shortterm import period_change

    print("| cell (worst at 1,000) | % at 4,000 more (upper) |\n|---|---|")
    for i, (label, config, lag) in enumerate(RECHECK):
        y = stepped_counts(config, reps, seed + i, 0.0)
        flags = [
            _significant(period_change(one, lag, count=True))
            for one in as_series(y, config.frequency)
        ]
        k = sum(flags)
        print(f"| {label} | {100 * k / reps:.1f} ({100 * wilson_upper(k, reps):.1f}) |", flush=True)


# --- the real PRC table ------------------------------------------------------------------

PRC_FILE = REPO.parent / "shared" / "data" / "prc-force-offencegroup-quarterly-2002-2024.csv"


def real_table(path: Path = PRC_FILE) -> None:
    """Share of the real force x offence group series (2016/17 Q1 to 2023/24 Q1) whose
    latest changes are called significant, now and before issue 11."""
    import pandas as pd

    from planwatch.periods import Quarter, quarter_from_parts

    prc = pd.read_csv(path)
    prc = prc[(prc["Financial Year"] >= "2016/17")]
    series: list[MeasureSeries] = []
    for _, rows in prc.groupby(["Force Name", "Offence Group"]):
        rows = rows.sort_values(["Financial Year", "Financial Quarter"])
        periods = tuple(
            quarter_from_parts(fy, q)
            for fy, q in zip(rows["Financial Year"], rows["Financial Quarter"], strict=True)
        )
        keep = [i for i, p in enumerate(periods) if p.index <= Quarter(2023, 1).index]
        series.append(
            MeasureSeries(
                "crime",
                "quarter",
                tuple(periods[i] for i in keep),
                tuple(float(rows["Number of Offences"].iloc[i]) for i in keep),
            )
        )
    now, before = now_and_before(series)
    print(f"\n#### Real PRC table: {len(series)} series to 2023/24 Q1, % called significant\n")
    print("| comparison | now | before |")
    print("|---|---|---|")
    for k in KINDS:
        print(f"| {SHORT[k]} | {100 * np.mean(now[k]):.1f} | {100 * np.mean(before[k]):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="levels 100 and 15,000 only")
    parser.add_argument("--only", choices=("size", "power", "spc", "real", "recheck"))
    args = parser.parse_args()
    levels = (100.0, 15000.0) if args.quick else LEVELS
    if args.only in (None, "size"):
        size_table(args.reps, args.seed, levels)
    if args.only in (None, "power"):
        power_table(args.reps, args.seed + 1)
    if args.only in (None, "spc"):
        spc_table(args.reps, args.seed + 2)
    if args.only in (None, "recheck"):
        recheck_table()
    if args.only in (None, "real") and PRC_FILE.exists():
        real_table()


if __name__ == "__main__":
    main()
