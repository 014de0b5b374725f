"""The SVG writer: the picture matplotlib drew (ticks, widths, axes), in few elements.

Reference implementations: matplotlib's own tick locators, its font measurement and its
axes, drawn from the same specs by planwatch.report.raster (the Word version's PNGs)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.report import palette
from planwatch.report.chart import chart_spec
from planwatch.report.svg import (
    AUTO_STEPS,
    DEFAULT_BINS,
    DEFAULT_STEPS,
    chart_svg,
    nice_ticks,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
matplotlib_ticker = pytest.importorskip("matplotlib.ticker")


@settings(max_examples=300, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-3, 1e6, allow_nan=False),
    bins=st.integers(1, 9),
)
def test_ticks_are_matplotlibs(low, span, bins):
    high = low + span
    expected = matplotlib_ticker.MaxNLocator(nbins=bins, steps=list(AUTO_STEPS)).tick_values(
        low, high
    )
    assert nice_ticks(low, high, bins, AUTO_STEPS) == pytest.approx(list(expected), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(low=st.floats(0, 1e5, allow_nan=False), span=st.floats(0.5, 1e5, allow_nan=False))
def test_whole_number_ticks_are_matplotlibs(low, span):
    high = low + span
    expected = matplotlib_ticker.MaxNLocator(integer=True).tick_values(low, high)
    got = nice_ticks(low, high, DEFAULT_BINS, DEFAULT_STEPS, integer=True)
    assert got == pytest.approx(list(expected), rel=1e-12)


@pytest.mark.parametrize(
    "text", ["12,000", "Anti-social behaviour incidents (2023/24 Q1)", "4.08%", "Δ unknown"]
)
@pytest.mark.parametrize("bold", [False, True])
def test_text_widths_are_the_fonts(text, bold):
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family="DejaVu Sans", size=7, weight="bold" if bold else "normal")
    width = TextToPath().get_text_width_height_descent(text, font, ismath=False)[0]
    if "Δ" in text:  # not in the table: counted as a digit, about as wide
        assert text_width(text, 7, bold=bold) == pytest.approx(width, rel=0.05)
    else:
        assert text_width(text, 7, bold=bold) == pytest.approx(width, rel=1e-3)


def _measure(run, measure_id):
    return next(m for p in run.priorities for m in p.measures if m.measure.id == measure_id)


def _matplotlib_axes(spec):
    """The axes matplotlib draws for the spec (the Word version's PNG)."""
    import matplotlib
    from matplotlib.figure import Figure

    from planwatch.report import raster

    with matplotlib.rc_context(raster.RC):
        fig = Figure(figsize=raster.FIGURE_SIZE)
        ax = fig.add_subplot()
        raster._draw(ax, spec)
        raster._lay_out(fig, ax)
        fig.canvas.draw()
        low, high = ax.get_ylim()
        labels = [t.get_text() for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
    return labels, legend, fig.get_figheight() * 72


@pytest.mark.parametrize(
    "measure_id", ["all_crime", "asb_incidents", "victim_confidence", "sickness_hours"]
)
def test_the_axes_are_the_ones_matplotlib_draws(run, measure_id):
    ids = {m.measure.id for p in run.priorities for m in p.measures}
    if measure_id not in ids:
        pytest.skip(f"no {measure_id} in the sample run")
    spec = chart_spec(_measure(run, measure_id))
    svg = chart_svg(spec, "axes")
    root = ET.fromstring(svg)
    expected, legend, height = _matplotlib_axes(spec)
    value_labels = root.find(f".//{SVG}g[@text-anchor='end']")
    assert [t.text for t in value_labels] == expected
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts[-len(legend) :] == legend  # the same entries, in the same order
    assert float(root.get("viewBox").split()[3]) == pytest.approx(height, abs=0.01)


def test_a_flat_series_has_the_axis_matplotlib_gives_it(run):
    import dataclasses

    spec = chart_spec(_measure(run, "victim_confidence"))
    flat = dataclasses.replace(
        spec,
        values=(72.0,) * len(spec.values),
        intervals=(),
        trend=(),
        band_low=(),
        band_high=(),
        limits=None,
        y_from_zero=False,
    )
    root = ET.fromstring(chart_svg(flat, "flat"))
    value_labels = root.find(f".//{SVG}g[@text-anchor='end']")
    assert [t.text for t in value_labels] == _matplotlib_axes(flat)[0]


def test_few_elements_and_no_styles_or_shared_shapes(run):
    spec = chart_spec(_measure(run, "all_crime"))  # band, trend, markers, events
    svg = chart_svg(spec, "lean")
    assert "style=" not in svg and "<use" not in svg and "<g" in svg
    root = ET.fromstring(svg)
    dots = [p for p in root.iter(f"{SVG}path") if p.get("stroke-linecap") == "round"]
    assert dots, "the series' points are round-capped dots"
    for dot in dots:  # each piece a point of no length: a disc as wide as the stroke
        pieces = re.findall(r"M ([\d.]+) ([\d.]+) L ([\d.]+) ([\d.]+)", dot.get("d"))
        assert pieces and all(a == c and b == d for a, b, c, d in pieces)
        assert dot.get("fill") == "none"
    plot = root.findall(f"{SVG}path")  # the legend's are in a group of their own
    series = [p for p in plot if p.get("stroke") == palette.SERIES.lower()]
    assert len(series) == 2  # the line, and one path for all its points (not one each)


def test_ids_are_the_prefix_and_the_title_is_the_alt_text(run):
    spec = chart_spec(_measure(run, "all_crime"))
    root = ET.fromstring(chart_svg(spec, "chart-7"))
    assert root.get("aria-labelledby") == "chart-7-title"
    assert root.find(f"{SVG}title").text == spec.alt_text
    assert {e.get("id") for e in root.iter() if e.get("id")} == {"chart-7-title"}
