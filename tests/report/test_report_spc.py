"""SPC charts draw the limits the verdict used: when the analysis widened the XmR limits
for autocorrelation (analysis/spc.py), the chart draws the widened ones and says so next
to the chart, in its alt text, in the caveats and in the figures JSON."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from planwatch import formatting as fmt
from planwatch.analysis.spc import xmr
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, month_range
from planwatch.report import palette
from planwatch.report.build import render_fragment
from planwatch.report.chart import chart_spec
from planwatch.report.draw import draw_svg
from planwatch.report.figures import figures
from planwatch.report.view import ReportOptions, caveats, report_view

#: Long swings: a slow sine wave of 24 months, a little noise (fixed, not random).
SWING_PERIOD = 24


def _swinging(result):
    periods = month_range(Month(2021, 4), Month(2023, 6))
    values = tuple(
        2400.0 + 300.0 * math.sin(2 * math.pi * i / SWING_PERIOD) + 25.0 * ((i * 7) % 5 - 2)
        for i in range(len(periods))
    )
    series = MeasureSeries(result.measure.id, "month", periods, values)
    spc = xmr(series, polarity=result.measure.polarity)
    assert spc is not None and spc.verdict_adjusted  # the real analysis widened the limits
    analysis = dataclasses.replace(
        result.analysis,
        spc=spc,
        gaps=(),
        latest_label=periods[-1].label,
        latest_value=values[-1],
    )
    return dataclasses.replace(result, series=series, analysis=analysis)


@pytest.fixture(scope="module")
def swinging(run):
    asb = next(m for p in run.priorities for m in p.measures if m.measure.id == "asb_incidents")
    return _swinging(asb)


def _value_at(svg: str, y: float, mean: float) -> float:
    """The value at height ``y`` of the plot: the scale from the value axis' tick labels
    (their spacing), the origin from the solid mean line drawn at ``mean``."""
    ticks = [
        (float(pos), float(text.replace(",", "")))
        for pos, text in re.findall(
            r'<text x="[\d.]+" y="([\d.]+)">([\d,]+)</text>',
            re.search(r'<g [^>]*text-anchor="end">(.*?)</g>', svg)[1],
        )
    ]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    line = re.search(
        r'<path d="M [\d.]+ ([\d.]+) L [\d.]+ [\d.]+"[^>]*stroke="'
        + palette.SPC.lower()
        + '"[^>]*stroke-linecap="square"',
        svg,
    )
    assert line, "the mean is drawn as a solid line"
    return mean + (y - float(line.group(1))) * (v1 - v0) / (y1 - y0)


def test_the_chart_draws_the_widened_limits(swinging):
    spc = swinging.analysis.spc
    spec = chart_spec(swinging)
    assert spec.limits is not None and spec.limits.widened
    assert (spec.limits.lower, spec.limits.upper) == (
        spc.adjusted_lower_limit,
        spc.adjusted_upper_limit,
    )
    assert spec.limits.standard == (spc.lower_limit, spc.upper_limit)
    svg = draw_svg(spec)
    dashed = re.search(
        r'<path d="M [\d.]+ ([\d.]+) L [\d.]+ [\d.]+ M [\d.]+ ([\d.]+) L[^"]*"[^>]*stroke="'
        + palette.SPC.lower()
        + '"[^>]*stroke-dasharray',
        svg,
    )
    assert dashed, "the process limits are drawn as one dash-dot path"
    drawn = sorted(_value_at(svg, float(y), spc.mean) for y in dashed.groups())
    step = (spc.adjusted_upper_limit - spc.adjusted_lower_limit) / 100  # 1% of the band
    assert drawn[0] == pytest.approx(spc.adjusted_lower_limit, abs=step)
    assert drawn[1] == pytest.approx(spc.adjusted_upper_limit, abs=step)
    assert abs(drawn[1] - spc.upper_limit) > 5 * step  # not the standard limit
    assert "Process limits, widened for long swings" in svg
    assert "widened for the series' long swings" in spec.alt_text


def test_standard_limits_are_drawn_as_before(run):
    asb = next(m for p in run.priorities for m in p.measures if m.measure.id == "asb_incidents")
    spec = chart_spec(asb)
    assert spec.limits is not None and not spec.limits.widened
    assert spec.limits.upper == asb.analysis.spc.upper_limit
    assert ">Process limits</text>" in draw_svg(spec)


def test_next_to_the_chart_the_report_says_the_limits_are_widened(run, swinging):
    spc, m = swinging.analysis.spc, swinging.measure
    priorities = tuple(
        dataclasses.replace(
            p,
            measures=tuple(swinging if r.measure.id == m.id else r for r in p.measures),
        )
        for p in run.priorities
    )
    view = report_view(dataclasses.replace(run, priorities=priorities), None, ReportOptions())
    chart = next(c for c in view.charts if c.spec.measure_id == m.id)
    caption = re.search(
        r"<figcaption[^>]*>(.*?)</figcaption>", render_fragment("chart_figure", chart, False), re.S
    )
    assert caption is not None
    text = caption.group(1)
    shown = fmt.value(spc.adjusted_upper_limit, m.unit, m.decimals)
    standard = fmt.value(spc.upper_limit, m.unit, m.decimals)
    assert "are widened because the series moves in long swings" in text
    assert shown in text and standard in text
    assert f"lag-1 autocorrelation {fmt.number(spc.autocorrelation, 2)}" in text
    said = " ".join(caveats(swinging))
    assert (
        f"process limits (widened for autocorrelation) {fmt.value(spc.adjusted_lower_limit, m.unit, m.decimals)} to {shown}"
        in said
    )
    data = figures(view, dataclasses.replace(run, priorities=priorities))
    limits = next(
        c["process_limits"]
        for p in data["priorities"]
        for mm in p["measures"]
        if mm["id"] == m.id
        for c in mm["charts"]
    )
    assert limits["widened_for_autocorrelation"] is True
    assert limits["upper"] == spc.adjusted_upper_limit
    assert limits["standard"] == [spc.lower_limit, spc.upper_limit]
