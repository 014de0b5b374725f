"""The HTML report: self-contained, structured, complete; rendered from the hand-built run."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from planwatch import OGL_ATTRIBUTION
from planwatch import formatting as fmt
from planwatch.narrative.run import AnalysisRun
from planwatch.plan.commentary import Commentary, CommentaryEntry
from planwatch.report.build import render_html
from planwatch.report.chart import chart_spec
from planwatch.report.view import NO_COMMENTARY, ReportOptions


class Outline(HTMLParser):
    """Tags, ids, internal links, headings and text of a document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag]

    def handle_endtag(self, tag):
        if self._heading and tag == self._heading[0]:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading[1:]).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id")]


def test_language_title_and_purity(run, commentary, html):
    outline = Outline(html)
    assert outline.all("html")[0]["lang"] == "en-GB"
    assert "<title>Quarterly Update: 2023/24 Q1 – Police and Crime Plan 2024-2028</title>" in html
    assert render_html(run, commentary, options=ReportOptions(published=None)) == render_html(
        run, commentary, options=ReportOptions(published=None)
    )


def test_self_contained(html):
    outline = Outline(html)
    assert not outline.all("link") and not outline.all("script") and not outline.all("img")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)


def test_headings_in_order(html):
    levels = [level for level, _ in Outline(html).headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    titles = [t for level, t in Outline(html).headings if level == 2]
    assert titles[:4] == [
        "Contents",
        "Priority 1: Preventing crime",
        "Priority 2: Supporting victims",
        "Priority 3: A healthy workforce",
    ]


def test_landmarks_skip_link_and_links_resolve(html):
    outline = Outline(html)
    assert (
        outline.all("main")
        and outline.all("nav")
        and outline.all("header")
        and outline.all("footer")
    )
    ids = outline.ids
    assert len(ids) == len(set(ids)), "duplicate ids"
    skip = outline.all("a")[0]
    assert skip["href"] == "#main" and "main" in ids
    for a in outline.all("a"):
        if a.get("href", "").startswith("#"):
            assert a["href"][1:] in ids, a["href"]


def test_every_chart_has_alt_text_and_a_data_table(run, html):
    charted = [m for p in run.priorities for m in p.measures if m.measure.chart]
    svgs = re.findall(r"<svg\b[^>]*>\s*<title id=\"[^\"]+\">([^<]+)</title>", html)
    assert len(svgs) == len(charted) == 3
    assert all(text.startswith("Line chart of ") for text in svgs)
    details = re.findall(r"<details class=\"chart-data\">.*?</details>", html, flags=re.DOTALL)
    assert len(details) == len(charted)
    for block, result in zip(details, charted, strict=True):
        assert f"Data for the chart of {result.measure.name}" in block
        table = chart_spec(result).table
        assert block.count("<tr>") == len(table.rows) + 1  # and the header row
        shown = re.findall(r'<td class="num">([^<]+)</td>', block)
        assert (
            fmt.value(result.series.values[-1], result.measure.unit, result.measure.decimals)
            in shown
        )


def test_cover(html):
    for text in (
        "Police and Crime Plan 2024-2028",
        "Quarterly Update: 2023/24 Q1",
        "15 August 2023",
        "June 2023",
        "Head of Performance",
        "Performance Analysis Unit",
        ">1.2<",
        "OFFICIAL",
    ):
        assert text in html, text


def test_report_title_follows_the_plan_pattern(run):
    meta = run.plan.metadata.model_copy(update={"report_title": "Performance report for {quarter}"})
    other = AnalysisRun(
        run.plan.model_copy(update={"metadata": meta}), run.quarter, run.priorities, run.data_to
    )
    assert "Performance report for 2023/24 Q1" in render_html(other)


def test_commitments_show_owners_commentary_and_gaps(html):
    assert html.count(NO_COMMENTARY) == 1  # priority 1's second commitment has none
    assert (
        '<th scope="col">We will</th><th scope="col">Commentary</th><th scope="col">Who</th>'
        in html
    )
    assert "<li>Media and Communications</li>" in html
    assert "review &amp; partners&#39; data" in html


def test_without_commentary_every_commitment_says_so(run):
    page = render_html(run, None)
    assert page.count(NO_COMMENTARY) == sum(len(p.commitments) for p in run.plan.priorities)


def test_commentary_is_escaped(run):
    commitment = run.plan.priorities[0].commitments[0]
    entry = CommentaryEntry(
        commitment=commitment.id, department="north-lpa", text="<script>alert(1)</script>"
    )
    page = render_html(run, Commentary(quarter="2023/24 Q1", entries=(entry,)))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_footnotes_numbered_and_linked(run, html):
    expected = [
        t
        for p in run.plan.priorities
        for t in (*p.footnotes, *(f for m in p.measures for f in run.plan.measure(m).footnotes))
    ]
    for number, text in enumerate(expected, start=1):
        assert re.search(
            rf'<li id="footnote-{number}" value="{number}">{re.escape(text)}',
            html.replace("&#39;", "'"),
        ), text
        assert f'href="#footnote-{number}"' in html and f'id="footnote-{number}-ref"' in html


def test_caveats_and_data_lags(html):
    assert (
        "Data lag: the latest figures are for 2022/23 Q4, 1 quarter behind the period this report covers. Survey results arrive a quarter late."
        in html
    )
    assert "No data for December 2022; the chart shows a gap." in html
    assert "Trend fitted from 2019/20 Q1, after the comparability break." in html


def test_open_data_attribution_only_where_figures_come_from_open_data(run, html):
    assert html.count(OGL_ATTRIBUTION) == 3  # two open-data measures and the note at the end
    workforce = AnalysisRun(run.plan, run.quarter, run.priorities[2:], run.data_to)
    assert OGL_ATTRIBUTION not in render_html(workforce)


def test_tables_for_variance_proportions_and_comparisons(html):
    assert "2023/24 variance to 2022/23, by month" in html
    assert "survey results with 95% confidence intervals" in html
    assert "comparisons (two-proportion z-test)" in html
    assert "latest period compared with earlier periods" in html


def test_a_measure_under_two_priorities_keeps_ids_unique(run):
    import dataclasses

    second = dataclasses.replace(run.priorities[1], measures=run.priorities[0].measures)
    twice = AnalysisRun(run.plan, run.quarter, (run.priorities[0], second), run.data_to)
    ids = Outline(render_html(twice)).ids
    assert len(ids) == len(set(ids))


def test_a_stale_override_is_flagged(run):
    import dataclasses

    from planwatch.report.build import render_fragment

    kp = dataclasses.replace(run.priorities[0].key_points[0], overridden=True, override_stale=True)
    fragment = render_fragment("key_points", (kp, run.priorities[0].key_points[1]))
    assert fragment.count("Check before publishing") == 1


def test_each_priority_says_when_its_missing_figures_are_due(run, html):
    from planwatch.report.view import data_due

    lagging = [m for p in run.priorities for m in p.measures if m.analysis.data_lag_periods > 0]
    assert lagging  # the survey arrives a quarter late
    survey = lagging[0]
    assert survey.series.frequency == "quarter" and survey.measure.data_lag.periods == 1
    due = data_due(survey, run.quarter)
    assert (
        due
        == f"{survey.measure.name}: figures for 2023/24 Q1 are expected by the end of September 2023."
    )
    assert '<h3 id="priority-2-data-due">Data due</h3>' in html
    assert f"<li>{due}</li>" in html
    current = next(
        m for p in run.priorities for m in p.measures if m.analysis.data_lag_periods == 0
    )
    assert data_due(current, run.quarter) is None
