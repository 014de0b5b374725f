"""Interrupted time series at a plan event: step and slope change."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from planwatch.analysis.interrupted import event_index, interrupted
from planwatch.plan.models import Event

from .helpers import quarterly

SEASON = np.array([1.0, 1.1, 1.05, 0.85])
EVENT = Event(date=date(2020, 4, 1), label="Operation launched")


def test_exact_step_is_recovered() -> None:
    # level drops by 20% at 2020/21 Q1 (index 16), no change of slope
    values = [400 * SEASON[i % 4] * (0.8 if i >= 16 else 1.0) for i in range(28)]
    r = interrupted(quarterly(values), EVENT, count=True)
    assert r is not None and r.method == "segmented_poisson_glm"
    assert r.step_pct == pytest.approx(-20.0, abs=1e-6)
    assert r.slope_change_pct_per_year == pytest.approx(0.0, abs=1e-6)
    assert r.step_ci is not None and r.step_ci[0] < -20 < r.step_ci[1]
    assert r.significant and r.step_p is not None and r.step_p < 0.025


def test_matches_statsmodels_for_noisy_counts() -> None:
    rng = np.random.default_rng(9)
    i = np.arange(28)
    y = rng.poisson(150 * SEASON[i % 4] * np.where(i >= 16, 0.85, 1.0)).astype(float)
    r = interrupted(quarterly(list(y)), EVENT, count=True)
    assert r is not None
    t = (i - i.mean()) / 4
    X = np.column_stack(
        [np.ones(28), t]
        + [((i % 4) == k).astype(float) for k in (1, 2, 3)]
        + [(i >= 16).astype(float), np.where(i >= 16, (i - 16) / 4, 0.0)]
    )
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-12)
    assert r.step_pct == pytest.approx(100 * math.expm1(ref.params[5]), rel=1e-6)
    # quasi-likelihood inference as for trends: SE x sqrt(max(1, chi2/df)), t with 21 df
    scale = math.sqrt(max(1.0, ref.pearson_chi2 / ref.df_resid))
    assert r.step_p == pytest.approx(
        2 * stats.t.sf(abs(ref.params[5] / (ref.bse[5] * scale)), 21), rel=1e-5
    )
    assert r.slope_p == pytest.approx(
        2 * stats.t.sf(abs(ref.params[6] / (ref.bse[6] * scale)), 21), rel=1e-5
    )


def test_event_position_and_too_little_data() -> None:
    s = quarterly([10.0] * 12)
    assert (
        event_index(s, Event(date=date(2017, 5, 1), label="x")) == 5
    )  # first quarter starting after 1 May 2017
    assert interrupted(s, Event(date=date(2016, 5, 1), label="too early"), count=True) is None
    assert interrupted(s, Event(date=date(2030, 1, 1), label="after the data"), count=True) is None
