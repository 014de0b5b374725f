"""Property-based tests: results never contradict their inputs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planwatch.analysis.mannkendall import mann_kendall
from planwatch.analysis.proportions import benchmark_gap, two_proportions, wilson
from planwatch.analysis.shortterm import compare, extreme, period_change, run_of_moves
from planwatch.analysis.spc import xmr
from planwatch.analysis.trend import fit_trend

from .helpers import quarterly

ALPHA = 0.05
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
counts = st.integers(min_value=0, max_value=5000).map(float)
count_series = st.lists(st.one_of(counts, st.none()), min_size=8, max_size=32)


@SETTINGS
@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_change_agrees_with_its_numbers(cur: float, old: float) -> None:
    c = compare("previous_period", ("now", cur), ("then", old))
    assert (c.direction == "down") == (cur < old) and (c.direction == "up") == (cur > old)
    if c.pct_change is not None:
        assert (c.pct_change < 0) == (cur < old)


@SETTINGS
@given(count_series)
def test_count_change_verdict_agrees_with_its_p_value(values: list[float | None]) -> None:
    # changed for issue 11: count changes are tested on the series (its own history of
    # the same comparison), so the property is checked on series rather than on two counts
    s = quarterly(values)
    for lag in (1, 4):
        c = period_change(s, lag, count=True)
        if c is None:
            continue
        assert c.significant == (None if c.p_value is None else c.p_value < ALPHA)
        assert (c.p_value is None) == (c.untested_reason is not None)
        assert c.p_value is None or 0.0 <= c.p_value <= 1.0


@SETTINGS
@given(count_series)
def test_trend_never_contradicts_itself(values: list[float | None]) -> None:
    t = fit_trend(quarterly(values), count=True)
    if t.p_value is not None:
        settled = not any("did not settle" in c for c in t.caveats)
        assert t.significant == (t.p_value < ALPHA and settled)
    else:
        assert not t.significant
    if t.pct_per_year is not None:
        assert t.ci_low is not None and t.ci_high is not None
        assert t.ci_low <= t.pct_per_year <= t.ci_high
        assert all(
            lo <= f <= hi for lo, f, hi in zip(t.band_low, t.fitted, t.band_high, strict=True)
        )
    if t.direction == "down":
        assert t.fitted[-1] < t.fitted[0]
    if t.direction == "up":
        assert t.fitted[-1] > t.fitted[0]
    assert (t.strength == "none") == (t.direction == "flat")


@SETTINGS
@given(count_series)
def test_run_and_extreme_match_the_values(values: list[float | None]) -> None:
    s = quarterly(values)
    usable = [(i, v) for i, v in enumerate(values) if v is not None]
    r = run_of_moves(s)
    if r is not None:
        last_i, last = usable[-1]
        before = values[last_i - 1]
        assert before is not None
        assert (r.direction == "down") == (last < before)
    e = extreme(s)
    if e is not None:
        latest = usable[-1][1]
        earlier = [v for _, v in usable[:-1]]
        if e.on_record:
            assert (
                all(latest > v for v in earlier)
                if e.kind == "highest"
                else all(latest < v for v in earlier)
            )
        beaten = earlier[len(earlier) - e.n_periods_compared :]
        assert (
            all(latest > v for v in beaten)
            if e.kind == "highest"
            else all(latest < v for v in beaten)
        )


@SETTINGS
@given(st.integers(1, 5000), st.data())
def test_proportions_contain_their_estimates(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    p = wilson("a", k, n)
    assert 0 <= p.ci_low <= p.proportion <= p.ci_high <= 1
    m = data.draw(st.integers(1, 5000))
    j = data.draw(st.integers(0, m))
    t = two_proportions(p, wilson("b", j, m))
    assert t.ci_low_pp <= t.difference_pp + 1e-9 and t.difference_pp <= t.ci_high_pp + 1e-9
    assert t.significant == (t.p_value < ALPHA)


@SETTINGS
@given(st.floats(0, 100), st.floats(0, 100))
def test_benchmark_gap_direction(value: float, bench: float) -> None:
    g = benchmark_gap("a", value, "b", bench, decimals=1)
    assert g.gap_pp_rounded is not None
    if g.direction == "down":
        assert value < bench
    if g.direction == "up":
        assert value > bench


@SETTINGS
@given(st.lists(st.floats(-1e4, 1e4), min_size=4, max_size=30))
def test_mann_kendall_and_spc_bounds(values: list[float]) -> None:
    mk = mann_kendall(values)
    pairs = len(values) * (len(values) - 1) / 2
    assert -pairs <= mk.s <= pairs and -1 <= mk.tau <= 1
    assert mk.significant == (mk.p_value < ALPHA)
    chart = xmr(quarterly(values), polarity="down_is_good")
    assert (
        chart is not None
        and chart.lower_limit
        <= chart.lower_near
        <= chart.mean
        <= chart.upper_near
        <= chart.upper_limit
    )
