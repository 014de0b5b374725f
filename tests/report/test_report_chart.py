"""chart_spec (pure calculation) and draw_svg (drawing), on the hand-built run."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

from planwatch.report.chart import chart_spec
from planwatch.report.draw import draw_svg

SVG = "{http://www.w3.org/2000/svg}"


def _measure(run, measure_id):
    return next(m for p in run.priorities for m in p.measures if m.measure.id == measure_id)


def test_significant_trend_is_drawn_with_its_band_from_the_fit_start(run):
    result = _measure(run, "all_crime")
    spec = chart_spec(result)
    start = result.series.labels.index(result.analysis.trend.first_label)
    assert start == 12
    assert spec.trend[:start] == (None,) * start
    assert spec.trend[start:] == result.analysis.trend.fitted
    assert spec.band_low[start] < spec.trend[start] < spec.band_high[start]
    assert "−3.1% a year" in spec.trend_label


def test_trend_that_is_not_significant_is_not_drawn(run):
    result = _measure(run, "all_crime")
    trend = dataclasses.replace(result.analysis.trend, significant=False)
    spec = chart_spec(
        dataclasses.replace(result, analysis=dataclasses.replace(result.analysis, trend=trend))
    )
    assert spec.trend == () and spec.band_low == ()
    assert "no statistically significant long-term trend" in spec.alt_text
    assert "statistically significant downward" not in spec.alt_text


def test_gap_stays_a_gap_and_latest_is_highlighted(run):
    result = _measure(run, "asb_incidents")
    spec = chart_spec(result)
    assert spec.values[20] is None
    assert spec.latest_index == len(spec.values) - 1
    assert "no data for December 2022" in spec.alt_text


def test_latest_falls_back_to_last_value_when_the_latest_period_is_missing(run):
    spec = chart_spec(_measure(run, "victim_confidence"))
    assert spec.values[-1] is None
    assert spec.latest_index == len(spec.values) - 2
    assert spec.labels[spec.latest_index] == "2022/23 Q4"


def test_spc_limits_only_when_the_plan_asks(run):
    result = _measure(run, "asb_incidents")
    spec = chart_spec(result)
    assert spec.limits is not None
    assert spec.limits.lower < spec.limits.mean < spec.limits.upper
    without = result.measure.model_copy(update={"analyses": ("trend", "short_term")})
    assert chart_spec(dataclasses.replace(result, measure=without)).limits is None


def test_events_keep_their_position_and_kind(run):
    spec = chart_spec(_measure(run, "all_crime"))
    assert [(e.x, e.breaks_comparability) for e in spec.events] == [(12.0, True), (15.93, False)]
    assert "New crime recording system (April 2019), a break in comparability" in spec.alt_text


def test_survey_intervals_are_percentages_around_the_value(run):
    spec = chart_spec(_measure(run, "victim_confidence"))
    for value, interval in zip(spec.values, spec.intervals, strict=True):
        if value is not None:
            assert interval is not None and interval[0] < value < interval[1]
    assert spec.intervals[-1] is None


def test_suspect_values_are_held_apart(run):
    result = _measure(run, "all_crime")
    series = dataclasses.replace(result.series, suspect=(5,))
    spec = chart_spec(dataclasses.replace(result, series=series))
    assert spec.values[5] is None
    assert spec.suspect == ((5, result.series.values[5]),)
    row = next(r for r in spec.table.rows if r[0] == "2017/18")  # index 5 is 2017/18 Q2
    assert row[2] == f"{result.series.values[5]:,.0f} (held out)"


def test_long_quarterly_series_has_a_grid_of_financial_years_with_trend_rows(run):
    result = _measure(run, "all_crime")
    table = chart_spec(result).table
    assert table.grid and not table.compact
    assert table.headers == ("Financial year", "Q1", "Q2", "Q3", "Q4")
    assert table.caption.endswith(": number by quarter and financial year")
    assert [r[0] for r in table.rows[:4]] == [
        "2016/17",
        "2016/17 trend",
        "2017/18",
        "2017/18 trend",
    ]
    assert table.rows[-2] == ("2023/24", "26,214", "", "", "")
    assert table.rows[-1][0] == "2023/24 trend" and table.rows[-1][2:] == ("", "", "")
    assert table.rows[1][1:] == ("–",) * 4  # before the fit starts (2019/20 Q1)
    values = [c for r in table.rows if not r[0].endswith("trend") for c in r[1:] if c]
    assert len(values) == len(result.series.periods)


def test_long_monthly_series_has_a_grid_of_financial_years_by_month(run):
    result = _measure(run, "asb_incidents")  # April 2021 to June 2023, December 2022 missing
    table = chart_spec(result).table
    assert table.grid and table.compact
    assert table.headers[:3] == ("Financial year", "Apr", "May") and table.headers[-1] == "Mar"
    years = [r for r in table.rows if not r[0].endswith("trend")]
    assert [r[0] for r in years] == ["2021/22", "2022/23", "2023/24"]
    assert years[1][9] == "–"  # December 2022: no data
    assert years[2][4:] == ("",) * 9  # July 2023 to March 2024: after the series ends


def test_short_series_and_intervals_keep_one_row_per_period(run):
    result = _measure(run, "victim_confidence")
    table = chart_spec(result).table
    assert not table.grid
    assert table.headers[:3] == ("Period", "Percentage", "Lower 95% limit")
    assert len(table.rows) == len(result.series.periods)


def test_yearly_ticks_for_long_series(run):
    spec = chart_spec(_measure(run, "all_crime"))
    assert spec.ticks[0] == (0, "2016/17") and spec.ticks[-1] == (28, "2023/24")


def test_svg_is_inline_labelled_and_has_unique_ids(run):
    specs = [chart_spec(m) for p in run.priorities for m in p.measures]
    svgs = [draw_svg(s) for s in specs]
    ids: list[str] = []
    for spec, svg in zip(specs, svgs, strict=True):
        assert svg.startswith("<svg") and "<?xml" not in svg
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert title is not None and title.text == spec.alt_text
        assert root.get("aria-labelledby") == title.get("id")
        assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]+"', "", svg)  # no external references
        ids += re.findall(r'\bid="([^"]+)"', svg)
        for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', svg):
            assert ref in ids  # every reference resolves inside the same chart
    assert len(ids) == len(set(ids))


def test_svg_is_deterministic_and_keeps_text_as_text(run):
    spec = chart_spec(_measure(run, "all_crime"))
    first = draw_svg(spec)
    draw_svg.cache_clear()
    assert draw_svg(spec) == first
    assert ">26,214<" in first  # the latest value's label is real text


def test_a_measure_without_data_gets_no_chart_but_still_renders(run):
    from planwatch.narrative.run import AnalysisRun
    from planwatch.report.build import render_html

    result = _measure(run, "asb_incidents")
    empty_series = dataclasses.replace(result.series, values=(None,) * len(result.series.values))
    empty_analysis = dataclasses.replace(
        result.analysis, latest_label=None, latest_value=None, spc=None, trend=None
    )
    empty = dataclasses.replace(result, series=empty_series, analysis=empty_analysis)
    priority = dataclasses.replace(run.priorities[0], measures=(empty,))
    page = render_html(AnalysisRun(run.plan, run.quarter, (priority,), None))
    assert "<svg" not in page
    assert "Anti-social behaviour incidents" in page and "not known" in page


def test_a_short_series_labels_every_period_and_draws(run):
    result = _measure(run, "asb_incidents")
    n = 5
    short = dataclasses.replace(
        result.series, periods=result.series.periods[-n:], values=result.series.values[-n:]
    )
    analysis = dataclasses.replace(result.analysis, trend=None, gaps=())
    spec = chart_spec(dataclasses.replace(result, series=short, analysis=analysis))
    assert [label for _, label in spec.ticks] == [
        "Feb 2023",
        "Mar 2023",
        "Apr 2023",
        "May 2023",
        "Jun 2023",
    ]
    assert spec.alt_text.startswith(
        "Line chart of Anti-social behaviour incidents, monthly, from February 2023 to June 2023;"
    )
    assert draw_svg(spec).startswith("<svg")


def test_trend_placed_by_fit_start_index_when_the_label_is_unknown(run):
    result = _measure(run, "all_crime")
    trend = dataclasses.replace(result.analysis.trend, first_label="", fit_start_index=12)
    spec = chart_spec(
        dataclasses.replace(result, analysis=dataclasses.replace(result.analysis, trend=trend))
    )
    assert spec.trend[11] is None and spec.trend[12] == trend.fitted[0]


def test_clean_up_keeps_every_mark_and_leaves_no_shared_shapes(run):
    from planwatch.report import palette

    spec = chart_spec(_measure(run, "all_crime"))  # band, trend, markers, events
    svg = draw_svg(spec, "keep")
    assert "<use" not in svg
    assert f'fill="{palette.TREND_BAND.lower()}"' in svg  # the confidence band
    assert svg.count(f'stroke="{palette.SERIES.lower()}"') >= 2  # the line and its markers
    assert "style=" not in svg


# ---------------------------------------------------------------- axes a reader can trust


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def _y_ticks(svg: str, unit_suffix: str = "") -> list[float]:
    """The value axis' tick labels, read back as numbers."""
    out = []
    for text in _texts(svg):
        plain = text.replace(",", "").replace("−", "-").removesuffix(unit_suffix)
        if re.fullmatch(r"-?\d+(\.\d+)?", plain):
            out.append(float(plain))
    return out


