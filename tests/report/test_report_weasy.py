"""WeasyPrint as the PDF uses it (planwatch.report.weasy), and the charts' print SVG: the
same PDF as WeasyPrint's own, word for word and point for point.

Reference implementation: WeasyPrint itself, with its own user-agent stylesheet and its
own SVG text (one letter at a time), on the same pages; words and their boxes are read
back by poppler's ``pdftotext -bbox``."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from weasyprint import HTML

from planwatch.report import svg as svg_module
from planwatch.report import weasy
from planwatch.report.chart import chart_spec
from planwatch.report.pdf import PDF_VARIANT
from planwatch.report.svg import chart_svg, text_width

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = Path(svg_module.__file__).parent / "templates"
#: pdftotext prints boxes to 1/1000 pt; a sum of letter widths and one run's width may
#: differ in Pango's last unit (1/1024 pt) for each letter, scaled with the image.
SAME_PT = 0.03
#: A label placed from DejaVu Sans's advance widths (svg.text_width) instead of
#: WeasyPrint's measured box: within this of where text-anchor put it.
PLACED_PT = 0.05
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>'
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def _words(pdf: Path) -> list[tuple[str, tuple[float, ...]]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [(m[5], tuple(float(v) for v in m.groups()[:4])) for m in _WORD.finditer(out)]


def _pdf(html_class: type, text: str, path: Path) -> Path:
    document = html_class(string=text, base_url=None).render(pdf_variant=PDF_VARIANT)
    document.write_pdf(path, pdf_variant=PDF_VARIANT, pdf_tags=True)
    return path


def _assert_same_words(a: Path, b: Path, tolerance: float) -> None:
    first, second = _words(a), _words(b)
    assert [w for w, _ in first] == [w for w, _ in second] and first
    worst = max(
        abs(p - q) for (_, box), (_, other) in zip(first, second, strict=True)
        for p, q in zip(box, other, strict=True)
    )  # fmt: skip
    assert worst <= tolerance


@pytest.fixture
def stock_svg() -> Iterator[Any]:
    """WeasyPrint's ``svg`` package with its own SVG text for the test, planwatch's
    again after it."""
    weasy.uninstall_svg_text()
    yield importlib.import_module("weasyprint.svg")
    weasy.install_svg_text()


# --------------------------------------------------------------- the user-agent stylesheet


def test_the_user_agent_stylesheet_loses_only_the_universal_pseudo_element_rules():
    stock = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text("utf-8")
    trimmed = weasy.ua_stylesheet_text()
    assert trimmed is not None  # the installed WeasyPrint's sheet reads as expected
    gone = set(stock.splitlines()) - set(trimmed.splitlines())
    added = set(trimmed.splitlines()) - set(stock.splitlines())
    assert len(gone) == 6 and all(line.startswith("::") for line in gone)
    assert {line.split(" {")[0] for line in gone} == {
        "::marker", "::footnote-call", "::footnote-marker", "::note-call", "::note-marker",
        "::note-callback",
    }  # fmt: skip
    assert added == {next(g for g in gone if g.startswith("::marker")).replace(
        "::marker {", "li::marker, summary::marker {")}  # fmt: skip


def test_no_report_stylesheet_uses_css_footnotes():
    """The footnote rules are left out because nothing can call for them."""
    sheets = list(TEMPLATES.glob("*.css")) + list(TEMPLATES.glob("*.j2"))
    assert sheets
    for sheet in sheets:
        text = sheet.read_text("utf-8")
        assert not re.search(r"float\s*:\s*footnote|footnote-(call|marker)|::note-", text), sheet


def test_an_unexpected_user_agent_stylesheet_is_used_as_it_is(tmp_path, monkeypatch):
    fake = tmp_path / "weasyprint"
    (fake / "css").mkdir(parents=True)
    (fake / "css" / "html5_ua.css").write_text("html { display: block }\n", "utf-8")
    monkeypatch.setattr(weasyprint, "__file__", str(fake / "__init__.py"))
    assert weasy.ua_stylesheet_text() is None


def test_report_pages_are_the_same_with_the_trimmed_stylesheet(html, tmp_path):
    """The screen report's HTML (lists with markers, tables, headings, links) laid out by
    WeasyPrint with its own user-agent stylesheet and with the trimmed one."""
    _assert_same_words(
        _pdf(HTML, html, tmp_path / "stock.pdf"),
        _pdf(weasy.ReportHTML, html, tmp_path / "trimmed.pdf"),
        0.0,
    )


# ------------------------------------------------------------------------------ SVG text


CASES = {
    "start": '<text x="10" y="20">Plain 1,234 label</text>',
    "middle": '<text x="100" y="40" text-anchor="middle" font-size="7">Apr 2023</text>',
    "end": '<g text-anchor="end" font-size="8"><text x="200" y="60">12,500</text></g>',
    "bold": '<text x="10" y="80" font-weight="700">Latest 856</text>',
    "rotated": '<text x="30" y="150" transform="rotate(-90 30 150)">Offences a month</text>',
    "tspans": '<text x="10" y="100">First <tspan font-weight="bold">bold</tspan> after</text>',
    "zero x": '<text x="0" y="120">At the edge</text>',
    "kerning pairs": '<text x="150" y="120">AVATAR Type WAVE</text>',
    "ligatures": '<text x="150" y="140">fifty affluent</text>',
    # WeasyPrint's own business: each letter placed, spaced or fitted
    "dx": '<text x="10" y="170" dx="0 2 4">Spaced</text>',
    "x list": '<text x="10 20 30 40" y="190">Each</text>',
    "letter-spacing": '<text x="100" y="190" letter-spacing="2">Wide</text>',
    "textLength": '<text x="200" y="190" textLength="80">Fitted</text>',
    "rotate": '<text x="10" y="210" rotate="10 20">Turned</text>',
}


def _svg_page(body: str) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 220" '
        f'font-family="DejaVu Sans" font-size="8">{body}</svg>'
    )
    import base64

    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return f'<html lang="en"><body><img src="{uri}" style="width: 16cm" alt="test"></body></html>'


def test_svg_text_is_installed_on_the_tested_weasyprint():
    assert weasyprint.__version__.split(".")[0] in weasy.FAST_SVG_TEXT_VERSIONS
    assert weasy.install_svg_text()


@pytest.mark.parametrize("case", CASES)
def test_svg_text_as_one_run_is_weasyprints_letter_by_letter(case, tmp_path):
    page = _svg_page(CASES[case])
    assert weasy.install_svg_text()
    run = _pdf(HTML, page, tmp_path / "run.pdf")
    weasy.uninstall_svg_text()
    try:
        letters = _pdf(HTML, page, tmp_path / "letters.pdf")
    finally:
        weasy.install_svg_text()
    _assert_same_words(letters, run, SAME_PT)


def test_another_weasyprint_keeps_its_own_svg_text(monkeypatch, stock_svg):
    before = dict(stock_svg.TAGS)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not weasy.install_svg_text()
    assert before == stock_svg.TAGS


def test_installing_twice_and_uninstalling_restore_weasyprints_own(stock_svg):
    package = stock_svg
    own = dict(package.TAGS)
    assert weasy.install_svg_text() and weasy.install_svg_text()
    assert package.TAGS["text"] is not own["text"] and package.TAGS["tspan"] is package.TAGS["text"]
    weasy.uninstall_svg_text()
    assert own == package.TAGS


# ------------------------------------------------------------------- the charts' print SVG


def _specs(run):
    return [chart_spec(m) for p in run.priorities for m in p.measures if m.series is not None]


def test_the_print_svg_has_no_text_anchor_and_the_screen_svg_keeps_it(run):
    for spec in _specs(run)[:6]:
        screen, print_ = chart_svg(spec, "c"), chart_svg(spec, "c", for_pdf=True)
        assert "text-anchor" in screen and "text-anchor" not in print_
        texts = [t for t in ET.fromstring(screen).iter(f"{SVG}text")]
        printed = [t for t in ET.fromstring(print_).iter(f"{SVG}text")]
        assert ["".join(t.itertext()) for t in texts] == ["".join(t.itertext()) for t in printed]
        # drop the labels and both are the same picture
        strip = re.compile(r"<text\b.*?</text>|<g [^>]*>|</g>")
        assert strip.sub("", screen) == strip.sub("", print_)


def test_print_labels_start_where_their_anchor_put_them(run):
    """Every label of the print SVG starts at its anchor less its width (all of it for
    ``end``, half for ``middle``), from DejaVu Sans's widths."""
    anchors = {"start": 0.0, "middle": 0.5, "end": 1.0}
    checked = 0
    for spec in _specs(run)[:6]:
        screen = ET.fromstring(chart_svg(spec, "c"))
        printed = ET.fromstring(chart_svg(spec, "c", for_pdf=True))
        inherited = {}
        for group in screen.iter(f"{SVG}g"):
            for t in group.iter(f"{SVG}text"):
                inherited[id(t)] = (group.get("text-anchor"), group.get("font-size"))
        for a, b in zip(screen.iter(f"{SVG}text"), printed.iter(f"{SVG}text"), strict=True):
            anchor = a.get("text-anchor") or inherited.get(id(a), (None, None))[0] or "start"
            size = float(a.get("font-size") or inherited.get(id(a), (None, "8"))[1] or 8)
            bold = a.get("font-weight") == "700"
            width = text_width("".join(a.itertext()), size, bold=bold)
            assert float(b.get("x")) == pytest.approx(
                float(a.get("x")) - anchors[anchor] * width,
                abs=0.011,  # both written to 0.01
            )
            assert b.get("y") == a.get("y") and b.get("transform") == a.get("transform")
            checked += anchor != "start"
    assert checked > 20


