"""Page-by-page checks of a PDF's text (pdftotext), shared by the report's layout tests.

In: the text of each page and the headings and captions the report prints. Out: the
pages where a heading or a caption is the last thing on the page (from the text), and
the pages that hold a single table row and nothing else (from WeasyPrint's layout).
"""

from __future__ import annotations

import re
from typing import Any

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from planwatch.report.view import ReportView

_PAGE_OF = re.compile(r"^Page \d+ of \d+$")


def _words(text: str) -> str:
    return " ".join(text.split())


def body_lines(page: str, furniture: tuple[str, ...]) -> list[str]:
    """A page's lines without its running header and footer (marking, title, page number)."""
    out = []
    for line in page.splitlines():
        line = _words(line)
        if not line or _PAGE_OF.match(line) or line in furniture:
            continue
        out.append(line)
    return out


def headings(view: ReportView) -> list[str]:
    """Every heading and caption the report prints, as the reader sees them."""
    out = ["Contents", "About this report", "Methods", "Notes on the data"]
    for p in view.priorities:
        out += [p.heading, "Key points", "Data due", "Commitments", "Notes"]
        out.append(f"Commitments under priority {p.number}, with this quarter's commentary")
        for m in p.measures:
            out.append(m.name)
            out += [t.caption for t in m.tables]
    return out


def stranded(pages: list[str], view: ReportView) -> list[tuple[int, str]]:
    """(page, heading) where a heading or caption ends a page, its content on the next."""
    furniture = (view.sensitivity, view.cover.report_title)
    titles = {_words(h) for h in headings(view)}
    found = []
    for number, page in enumerate(pages[:-1], start=1):
        lines = body_lines(page, furniture)
        for k in (1, 2, 3):  # a heading may wrap onto up to three lines
            tail = " ".join(lines[-k:])
            if tail in titles:
                found.append((number, tail))
                break
    return found


def _walk(box: Any, in_table: bool, header: bool, found: dict[str, int]) -> None:
    """Count a page's table body rows, and its lines of text outside tables (the running
    header and footer aside)."""
    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.TableRowGroupBox):
        header = bool(box.is_header)
    if isinstance(box, boxes.TableRowBox) and not header:
        found["rows"] += 1
    if isinstance(box, boxes.LineBox) and not in_table:
        found["lines"] += 1
        return
    in_table = in_table or isinstance(box, boxes.TableBox | boxes.TableCaptionBox)
    for child in getattr(box, "children", ()):
        _walk(child, in_table, header, found)


def lone_row_pages(document: Document) -> list[int]:
    """Pages (1-based) whose only content is one table row (with its repeated header)."""
    out = []
    for number, page in enumerate(document.pages, start=1):
        found = {"rows": 0, "lines": 0}
        _walk(page._page_box, False, False, found)
        if found["rows"] == 1 and found["lines"] == 0:
            out.append(number)
    return out
