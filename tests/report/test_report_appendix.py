"""The separate appendix (``--appendix=separate``): the charts' data tables as an HTML and a
PDF document of their own beside the report, linked both ways by relative file names.

Read back as a reader meets them: the PDFs with pdfinfo and pdftotext, their links with
pypdf, the HTML with the standard library's parser, the Word version with python-docx."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sample_run import PUBLISHED

from planwatch.errors import ReportError
from planwatch.report.build import build_report, render_appendix
from planwatch.report.view import APPENDIX_HEADING, ReportOptions, report_view


@pytest.fixture(scope="module")
def separate(run, commentary, tmp_path_factory):
    out = tmp_path_factory.mktemp("separate")
    return build_report(
        run,
        commentary,
        out,
        published=PUBLISHED,
        docx=True,
        figures=True,
        appendix="separate",
    )


@pytest.fixture(scope="module")
def view(run, commentary):
    options = ReportOptions(
        published=PUBLISHED, appendix="separate", stem="exampleshire-2023-24-Q1"
    )
    return report_view(run, commentary, options)


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _words(text: str) -> str:
    return " ".join(text.split())


class _Links(HTMLParser):
    """Every ``href`` and every ``id`` of an HTML document, and its tables' structure."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.tables: list[dict[str, object]] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "table":
            self.tables.append({"id": found.get("id"), "caption": "", "col_headers": 0})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "th" and found.get("scope") == "col" and self.tables:
            self.tables[-1]["col_headers"] = int(str(self.tables[-1]["col_headers"])) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] = str(self.tables[-1]["caption"]) + data


def _parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_appendix_is_written_beside_the_report_as_html_and_pdf(separate):
    html, pdf = separate.appendix
    assert html.name == "exampleshire-2023-24-Q1-appendix.html"
    assert pdf.name == "exampleshire-2023-24-Q1-appendix.pdf"
    assert html.parent == pdf.parent == separate.html.parent
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1]) >= 1
    assert re.search(r"^Tagged:\s+yes", info.stdout, re.M)  # as accessible as the report


def test_the_appendix_pdf_holds_every_charts_table_and_its_numbers(separate, view):
    text = _text(separate.appendix[1])
    flat = _words(text)
    assert view.tabled_charts
    assert "The appendix to" in flat and "exampleshire-2023-24-Q1.pdf" in flat  # its cover line
    for chart in view.tabled_charts:
        table = chart.spec.table
        assert f"Table A{chart.table_number}: {_words(table.caption)}" in flat
        for row in table.rows:
            for cell in row:
                assert _words(cell) in flat, (chart.table_number, cell)


def test_the_main_pdf_then_has_no_appendix_tables(separate, report_files, view):
    text = _words(_text(separate.pdf))
    for chart in view.tabled_charts:
        assert f"Table A{chart.table_number}:" not in text  # no table heads it
        assert (
            f"Table A{chart.table_number} of the separate appendix" in text
        )  # the chart points on
    assert "exampleshire-2023-24-Q1-appendix.pdf" in text
    inline = len(PdfReader(str(report_files.pdf)).pages)
    assert len(PdfReader(str(separate.pdf)).pages) <= inline


def test_every_link_from_the_html_report_to_the_appendix_resolves(separate, view, tmp_path):
    # moved elsewhere, the folder keeps working: the links are bare file names
    moved = tmp_path / "moved"
    shutil.copytree(separate.html.parent, moved)
    report, appendix = (
        _parsed(moved / separate.html.name),
        _parsed(moved / separate.appendix[0].name),
    )
    links = [h for h in report.hrefs if h.startswith("exampleshire-2023-24-Q1-appendix")]
    # the contents entry and every chart's "data" note
    assert len(links) == 1 + len(view.tabled_charts)
    for href in links:
        name, _, anchor = href.partition("#")
        assert name == separate.appendix[0].name and (moved / name).is_file()
        assert not anchor or anchor in appendix.ids, href
    anchors = {h.partition("#")[2] for h in links} - {""}
    assert anchors == {c.table_anchor for c in view.tabled_charts}
    back = [h for h in appendix.hrefs if not h.startswith("#")]
    assert back == [separate.html.name]  # the appendix names the report it belongs to
    for href in (h for h in appendix.hrefs if h.startswith("#")):
        assert href[1:] in appendix.ids  # its own contents and skip link


