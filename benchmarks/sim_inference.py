"""Simulation harness for trend inference under autocorrelation (issue 11).

In: seeded series from :mod:`tests.analysis.simulate` — seasonal quarterly (29 periods)
and monthly (63 periods) counts, Poisson or negative binomial noise around a log-level
that follows a stationary AR(1) (marginal sd 0.08), levels 5 to 15,000 a period,
optional trend, step and gaps.
Out: tables on stdout (markdown) of the share of series called a significant trend, per
method and configuration, with the Wilson 95% interval of each rate: the false-positive
rate with no trend and the power at +2, +5 and +10% a year; the step table; and (with
``--real``) planwatch's verdicts on the real PRC table before and after.

Methods compared (all two-sided at 5%):

- ``planwatch`` — the real path, :func:`planwatch.analysis.trend.fit_trends`, as it is now
  (since session 4: the restricted likelihood ratio of the trend under AR(1)+noise errors
  with a simulated critical value);
- ``naive_glm`` — the Poisson / negative binomial GLM with quasi-likelihood t test that
  planwatch used before issue 11 (independent periods);
- ``hac`` — the same GLM slope with a Newey-West (1987) sandwich (Bartlett, lag
  floor(4 (n/100)^(2/9))), t(n - k);
- ``vif`` — GLM slope, covariance inflated for AR(1) Pearson residuals with the
  small-sample-corrected lag-1 coefficient (:mod:`planwatch.analysis.autocorr`), t on the
  effective degrees of freedom;
- ``gls_ar1`` — REML GLS with pure AR(1) errors on the log scale (as statsmodels' GLSAR,
  but REML), t(n - k);
- ``gls_ar1_noise`` — REML GLS with AR(1)-plus-noise errors (:mod:`planwatch.analysis.argls`),
  t(n - k) on the largest standard error over the plausible set;
- ``smk`` — the seasonal Mann-Kendall test (Hirsch, Slack & Smith 1982);
- ``oracle`` — GLS with the true covariance (AR coefficient, sd and counting noise known):
  the limit of power.

``--frontier --reps 4000`` (the methodology's run) prints the power frontier instead (methodology §2.6): on Gaussian
log-scale errors with the same wander and counting noise, the upper bound on the power of
any test whose size is at most 5% at every AR(1)+noise null up to a given AR coefficient
(Elliott, Müller & Watson 2015; :mod:`tests.analysis.power_bound`), beside planwatch's
likelihood ratio with the shipped critical value and with the critical values it would
have if the size were held only up to that AR coefficient, and the oracle.

Run: ``python benchmarks/sim_inference.py [--reps 1000] [--quick] [--power] [--steps]
[--rates] [--gaps N] [--real CSV] [--frontier]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from planwatch.analysis.argls import fit_ar_gls_batch  # noqa: E402
from planwatch.analysis.autocorr import ar1_correlation, lag1_autocorrelation  # noqa: E402
from planwatch.analysis.design import trend_design  # noqa: E402
from planwatch.analysis.dist import t_quantile  # noqa: E402
from planwatch.analysis.glm import fit_poisson_batch, newey_west_lags  # noqa: E402
from planwatch.analysis.mannkendall import seasonal_mann_kendall_batch  # noqa: E402
from planwatch.analysis.trend import fit_trends  # noqa: E402
from tests.analysis.simulate import (  # noqa: E402
    Config,
    as_series,
    simulate_counts,
    simulate_percentages,
    wilson_upper,
)

ALPHA = 0.05
QUARTER_ARS = (0.0, 0.3, 0.6, 0.8)
MONTH_ARS = (0.0, 0.5)
LEVELS = (5.0, 100.0, 1000.0, 15000.0)
#: Negative binomial shape for the over-dispersed runs: extra-Poisson coefficient of
#: variation 1/sqrt(200) = 7% a period on top of the AR(1) wander.
NB_SHAPE = 200.0


@dataclass(frozen=True)
class Outcome:
    significant: np.ndarray  # (B,) bool
    slope: np.ndarray  # (B,) log-rate a year


def _design(config: Config, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, object]:
    present = ~np.isnan(y[0])
    pos = np.flatnonzero(present).astype(np.int64)
    ppy = config.periods_per_year
    design = trend_design(pos, pos % ppy, ppy)
    return pos.astype(np.float64), y[:, present], design


def candidates(config: Config, y: np.ndarray, mu_true: np.ndarray) -> dict[str, Outcome]:
    """Every method on the same simulated counts ``y`` (B, n; NaN gaps shared by rows)."""
    pos, Y, design = _design(config, y)
    X = design.X  # type: ignore[attr-defined]
    tc = design.time_column  # type: ignore[attr-defined]
    n, k = X.shape
    df = n - k
    crit = t_quantile(1 - ALPHA / 2, df)
    out: dict[str, Outcome] = {}

    # the real path, as the code stands
    results = fit_trends(as_series(y, config.frequency), count=True)
    out["planwatch"] = Outcome(
        np.array([r.significant for r in results]),
        np.array([r.slope_per_year if r.slope_per_year is not None else np.nan for r in results]),
    )
    stepped = np.array([_step_told(r) for r in results])
    out["planwatch_steady_trend_told"] = Outcome(
        out["planwatch"].significant & ~stepped, out["planwatch"].slope
    )
    out["planwatch_step_told"] = Outcome(stepped, out["planwatch"].slope)
    mk = seasonal_mann_kendall_batch(y, config.periods_per_year, alpha=ALPHA)
    out["smk"] = Outcome(
        np.array([m is not None and m.significant for m in mk]), np.full(len(mk), np.nan)
    )

    fit = fit_poisson_batch(X, Y)
    beta = fit.beta[:, tc]
    mu = fit.mu
    W = mu
    # naive: quasi-Poisson t test (the pre-issue-11 inference for counts)
    scale = np.maximum(1.0, fit.dispersion)
    se_naive = np.sqrt(fit.cov[:, tc, tc] * scale)
    out["naive_glm"] = Outcome(np.abs(beta / se_naive) > crit, beta)

    # HAC (Newey-West) on the GLM scores
    lags = newey_west_lags(n)
    U = X[None, :, :] * (Y - mu)[:, :, None]  # (B, n, k) score contributions
    S = np.einsum("bni,bnj->bij", U, U)
    for lag in range(1, lags + 1):
        w = 1.0 - lag / (lags + 1.0)
        G = np.einsum("bni,bnj->bij", U[:, lag:], U[:, :-lag])
        S += w * (G + np.transpose(G, (0, 2, 1)))
    cov_hac = fit.cov @ S @ fit.cov * (n / df)
    se_hac = np.sqrt(cov_hac[:, tc, tc])
    out["hac"] = Outcome(np.abs(beta / se_hac) > crit, beta)

    # VIF: AR(1) sandwich with the corrected lag-1 of Pearson residuals
    pearson = (Y - mu) / np.sqrt(mu)
    sig = np.zeros(Y.shape[0], dtype=bool)
    for b in range(Y.shape[0]):
        full = np.full(y.shape[1], np.nan)
        full[pos.astype(int)] = pearson[b]
        rho = lag1_autocorrelation(full, X)
        rho = max(0.0, rho) if math.isfinite(rho) else 0.0
        R = ar1_correlation(pos, rho)
        sw = np.sqrt(W[b])
        A = fit.cov[b] @ (X.T * sw) @ R @ (X * sw[:, None]) @ fit.cov[b]
        se = math.sqrt(A[tc, tc] * scale[b])
        neff = n * (1 - rho) / (1 + rho)
        dfe = max(neff - 2.0, 1.0)
        sig[b] = abs(beta[b] / se) > t_quantile(1 - ALPHA / 2, min(dfe, df))
    out["vif"] = Outcome(sig, beta)

    # REML GLS on the log scale
    D = (Y - mu) / mu
    for name, ar_only in (("gls_ar1", True), ("gls_ar1_noise", False)):
        g = fit_ar_gls_batch(pos, X, D, tc, ar_only=ar_only, gls=True)
        slope = beta + g.slope_shift
        out[name] = Outcome(np.abs(slope / g.se) > crit, slope)

    # oracle: GLS with the true covariance on the log scale (latent AR + counting noise)
    R = ar1_correlation(pos, config.ar) * config.log_sd**2
    mt = mu_true[:, ~np.isnan(y[0])]
    noise = 1.0 / mt.mean(axis=0)
    if config.nb_shape is not None:
        noise = noise + 1.0 / config.nb_shape
    V = R + np.diag(noise)
    Vi = np.linalg.inv(V)
    C = np.linalg.inv(X.T @ Vi @ X)
    row = (C @ X.T @ Vi)[tc]
    slope_o = beta + D @ row
    se_o = math.sqrt(C[tc, tc])
    out["oracle"] = Outcome(np.abs(slope_o / se_o) > 1.959963984540054, slope_o)
    return out


def rate_candidates(config: Config, y: np.ndarray) -> dict[str, Outcome]:
    """Methods for a percentage series (not counts): planwatch's real path, and the
    least-squares slope with a Newey-West t test (what planwatch used before session 4),
    a plain t test, and the seasonal Mann-Kendall test."""
    from planwatch.analysis.glm import fit_ols_hac

    _, Y, design = _design(config, y)
    X = design.X  # type: ignore[attr-defined]
    tc = design.time_column  # type: ignore[attr-defined]
    n, k = X.shape
    crit = t_quantile(1 - ALPHA / 2, n - k)
    results = fit_trends(as_series(y, config.frequency), count=False)
    out = {
        "planwatch": Outcome(
            np.array([r.significant for r in results]),
            np.array([r.slope_per_year or np.nan for r in results]),
        )
    }
    hac, plain = [], []
    for row in Y:
        f = fit_ols_hac(X, row)
        hac.append(abs(f.beta[tc] / f.se[tc]) > crit)
        u = row - f.mu
        se = math.sqrt(float(u @ u) / (n - k) * np.linalg.inv(X.T @ X)[tc, tc])
        plain.append(abs(f.beta[tc] / se) > crit)
    out["hac"] = Outcome(np.array(hac), np.full(len(hac), np.nan))
    out["ols_t"] = Outcome(np.array(plain), np.full(len(plain), np.nan))
    mk = seasonal_mann_kendall_batch(y, config.periods_per_year, alpha=ALPHA)
    out["smk"] = Outcome(
        np.array([m is not None and m.significant for m in mk]), np.full(len(mk), np.nan)
    )
    return out


#: Cases a period behind a simulated percentage (a small survey, a large one, records).
SAMPLES = (100, 1000, 20000)


def rate_configs() -> list[tuple[str, Config, int]]:
    out = []
    for ar in QUARTER_ARS:
        for m in SAMPLES:
            out.append((f"Q AR {ar} n{m}", Config(ar=ar), m))
    for ar in MONTH_ARS:
        for m in SAMPLES:
            out.append((f"M AR {ar} n{m}", Config(frequency="month", n_periods=63, ar=ar), m))
    return out


def run_rates(reps: int, seed: int, pct: float) -> dict[str, dict[str, np.ndarray]]:
    table: dict[str, dict[str, np.ndarray]] = {}
    for s, (label, config, m) in enumerate(rate_configs()):
        config = replace(config, pct_per_year=pct)
        y = simulate_percentages(config, reps, seed + 1000 * s, m)
        table[label] = {k: o.significant for k, o in rate_candidates(config, y).items()}
    return table


def _step_told(r: object) -> bool:
    step = getattr(r, "step", None)
    return bool(step is not None and step.significant and step.better_than_trend)


def rate_cell(hits: np.ndarray) -> str:
    k, n = int(hits.sum()), int(hits.shape[0])
    return f"{100 * k / n:.1f}% (≤{100 * wilson_upper(k, n):.1f})"


def run_configs(
    configs: list[tuple[str, Config]], reps: int, seed: int, methods: list[str] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    table: dict[str, dict[str, np.ndarray]] = {}
    for s, (label, config) in enumerate(configs):
        y, mu = simulate_counts(config, reps, seed + 1000 * s)
        res = candidates(config, y, mu)
        table[label] = {m: o.significant for m, o in res.items() if methods is None or m in methods}
    return table


def print_table(title: str, table: dict[str, dict[str, np.ndarray]]) -> None:
    labels = list(table)
    methods = list(next(iter(table.values())))
    print(f"\n### {title}\n")
    print("| method | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for m in methods:
        print(f"| {m} | " + " | ".join(rate_cell(table[lab][m]) for lab in labels) + " |")


def _group(label: str) -> str:
    """``"Q AR 0.6 L100"`` -> ``"Q AR 0.6"``: the AR setting of a cell."""
    return " ".join(label.split()[:3])


def print_worst(title: str, tables: list[dict[str, dict[str, np.ndarray]]]) -> None:
    """The methodology's layout: per method and AR setting, the largest rate over the
    cells of that setting (levels, noise kinds, sample sizes) with its Wilson upper end."""
    groups: dict[str, list[np.ndarray]] = {}
    methods = list(next(iter(tables[0].values())))
    print(f"\n### {title}\n")
    for table in tables:
        for label in table:
            groups.setdefault(_group(label), [])
    print("| method | " + " | ".join(groups) + " |")
    print("|---|" + "---:|" * len(groups))
    for m in methods:
        cells = []
        for g in groups:
            hits = [t[lab][m] for t in tables for lab in t if _group(lab) == g]
            worst = max(hits, key=lambda h: float(h.mean()))
            cells.append(rate_cell(worst))
        print(f"| {m} | " + " | ".join(cells) + " |")


def size_configs(levels: tuple[float, ...], nb: bool) -> list[tuple[str, Config]]:
    out = []
    for ar in QUARTER_ARS:
        for level in levels:
            out.append(
                (
                    f"Q AR {ar} L{level:g}",
                    Config(ar=ar, level=level, nb_shape=NB_SHAPE if nb else None),
                )
            )
    for ar in MONTH_ARS:
        for level in levels:
            out.append(
                (
                    f"M AR {ar} L{level:g}",
                    Config(
                        frequency="month",
                        n_periods=63,
                        ar=ar,
                        level=level,
                        nb_shape=NB_SHAPE if nb else None,
                    ),
                )
            )
    return out


def naive_verdicts(series: list, ppy: int = 4) -> list[str]:
    """The verdict of planwatch's trend test before issue 11 (independent periods): Poisson
    GLM, negative binomial when the Pearson test shows over-dispersion, quasi-likelihood
    t test. Same answers as the old ``fit_trends`` on complete series."""
    from planwatch.analysis.dist import chi2_upper_quantile, t_two_sided_p
    from planwatch.analysis.glm import fit_negative_binomial
    from planwatch.analysis.trend import quasi_scaled

    out = []
    for s in series:
        y = np.array([v for v in s.values], dtype=float)
        pos = np.arange(y.shape[0])
        design = trend_design(pos, pos % ppy, ppy)
        fit = fit_poisson_batch(design.X, y[None, :]).row(0)
        df = design.X.shape[0] - design.X.shape[1]
        if fit.dispersion > chi2_upper_quantile(0.05, df) / df:
            fit = fit_negative_binomial(design.X, y)
        fit = quasi_scaled(fit)
        b, se = float(fit.beta[1]), float(fit.se[1])
        p = t_two_sided_p(b / se, df)
        out.append("none" if p >= ALPHA else ("up" if b > 0 else "down"))
    return out


def real_table(path: Path) -> None:
    """Every force x offence group of the Home Office table, 2016/17 Q1 to 2023/24 Q1:
    verdicts before (independent periods) and after (this issue's test)."""
    import pandas as pd

    from planwatch.measures.series import MeasureSeries
    from planwatch.periods import Quarter, quarter_from_parts

    prc = pd.read_csv(path)
    prc = prc[prc["Financial Year"] >= "2016/17"]
    series, names = [], []
    for (force, group), rows in prc.groupby(["Force Name", "Offence Group"]):
        rows = rows.sort_values(["Financial Year", "Financial Quarter"])
        pairs = [
            (quarter_from_parts(fy, q), float(v))
            for fy, q, v in zip(
                rows["Financial Year"],
                rows["Financial Quarter"],
                rows["Number of Offences"],
                strict=True,
            )
        ]
        pairs = [(p, v) for p, v in pairs if p <= Quarter(2023, 1)]
        if len(pairs) != 29:
            continue
        series.append(
            MeasureSeries(
                "crime", "quarter", tuple(p for p, _ in pairs), tuple(v for _, v in pairs)
            )
        )
        names.append((force, group))
    before = naive_verdicts(series)
    results = fit_trends(series, count=True)
    after = [
        "step" if _step_told(r) else ("none" if not r.significant else r.direction) for r in results
    ]
    r1 = [r.residual_autocorrelation for r in results if r.residual_autocorrelation is not None]
    ar = [r.ar_coefficient for r in results if r.ar_coefficient is not None]
    eff = [r.effective_periods for r in results if r.effective_periods is not None]
    print(f"\n### Real PRC table: {len(series)} force x group series, 2016/17 Q1 to 2023/24 Q1\n")
    print("| verdict | before (independent periods) | after (issue 11) |")
    print("|---|---:|---:|")
    for v in ("up", "down", "none", "step"):
        print(f"| {v} | {before.count(v)} | {after.count(v)} |")
    print(
        f"\nMedian corrected residual lag-1 autocorrelation {np.median(r1):.2f} "
        f"(IQR {np.quantile(r1, 0.25):.2f}-{np.quantile(r1, 0.75):.2f}); median AR coefficient "
        f"of the wander {np.median(ar):.2f}; median effective periods {np.median(eff):.1f} of 29."
    )
    moved: dict[tuple[str, str], int] = {}
    for b, a in zip(before, after, strict=True):
        moved[(b, a)] = moved.get((b, a), 0) + 1
    print("\n| before -> after | series |\n|---|---:|")
    for (b, a), k in sorted(moved.items()):
        print(f"| {b} -> {a} | {k} |")
    essex = [
        r
        for (f, g), r in zip(names, results, strict=True)
        if f == "Essex" and g == "Sexual offences"
    ]
    if essex:
        e = essex[0]
        print(
            f"\nEssex sexual offences: {e.pct_per_year:+.1f}% a year, p = {e.p_value:.3f}, "
            f"significant {e.significant}, AR {e.ar_coefficient:.2f}, effective periods {e.effective_periods:.1f}."
        )


#: Rows of the frontier table: (periods a year, periods, alternative).
FRONTIER_HOLDS = (0.6, 0.7, 0.8)


def frontier_table(draws: int) -> None:
    from planwatch.analysis.argls import shipped_table
    from tests.analysis.power_bound import Alternative, critical_holding_to, frontier, lr_power

    rows = [
        (4, 29, Alternative(0.6, 100.0, 5.0)),
        (4, 29, Alternative(0.6, 1000.0, 5.0)),
        (4, 29, Alternative(0.6, 15000.0, 5.0)),
        (4, 29, Alternative(0.0, 1000.0, 5.0)),
        (4, 29, Alternative(0.3, 1000.0, 5.0)),
        (4, 29, Alternative(0.8, 1000.0, 5.0)),
        (4, 29, Alternative(0.6, 1000.0, 2.0)),
        (4, 29, Alternative(0.6, 1000.0, 10.0)),
        (12, 63, Alternative(0.5, 1000.0, 5.0)),
    ]
    holds = ", ".join(f"AR ≤ {h:g}" for h in FRONTIER_HOLDS)
    print(
        f"\n### Power frontier ({draws} Gaussian log-scale series a point; bound | LR, size held to {holds})\n"
    )
    head = " | ".join(f"bound, AR ≤ {h:g}" for h in FRONTIER_HOLDS)
    lrs = " | ".join(f"LR, AR ≤ {h:g}" + (" (shipped)" if h == 0.8 else "") for h in FRONTIER_HOLDS)
    print(f"| series | trend | oracle | {head} | {lrs} |")
    print("|---|---|" + "---:|" * (1 + 2 * len(FRONTIER_HOLDS)))
    crit: dict[tuple[int, int, float], float] = {}
    for ppy, n, alt in rows:
        bounds, powers = [], []
        oracle = 0.0
        for h in FRONTIER_HOLDS:
            f = frontier(n, ppy, alt, hold=h, draws=draws)
            oracle = f.oracle
            bounds.append(f"{100 * f.bound:.0f}%")
            key = (ppy, n, h)
            if key not in crit:
                crit[key] = (
                    shipped_table()[(ppy, n)] if h == 0.8 else critical_holding_to(n, ppy, h)
                )
            powers.append(f"{100 * lr_power(n, ppy, alt, crit[key], draws=draws):.0f}%")
        what = "quarterly" if ppy == 4 else "monthly"
        print(
            f"| {what}, {n}, AR {alt.rho:g}, {alt.level:,.0f} a period | +{alt.pct:g}% a year | "
            f"{100 * oracle:.0f}% | " + " | ".join(bounds) + " | " + " | ".join(powers) + " |",
            flush=True,
        )
    print("\nSize of the likelihood ratio with each critical value (Gaussian, lambda 0.15):\n")
    from tests.analysis.power_bound import lr_size

    print("| critical value | " + " | ".join(f"AR {r:g}" for r in FRONTIER_SIZE_RHO) + " |")
    print("|---|" + "---:|" * len(FRONTIER_SIZE_RHO))
    for (ppy, n, h), c in sorted(crit.items()):
        cells = [
            f"{100 * lr_size(n, ppy, r, 0.15, c, draws=draws):.1f}%" for r in FRONTIER_SIZE_RHO
        ]
        print(f"| {n} periods, held to AR {h:g}: {c:.2f} | " + " | ".join(cells) + " |", flush=True)


FRONTIER_SIZE_RHO = (0.0, 0.3, 0.6, 0.8, 0.85, 0.9)
#: Shifts of the AR coefficient at which a conditional critical value is looked up.
CONDITIONAL_SHIFTS = (0.0, 0.1, 0.2, 0.3, 0.5)


def weighted_table(draws: int) -> None:
    """A nearly optimal test for +5% a year averaged over AR 0, 0.3, 0.6 and 0.8 at 1,000
    a period (Elliott, Müller & Watson 2015), beside the likelihood ratio (29 quarters)."""
    from planwatch.analysis.argls import shipped_table
    from tests.analysis.power_bound import Alternative, weighted_average_power_test

    tuned = tuple(Alternative(r, 1000.0, 5.0) for r in (0.0, 0.3, 0.6, 0.8))
    checked = (
        *tuned,
        Alternative(0.6, 100.0, 5.0),
        Alternative(0.6, 15000.0, 5.0),
        Alternative(0.6, 1000.0, 2.0),
        Alternative(0.6, 1000.0, 10.0),
    )
    found = weighted_average_power_test(
        29, 4, tuned, checked, shipped_table()[(4, 29)], draws=draws
    )
    print(
        f"\n### Weighted-average-power test (29 quarters, {draws} fresh Gaussian series a point; "
        f"its worst size over the nulls {100 * found.worst_size:.1f}%)\n"
    )
    print("| alternative | weighted-average-power test | likelihood ratio (shipped) |")
    print("|---|---:|---:|")
    for a, wap, lr in found.power:
        print(
            f"| +{a.pct:g}% a year, AR {a.rho:g}, {a.level:,.0f} a period | "
            f"{100 * wap:.1f}% | {100 * lr:.1f}% |"
        )


def conditional_table(draws: int) -> None:
    """The candidate critical value c(rho_hat) against the fixed one (29 quarters)."""
    from tests.analysis.power_bound import Alternative, conditional_candidates

    alt = Alternative(0.6, 1000.0, 5.0)
    fixed_size, fixed_power, rows = conditional_candidates(
        29, 4, alt, CONDITIONAL_SHIFTS, draws=draws
    )
    print(
        f"\n### A critical value that depends on the estimated AR coefficient "
        f"(29 quarters, {draws} Gaussian series a point)\n"
    )
    print("| critical value | worst size, AR 0-0.8 | power, +5% a year, AR 0.6, 1,000 a period |")
    print("|---|---:|---:|")
    print(
        f"| fixed (the largest, at AR 0.8) | {100 * fixed_size:.1f}% | {100 * fixed_power:.1f}% |"
    )
    for r in rows:
        which = "trend model's" if r.full else "season-only model's"
        print(
            f"| c({which} REML AR + {r.shift:g}) | {100 * r.worst_size:.1f}% | "
            f"{100 * r.power:.1f}% |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--levels", default=None, help="counts a period, e.g. 100,1000,15000")
    parser.add_argument("--power", action="store_true")
    parser.add_argument("--steps", action="store_true")
    parser.add_argument(
        "--rates", action="store_true", help="percentages (not counts): size and power"
    )
    parser.add_argument(
        "--gaps", type=int, default=0, help="periods left empty in every series (size runs)"
    )
    parser.add_argument(
        "--real",
        type=Path,
        default=None,
        help="the PRC force x offence group CSV: verdicts before and after on every series",
    )
    parser.add_argument(
        "--frontier", action="store_true", help="the power bound beside the likelihood ratio"
    )
    args = parser.parse_args()
    t0 = time.time()
    levels = (100.0, 15000.0) if args.quick else LEVELS
    if args.levels:
        levels = tuple(float(v) for v in args.levels.split(","))
    if args.frontier:
        conditional_table(min(args.reps, 4000))
        weighted_table(min(args.reps, 3000))
        frontier_table(min(args.reps, 3000))
    elif args.real is not None:
        real_table(args.real)
    elif args.rates:
        for pct in (0.0, 2.0, 5.0, 10.0):
            table = run_rates(args.reps, args.seed + 51 + int(pct), pct)
            what = "No trend" if pct == 0 else f"+{pct:g}% a year"
            print_table(f"Percentages, {what}: share called significant", table)
            if pct == 0:
                print_worst("Percentages, no trend: worst over sample sizes", [table])
    elif args.steps:
        configs = []
        for ar in QUARTER_ARS:
            for level in (100.0, 15000.0):
                configs.append((f"Q AR {ar} L{level:g}", Config(ar=ar, level=level, step_pct=10.0)))
        methods = ["naive_glm", "planwatch", "planwatch_steady_trend_told", "planwatch_step_told"]
        table = run_configs(configs, args.reps, args.seed + 31, methods)
        print_table("A +10% step halfway, no trend: share called significant", table)
        configs = [(lab, replace(c, step_pct=0.0)) for lab, c in configs]
        table = run_configs(configs, args.reps, args.seed + 37, ["planwatch_step_told"])
        print_table("No step, no trend: share told as a significant step (step FPR)", table)
    elif args.power:
        for pct in (2.0, 5.0, 10.0):
            configs = [
                (label, replace(c, pct_per_year=pct)) for label, c in size_configs(levels, False)
            ]
            table = run_configs(configs, args.reps, args.seed + int(pct * 100))
            print_table(f"Power at +{pct:g}% a year (Poisson)", table)
    else:
        tables = []
        for nb in (False, True):
            configs = [(lab, replace(c, gaps=args.gaps)) for lab, c in size_configs(levels, nb)]
            table = run_configs(configs, args.reps, args.seed + (7 if nb else 0))
            print_table(f"No trend: share called significant ({'NB' if nb else 'Poisson'})", table)
            tables.append(table)
        print_worst("No trend: worst over levels and noise kinds", tables)
    print(f"\n{time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