def _chart_page(svgs: list[str]) -> str:
    import base64

    images = "".join(
        '<img style="width: 17cm; display: block" alt="chart" src="data:image/svg+xml;base64,'
        + base64.b64encode(s.encode()).decode()
        + '">'
        for s in svgs
    )
    return f'<html lang="en"><body>{images}</body></html>'


def test_the_demo_charts_print_as_weasyprint_draws_the_screen_svg(run, tmp_path, stock_svg):
    """The screen SVG (text-anchor) through WeasyPrint's own SVG text, and the print SVG
    through planwatch's: the same words, each within PLACED_PT of the other."""
    specs = _specs(run)
    assert stock_svg.TAGS["text"] is sys.modules["weasyprint.svg.text"].text
    screen = _pdf(HTML, _chart_page([chart_svg(s, f"c{i}") for i, s in enumerate(specs)]),
                  tmp_path / "screen.pdf")  # fmt: skip
    assert weasy.install_svg_text()
    printed = _pdf(
        weasy.ReportHTML,
        _chart_page([chart_svg(s, f"c{i}", for_pdf=True) for i, s in enumerate(specs)]),
        tmp_path / "print.pdf",
    )
    _assert_same_words(screen, printed, PLACED_PT)


# ------------------------------------------------------------------ garbage collection