def test_the_appendix_tables_are_accessible_tables(separate, view):
    tables = _parsed(separate.appendix[0]).tables
    assert [t["id"] for t in tables] == [c.table_anchor for c in view.tabled_charts]
    for table, chart in zip(tables, view.tabled_charts, strict=True):
        assert _words(str(table["caption"])) == _words(
            f"Table A{chart.table_number}: {chart.spec.table.caption}"
        )
        assert table["col_headers"] == len(chart.spec.table.headers)


def test_links_in_the_pdfs_name_the_other_file_and_an_anchor_it_has(separate, view):
    def uris(pdf: Path) -> list[str]:
        found = []
        for page in PdfReader(str(pdf)).pages:
            for annot in page.get("/Annots") or ():
                action = annot.get_object().get("/A")
                if action is not None and "/URI" in action:
                    found.append(str(action["/URI"]))
        return found

    appendix = PdfReader(str(separate.appendix[1]))
    destinations = set(appendix.named_destinations)
    to_appendix = [u for u in uris(separate.pdf) if "-appendix" in u]
    assert len(to_appendix) >= len(view.tabled_charts)
    for uri in to_appendix:
        name, _, anchor = uri.partition("#")
        assert name == separate.appendix[1].name
        assert not anchor or anchor in destinations, uri
    assert uris(separate.appendix[1]) == [separate.pdf.name]


def test_the_word_version_says_where_the_appendix_is(separate, view):
    doc = Document(io.BytesIO(separate.docx.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert APPENDIX_HEADING not in [
        p.text for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert (
        "exampleshire-2023-24-Q1-appendix.pdf (PDF) or exampleshire-2023-24-Q1-appendix.html"
        in text
    )
    for chart in view.tabled_charts:
        assert f"The figures are in Table A{chart.table_number} of the appendix, " in text
    assert len(doc.tables) < len(Document(io.BytesIO(_inline_docx(view))).tables)


def _inline_docx(view) -> bytes:
    import dataclasses

    from planwatch.report.docx import docx_bytes

    return docx_bytes(dataclasses.replace(view, appendix="inline", appendix_files=None))


def test_the_figures_json_lists_the_appendix_files(separate, view):
    data = json.loads(separate.figures.read_text(encoding="utf-8"))
    assert data["files"]["appendix"]["place"] == "separate"
    assert data["files"]["appendix"]["files"] == [p.name for p in separate.appendix]
    listed = data["files"]["appendix"]["tables"]
    assert [t["anchor"] for t in listed] == [c.table_anchor for c in view.tabled_charts]


def test_without_the_pdf_the_appendix_is_html_and_the_links_say_so(run, tmp_path):
    files = build_report(run, None, tmp_path, pdf=False, appendix="separate")
    assert [p.name for p in files.appendix] == ["exampleshire-2023-24-Q1-appendix.html"]
    page = files.html.read_text(encoding="utf-8")
    assert "exampleshire-2023-24-Q1-appendix.pdf" not in page
    assert 'href="exampleshire-2023-24-Q1-appendix.html#table-a1"' in page
    back = _parsed(files.appendix[0]).hrefs
    assert files.html.name in back and "exampleshire-2023-24-Q1.pdf" not in back


def test_render_appendix_needs_a_separate_appendix(run):
    with pytest.raises(ReportError, match="no separate appendix"):
        render_appendix(run, options=ReportOptions())


def test_an_appendix_place_that_is_not_one_is_a_clear_error(run, tmp_path):
    with pytest.raises(ReportError, match="the appendix cannot be 'sideways'") as error:
        build_report(run, None, tmp_path, pdf=False, appendix="sideways")  # type: ignore[arg-type]
    assert "inline or separate or none" in error.value.render()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--appendix", "sideways"], "Invalid value for '--appendix'"),
        (
            ["--appendix", "separate", "--no-appendix"],
            "--no-appendix contradicts --appendix=separate",
        ),
    ],
)
def test_cli_refuses_bad_appendix_options_without_a_traceback(
    tmp_path, monkeypatch, capsys, args, message
):
    from planwatch.cli.main import run as cli

    argv = ["planwatch", "report", "--project", str(tmp_path), "-q", "2023/24-Q1", *args]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_:
        cli()
    err = capsys.readouterr().err
    assert exit_.value.code != 0
    assert "Traceback" not in err and message in " ".join(err.split())
