"""An owner's editor in a real browser (Debian's Chromium via Playwright) against a live server.

Beside the text box the owner sees the priority with this quarter's key points and chart
(from the real analysis, prepared by the background worker: until then the page says they
are being prepared), last quarter's approved text (and can start from it), writing
guidance and what the RAG statuses mean; they draft (autosaved), submit, withdraw the
submission before it is reviewed, change it and submit it again. The draft → return →
resubmit path is in test_browser.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_browser import _login, browser  # noqa: F401  (browser: the module's Chromium fixture)
from web_helpers import make_data_project, run_worker, slot_of

from planwatch.web import services
from planwatch.web.models import Slot, SlotState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Longest wait for the editor's first opening and for the page once the worker has prepared
#: the analysis (ms): a second or so here, much more on a loaded machine; only a hang should
#: reach this.
ANALYSIS_TIMEOUT_MS = 120_000
LAST_QUARTER = "Last quarter one hub opened in Exampletown."


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


@pytest.fixture
def q1(data_project, settings, tmp_path, analyst, north):
    """2022/23 Q4 published with North's approved text; 2023/24 Q1 open."""
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path
    q4 = services.open_round("2022/23 Q4", date(2023, 4, 30), user=analyst)
    s = slot_of(q4, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text=LAST_QUARTER, rag="", expected_version=0)
    services.approve(services.submit(s.pk, user=north, expected_version=s.version).pk, user=analyst)
    services.publish(q4.pk, user=analyst)
    return services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)


def test_an_owner_sees_the_context_drafts_submits_withdraws_and_resubmits(
    browser,  # noqa: F811
    live_server,
    q1,
    north,
):
    slot = slot_of(q1, "p1-neighbourhood", "north-lpa")
    page = _login(browser, live_server, "nora")
    page.click("tr:has-text('Neighbourhood policing') >> text=Write", timeout=ANALYSIS_TIMEOUT_MS)
    page.wait_for_selector("#id_text", timeout=ANALYSIS_TIMEOUT_MS)
    # The analysis is not run in the request: the page says so, the worker prepares it.
    assert "Key points are being prepared" in page.inner_text("#key-points")
    run_worker()
    page.reload()
    page.wait_for_selector("#key-points svg", timeout=ANALYSIS_TIMEOUT_MS)

    context = page.locator("aside.pw-context")
    assert page.inner_text("#context-heading") == "Priority 1: Preventing crime"
    assert "Stop crime before it happens." in context.inner_text()
    key_points = page.locator("#key-points")
    assert "upward trend in domestic abuse offences" in key_points.inner_text()
    assert key_points.locator("svg").count() >= 1  # the measure's chart, drawn in the page
    context.locator("summary:has-text('How to write it')").click()
    assert "Say what happens next quarter" in context.inner_text()
    page.click("#rag-meanings summary")
    meanings = page.inner_text("#rag-meanings")
    assert "Red" in meanings and "Amber" in meanings and "Green" in meanings

    page.click('summary:has-text("Last quarter\'s approved commentary")')
    assert page.inner_text("#previous-text") == LAST_QUARTER
    page.fill("#id_text", "Something I had started.")
    page.once("dialog", lambda dialog: dialog.accept())  # "Replace what you have written…?"
    page.click("#use-previous")
    assert page.input_value("#id_text") == LAST_QUARTER
    page.wait_for_selector("#autosave-status:has-text('Draft saved automatically')")
    assert Slot.objects.get(pk=slot.pk).text == LAST_QUARTER

    page.fill("#id_text", "Two more hubs opened in May.")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Commentary submitted for approval")
    assert "Submitted" in page.inner_text("tr:has-text('Neighbourhood policing')")

    page.click("tr:has-text('Neighbourhood policing') >> a")  # reopen: read-only, withdrawable
    page.wait_for_selector("#withdraw-form")
    assert page.locator("#id_text").count() == 0
    assert "Two more hubs opened in May." in page.inner_text("#slot-text")
    page.click("#withdraw-form button")
    page.wait_for_selector("text=Submission withdrawn: the commentary is a draft again.")
    assert page.inner_text("#state") == "Draft"
    assert page.input_value("#id_text") == "Two more hubs opened in May."
    assert Slot.objects.get(pk=slot.pk).state == SlotState.DRAFT

    page.fill("#id_text", "Two more hubs opened in May, staffed by 12 officers.")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Commentary submitted for approval")
    saved = Slot.objects.get(pk=slot.pk)
    assert (saved.state, saved.text) == (
        SlotState.SUBMITTED,
        "Two more hubs opened in May, staffed by 12 officers.",
    )
    assert page.csp_violations == []
    page.context.close()
