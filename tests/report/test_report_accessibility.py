"""Accessibility of the HTML report in real headless Chromium, checked by axe-core.

axe-core comes from the PyPI package ``axe-playwright-python`` (it bundles axe.min.js);
nothing is downloaded at run time. Chromium is Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, unavailable

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("report-browser")]

#: axe impacts that fail the test (axe-core: minor < moderate < serious < critical).
FAILING_IMPACTS = {"serious", "critical"}


def _axe_source() -> str:
    return (
        resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module")
def page(html):
    if not shutil.which(CHROMIUM):
        unavailable(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    axe = _axe_source()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.set_content(html, wait_until="load")
        page.add_script_tag(content=axe)
        page.requests = requests  # type: ignore[attr-defined]
        yield page
        browser.close()


def test_no_serious_or_critical_axe_violations(page):
    # The whole page, chart drawings included (each <svg> has role="img" and a title).
    script = "async () => await axe.run(document, {resultTypes: ['violations']})"
    results = page.evaluate(script)
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in failing
    ]
    assert not failing, json.dumps(summary, indent=1)
    assert results["testEngine"]["name"] == "axe-core"


def test_no_network_requests(page):
    assert [u for u in page.requests if not u.startswith(("data:", "about:"))] == []


def test_accessibility_tree_names_every_chart(page, run):
    names = page.eval_on_selector_all(
        "svg.chart", "els => els.map(e => e.getAttribute('aria-labelledby'))"
    )
    titles = [page.eval_on_selector(f"[id='{n}']", "e => e.textContent") for n in names]
    assert len(titles) == 3 and all(t.startswith("Line chart of ") for t in titles)
    assert page.evaluate("document.documentElement.lang") == run.plan.metadata.language


def test_chart_data_tables_open_for_keyboard_users(page):
    summary = page.locator("details.chart-data summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.chart-data").first.evaluate("d => d.open")
    assert page.locator("details.chart-data table").first.is_visible()


def test_skip_link_is_the_first_tab_stop_and_shows_on_focus(page, html):
    page.set_content(html)  # a fresh document: focus starts at the top
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0


def _violations(page) -> list[dict[str, object]]:
    script = "async () => await axe.run(document, {resultTypes: ['violations']})"
    results = page.evaluate(script)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def test_the_separate_appendix_has_no_serious_or_critical_axe_violations(page, run, commentary):
    """``--appendix=separate``: its tables (captions, header cells) and contents in Chromium,
    in a second tab of the report's browser."""
    from planwatch.report.build import render_appendix
    from planwatch.report.view import ReportOptions

    options = ReportOptions(appendix="separate", stem="exampleshire-2023-24-Q1")
    appendix = render_appendix(run, commentary, options=options)
    tab = page.context.browser.new_page()
    try:
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.set_content(appendix, wait_until="load")
        tab.add_script_tag(content=_axe_source())
        failing = _violations(tab)
        captions = tab.eval_on_selector_all("table caption", "els => els.length")
        headers = tab.eval_on_selector_all("table thead th[scope=col]", "els => els.length")
    finally:
        tab.close()
    assert not failing, json.dumps(failing, indent=1)
    assert captions == 3 and headers > captions  # every table captioned, with column headers
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []
