"""The analyst's review in a real browser (Debian's Chromium via Playwright) against a live server.

An analyst edits an owner's submitted text with tracked changes (both versions kept, the
diff on the page and in the history, the owner emailed, and the owner following that email
sees the change); and previews the whole report with the current commentary, each text
not yet approved marked with its state, before anything is published. Publishing through
the confirmation while the job shows its progress is in test_browser.py.
"""

from __future__ import annotations

import re

import pytest
from test_browser import SIGNED_IN, _login, _new_page, browser  # noqa: F401  (the Chromium fixture)
from web_helpers import PASSWORD, make_data_project, slot_of

from planwatch.web import services
from planwatch.web.models import EmailKind, PublishedVersion, SentEmail, Slot, SlotState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Longest wait for a page the server builds a report for (ms): the analysis and the report
#: take a few seconds, many more on a loaded machine; only a hang should reach this.
BUILD_TIMEOUT_MS = 120_000


def _submitted(rnd, commitment, department, owner, text):
    slot = slot_of(rnd, commitment, department)
    slot = services.save_draft(slot.pk, user=owner, text=text, rag="", expected_version=0)
    return services.submit(slot.pk, user=owner, expected_version=slot.version)


def test_an_analyst_edits_submitted_text_with_tracked_changes_and_the_owner_is_told(
    browser,  # noqa: F811
    live_server,
    rnd,
    north,
    analyst,
    settings,
):
    from django.core import mail

    settings.SITE_URL = live_server.url
    owners_text = "Two hubs opened."
    slot = _submitted(rnd, "p1-neighbourhood", "north-lpa", north, owners_text)

    ann = _login(browser, live_server, "ann")
    ann.goto(f"{live_server.url}/rounds/{rnd.pk}/")
    ann.click("#tracker tr:has-text('Neighbourhood policing') >> text=Open")
    ann.wait_for_selector("#analyst-edit-form")
    assert ann.locator("#analyst-edit").count() == 0  # nothing edited yet
    assert ann.input_value("#id_edit_text") == owners_text
    edited = "Two hubs opened in May,\nstaffed by 12 officers."
    ann.fill("#id_edit_text", edited)
    ann.select_option("#id_edit_rag", "green")
    ann.click("#analyst-edit-form button:has-text('Save the edit')")
    ann.wait_for_selector("text=Your edit is saved; the owners have been told.")

    diff = ann.inner_text("#analyst-edit")  # the change, on the slot's own page
    assert "The owner's submitted text is kept" in diff
    assert "- Two hubs opened." in diff
    assert "+ Two hubs opened in May," in diff and "+ staffed by 12 officers." in diff
    assert ann.inner_text("#state") == "Submitted"  # still the analyst's to approve
    saved = Slot.objects.get(pk=slot.pk)
    assert (saved.text, saved.edited_from, saved.rag, saved.state) == (
        edited,
        owners_text,
        "green",
        SlotState.SUBMITTED,
    )
    assert saved.updated_by == analyst

    [email] = mail.outbox
    assert set(email.to) == {"north@example.org", "nora@example.org"}
    assert email.subject == (
        "Edited by an analyst: Neighbourhood policing (North Local Policing Area, 2024/25 Q1)"
    )
    assert "ann has edited the commentary you submitted" in email.body
    link = re.search(rf"{re.escape(live_server.url)}/slots/{slot.pk}/", email.body).group(0)

    ann.click("nav[aria-label=Breadcrumb] >> text=History")  # the audit: both versions, the email
    ann.wait_for_selector("#emails-sent")
    history = ann.locator("ol.history li")
    newest = history.first.inner_text()
    assert newest.startswith(f"Version {saved.version}: Submitted · changed by ann")
    assert "- Two hubs opened." in newest and "+ staffed by 12 officers." in newest
    assert f"Version {slot.version}: Submitted · changed by nora" in history.nth(1).inner_text()
    sent = ann.inner_text("#emails-sent")
    assert sent.startswith("Edited by an analyst to nora@example.org\nnorth@example.org on ")
    assert "(sent for ann)" in sent and link in sent
    assert SentEmail.objects.get().kind == EmailKind.EDITED

    # The owner follows the emailed link: signs in and lands on the commentary, changes shown.
    nora = _new_page(browser)
    nora.goto(link)
    nora.wait_for_selector("h1:has-text('Sign in')")  # the link asks for a sign-in first
    nora.fill("#id_username", "nora")
    nora.fill("#id_password", PASSWORD)
    nora.click("button[type=submit]")
    nora.wait_for_selector(SIGNED_IN)
    assert nora.url == link
    nora.wait_for_selector("#analyst-edit")
    assert "+ staffed by 12 officers." in nora.inner_text("#analyst-edit")
    assert "staffed by 12 officers." in nora.inner_text("#slot-text")  # read-only: submitted
    assert nora.locator("#id_text").count() == 0
    assert ann.csp_violations == [] and nora.csp_violations == []
    ann.context.close()
    nora.context.close()


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


def test_the_analyst_previews_the_report_with_the_current_drafts_marked(
    browser,  # noqa: F811
    live_server,
    data_project,
    analyst,
    north,
    comms,
    settings,
    tmp_path,
):
    from datetime import date

    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path
    q1 = services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)
    draft = slot_of(q1, "p1-neighbourhood", "north-lpa")
    services.save_draft(
        draft.pk, user=north, text="A draft about the hubs.", rag="", expected_version=0
    )
    _submitted(q1, "p2-reporting", "comms", comms, "Online reporting went live.")
    approved = _submitted(q1, "p1-shared", "north-lpa", north, "Residents' newsletters went out.")
    services.approve(approved.pk, user=analyst)

    ann = _login(browser, live_server, "ann")
    ann.goto(f"{live_server.url}/rounds/{q1.pk}/")
    ann.click("text=Preview the report with the current drafts", timeout=BUILD_TIMEOUT_MS)
    ann.wait_for_selector(".draft-banner", timeout=BUILD_TIMEOUT_MS)
    assert ann.title().startswith("Draft for review: ")
    assert "not for publication" in ann.inner_text(".draft-banner")
    commentary = {
        row.locator("th").inner_text(): row.locator("td[data-label=Commentary]").inner_text()
        for row in ann.locator("tr[id^=commitment-]").all()
    }
    neighbourhood = commentary["Invest in neighbourhood policing to bring crime down."]
    assert (
        "Draft, not yet submitted" in neighbourhood and "A draft about the hubs." in neighbourhood
    )
    reporting = commentary["Make it easier to report crime online and by phone."]
    assert "Submitted, not yet approved" in reporting and "Online reporting went live." in reporting
    shared = commentary["Tell residents what their local teams are doing."]
    assert "Residents' newsletters went out." in shared
    assert "not yet" not in shared  # approved text is printed as it will be published
    assert "No commentary received" in commentary["Visit every burglary victim within 48 hours."]
    assert not PublishedVersion.objects.exists()  # previewing publishes nothing
    assert q1.slots.get(pk=draft.pk).state == SlotState.DRAFT
    assert ann.csp_violations == []
    ann.context.close()
