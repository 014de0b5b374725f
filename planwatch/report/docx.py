"""The Word version of the report: a .docx from the same view as the HTML and the PDF.

In: a :class:`~planwatch.report.view.ReportView` (with the publication date on its cover).
Out: :func:`write_docx` writes a Word document an office can edit and publish: document
properties (title, author, subject), the sensitivity marking in the header and footer of
every page, a cover, contents as a Word TOC field (Word fills in the page numbers when
the document is opened: ``updateFields``), real heading styles (priorities "Heading 1";
measures, key points and commitments "Heading 2": Word's navigation pane and a PDF's
bookmarks follow them), key points as bulleted lists, charts as PNG images drawn from the
same specs as the SVG (:func:`planwatch.report.draw.draw_png`) with their alt text in the
picture's ``descr``, every table a Word table whose header row repeats on each page, the
commitments table (We will / Commentary / Who), the plan's notes as Word footnotes and
the data behind the charts in an appendix.

python-docx has no footnotes API: the footnotes part (``word/footnotes.xml``) is written
here as WordprocessingML (ECMA-376 Part 1, §17.11), with the separator footnotes Word
expects, the "Footnote Text" and "Footnote Reference" styles, and ``w:footnotePr`` in
the settings.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from planwatch import OGL_ATTRIBUTION
from planwatch.report.draw import draw_png
from planwatch.report.files import write_with
from planwatch.report.tables import DataTable
from planwatch.report.view import (
    APPENDIX_HEADING,
    NO_COMMENTARY,
    ChartView,
    Footnote,
    MeasureView,
    PriorityView,
    ReportView,
)

#: A4 with the PDF's margins (report.css: 22 mm top, 18 mm sides, 20 mm bottom).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 22, "right": 18, "bottom": 20, "left": 18}
#: Chart images span the text width (210 - 2 x 18 mm).
CHART_WIDTH_MM = 174
#: Heading levels of the Word styles: HTML's h2 is Word's "Heading 1", h3 "Heading 2".
PRIORITY_LEVEL = 1
SECTION_LEVEL = 2
#: The TOC field: headings of levels 1 to 2, as hyperlinks, without page numbers on the web.
TOC_INSTRUCTION = ' TOC \\o "1-2" \\h \\z \\u '
FOOTNOTE_TEXT = "Footnote Text"
FOOTNOTE_REFERENCE = "Footnote Reference"
TOC_STYLE = "toc 1"  # Word's built-in name for first-level contents entries
SMALL_PT = 8
ChartImage = Callable[[ChartView], bytes]
#: We will / Commentary / Who: the shares of the HTML's columns (28%, 52%, 20%) of 174 mm.
COMMITMENT_WIDTHS_MM = (49, 90, 35)


class _Notes:
    """The footnotes written so far: a Word footnote id for each of the report's notes."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def reference(self, paragraph: Paragraph, note: Footnote) -> None:
        """A footnote reference mark at the end of ``paragraph``."""
        self.texts.append(note.text)
        run = paragraph.add_run()
        run.style = FOOTNOTE_REFERENCE
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(len(self.texts)))
        run._r.append(ref)

    def part_xml(self) -> bytes:
        """``word/footnotes.xml``: the separators (ids -1 and 0) and one footnote per note."""
        separators = (
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"'
            ' w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing'
            ' w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote>"
        )
        root = parse_xml(f"<w:footnotes {nsdecls('w')}>{separators}</w:footnotes>")
        for number, text in enumerate(self.texts, start=1):
            note = OxmlElement("w:footnote")
            note.set(qn("w:id"), str(number))
            p = OxmlElement("w:p")
            p_pr = OxmlElement("w:pPr")
            style = OxmlElement("w:pStyle")
            style.set(qn("w:val"), "FootnoteText")
            p_pr.append(style)
            p.append(p_pr)
            p.append(_run_xml(FOOTNOTE_REFERENCE, OxmlElement("w:footnoteRef")))
            text_run = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = f" {text}"
            text_run.append(t)
            p.append(text_run)
            note.append(p)
            root.append(note)
        xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return xml


def _run_xml(style_name: str, child: object) -> object:
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), style_name.replace(" ", ""))
    r_pr.append(style)
    run.append(r_pr)
    run.append(child)
    return run


