"""A reader's view in a real browser (Debian's Chromium via Playwright) against a live server.

A reader account signs in to the dashboard, finds the published report, reads its approved
commentary and downloads it as HTML, PDF and Word (each file opened and read); it never sees
a draft, and every page of the round's work refuses it with a page that says why.
"""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from test_browser import _login, axe_failures, browser  # noqa: F401  (browser: the fixture)
from web_helpers import make_data_project, slot_of

from planwatch.web import reporting, services
from planwatch.web.models import ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVED = "Two neighbourhood hubs opened in Exampletown."
SUBMITTED = "Online reporting went live in March (submitted, never approved)."
DRAFT = "A next-quarter draft no reader may see."


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


def _write(rnd, commitment, department, owner, text, *, submit=True):
    slot = slot_of(rnd, commitment, department)
    slot = services.save_draft(slot.pk, user=owner, text=text, rag="", expected_version=0)
    return services.submit(slot.pk, user=owner, expected_version=slot.version) if submit else slot


@pytest.fixture
def rounds(data_project, settings, tmp_path, analyst, north, comms, reader):
    """2023/24 Q1 published with one approved and one submitted commentary; 2023/24 Q2 open,
    with a draft."""
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path
    q1 = services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)
    services.approve(_write(q1, "p1-neighbourhood", "north-lpa", north, APPROVED).pk, user=analyst)
    _write(q1, "p2-reporting", "comms", comms, SUBMITTED)
    version = services.publish(q1.pk, user=analyst)
    q2 = services.open_round("2023/24 Q2", date(2023, 10, 31), user=analyst)
    draft = _write(q2, "p1-neighbourhood", "north-lpa", north, DRAFT, submit=False)
    return {"version": version, "open": q2, "draft": draft}


@pytest.fixture
def published(rounds, settings):
    """:func:`rounds` with the published version's report built: HTML, PDF and Word."""
    settings.REPORT_PDF = True
    assert reporting.generate_report(rounds["version"]) == ReportStatus.READY
    return rounds


def _download(page, suffix):
    """Click the report's ``suffix`` file link; the downloaded file's bytes."""
    with page.expect_download() as download:
        page.click(f"#report-files a[href$='{suffix}']")
    return download.value.path().read_bytes()


def test_a_reader_reads_and_downloads_the_published_report_and_never_a_draft(
    browser,  # noqa: F811
    live_server,
    published,
    tmp_path,
):
    page = _login(browser, live_server, "rita")
    page.wait_for_selector("h1:has-text('Dashboard')")  # a reader starts on the dashboard
    nav = page.inner_text("nav[aria-label=Main]")
    for hidden in ("Rounds", "Users", "My commentary"):
        assert hidden not in nav  # no links to pages a reader cannot use

    page.click("nav >> text=Published reports")
    page.wait_for_selector("h1:has-text('Published reports')")
    row = page.locator("tr:has-text('2023/24 Q1')")
    assert "Ready" in row.inner_text()
    row.locator("text=Version 1").click()
    page.wait_for_selector("#report-files")
    main = page.inner_text("main")
    assert APPROVED in main and services.NOT_YET_APPROVED in main
    assert SUBMITTED not in main and DRAFT not in main
    assert "Generate the report again" not in main  # an analyst's button

    pdf = _download(page, ".pdf")
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "Two neighbourhood hubs opened" in text and "Online reporting" not in text

    import docx

    word = _download(page, ".docx")
    (tmp_path / "report.docx").write_bytes(word)
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "report.docx")).paragraphs]
    cells = [
        c.text
        for t in docx.Document(str(tmp_path / "report.docx")).tables
        for r in t.rows
        for c in r.cells
    ]
    assert any(APPROVED in t for t in paragraphs + cells)
    assert not any(SUBMITTED in t or DRAFT in t for t in paragraphs + cells)

    page.click("#report-files a[href$='.html']")  # the HTML report opens in the browser
    page.wait_for_selector("h1:has-text('Police and Crime Plan')")
    assert page.url.endswith(".html")
    report = page.inner_text("body")
    assert APPROVED in report and SUBMITTED not in report and DRAFT not in report
    assert not page.title().startswith("Draft")
    assert page.csp_violations == []
    page.context.close()


def test_a_reader_is_refused_every_page_of_the_rounds_work_with_a_reason(
    browser,  # noqa: F811
    live_server,
    rounds,
):
    draft, q2 = rounds["draft"], rounds["open"]
    contributors_only = "Readers cannot view or change commentary before it is published."
    analysts_only = "Only analysts can do this."
    refusals = {
        "/todo/": contributors_only,
        f"/slots/{draft.pk}/": contributors_only,
        f"/rounds/{q2.pk}/departments/north-lpa/export.xlsx": contributors_only,
        "/rounds/": analysts_only,
        f"/rounds/{q2.pk}/": analysts_only,
        f"/rounds/{q2.pk}/overview/": analysts_only,
        f"/rounds/{q2.pk}/preview/": analysts_only,
        f"/slots/{draft.pk}/history/": analysts_only,
        "/users/": analysts_only,
    }
    page = _login(browser, live_server, "rita")
    for path, reason in refusals.items():
        response = page.goto(live_server.url + path)
        assert response.status == 403, path
        page.wait_for_selector("h1:has-text('You cannot do that')")
        assert page.inner_text("#refusal") == reason, path
        assert DRAFT not in page.inner_text("main"), path
    page.click("main >> text=Back to the start")  # the refusal leads somewhere useful
    page.wait_for_selector("h1:has-text('Dashboard')")
    assert page.csp_violations == []
    page.context.close()


def test_the_readers_pages_and_the_deadline_page_have_no_serious_axe_violations(
    browser,  # noqa: F811
    live_server,
    rounds,
):
    """axe-core on pages test_browser.py's accessibility test does not visit: a reader's
    dashboard, published list and version, the refusal page; an analyst's deadline page."""
    pages = {
        "rita": ["/dashboard/", "/published/", f"/published/{rounds['version'].pk}/", "/todo/"],
        "ann": [f"/rounds/{rounds['open'].pk}/deadline/"],
    }
    assert axe_failures(browser, live_server, pages) == {}