def _percent_spec(run):
    """A 4% series with one held-out value of 430% (a data-entry error a hundred times too big)."""
    result = _measure(run, "victim_confidence")
    spec = chart_spec(result)
    values = tuple(4.0 + 0.02 * i for i in range(len(spec.values)))
    return dataclasses.replace(
        spec,
        values=(*values[:5], None, *values[6:]),
        suspect=((5, 430.0),),
        intervals=(),
        trend=(),
        band_low=(),
        band_high=(),
        limits=None,
        events=(),
        y_from_zero=False,
    )


def test_a_held_out_value_is_marked_but_does_not_set_the_axis(run):
    spec = _percent_spec(run)
    svg = draw_svg(spec, "suspect-test")
    ticks = _y_ticks(svg, "%")
    assert ticks and max(ticks) < 10  # the axis fits the 4% series, not 430%
    assert any(t.startswith("430") and "(held out, off the scale)" in t for t in _texts(svg))


def test_a_held_out_value_inside_the_range_is_drawn_in_place(run):
    spec = dataclasses.replace(_percent_spec(run), suspect=((5, 4.05),))
    svg = draw_svg(spec, "suspect-inside")
    assert not any("off the scale" in t for t in _texts(svg))
    assert "Held out (probable error)" in _texts(svg)