def docx_bytes(view: ReportView, png: ChartImage | None = None) -> bytes:
    """The whole report as a Word document; ``png`` gives each chart's image (default:
    drawn here from its spec)."""
    image = png or (lambda chart: draw_png(chart.spec))
    doc = Document()
    _styles(doc)
    _page(doc, view)
    _properties(doc, view)
    notes = _Notes()
    _cover(doc, view)
    _contents(doc, view)
    if view.draft:
        _analyst_notes(doc, view)
    for priority in view.priorities:
        _priority(doc, priority, notes, image, view)
    _about(doc, view)
    if view.appendix_inline:
        _appendix(doc, view.tabled_charts)
    _footnotes_part(doc, notes)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(view: ReportView, path: Path, *, png: ChartImage | None = None) -> Path:
    """Write the Word version to ``path`` (whole or not at all)."""
    data = docx_bytes(view, png)
    return write_with(path, lambda tmp: tmp.write_bytes(data))


# ------------------------------------------------------------------------------ set-up


def _styles(doc: DocxDocument) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"  # type: ignore[union-attr]
    normal.font.size = Pt(10)  # type: ignore[union-attr]
    text = styles.add_style(FOOTNOTE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal  # type: ignore[union-attr]
    text.font.size = Pt(SMALL_PT)  # type: ignore[union-attr]
    text.paragraph_format.space_after = Pt(0)  # type: ignore[union-attr]
    reference = styles.add_style(FOOTNOTE_REFERENCE, WD_STYLE_TYPE.CHARACTER)
    reference.font.superscript = True  # type: ignore[union-attr]
    toc = styles.add_style(TOC_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    toc.base_style = normal  # type: ignore[union-attr]
    small = styles.add_style("Small", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal  # type: ignore[union-attr]
    small.font.size = Pt(SMALL_PT)  # type: ignore[union-attr]
    for level in (1, 2):
        styles[f"Heading {level}"].paragraph_format.keep_with_next = True  # type: ignore[union-attr]
    styles["Caption"].paragraph_format.keep_with_next = True  # type: ignore[union-attr]


def _page(doc: DocxDocument, view: ReportView) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(view.sensitivity).bold = True
    title = section.header.add_paragraph(view.cover.report_title, style="Small")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(view.sensitivity).bold = True
    pages = section.footer.add_paragraph(style="Small")
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    pages.add_run("Page ")
    _field(pages, "PAGE", "1")
    pages.add_run(" of ")
    _field(pages, "NUMPAGES", "1")


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) with the value shown until Word updates it."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = shown
    run.append(t)
    field.append(run)
    paragraph._p.append(field)


def _properties(doc: DocxDocument, view: ReportView) -> None:
    props = doc.core_properties
    props.title = view.title
    props.author = view.cover.author or view.cover.organisation
    props.subject = f"{view.cover.report_title}: progress against the {view.cover.plan_title}"
    props.category = view.sensitivity
    props.keywords = "police and crime plan; quarterly update; performance"
    props.comments = f"Produced with {view.generator}"
    props.language = view.lang
    props.last_modified_by = view.generator
    props.revision = 1


#: What may follow ``w:updateFields`` and ``w:footnotePr`` in ``w:settings``, in schema
#: order (ECMA-376 Part 1, §17.15.1.78, CT_Settings): new elements go before the first found.
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr")
_AFTER_FOOTNOTE_PR = (
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
    "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
    "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip


def _settings(doc: DocxDocument) -> None:
    """Word updates the fields (the contents) on opening; the footnote separators."""
    settings = doc.settings.element
    footnote_pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    settings.insert_element_before(footnote_pr, *_AFTER_FOOTNOTE_PR)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.insert_element_before(update, *_AFTER_UPDATE_FIELDS, *_AFTER_FOOTNOTE_PR)


def _footnotes_part(doc: DocxDocument, notes: _Notes) -> None:
    _settings(doc)
    part = Part(
        PackURI("/word/footnotes.xml"),
        CONTENT_TYPE.WML_FOOTNOTES,
        notes.part_xml(),
        doc.part.package,
    )
    doc.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


# ------------------------------------------------------------------------------ content


def _cover(doc: DocxDocument, view: ReportView) -> None:
    cover = view.cover
    marking = doc.add_paragraph()
    marking.add_run(view.sensitivity).bold = True
    doc.add_paragraph(cover.organisation)
    doc.add_paragraph(cover.plan_title, style="Title")
    doc.add_paragraph(cover.report_title, style="Subtitle")
    facts = [("Published", cover.published), ("Data up to", cover.data_to)]
    facts += [("Version", cover.version), ("Author", cover.author)]
    if cover.unit and cover.unit != cover.author:
        facts.append(("Unit", cover.unit))
    facts += [("Document owner", cover.document_owner), ("Sensitivity", cover.sensitivity)]
    shown = [(k, v) for k, v in facts if v]
    table = doc.add_table(rows=0, cols=2)
    for key, value in shown:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(key).bold = True
        cells[1].text = str(value)
    _page_break(doc)


def _page_break(doc: DocxDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: DocxDocument, view: ReportView) -> None:
    """A TOC field whose shown result lists the headings until Word updates it."""
    doc.add_paragraph("Contents", style="TOC Heading")
    entries = [p.heading for p in view.priorities] + ["About this report"]
    if view.appendix_inline:
        entries.append(APPENDIX_HEADING)
    for i, entry in enumerate(entries):
        paragraph = doc.add_paragraph(style=TOC_STYLE)
        if i == 0:
            _fld_char(paragraph, "begin")
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = TOC_INSTRUCTION
            run = OxmlElement("w:r")
            run.append(instr)
            paragraph._p.append(run)
            _fld_char(paragraph, "separate")
        paragraph.add_run(entry)
        if i == len(entries) - 1:
            _fld_char(paragraph, "end")
    if view.appendix_files is not None:
        doc.add_paragraph(
            f"{APPENDIX_HEADING}: a separate document beside this one, "
            f"{view.appendix_files.described}."
        )
    _page_break(doc)


def _fld_char(paragraph: Paragraph, kind: str) -> None:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")  # Word recalculates it on opening
    run.append(char)
    paragraph._p.append(run)


def _priority(
    doc: DocxDocument, priority: PriorityView, notes: _Notes, image: ChartImage, view: ReportView
) -> None:
    doc.add_heading(priority.heading, level=PRIORITY_LEVEL)
    objective = doc.add_paragraph()
    objective.add_run("Objective: ").bold = True
    objective.add_run(priority.objective)
    for note in priority.objective_footnotes:
        notes.reference(objective, note)
    if priority.key_points:
        doc.add_heading("Key points", level=SECTION_LEVEL)
        _bullets(doc, [kp.text for kp in priority.key_points])
    for measure in priority.measures:
        _measure(doc, measure, notes, image, view)
    if priority.data_due:
        doc.add_heading("Data due", level=SECTION_LEVEL)
        _bullets(doc, priority.data_due)
    if priority.commitments:
        doc.add_heading("Commitments", level=SECTION_LEVEL)
        _commitments(doc, priority)
    _page_break(doc)


def _bullets(doc: DocxDocument, texts: Sequence[str]) -> None:
    for text in texts:
        _style(doc.add_paragraph(text), LIST_BULLET)


#: Style ids (Word's names without spaces) of the paragraph styles set most often.
SMALL, CAPTION, LIST_BULLET = "Small", "Caption", "ListBullet"


def _style(paragraph: Paragraph, style_id: str) -> Paragraph:
    """Give ``paragraph`` the style ``style_id`` directly: python-docx's ``style=`` searches
    every style for the default on each call, which took half the Word version's build
    time (docs/performance.md, "Demo report")."""
    paragraph._p.style = style_id
    return paragraph


def _measure(
    doc: DocxDocument, measure: MeasureView, notes: _Notes, image: ChartImage, view: ReportView
) -> None:
    heading = doc.add_heading(measure.name, level=SECTION_LEVEL)
    for note in measure.footnotes:
        notes.reference(heading, note)
    _bullets(doc, [kp.text for kp in measure.key_points])
    for chart in measure.charts:
        _chart(doc, chart, image(chart), view)
    for table in measure.tables:
        _table(doc, table)
    source = f"Source: {measure.source}."
    if measure.open_data:
        source += f" {OGL_ATTRIBUTION}"
    _style(doc.add_paragraph(source), SMALL)
    for caveat in measure.caveats:
        _style(doc.add_paragraph(caveat), SMALL)


def _chart(doc: DocxDocument, chart: ChartView, png: bytes, view: ReportView) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.spec.alt_text)
    doc_pr.set("title", chart.spec.title)
    note = "".join(f" {text}" for text in (chart.definition, chart.note) if text)
    if view.appendix_files is not None:
        where = (
            f"Table A{chart.table_number} of the appendix, "
            f"{view.appendix_files.described}, beside this document"
        )
    elif view.appendix == "none" and view.data_files:
        where = f"sheet A{chart.table_number} of {view.data_files[0].href}, beside this document"
    else:
        where = f"Table A{chart.table_number} in the appendix"
    _style(
        doc.add_paragraph(f"Chart: {chart.spec.title}.{note} The figures are in {where}."), CAPTION
    )


def _repeat_header(table: Table) -> None:
    """The first row is a header row, repeated at the top of each page the table runs on."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


#: The table style of every table (Word's built-in "Table Grid"), by its style id.
TABLE_STYLE_ID = "TableGrid"


def _table(doc: DocxDocument, table: DataTable, caption: str | None = None) -> Table:
    """A data table as a Word table: a bold header row repeated on every page, no row split
    across pages, row headers bold, figures right-aligned; compact tables in small type.

    The table's XML is written in one piece and parsed once, as python-docx's own
    ``add_table`` makes it: building it a row and a cell at a time through python-docx took
    most of the Word version's build time (docs/performance.md, "Demo report")."""
    _style(doc.add_paragraph(caption or table.caption), CAPTION)
    cols = len(table.headers)
    width = Emu(doc._block_width // cols).twips if cols else 0
    small = f'<w:pStyle w:val="{SMALL}"/>' if table.compact else ""

    def cell(text: str, *, bold: bool, right: bool) -> str:
        props = small + ('<w:jc w:val="right"/>' if right else "")
        return (
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
            f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}"
            f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>'
        )

    header = "".join(cell(h, bold=True, right=False) for h in table.headers)
    rows = [
        f'<w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>{header}</w:tr>'
    ]
    for row in table.rows:
        cells = "".join(
            cell(text, bold=i == 0 and table.row_headers, right=i >= table.numeric_from)
            for i, text in enumerate(row)
        )
        rows.append(f'<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>{cells}</w:tr>')
    grid = f'<w:gridCol w:w="{width}"/>' * cols
    tbl = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{TABLE_STYLE_ID}"/>'
        '<w:tblW w:type="auto" w:w="0"/><w:tblLook w:firstColumn="1" w:firstRow="1" '
        'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    doc._body._element._insert_tbl(tbl)
    return Table(tbl, doc._body)


def _commitments(doc: DocxDocument, priority: PriorityView) -> None:
    doc.add_paragraph(
        f"Commitments under priority {priority.number}, with this quarter's commentary",
        style="Caption",
    )
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("We will", "Commentary", "Who"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for commitment in priority.commitments:
        will, commentary, who = table.add_row().cells
        will.text = commitment.text
        first = True
        for entry in commitment.commentary:
            from_ = commentary.paragraphs[0] if first else commentary.add_paragraph()
            first = False
            from_.add_run(entry.department).bold = True
            if entry.rag:
                from_.add_run(f" (Status: {entry.rag})")
            for text in entry.paragraphs:
                commentary.add_paragraph(text)
        if first:
            commentary.paragraphs[0].add_run(NO_COMMENTARY).italic = True
        who.text = commitment.owners[0] if commitment.owners else ""
        for owner in commitment.owners[1:]:
            who.add_paragraph(owner)
    _repeat_header(table)
    table.autofit = False
    for column, width in zip(table.columns, COMMITMENT_WIDTHS_MM, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _analyst_notes(doc: DocxDocument, view: ReportView) -> None:
    """The draft's analyst's notes, before the first priority (never in the published file)."""
    doc.add_heading("Analyst's notes (draft only)", level=PRIORITY_LEVEL)
    doc.add_paragraph("Draft for review: not for publication.")
    for group in view.analyst_notes:
        doc.add_heading(group.heading, level=SECTION_LEVEL)
        _bullets(doc, group.items)
    _page_break(doc)


def _about(doc: DocxDocument, view: ReportView) -> None:
    doc.add_heading("About this report", level=PRIORITY_LEVEL)
    doc.add_paragraph(view.about)
    if view.methods:
        doc.add_heading("Methods", level=SECTION_LEVEL)
        _bullets(doc, view.methods)
    if view.warnings:
        doc.add_heading("Notes on the data", level=SECTION_LEVEL)
        _bullets(doc, [str(w) for w in view.warnings])
    if view.attribution:
        doc.add_paragraph(view.attribution)


def _appendix(doc: DocxDocument, charts: Sequence[ChartView]) -> None:
    _page_break(doc)
    doc.add_heading(APPENDIX_HEADING, level=PRIORITY_LEVEL)
    for chart in charts:
        if chart.spec.table is not None:
            caption = f"Table A{chart.table_number}: {chart.spec.table.caption}"
            _table(doc, chart.spec.table, caption)
