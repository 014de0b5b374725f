"""The PDF: WeasyPrint lays out the print version of the HTML report.

In: the report HTML rendered with ``for_pdf=True`` (page numbers in the contents, data
tables in an appendix). Out: a tagged PDF (PDF/UA-1) on A4 with embedded fonts,
bookmarks from the headings, the sensitivity marking and "Page X of Y" on every page.

The contents give each priority's page range from CSS ``target-counter``. Where a
priority fits on one page the range would read "4–4": the first layout tells us which
priorities those are, and a second layout hides their range ends.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.document import Document

from planwatch.errors import ReportError
from planwatch.report.files import write_with

#: Tagged PDF for assistive technology (ISO 14289-1); WeasyPrint supports it since v59.
PDF_VARIANT = "pdf/ua-1"
_PRIORITY_ANCHOR = re.compile(r"priority-(\d+)")  # Priority.anchor

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def priority_pages(document: Document) -> dict[str, int]:
    """1-based page number of every anchor (id) in a laid-out document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def single_page_priorities(document: Document) -> list[str]:
    """Numbers of the priorities that start and end on the same page."""
    anchors = priority_pages(document)
    return [
        match[1]
        for name, page in anchors.items()
        if (match := _PRIORITY_ANCHOR.fullmatch(name)) and anchors.get(f"{name}-end") == page
    ]


def layout(html: str) -> Document:
    """Lay out the print HTML; a second layout only when some priority fits on one page."""
    try:
        source = HTML(string=html, base_url=None)  # parsed once, laid out once or twice
        document = source.render(pdf_variant=PDF_VARIANT)
        hidden = single_page_priorities(document)
        if hidden:
            rule = ", ".join(f'.toc-pages[data-priority="{n}"] .toc-end' for n in hidden)
            document = source.render(
                pdf_variant=PDF_VARIANT, stylesheets=[CSS(string=f"{rule} {{ display: none; }}")]
            )
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs to know the PDF failed
        raise ReportError(f"could not lay out the PDF: {exc}") from exc
    return document


def write_pdf(html: str, path: Path) -> Path:
    document = layout(html)
    return write_with(
        path, lambda tmp: document.write_pdf(tmp, pdf_variant=PDF_VARIANT, pdf_tags=True)
    )