def test_fewer_collections_while_typesetting_then_the_collectors_own_thresholds():
    import gc

    before = gc.get_threshold()
    with weasy.fewer_collections():
        assert gc.get_threshold()[0] >= weasy.GC_THRESHOLD_WHILE_TYPESETTING
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), weasy.fewer_collections():
        raise ValueError("a failed layout")
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_when_the_last_of_overlapping_pdfs_is_done():
    """Two PDFs made at once (the web app's threads), the first started finishing first:
    the collector stays raised for the second, and is put back, not left raised, after."""
    import gc
    import threading

    before = gc.get_threshold()
    second_in, first_done = threading.Event(), threading.Event()
    seen: list[int] = []

    def second() -> None:
        with weasy.fewer_collections():
            second_in.set()
            first_done.wait(10)
            seen.append(gc.get_threshold()[0])  # the first is done, this one is not

    with weasy.fewer_collections():
        thread = threading.Thread(target=second)
        thread.start()
        second_in.wait(10)
    first_done.set()
    thread.join()
    assert seen == [weasy.GC_THRESHOLD_WHILE_TYPESETTING]
    assert gc.get_threshold() == before


def test_a_pdf_is_laid_out_with_a_fraction_of_the_collections(tmp_path):
    """Counted by the collector itself: the PDF's layout and writing (report/pdf.py)
    against WeasyPrint at Python's default threshold on the same page."""
    import gc

    from planwatch.report.pdf import write_pdf

    rows = "".join(f"<tr><td>Row {i}</td><td>{i * 7}</td></tr>" for i in range(400))
    page = f'<html lang="en"><body><h1>T</h1><table>{rows}</table></body></html>'
    counts: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counts.append(info["generation"])

    gc.callbacks.append(count)
    try:
        _pdf(weasy.ReportHTML, page, tmp_path / "default.pdf")
        default = len(counts)
        counts.clear()
        write_pdf(page, tmp_path / "fewer.pdf")
        fewer = len(counts)
    finally:
        gc.callbacks.remove(count)
    assert default > 20 and fewer * 10 < default
    _assert_same_words(tmp_path / "default.pdf", tmp_path / "fewer.pdf", 0.0)


def test_svg_text_installed_once_when_many_threads_make_their_first_pdf(stock_svg):
    """WeasyPrint tells text elements by comparing TAGS with its module's ``text``: two
    installs at once must not leave them different."""
    import threading

    start = threading.Barrier(8)

    def first_pdf() -> None:
        start.wait()
        weasy.install_svg_text()

    threads = [threading.Thread(target=first_pdf) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert stock_svg.TAGS["text"] is stock_svg.text is stock_svg.TAGS["tspan"]
    assert stock_svg.text is not sys.modules["weasyprint.svg.text"].text
    assert len(weasy._installed) == 1
