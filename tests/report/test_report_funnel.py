"""The funnel plot: the plan's force against the others (spec, alt text, table, drawing, report)."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

from planwatch.analysis.engine import analyse_areas
from planwatch.analysis.results import FunnelPoint, FunnelResult
from planwatch.report.build import render_html
from planwatch.report.draw import draw_svg
from planwatch.report.funnel import funnel_spec
from planwatch.report.view import ReportOptions

SVG = "{http://www.w3.org/2000/svg}"
COUNTS = {
    "Exampleshire": 41_500.0,
    "Northmoor": 98_000.0,
    "Westvale": 52_000.0,
    "Eastmarsh": 30_100.0,
}
POPULATIONS = {
    "Exampleshire": 600_000.0,
    "Northmoor": 1_150_000.0,
    "Westvale": 820_000.0,
    "Eastmarsh": 450_000.0,
}


@pytest.fixture(scope="module")
def funnel() -> FunnelResult:
    return analyse_areas(
        COUNTS, POPULATIONS, focus_area="Exampleshire", label="12 months to June 2023"
    )


@pytest.fixture(scope="module")
def measure(run):
    result = run.priorities[0].measures[0]
    analyses = (*result.measure.analyses, "comparison")
    return result.measure.model_copy(update={"analyses": analyses})


def _point(area: str, rate: float, *, out95: bool = False, out998: bool = False) -> FunnelPoint:
    side = "within" if not out95 else ("high" if rate > 50 else "low")
    return FunnelPoint(area, rate * 500, 500_000.0, rate, 0.0, out95, out998, side)


def test_spec_points_smallest_population_first_with_the_focus_marked(measure, funnel):
    spec = funnel_spec(measure, funnel)
    assert [m.area for m in spec.points] == ["Eastmarsh", "Exampleshire", "Westvale", "Northmoor"]
    assert [m.area for m in spec.points if m.focus] == ["Exampleshire"]
    assert spec.named  # four areas: every one named on the plot
    assert spec.overall == pytest.approx(1000 * sum(COUNTS.values()) / sum(POPULATIONS.values()))
    assert spec.curve_population == funnel.curve_population and spec.upper_998
    assert spec.title == "All recorded crime: 12 months to June 2023, forces compared"


def test_data_table_has_a_row_per_force(measure, funnel):
    table = funnel_spec(measure, funnel).table
    assert table.headers == (
        "Force area",
        "Crimes",
        "Population",
        "Rate per 1,000 population",
        "Against the limits",
    )
    assert table.rows[1][:4] == ("Exampleshire (this force)", "41,500", "600,000", "69.2")
    assert len(table.rows) == len(COUNTS)
    for row, point in zip(
        table.rows, sorted(funnel.points, key=lambda p: p.population), strict=True
    ):
        expected = "Within limits"
        if point.outside_998:
            expected = f"Outside 99.8% limits ({point.side})"
        elif point.outside_95:
            expected = f"Outside 95% limits ({point.side})"
        assert row[4] == expected


def _result(points: tuple[FunnelPoint, ...], tau2: float | None = None) -> FunnelResult:
    method = "funnel_poisson" if tau2 is None else "funnel_poisson_overdispersed"
    return FunnelResult(
        method, 50.0, points, tau2=tau2, focus_area="Here", label="12 months to June 2023"
    )


def test_alt_text_places_the_force_by_the_limits(measure):
    above = _result((_point("Here", 80.0, out95=True, out998=True), _point("There", 40.0)))
    text = funnel_spec(measure, above).alt_text
    assert text == (
        "Funnel plot of All recorded crime in the 12 months to June 2023: the rate per 1,000 "
        "population of 2 forces against their population, around the average of 50.0 per 1,000, "
        "with control limits at 95% and 99.8% (exact Poisson limits); Here (80.0 per 1,000, "
        "population 500,000) is "
        "above the 99.8% limits."
    )
    between = _result(
        (_point("Here", 56.0, out95=True), _point("There", 20.0, out95=True, out998=True)),
        tau2=1e-6,
    )
    text = funnel_spec(measure, between).alt_text
    assert "widened for over-dispersion between forces" in text
    assert (
        "Here (56.0 per 1,000, population 500,000) is outside the 95% limits but within the 99.8% limits"
        in text
    )
    assert text.endswith("; outside the 99.8% limits: There.")
    within = _result((_point("Here", 50.0), _point("There", 51.0)))
    assert "is within the 95% limits." in funnel_spec(measure, within).alt_text


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_drawn_with_alt_text_names_and_axis_titles(measure, funnel):
    spec = funnel_spec(measure, funnel)
    svg = draw_svg(spec, "funnel-test")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == spec.alt_text
    texts = _texts(svg)
    for area in COUNTS:
        assert area in texts
    assert "Population" in texts and "Rate per 1,000 population" in texts
    assert any(t.startswith("Average (") for t in texts)
    which = "adjusted for over-dispersion" if spec.adjusted else "exact Poisson"
    assert f"99.8% limits ({which})" in texts and f"95% limits ({which})" in texts


def test_only_the_force_is_named_among_many(measure):
    counts = {f"Force {i}": 1_000.0 + 37 * i for i in range(12)} | {"Here": 1_200.0}
    pops = {area: 100_000.0 + 9_000 * i for i, area in enumerate(counts)}
    spec = funnel_spec(measure, analyse_areas(counts, pops, focus_area="Here"))
    assert not spec.named
    texts = _texts(draw_svg(spec, "funnel-many"))
    assert "Here" in texts
    assert not any(t.startswith("Force ") for t in texts)


def _with_funnel(run, measure, funnel):
    first = run.priorities[0]
    result = dataclasses.replace(
        first.measures[0],
        measure=measure,
        analysis=dataclasses.replace(first.measures[0].analysis, funnel=funnel),
    )
    priority = dataclasses.replace(first, measures=(result, *first.measures[1:]))
    return dataclasses.replace(run, priorities=(priority, *run.priorities[1:]))


def test_report_shows_the_funnel_after_the_line_chart_with_its_table(run, measure, funnel):
    with_funnel = _with_funnel(run, measure, funnel)
    html = render_html(with_funnel)
    titles = re.findall(r'<title id="chart-(\d+)-title">([^<]+)</title>', html)
    assert [n for n, _ in titles][:3] == ["1", "2", "3"]
    assert titles[0][1].startswith("Line chart of All recorded crime")
    assert titles[1][1].startswith("Funnel plot of All recorded crime")
    assert "Data for the funnel plot of All recorded crime" in html
    printed = render_html(with_funnel, options=ReportOptions(for_pdf=True))
    assert "Table A2: Data for the funnel plot of All recorded crime" in printed
    assert 'href="#table-a2"' in printed


def test_no_funnel_unless_the_plan_asks_for_a_comparison(run, funnel):
    first = run.priorities[0].measures[0]
    assert "comparison" not in first.measure.analyses
    html = render_html(_with_funnel(run, first.measure, funnel))
    assert "Funnel plot of" not in html
