"""The PDF: WeasyPrint lays out the print version of the HTML report.

In: the report HTML rendered with ``for_pdf=True`` (page numbers in the contents, data
tables in an appendix). Out: a tagged PDF (PDF/UA-1) on A4 with embedded fonts,
bookmarks from the headings, the sensitivity marking and "Page X of Y" on every page.

The contents give each priority's page range from CSS ``target-counter``. Where a
priority fits on one page the range would read "4–4": the layout tells us which
priorities those are, and their range ends ("–4") are taken out of the laid-out contents
page, the rest of the entry moved right to close the gap. A second layout (the old way,
about as long as the first) is only a fallback should WeasyPrint's boxes change shape.

WeasyPrint runs as :mod:`planwatch.report.weasy` sets it up: its user-agent stylesheet
without the rules no report element uses, SVG text a run at a time, and fewer garbage
collections while it works: the same PDF as WeasyPrint's own, about a fifth sooner on
the demo (docs/performance.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from weasyprint import CSS
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import ParentBox, TextBox

from planwatch.errors import ReportError
from planwatch.report.files import write_with
from planwatch.report.weasy import ReportHTML, fewer_collections, install_svg_text

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


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _trim_range_ends(document: Document, hidden: list[str]) -> bool:
    """Take "–N" out of the contents entries of ``hidden`` priorities in the laid-out pages.

    The entry is right-aligned (its dot leader fills the line), so what came before the
    range end moves right by its width. True when every range end was found and removed."""
    wanted = set(hidden)
    for page in document.pages:
        for box in page._page_box.descendants():
            number = _entry_priority(box)
            if number not in wanted:
                continue
            ends = [c for c in box.children if "toc-end" in _classes(c)]
            if len(ends) != 1:
                return False
            _remove_end(box, ends[0])
            wanted.discard(number)
    return not wanted


def _entry_priority(box: Any) -> str | None:
    """The priority number of a contents entry's page range (not of its ::before leader)."""
    element = getattr(box, "element", None)
    if element is None or getattr(box, "pseudo_type", None) or "toc-pages" not in _classes(box):
        return None
    number = element.get("data-priority")
    return str(number) if number is not None else None


def _remove_end(box: Any, end: Any) -> None:
    width = end.margin_width()
    at = box.children.index(end)
    for child in box.children[:at]:
        child.translate(dx=width)
    box.children = [c for c in box.children if c is not end]
    box.width -= width
    box.position_x += width
    if at:
        _extend_leader(box.children[0], width)


def _extend_leader(before: Any, gap: float) -> None:
    """Fill ``gap`` points left of a dot leader (``leader(". ")``: one text box per dot)."""
    boxes = [before]
    while len(boxes[-1].children) == 1 and isinstance(boxes[-1].children[0], ParentBox):
        boxes.append(boxes[-1].children[0])
    dots = boxes[-1].children
    if not dots or not all(isinstance(d, TextBox) for d in dots) or dots[-1].width <= 0:
        return
    first = min(dots, key=lambda d: d.position_x)
    count = int(gap // first.width)
    added = []
    for k in range(1, count + 1):
        dot = first.copy()
        dot.position_x -= k * first.width
        added.append(dot)
    boxes[-1].children = [*dots, *added]
    for box in boxes:
        box.position_x -= count * first.width
        box.width += count * first.width


#: Told each URL the PDF is about to read (an image), before it reads it.
BeforeFetch = Callable[[str], None]


def _fetcher(before_fetch: BeforeFetch, failed: list[Exception]) -> Any:
    """WeasyPrint's own URL fetcher, telling ``before_fetch`` first (an error it raises is
    kept in ``failed``: WeasyPrint itself would only leave the image out)."""

    def check(url: str) -> None:
        try:
            before_fetch(url)
        except Exception as exc:
            failed.append(exc)
            raise

    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 70: a fetcher is an object
    except ImportError:  # before 70: a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, **kwargs: Any) -> Any:
            check(url)
            return default_url_fetcher(url, **kwargs)

        return fetch

    class Waiting(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            check(url)
            return super().fetch(url, headers)

    return Waiting()


def layout(html: str, before_fetch: BeforeFetch | None = None) -> Document:
    """Lay out the print HTML once; trim the "7–7" ranges of one-page priorities.

    ``before_fetch`` is told each URL before WeasyPrint reads it (the charts drawn while
    the page is laid out are waited for); an error it raises fails the PDF."""
    failed: list[Exception] = []
    fetcher = {"url_fetcher": _fetcher(before_fetch, failed)} if before_fetch else {}
    install_svg_text()  # the charts' labels each laid out as one run (report/weasy.py)
    try:
        with fewer_collections():
            document = _render(html, fetcher)
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs to know the PDF failed
        raise ReportError(f"could not lay out the PDF: {exc}") from exc
    if failed:
        if isinstance(failed[0], ReportError):
            raise failed[0]
        raise ReportError(f"could not draw a chart for the PDF: {failed[0]}") from failed[0]
    return document


def _render(html: str, fetcher: dict[str, Any]) -> Document:
    """Parsed once, laid out once (or twice: the contents' ranges the old way)."""
    source = ReportHTML(string=html, base_url=None, **fetcher)
    document = source.render(pdf_variant=PDF_VARIANT)
    hidden = single_page_priorities(document)
    if hidden and not _trim_range_ends(document, hidden):
        rule = ", ".join(f'.toc-pages[data-priority="{n}"] .toc-end' for n in hidden)
        document = source.render(
            pdf_variant=PDF_VARIANT, stylesheets=[CSS(string=f"{rule} {{ display: none; }}")]
        )
    return document


def write_pdf(html: str, path: Path, *, before_fetch: BeforeFetch | None = None) -> Path:
    document = layout(html, before_fetch)

    def write(tmp: Path) -> None:
        with fewer_collections():
            document.write_pdf(tmp, pdf_variant=PDF_VARIANT, pdf_tags=True)

    return write_with(path, write)
