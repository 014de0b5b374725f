"""Two things a reader of the report is told about a measure (issue 13), in every version:
what a record-based measure's chart counts (its definition in words, in the caption and the
chart's accessible text), and what a figure over part of a year is of (a series the plan
says never has August: the key points and the measure's notes say which months were
compared). Read as a person reads them — the HTML, the PDF's text (pdftotext) and the Word
document (python-docx) — and as a machine does: the figures JSON."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document

from planwatch.analysis.engine import analyse_areas, analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import verified
from planwatch.narrative.keypoints import measure_key_points, priority_points
from planwatch.narrative.run import AnalysisRun, MeasureResult, PriorityResult
from planwatch.periods import Month, Quarter, month_range, quarter_range
from planwatch.plan.load import parse_plan
from planwatch.report.build import ReportFiles, build_report, render_html
from planwatch.report.chart import Definition, chart_spec, definition_note
from planwatch.report.view import ReportOptions, report_view
from planwatch.report.view import _part_year_note as _part_year_note_of

QUARTER = Quarter(2023, 1)
PUBLISHED = date(2023, 8, 15)
PLAN = """\
metadata: {title: Police and Crime Plan, organisation: Anyshire PCC, area: Anyshire, plan_period: 2024-2028}
record_sources:
  - name: crimes
    noun: crimes
    id: [crime_ref]
    date: recorded_date
    columns:
      crime_ref: text
      recorded_date: {type: date, format: "%d/%m/%Y"}
      rural: {type: flag, header: Rural Flag}
measures:
  - id: rural_crime
    name: Rural crime
    source: {kind: records, records: crimes, where: {column: rural, is_true: true},
             aggregate: count_distinct, of: crime_ref}
    analyses: [trend, short_term, comparison]
  - id: school_visits
    name: School visits
    frequency: month
    source: {kind: series, series: school_visits}
    polarity: up_is_good
    part_year: {without: [August], note: Schools are shut in August.}
    analyses: [rolling12, short_term]
priorities:
  - {number: 1, title: Safer places, objective: Fewer crimes, measures: [rural_crime, school_visits]}
"""
AREAS = {"Anyshire": (4_100.0, 600_000.0), "Northmoor": (9_800.0, 1_150_000.0)}
AREAS |= {"Westvale": (5_200.0, 820_000.0), "Eastmarsh": (3_010.0, 450_000.0)}
SCHOOL_NOTE = "(11 months each: August, which has no data, is left out)"


def _series() -> dict[str, MeasureSeries]:
    quarters = quarter_range(QUARTER.shift(-11), QUARTER)
    months = month_range(QUARTER.last_month.shift(-35), QUARTER.last_month)
    visits = tuple(None if m.month == 8 else 100.0 + (7 * i) % 23 for i, m in enumerate(months))
    return {
        "rural_crime": MeasureSeries(
            "rural_crime", "quarter", quarters, tuple(900.0 - 20 * i for i in range(12))
        ),
        "school_visits": MeasureSeries(
            "school_visits", "month", months, visits, without_months=(8,)
        ),
    }


@pytest.fixture(scope="module")
def run() -> AnalysisRun:
    plan = parse_plan(PLAN)
    results, every = [], []
    for measure_id, series in _series().items():
        m = plan.measure(measure_id)
        analysis = analyse_measure(series, m, (), QUARTER)
        if measure_id == "rural_crime":
            counts = {a: c for a, (c, _) in AREAS.items()}
            people = {a: p for a, (_, p) in AREAS.items()}
            funnel = analyse_areas(
                counts, people, focus_area="Anyshire", label="12 months to June 2023"
            )
            analysis = replace(analysis, funnel=funnel)
        points, refused = verified(
            measure_key_points(analysis, m, series, definition=plan.measure_definition(m.id)),
            series,
            m,
            QUARTER,
        )
        assert not refused
        results.append(MeasureResult(m, series, analysis, points))
        every += points
    box, notes = priority_points(every)
    priority = PriorityResult(plan.priorities[0], tuple(results), box, notes)
    return AnalysisRun(plan, QUARTER, (priority,), Month(2023, 6))


@pytest.fixture(scope="module")
def files(run: AnalysisRun, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(
        run,
        None,
        tmp_path_factory.mktemp("part-year"),
        published=PUBLISHED,
        docx=True,
        figures=True,
    )


def _definition(run: AnalysisRun) -> str:
    words = run.plan.measure_definition("rural_crime")
    assert words and "rural" in words
    note = definition_note(Definition(words))
    assert note == f"Counted from the force's own records: {words}."
    return note


def _school_point(run: AnalysisRun) -> str:
    result = run.priorities[0].measures[1]
    return next(kp.text for kp in result.key_points if kp.kind == "rolling12")


def _part_year_note() -> str:
    return (
        "Part-year data: there is never any data for August. Schools are shut in August. Every "
        "12-month figure is of the other 11 months, compared like for like with the same months "
        "of other years; each key point on such a figure says which months it is of."
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class _Figures(HTMLParser):
    """Each <figure>'s caption text, its label's target and the chart's accessible name."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure":
            self.figures.append(
                {"labelledby": a.get("aria-labelledby") or "", "caption": "", "title": ""}
            )
        elif self.figures and tag == "figcaption":
            self.figures[-1]["caption_id"] = a.get("id") or ""
            self._in = "caption"
        elif self.figures and tag == "title" and not self.figures[-1]["title"]:
            self._in = "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("figcaption", "title"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and self.figures:
            self.figures[-1][self._in] += data


