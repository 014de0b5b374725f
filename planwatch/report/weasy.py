"""WeasyPrint as the PDF uses it: three of its costs that this report never needs, taken away.

In: nothing (WeasyPrint's own modules). Out: :class:`ReportHTML`, WeasyPrint's ``HTML``
with a user-agent stylesheet that leaves out the rules no report element can use;
:func:`install_svg_text`, which lays out an SVG ``<text>`` as one run rather than one
letter at a time; and :func:`fewer_collections`, for while WeasyPrint works. All three
give the same PDF, glyph for glyph and point for point
(tests/report/test_report_weasy.py compares them with WeasyPrint's own on every chart of
the demo and on SVG text of every kind); docs/performance.md has what each saves.

1. WeasyPrint's user-agent stylesheet (``css/html5_ua.css``) gives every element six
   pseudo-elements by universal selectors: ``::marker`` and five for CSS footnotes and
   notes (``::footnote-call`` and the like). WeasyPrint matches and computes all six for
   every element, most of the cascade's work on a page of table cells. Here ``::marker``
   is for the elements that are list items (``li``, ``summary``) and the footnote rules
   are left out: no report stylesheet uses ``float: footnote`` (a test checks), so no
   element can have those pseudo-elements. The stylesheet is read from the installed
   WeasyPrint and changed there; should its text not be the one expected, WeasyPrint's
   own is used unchanged.
2. WeasyPrint lays out SVG text one letter at a time (each its own Pango layout, measured
   and drawn on its own), so that each letter can have its own position and rotation.
   A ``<text>`` with one position and nothing per letter (no ``dx``, ``dy``, ``rotate``,
   ``letter-spacing``, ``textLength``, baseline or direction) is laid out here as one run,
   with kerning and ligatures off as they are between separate letters: the same glyphs
   at the same advances, in one layout and one text object. Anything else goes to
   WeasyPrint's own function. Installed only on the WeasyPrint versions tested
   (:data:`FAST_SVG_TEXT_VERSIONS`).
3. WeasyPrint makes a few million short-lived objects (boxes, styles, layouts) while it
   lays out and writes a report, and Python's cyclic garbage collector, at its default
   threshold of 700 new objects, ran 577 times over them, four of them full collections
   of everything alive: half a second of the demo's PDF. :func:`fewer_collections` raises
   the first generation's threshold while WeasyPrint works (7 collections, 0.1 s; the
   same peak memory, as its objects are freed by reference counting, not by the
   collector), and puts it back after.
"""

from __future__ import annotations

import gc
import importlib
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from math import inf
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint import CSS, HTML

#: WeasyPrint's major versions whose SVG text function :func:`_text_run` stands in for
#: (read from WeasyPrint 70's ``svg/text.py``; tested in tests/report/test_report_weasy.py).
FAST_SVG_TEXT_VERSIONS = ("70",)

#: New objects between two collections of the youngest generation while WeasyPrint works
#: (Python's default is 700: https://docs.python.org/3/library/gc.html#gc.set_threshold);
#: measured on the demo's PDF (docs/performance.md): 577 collections and 0.5 s at 700,
#: 7 and 0.08 s at this, with the same peak memory.
GC_THRESHOLD_WHILE_TYPESETTING = 50_000

#: The user-agent rules changed, as they read in WeasyPrint 66 to 70's html5_ua.css.
_MARKER_RULE = "::marker {"
_LIST_ITEM_MARKER_RULE = "li::marker, summary::marker {"
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", re.MULTILINE)
_NOTE_RULE_COUNT = 5

#: Attributes that make an SVG text WeasyPrint's own business (per-letter positions or
#: rotation, spacing, fitting to a length, baselines, direction).
_PER_LETTER = (
    "dx", "dy", "rotate", "letter-spacing", "textLength", "lengthAdjust",
    "display-anchor", "dominant-baseline", "alignment-baseline", "direction",
)  # fmt: skip


def ua_stylesheet_text() -> str | None:
    """WeasyPrint's user-agent stylesheet without the rules no report element uses, or
    ``None`` when the installed one does not read as expected (then it is used as is)."""
    source = Path(weasyprint.__file__).parent / "css" / "html5_ua.css"
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        return None
    if text.count(_MARKER_RULE) != 1 or len(_NOTE_RULES.findall(text)) != _NOTE_RULE_COUNT:
        return None
    return _NOTE_RULES.sub("", text.replace(_MARKER_RULE, _LIST_ITEM_MARKER_RULE))


