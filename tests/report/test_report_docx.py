"""The Word version: opened with python-docx, and converted by LibreOffice (one conversion)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from sample_run import PUBLISHED

from planwatch.report.build import build_report
from planwatch.report.view import (
    APPENDIX_HEADING,
    NO_COMMENTARY,
    ReportOptions,
    ReportView,
    report_view,
)

FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


@pytest.fixture(scope="session")
def view(run, commentary) -> ReportView:
    return report_view(run, commentary, ReportOptions(published=PUBLISHED))


@pytest.fixture(scope="session")
def docx_path(run, commentary, tmp_path_factory) -> Path:
    files = build_report(
        run, commentary, tmp_path_factory.mktemp("docx"), pdf=False, docx=True, published=PUBLISHED
    )
    assert files.docx is not None and files.docx.suffix == ".docx"
    return files.docx


@pytest.fixture(scope="session")
def doc(docx_path):
    return Document(str(docx_path))


def _blocks(doc):
    """Paragraphs and tables of the body, in document order."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def _headings(doc, level: int) -> list[str]:
    return [
        re.sub(r"\s+", " ", p.text).strip()
        for p in doc.paragraphs
        if p.style.name == f"Heading {level}"
    ]


def test_priorities_and_measures_have_real_heading_styles(doc, view):
    assert _headings(doc, 1) == [
        *(p.heading for p in view.priorities),
        "About this report",
        APPENDIX_HEADING,
    ]
    level2 = _headings(doc, 2)
    for p in view.priorities:
        for m in p.measures:
            assert m.name in level2
    assert level2.count("Commitments") == sum(1 for p in view.priorities if p.commitments)


def test_key_points_are_bulleted_lists(doc, view):
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    for p in view.priorities:
        for kp in p.key_points:
            assert kp.text in bullets
        for m in p.measures:
            for kp in m.key_points:
                assert kp.text in bullets


def test_charts_are_pictures_with_their_alt_text(doc, view):
    doc_prs = doc.element.body.findall(".//" + qn("wp:docPr"))
    assert [d.get("descr") for d in doc_prs] == [c.spec.alt_text for c in view.charts]
    assert all(d.get("descr") for d in doc_prs)
    images = [r for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert len(images) == len(view.charts)
    assert all(r.target_part.content_type == "image/png" for r in images)


def test_the_marking_is_in_the_header_and_footer_of_every_page(doc, view):
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert not section.different_first_page_header_footer
    assert not doc.settings.odd_and_even_pages_header_footer
    assert section.header.paragraphs[0].text == view.sensitivity == "OFFICIAL"
    assert section.footer.paragraphs[0].text == view.sensitivity
    footer_xml = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer_xml and 'w:instr=" NUMPAGES "' in footer_xml


def test_document_properties(doc, view):
    props = doc.core_properties
    assert props.title == view.title
    assert props.author == "Performance Analysis Unit"
    assert props.subject.startswith("Quarterly Update: 2023/24 Q1")


def test_contents_is_a_toc_field_word_updates(doc):
    body = doc.element.body
    instr = [i.text for i in body.iter(qn("w:instrText"))]
    assert any(t.strip().startswith("TOC ") for t in instr)
    kinds = [c.get(qn("w:fldCharType")) for c in body.iter(qn("w:fldChar"))]
    assert kinds[:3] == ["begin", "separate", "end"]
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def _tables(doc) -> list[Table]:
    return [b for b in _blocks(doc) if isinstance(b, Table)]


def _is_repeating_header(table: Table) -> bool:
    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def test_every_table_is_a_word_table_with_a_repeating_header_row(doc, view):
    tables = _tables(doc)[1:]  # the first is the cover's facts
    data = [t for p in view.priorities for m in p.measures for t in m.tables]
    data += [c.spec.table for c in view.charts if c.spec.table is not None]
    commitments = sum(1 for p in view.priorities if p.commitments)
    assert len(tables) == len(data) + commitments
    assert all(_is_repeating_header(t) for t in tables)
    headers = [tuple(c.text for c in t.rows[0].cells) for t in tables]
    for table in data:
        assert table.headers in headers
        found = tables[headers.index(table.headers)]
        assert len(found.rows) == len(table.rows) + 1


def test_the_commitments_table(doc, view):
    tables = [
        t
        for t in _tables(doc)
        if [c.text for c in t.rows[0].cells] == ["We will", "Commentary", "Who"]
    ]
    priorities = [p for p in view.priorities if p.commitments]
    assert len(tables) == len(priorities)
    for table, priority in zip(tables, priorities, strict=True):
        rows = table.rows[1:]
        assert [r.cells[0].text for r in rows] == [c.text for c in priority.commitments]
        for row, commitment in zip(rows, priority.commitments, strict=True):
            said = row.cells[1].text
            if commitment.commentary:
                for entry in commitment.commentary:
                    assert entry.department in said
                    assert all(para in said for para in entry.paragraphs)
            else:
                assert said == NO_COMMENTARY
            assert row.cells[2].text.split("\n") == list(commitment.owners)


def test_notes_are_word_footnotes(doc, view):
    rels = [r for r in doc.part.rels.values() if r.reltype == FOOTNOTES_REL]
    assert len(rels) == 1
    part = rels[0].target_part
    assert part.content_type.endswith("footnotes+xml")
    from lxml import etree

    root = etree.fromstring(part.blob)
    notes = {
        n.get(qn("w:id")): "".join(n.itertext()).strip()
        for n in root.iter(qn("w:footnote"))
        if n.get(qn("w:type")) is None
    }
    refs = [r.get(qn("w:id")) for r in doc.element.body.iter(qn("w:footnoteReference"))]
    expected = [f.text for p in view.priorities for f in p.footnotes]
    assert len(expected) >= 2
    assert [notes[r] for r in refs] == expected  # each reference finds its own note, in order
    separators = [n.get(qn("w:type")) for n in root.iter(qn("w:footnote")) if n.get(qn("w:type"))]
    assert separators == ["separator", "continuationSeparator"]
    assert "FootnoteReference" in {s.style_id for s in doc.styles}


def _words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_every_heading_and_table(docx_path, doc, view):
    """Word-compatible software opens it: one conversion to PDF with LibreOffice."""
    with tempfile.TemporaryDirectory(prefix="planwatch-lo-") as home:
        env = {**os.environ, "HOME": home}
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(home, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                home,
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            env=env,
            timeout=300,
        )
        pdf = Path(home) / f"{docx_path.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M)[1])
    assert len(view.priorities) + 3 <= pages <= 4 * len(view.priorities) + 6
    assert text.count("\f") == pages
    words = _words(text)
    for level in (1, 2):
        for heading in _headings(doc, level):
            assert _words(heading) in words
    for table in _tables(doc):
        assert _words(table.rows[0].cells[0].text) in words
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions and all(_words(c) in words for c in captions)
    assert words.count("OFFICIAL") >= 2 * pages  # header and footer of every page