def test_a_record_measures_charts_carry_its_definition_in_the_html(run: AnalysisRun) -> None:
    html = render_html(run, None, options=ReportOptions(published=PUBLISHED))
    parser = _Figures()
    parser.feed(html)
    definition = _definition(run)
    rural, funnel, school = parser.figures
    for chart in (rural, funnel):  # the line chart and the funnel plot of the same measure
        assert chart["labelledby"] == chart["caption_id"]  # the caption names the figure
        assert definition in _flat(chart["caption"])  # seen by everyone
        assert _flat(chart["caption"]).startswith("Chart: Rural crime")
        assert definition[:1].lower() + definition[1:-1] in chart["title"]  # the chart's name
    assert "own records" not in school["caption"] + school["title"]
    assert html.count('class="chart-definition"') == 2


def test_the_definition_and_the_months_compared_in_the_pdf(
    files: ReportFiles, run: AnalysisRun
) -> None:
    assert files.pdf is not None
    text = _flat(
        subprocess.run(
            ["pdftotext", str(files.pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    assert f"Chart: Rural crime. {_definition(run)}" in text
    assert (
        f"Chart: Rural crime: 12 months to June 2023, forces compared. {_definition(run)}" in text
    )
    assert _flat(_school_point(run)) in text
    assert _part_year_note() in text


def test_the_definition_and_the_months_compared_in_word(
    files: ReportFiles, run: AnalysisRun
) -> None:
    assert files.docx is not None
    doc = Document(str(files.docx))
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    definition = _definition(run)
    assert sum(c.startswith("Chart: Rural crime") and definition in c for c in captions) == 2
    assert not any("own records" in c for c in captions if c.startswith("Chart: School"))
    described = [d.get("descr") for d in doc.element.body.iter() if d.tag.endswith("}docPr")]
    assert sum(definition[:1].lower() + definition[1:-1] in (d or "") for d in described) == 2
    bullets = [p.text for p in doc.paragraphs]
    assert _school_point(run) in bullets
    with zipfile.ZipFile(files.docx) as z:
        footnotes = z.read("word/footnotes.xml").decode("utf-8")
    assert _part_year_note() in re.sub(r"<[^>]+>", "", footnotes)


def test_the_figures_json_carries_the_definition_and_the_months_compared(
    files: ReportFiles, run: AnalysisRun
) -> None:
    assert files.figures is not None
    data = json.loads(Path(files.figures).read_text(encoding="utf-8"))
    measures = {m["id"]: m for m in data["priorities"][0]["measures"]}
    words = run.plan.measure_definition("rural_crime")
    rural, school = measures["rural_crime"], measures["school_visits"]
    assert [c["kind"] for c in rural["charts"]] == ["line", "funnel"]
    assert [c["definition"] for c in rural["charts"]] == [words, words]
    assert [c["definition"] for c in school["charts"]] == [None]
    assert school["part_year"] == {
        "without": [8],
        "months": ["August"],
        "note": "Schools are shut in August.",
    }
    assert rural["part_year"] is None and _part_year_note() in school["footnotes"]
    told = data["priorities"][0]["key_points"] + school["key_points"]  # the box, then the rest
    point = next(
        kp for kp in told if kp["measure"] == "school_visits" and kp["kind"] == "rolling12"
    )
    assert SCHOOL_NOTE in point["text"]
    now, before = point["evidence"]["compared"]
    assert (now["period"], before["period"]) == ("12 months to June 2023", "12 months to June 2022")
    assert (now["months_left_out"], before["months_left_out"]) == (["2022-08"], ["2021-08"])
    assert len(now["months_compared"]) == 11 and "2022-08" not in now["months_compared"]


def test_the_months_compared_are_in_the_html_key_points_and_notes(run: AnalysisRun) -> None:
    html = _flat(render_html(run, None, options=ReportOptions(published=PUBLISHED)))
    assert SCHOOL_NOTE in html and _school_point(run) in html
    assert _part_year_note() in html
    view = report_view(run, None, ReportOptions())
    school = view.priorities[0].measures[1]
    assert [f.text for f in school.footnotes] == [_part_year_note()]
    assert (
        "there is never any data for August" in chart_spec(run.priorities[0].measures[1]).alt_text
    )


def test_a_quarterly_part_year_note_names_the_months_of_each_short_quarter() -> None:
    plan = parse_plan(
        PLAN.replace("    frequency: month\n", "").replace("[August]", "[July, August]")
    )
    (text,) = _part_year_note_of(plan.measure("school_visits"))
    assert "there is never any data for July and August" in text
    assert (
        "Every 12-month figure is of the other 10 months, and every Q2 figure of September only"
        in text
    )


def test_a_short_quarters_chart_says_it_is_the_lowest_of_like_quarters() -> None:
    """Without July and August every Q2 is of September only: the chart's text says which
    quarters the latest one is the lowest of, as its key point does."""
    from planwatch.analysis.engine import analyse_measure
    from planwatch.measures.series import MeasureSeries
    from planwatch.narrative.run import MeasureResult
    from planwatch.periods import quarter_range

    plan = parse_plan(
        PLAN.replace("    frequency: month\n", "").replace("[August]", "[July, August]")
    )
    measure = plan.measure("school_visits")
    measure = measure.model_copy(update={"analyses": (*measure.analyses, "extremes")})
    latest = Quarter(2023, 2)  # 2023/24 Q2: September only
    periods = quarter_range(latest.shift(-23), latest)  # six Q2s: five before the latest
    # each full quarter about 300, each one-month Q2 10 fewer a year than the last: the
    # latest is the lowest of the Q2s, the only quarters it is compared with
    values = tuple(
        float(100 - 10 * (p.fy_start - 2017)) if p.q == 2 else 300.0 - 5 * i
        for i, p in enumerate(periods)
    )
    series = MeasureSeries("school_visits", "quarter", periods, values, without_months=(7, 8))
    analysis = analyse_measure(series, measure, (), latest)
    assert analysis.extreme is not None and analysis.extreme.kind == "lowest"
    text = chart_spec(MeasureResult(measure, series, analysis, ())).alt_text
    assert "the lowest of any quarter covering one month" in text, text