@cache
def _ua_stylesheet() -> CSS | None:
    text = ua_stylesheet_text()
    return None if text is None else CSS(string=text)


class ReportHTML(HTML):  # type: ignore[misc]  # WeasyPrint has no type hints
    """WeasyPrint's ``HTML`` with the trimmed user-agent stylesheet (point 1 above)."""

    def _ua_stylesheets(self, forms: bool = False) -> Any:
        sheet = _ua_stylesheet()
        if forms or sheet is None:
            return super()._ua_stylesheets(forms)
        return [sheet]


def _svg_modules() -> tuple[Any, Any] | None:
    """WeasyPrint's ``svg`` package and ``svg.text`` module, when their version is one
    :func:`_text_run` was written for."""
    if weasyprint.__version__.split(".")[0] not in FAST_SVG_TEXT_VERSIONS:
        return None
    package = importlib.import_module("weasyprint.svg")
    module = sys.modules["weasyprint.svg.text"]  # the package's ``text`` is the function
    if (
        getattr(package, "text", None) is not module.text
        or package.TAGS.get("text") is not module.text
    ):
        return None
    return package, module


_installed: list[Any] = []  # (package, letters, run) while installed: at most one
_svg_lock = threading.Lock()  # one install, whichever thread makes the first PDF


def install_svg_text() -> bool:
    """Lay out plain SVG texts as one run from now on (point 2 above); ``True`` once
    installed (it stays for the life of the process), ``False`` on another WeasyPrint."""
    with _svg_lock:
        return bool(_installed) or _install()


def _install() -> bool:
    modules = _svg_modules()
    if modules is None:
        return False
    package, module = modules
    letters = module.text

    def text(svg: Any, node: Any, font_size: float) -> None:
        if not _text_run(svg, node, font_size, module):
            letters(svg, node, font_size)

    for tag, function in list(package.TAGS.items()):
        if function is letters:  # text, tspan, and a and textPath (left to letters)
            package.TAGS[tag] = text
    # draw_node tells text elements by ``TAGS.get(tag) == text``: the same function.
    package.text = text
    _installed.append((package, letters, text))
    return True


def uninstall_svg_text() -> None:
    """WeasyPrint's own SVG text again (the benchmark's and the tests' comparisons)."""
    with _svg_lock:
        while _installed:
            package, letters, text = _installed.pop()
            for tag, function in list(package.TAGS.items()):
                if function is text:
                    package.TAGS[tag] = letters
            package.text = letters


def _single(node: Any, name: str) -> bool:
    value = node.attrib.get(name)
    return value is None or len(value.replace(",", " ").split()) == 1


def _text_run(svg: Any, node: Any, font_size: float, module: Any) -> bool:
    """Draw ``node``'s text as one run, as WeasyPrint 70's ``svg.text.text`` draws it a
    letter at a time; ``False`` (nothing drawn) when it is not a plain run."""
    if (
        not node.text
        or node.tag not in ("text", "tspan")
        or any(node.get(name) is not None for name in _PER_LETTER)
        or not (_single(node, "x") and _single(node, "y"))
    ):
        return False
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    style = module.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_weight"] = _weight(node.get("font-weight", 400))
    style["font_size"] = font_size
    # separate letters are neither kerned nor joined: nor is the run
    style["font_kerning"] = "none"
    style["font_variant_ligatures"] = "none"

    x = size(node.attrib["x"], font_size, svg.inner_width) if "x" in node.attrib else None
    y = size(node.attrib["y"], font_size, svg.inner_height) if "y" in node.attrib else None
    if x:  # as WeasyPrint does: a position of 0 keeps the offset
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1]
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)),
    )

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = module.TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(
        svg.stream, box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position)
    )
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
    return True


def _weight(value: Any) -> int:
    """``font-weight`` as WeasyPrint's SVG text reads it."""
    if value == "normal":
        return 400
    if value == "bold":
        return 700
    try:
        return int(value)
    except ValueError:
        return 400


class _Collections:
    """How many PDFs are being made (in any thread), and the collector's thresholds from
    before the first of them."""

    lock = threading.Lock()
    making = 0
    before: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while WeasyPrint works (point 3 above); the
    collector's own thresholds again once the last PDF being made is done."""
    with _Collections.lock:
        if not _Collections.making:
            _Collections.before = gc.get_threshold()
            first, *rest = _Collections.before
            gc.set_threshold(max(first, GC_THRESHOLD_WHILE_TYPESETTING), *rest)
        _Collections.making += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.making -= 1
            if not _Collections.making:
                gc.set_threshold(*_Collections.before)