def test_small_counts_have_whole_number_ticks_from_zero(run):
    spec = chart_spec(_measure(run, "all_crime"))
    small = dataclasses.replace(
        spec,
        values=tuple(float(i % 4) for i in range(len(spec.values))),
        trend=(),
        band_low=(),
        band_high=(),
        suspect=(),
    )
    assert small.whole_numbers and small.y_from_zero
    ticks = _y_ticks(draw_svg(small, "small-counts"))
    assert ticks and min(ticks) == 0
    assert all(t.is_integer() for t in ticks)  # no "3.5 homicides"


def test_a_count_chart_the_plan_starts_above_zero_says_so(run):
    result = _measure(run, "all_crime")
    assert chart_spec(result).y_from_zero
    measure = result.measure.model_copy(update={"chart_from_zero": False})
    spec = chart_spec(dataclasses.replace(result, measure=measure))
    assert not spec.y_from_zero
    assert spec.axis_title == "Number (axis does not start at zero)"
    assert spec.axis_title in _texts(draw_svg(spec, "not-from-zero"))
    assert "zero" not in spec.table.caption  # the data table keeps the plain words


def test_event_labels_fit_inside_the_plot(run):
    from planwatch.report.svg import CHAR_EM, PLOT_HEIGHT_PT, SMALL_FONT_SIZE
    from planwatch.report.svg import fitted as _fitted

    room = PLOT_HEIGHT_PT * 0.94
    label = "Stalking and harassment counting rules changed nationally (series break)"
    lines = _fitted(label, room).split("\n")
    assert 1 < len(lines) <= 2
    assert all(len(line) * CHAR_EM * SMALL_FONT_SIZE <= room for line in lines)
    assert _fitted("First national lockdown", room) == "First national lockdown"
