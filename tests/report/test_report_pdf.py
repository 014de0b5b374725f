"""The PDF: one rendering per session (see conftest), checked with poppler and pypdf."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

A4_POINTS = (595.28, 841.89)  # ISO 216: 210 x 297 mm at 72 points an inch
TOLERANCE_POINTS = 1.0

# One PDF per session: with `pytest -n 2 --dist loadgroup` these tests share one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report-pdf")]


@pytest.fixture(scope="module")
def reader(report_files):
    return PdfReader(str(report_files.pdf))


def _contents(pages_text: list[str]) -> dict[str, tuple[int, int]]:
    """Page ranges printed in the contents: {"Priority 1: ...": (first, last)}."""
    out = {}
    for line in pages_text[1].splitlines():
        match = re.match(r"\s*(.+?)\s*(?:\. ?)+\s*(\d+)(?:–(\d+))?\s*$", line)
        if match:
            first = int(match[2])
            out[match[1]] = (first, int(match[3] or first))
    return out


def _first_page_with(pages_text: list[str], heading: str, after: int = 2) -> int:
    for number, text in enumerate(pages_text, start=1):
        if number > after and any(line.strip() == heading for line in text.splitlines()):
            return number
    raise AssertionError(f"{heading!r} not found")


def test_every_page_is_a4(reader):
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (
            abs(width - A4_POINTS[0]) < TOLERANCE_POINTS
            and abs(height - A4_POINTS[1]) < TOLERANCE_POINTS
        )


def test_sensitivity_marking_and_page_x_of_y_on_every_page(pdf_pages_text, run):
    marking = run.plan.metadata.sensitivity
    total = len(pdf_pages_text)
    assert total >= 5
    for number, text in enumerate(pdf_pages_text, start=1):
        assert text.count(marking) >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {total}" in text


def test_contents_page_numbers_match_where_priorities_start(pdf_pages_text, run):
    contents = _contents(pdf_pages_text)
    headings = [f"Priority {p.priority.number}: {p.priority.title}" for p in run.priorities]
    assert set(headings) <= set(contents), contents
    starts = [_first_page_with(pdf_pages_text, h) for h in headings] + [
        _first_page_with(pdf_pages_text, "About this report")
    ]
    for heading, start, next_start in zip(headings, starts, starts[1:], strict=False):
        assert contents[heading] == (start, next_start - 1), heading
    assert contents["About this report"][0] == starts[-1]
    # A priority on one page shows one number, not "7–7" (the second layout in pdf.py).
    assert any(first == last for first, last in contents.values())
    assert not re.search(r"\b(\d+)–\1\b", pdf_pages_text[1])


def test_bookmarks_point_at_the_right_pages(reader, pdf_pages_text, run):
    def flatten(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from flatten(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item) + 1

    marks = list(flatten(reader.outline))
    top = {title: page for depth, title, page in marks if depth == 0}
    for p in run.priorities:
        heading = f"Priority {p.priority.number}: {p.priority.title}"
        assert top[heading] == _first_page_with(pdf_pages_text, heading)
    assert (
        "Contents" in top
        and "About this report" in top
        and "Appendix: data behind the charts" in top
    )
    sections = {title for depth, title, _ in marks if depth == 1}
    assert {
        "Key points",
        "Commitments",
        "Notes",
        "All recorded crime",
        "Confidence among victims",
    } <= sections


def test_fonts_are_embedded(report_files):
    listing = subprocess.run(
        ["pdffonts", str(report_files.pdf)], check=True, capture_output=True, text=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows, "no fonts"
    for row in rows:
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), (
            f"not embedded: {row}"
        )


def test_pdf_is_tagged_with_title_and_language(report_files, reader):
    info = subprocess.run(
        ["pdfinfo", str(report_files.pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes", info, flags=re.MULTILINE)
    assert reader.metadata.title == "Quarterly Update: 2023/24 Q1 – Police and Crime Plan 2024-2028"
    assert reader.trailer["/Root"].get("/Lang") == "en-GB"


def test_charts_are_vector_and_data_tables_are_in_the_appendix(reader, pdf_pages_text):
    images = sum(len(page.images) for page in reader.pages)
    assert images == 0  # charts are drawn as vector paths and text, not pictures
    appendix = _first_page_with(pdf_pages_text, "Appendix: data behind the charts")
    rest = "\n".join(pdf_pages_text[appendix - 1 :])
    assert "Table A1: Data for the chart of All recorded crime" in rest
    assert "Table A3: Data for the chart of Confidence among victims" in rest
    assert "26,214" in rest


def _structure(node, found):
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _structure(child, found)
    elif isinstance(node, dict):
        if node.get("/S"):
            found.append((str(node["/S"]), node.get("/Alt")))
        if node.get("/K") is not None:
            _structure(node["/K"], found)
    return found


def test_charts_are_tagged_figures_with_the_alt_text(reader, run):
    from planwatch.report.chart import chart_spec

    tags = _structure(reader.trailer["/Root"]["/StructTreeRoot"], [])
    figures = [str(alt) for tag, alt in tags if tag == "/Figure"]
    expected = [
        chart_spec(m).alt_text for p in run.priorities for m in p.measures if m.measure.chart
    ]
    assert figures == expected
    kinds = {tag for tag, _ in tags}
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/L", "/Link"} <= kinds


def _toc_html(css: str) -> str:
    """Contents for two priorities, the first on one page, the second over two (report.css)."""
    entries = "".join(
        f'<li><a href="#priority-{n}">Priority {n}</a><span class="toc-pages" data-priority="{n}">'
        f'<span class="pageref" data-target="#priority-{n}"></span><span class="toc-end">–'
        f'<span class="pageref" data-target="#priority-{n}-end"></span></span></span></li>'
        for n in (1, 2)
    )
    body = (
        '<section class="priority" id="priority-1"><h2>One</h2><p>Short.</p>'
        '<span class="priority-end" id="priority-1-end"></span></section>'
        '<section class="priority" id="priority-2"><h2>Two</h2><div style="height: 400mm"></div>'
        '<span class="priority-end" id="priority-2-end"></span></section>'
    )
    return (
        f'<html lang="en-GB"><head><style>{css}</style></head><body>'
        f'<nav class="contents"><ol>{entries}</ol></nav><main>{body}</main></body></html>'
    )


def test_one_page_ranges_are_trimmed_without_a_second_layout(tmp_path, monkeypatch):
    from weasyprint import HTML

    from planwatch.report import pdf
    from planwatch.report.build import stylesheet

    source = HTML(string=_toc_html(stylesheet()))
    document = source.render()
    assert pdf.single_page_priorities(document) == ["1"]
    assert pdf._trim_range_ends(document, ["1"])
    # Through layout(): one render only (a second would be the fallback).
    renders = []
    original = HTML.render
    monkeypatch.setattr(
        HTML, "render", lambda self, **kw: renders.append(1) or original(self, **kw)
    )
    out = pdf.write_pdf(_toc_html(stylesheet()), tmp_path / "toc.pdf")
    assert len(renders) == 1
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(out), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = {
        line.split()[0] + " " + line.split()[1]: line.rstrip()
        for line in text.splitlines()
        if line.strip()
    }
    assert re.search(r"\. (\d+)$", lines["Priority 1"]) and "–" not in lines["Priority 1"]
    assert re.search(r"\. (\d+)–(\d+)$", lines["Priority 2"])
    # The entry stays flush right: the trimmed number ends where the other range ends.
    assert len(lines["Priority 1"]) == len(lines["Priority 2"])


@pytest.fixture(scope="module")
def raw_pages(report_files) -> list[str]:
    """Each page's text in reading order (no -layout: one line per line of text)."""
    text = subprocess.run(
        ["pdftotext", str(report_files.pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def test_no_heading_or_caption_is_the_last_thing_on_a_page(raw_pages, run, commentary):
    from layout_checks import headings, stranded

    from planwatch.report.view import ReportOptions, report_view

    view = report_view(run, commentary, ReportOptions())
    assert stranded(raw_pages, view) == []
    joined = " ".join(" ".join(p.split()) for p in raw_pages)
    assert all(" ".join(h.split()) in joined for h in headings(view)[:2])  # the check sees them


def test_no_page_holds_a_single_table_row_alone(run, commentary):
    from layout_checks import lone_row_pages

    from planwatch.report.build import render_html
    from planwatch.report.pdf import layout
    from planwatch.report.view import ReportOptions

    document = layout(render_html(run, commentary, options=ReportOptions(for_pdf=True)))
    assert len(document.pages) > 5
    assert lone_row_pages(document) == []
