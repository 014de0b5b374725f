"""Property test: from generated series (seasonal counts around a wandering log-level,
with or without a trend or a step) to the trend key point's sentence, what the sentence
states — direction, size, significance, step — is true of the result and the series."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planwatch.analysis.results import MeasureAnalysis
from planwatch.analysis.trend import fit_trend
from planwatch.formatting import pct
from planwatch.narrative.keypoints import measure_key_points
from planwatch.plan.models import Measure
from tests.analysis.simulate import Config, as_series, simulate_counts

MEASURE = Measure.model_validate(
    {"id": "m", "name": "Recorded offences", "source": {"kind": "prc"}, "analyses": ["trend"]}
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    seed=st.integers(0, 10_000),
    ar=st.sampled_from([0.0, 0.3, 0.6, 0.8]),
    level=st.sampled_from([5.0, 60.0, 800.0, 15_000.0]),
    pct_per_year=st.sampled_from([0.0, -5.0, 5.0, 12.0]),
    step_pct=st.sampled_from([0.0, 0.0, 15.0, -15.0]),
)
def test_the_trend_sentence_says_only_what_is_true(
    seed: int, ar: float, level: float, pct_per_year: float, step_pct: float
) -> None:
    config = Config(ar=ar, level=level, pct_per_year=pct_per_year, step_pct=step_pct)
    y, _ = simulate_counts(config, 1, seed)
    series = as_series(y, "quarter")[0]
    tr = fit_trend(series, count=True)
    analysis = MeasureAnalysis("m", series.labels[-1], series.values[-1], 0, trend=tr)
    points = [
        kp
        for kp in measure_key_points(analysis, MEASURE, series)
        if kp.kind in ("trend", "no_trend")
    ]
    assert len(points) == 1
    kp = points[0]
    text = kp.text
    assert tr.pct_per_year is not None
    step = tr.step
    if step is not None and step.significant and step.better_than_trend:
        # a step, never a steady trend, and its direction and size are the fitted ones
        assert "stepped up" in text if step.pct > 0 else "stepped down" in text
        assert f"by about {pct(step.pct)}" in text
        assert "trend in" not in text and kp.significant is True
        assert step.p_value < 0.05
        return
    # the size is always given (methodology §2: size is always told)
    assert f"about {pct(tr.pct_per_year)} a year" in text
    claims = "statistically significant" in text and "not statistically significant" not in text
    # significance is claimed exactly when the test showed it and the trend is not flat
    moving = tr.direction != "flat" and tr.strength != "none"
    assert claims == (tr.significant and moving and tr.p_value is not None and tr.p_value < 0.05)
    if claims:
        assert tr.slope_ci_low is not None and tr.slope_ci_high is not None
        assert tr.slope_ci_low > 0 or tr.slope_ci_high < 0  # the interval excludes no change
        # the direction word is the sign of the fitted trend, and of the data's drift
        way = re.search(r"\b(upward|downward) trend\b", text)
        assert way is not None and (way.group(1) == "upward") == (tr.pct_per_year > 0)
    elif moving:
        assert "not statistically significant" in text
        way = re.search(r"\b(upward|downward) movement\b", text)
        assert way is not None and (way.group(1) == "upward") == (tr.pct_per_year > 0)
        if "long swings" in text:  # the reason given is the one measured
            assert tr.effective_periods is not None and tr.effective_periods < tr.n_periods / 2
    # the fitted rate is the data's: the last year's mean over the first year's is in the
    # same direction whenever a significant trend is claimed over a clear change
    values = np.array([v for v in series.values if v is not None])
    if claims and abs(tr.pct_per_year) >= 5:
        drift = values[-4:].mean() / values[:4].mean()
        assert (drift > 1) == (tr.pct_per_year > 0) or abs(np.log(drift)) < 0.1
