"""The HTML report on a phone: 390 px wide in real headless Chromium.

Every table either fits or scrolls inside its own box with its first column held in
view; the page itself never scrolls sideways.
"""

from __future__ import annotations

import shutil

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, unavailable

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("report-browser")]

PHONE = {"width": 390, "height": 844}  # iPhone 12-15 viewport in CSS pixels


@pytest.fixture(scope="module")
def phone(html):
    if not shutil.which(CHROMIUM):
        unavailable(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE)
        page.set_content(html, wait_until="load")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        yield page
        browser.close()


def test_the_page_never_scrolls_sideways(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


#: For each table: its box's width, the table's width, and after scrolling the box to
#: its right end, where the first header cell and the last cell of the first row sit.
_MEASURE = """() => [...document.querySelectorAll('.table-wrap')].map(wrap => {
  const table = wrap.querySelector('table');
  const first = table.querySelector('tr > :first-child');
  const last = table.querySelector('tbody tr > :last-child');
  const style = getComputedStyle(wrap);
  wrap.scrollLeft = wrap.scrollWidth;
  const box = wrap.getBoundingClientRect();
  const out = {
    caption: table.caption ? table.caption.textContent.trim() : '',
    wrap: wrap.clientWidth, table: table.scrollWidth, overflow: style.overflowX,
    firstLeft: first.getBoundingClientRect().left - box.left,
    lastRight: box.right - last.getBoundingClientRect().right,
    digitsWide: Math.min(...[...table.querySelectorAll('td.num')].map(
      c => c.getBoundingClientRect().width)),
  };
  wrap.scrollLeft = 0;
  return out;
})"""


def test_wide_tables_scroll_with_the_first_column_held(phone):
    tables = phone.evaluate(_MEASURE)
    assert len(tables) >= 6
    wide = [t for t in tables if t["table"] > t["wrap"] + 1]
    assert wide, "at 390 px some tables are wider than the screen"
    for t in wide:
        assert t["overflow"] == "auto", t["caption"]
        assert abs(t["firstLeft"]) <= 1, t["caption"]  # scrolled to the end: first column in view
        assert t["lastRight"] >= -1, t["caption"]  # and the last column can be reached
    commitments = [t for t in tables if t["caption"].startswith("Commitments under")]
    assert commitments and all(t["table"] <= t["wrap"] + 1 for t in commitments)  # stacked
    for t in tables:
        if t["digitsWide"] != float("inf"):
            assert t["digitsWide"] >= 24, t["caption"]  # no figures squeezed a digit wide


#: Every chart's marker dots (round-capped points, report/svg.py) as the page styles them:
#: the stylesheet must not take their round caps away, or the points would not be drawn.
_DOTS = """() => [...document.querySelectorAll('svg.chart path')]
  .filter(p => /^M ([\\d.]+) ([\\d.]+) L \\1 \\2\\b/.test(p.getAttribute('d')))
  .map(p => getComputedStyle(p).strokeLinecap)"""


def test_the_charts_marker_dots_keep_their_round_caps(phone):
    caps = phone.evaluate(_DOTS)
    assert caps and set(caps) == {"round"}
