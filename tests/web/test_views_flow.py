"""Pages doing their job: editing, conflicts, autosave, bad input, chasing, publishing, dashboard."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from web_helpers import client_for, date_boxes, run_worker, slot_of

from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web import services
from planwatch.web.models import PublishedVersion, ReportStatus, Round, SlotState


@pytest.fixture
def slot(rnd):
    return slot_of(rnd, "p1-neighbourhood", "north-lpa")


def test_owner_saves_and_submits_through_the_form(slot, north):
    c = client_for(north)
    page = c.get(reverse("slot", args=[slot.pk]))
    assert page.status_code == 200 and b"Invest in neighbourhood policing" in page.content
    r = c.post(
        reverse("slot", args=[slot.pk]),
        {"text": "Two new hubs opened.", "rag": "green", "version": 0, "action": "save"},
    )
    assert r.status_code == 302
    slot.refresh_from_db()
    assert (slot.text, slot.rag, slot.version, slot.state) == (
        "Two new hubs opened.",
        "green",
        1,
        SlotState.DRAFT,
    )
    r = c.post(
        reverse("slot", args=[slot.pk]),
        {"text": "Two new hubs opened.", "rag": "green", "version": 1, "action": "submit"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("todo")
    slot.refresh_from_db()
    assert slot.state == SlotState.SUBMITTED
    assert b"Submitted" in c.get(reverse("todo")).content


def test_over_long_text_gets_a_form_error_and_keeps_what_was_typed(slot, north):
    typed = "word " * (MAX_COMMENTARY_CHARS // 5) + "overflow"
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": typed, "rag": "", "version": 0}
    )
    assert r.status_code == 400
    assert b"at most 10000 characters" in r.content
    assert typed.encode() in r.content
    slot.refresh_from_db()
    assert slot.version == 0 and slot.text == ""


def test_malformed_form_keeps_text(slot, north):
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": "keep me", "rag": "purple", "version": "abc"}
    )
    assert r.status_code == 400
    assert b"keep me" in r.content and b"Select a valid choice" in r.content


def test_submitting_nothing_is_a_clear_error(slot, north):
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": "  ", "rag": "", "version": 0, "action": "submit"}
    )
    assert r.status_code == 400 and b"There is no commentary to submit" in r.content
    slot.refresh_from_db()
    assert (slot.state, slot.version) == (SlotState.NOT_STARTED, 0)  # neither saved nor submitted


def test_stale_save_shows_both_texts_and_loses_nothing(slot, north, analyst):
    services.save_draft(
        slot.pk, user=analyst, text="The analyst's correction.", rag="", expected_version=0
    )
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]),
        {"text": "Nora's long paragraph.", "rag": "amber", "version": 0},
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "Someone else saved this commentary" in html
    assert "The analyst&#x27;s correction." in html  # theirs
    assert "Nora&#x27;s long paragraph." in html  # mine, in the form
    assert 'name="version" value="1"' in html  # saving again builds on the saved version
    slot.refresh_from_db()
    assert slot.text == "The analyst's correction."
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": "Merged text.", "rag": "amber", "version": 1}
    )
    assert r.status_code == 302
    slot.refresh_from_db()
    assert (slot.text, slot.version) == ("Merged text.", 2)


def test_autosave_json(slot, north, analyst):
    c = client_for(north)
    url = reverse("slot_autosave", args=[slot.pk])
    ok = c.post(url, {"text": "autosaved words here", "rag": "", "version": 0})
    assert ok.status_code == 200 and ok.json()["version"] == 1 and ok.json()["words"] == 3
    stale = c.post(url, {"text": "again", "rag": "", "version": 0})
    assert (
        stale.status_code == 409
        and stale.json()["conflict"] is True
        and stale.json()["version"] == 1
    )
    bad = c.post(url, {"text": "x" * (MAX_COMMENTARY_CHARS + 1), "rag": "", "version": 1})
    assert bad.status_code == 400 and "text" in bad.json()["errors"]
    assert c.get(url).status_code == 405
    slot.refresh_from_db()
    assert slot.text == "autosaved words here"


def test_previous_quarter_text_and_word_count_are_on_the_editor(rnd, north, analyst):
    from datetime import date, timedelta

    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs opened in Q1.", rag="", expected_version=0)
    services.submit(s.pk, user=north, expected_version=s.version)
    services.approve(s.pk, user=analyst)
    services.publish(rnd.pk, user=analyst)
    q2 = services.open_round("2024/25 Q2", date.today() + timedelta(days=5), user=analyst)
    html = (
        client_for(north)
        .get(reverse("slot", args=[slot_of(q2, "p1-neighbourhood", "north-lpa").pk]))
        .content.decode()
    )
    assert "Last quarter's approved commentary" in html and "Hubs opened in Q1." in html
    assert 'id="word-count"' in html and "autosave.js" in html


def test_analyst_returns_with_reason_and_owner_sees_it(slot, north, analyst):
    s = services.save_draft(slot.pk, user=north, text="Draft", rag="", expected_version=0)
    services.submit(slot.pk, user=north, expected_version=s.version)
    a = client_for(analyst)
    empty = a.post(reverse("slot_return", args=[slot.pk]), {"reason": ""})
    assert empty.status_code == 400 and b"Say why the commentary is being returned" in empty.content
    assert (
        a.post(
            reverse("slot_return", args=[slot.pk]), {"reason": "Please add the figures."}
        ).status_code
        == 302
    )
    todo = client_for(north).get(reverse("todo")).content.decode()
    assert "Returned because: Please add the figures." in todo
    page = client_for(north).get(reverse("slot", args=[slot.pk])).content.decode()
    assert 'id="returned-title">Returned – action needed</h2>' in page
    assert "The analyst says: Please add the figures." in page


def test_history_page_shows_diff(slot, north, analyst):
    services.save_draft(slot.pk, user=north, text="alpha\nbeta", rag="", expected_version=0)
    services.save_draft(slot.pk, user=north, text="alpha\ngamma", rag="", expected_version=1)
    html = client_for(analyst).get(reverse("slot_history", args=[slot.pk])).content.decode()
    assert '<span class="del">- beta</span>' in html and '<span class="add">+ gamma</span>' in html
    assert "by nora" in html


def test_open_round_form_errors_keep_input(analyst, plan_db):
    r = client_for(analyst).post(
        reverse("rounds"), {"quarter": "2024/25 Q9", **date_boxes(("31", "not a month", "2030"))}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert (
        "cannot read &#x27;2024/25 Q9&#x27; as a period" in html
        and "Deadline must be a real date" in html
        and 'value="2024/25 Q9"' in html
        and 'value="not a month"' in html
    )
    assert not Round.objects.exists()


def test_tracker_and_chase_emails(rnd, analyst, north, comms):
    a = client_for(analyst)
    html = a.get(reverse("tracker", args=[rnd.pk])).content.decode()
    assert (
        'Not started</dt><dd class="govuk-summary-list__value">5</dd>' in html
        and "South Local Policing Area" in html
    )
    r = a.post(reverse("chase", args=[rnd.pk]))
    assert r.status_code == 302
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("colin@example.org",), ("nora@example.org", "north@example.org")]
    assert "2024/25 Q1" in mail.outbox[0].subject
    body = next(m for m in mail.outbox if "nora@example.org" in m.to).body
    assert "- Neighbourhood policing: not started" in body
    assert "p1-" not in body


def test_publish_view_stores_version_and_report_status(rnd, analyst, north):
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Published words.", rag="", expected_version=0)
    services.submit(s.pk, user=north, expected_version=s.version)
    services.approve(s.pk, user=analyst)
    r = client_for(analyst).post(reverse("publish", args=[rnd.pk]), {"unapproved": "notice"})
    version = PublishedVersion.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("published_version", args=[version.pk])
    assert version.report_status == ReportStatus.QUEUED  # built by the worker, not the request
    html = client_for(north).get(reverse("published_version", args=[version.pk])).content.decode()
    assert "Published words." in html and "Waiting to be built" in html
    assert '<meta http-equiv="refresh"' in html and "<progress" in html
    run_worker()
    version.refresh_from_db()
    assert version.report_status != ReportStatus.QUEUED and version.report_progress == 100
    html = client_for(north).get(reverse("published_version", args=[version.pk])).content.decode()
    assert version.get_report_status_display() in html and "http-equiv" not in html


def test_dashboard_without_data_says_so(rnd, reader):
    html = client_for(reader).get(reverse("dashboard")).content.decode()
    assert "2024/25 Q1" in html
    assert "No data has been loaded" in html or "not installed" in html


def test_dashboard_bad_quarter_is_a_clear_error(rnd, reader):
    html = client_for(reader).get(reverse("dashboard") + "?quarter=2024/25+Q7").content.decode()
    assert "2024/25 Q7" in html and "cannot read" in html


def test_saving_after_submission_keeps_the_typed_text_on_screen(slot, north):
    s = services.save_draft(slot.pk, user=north, text="Submitted text", rag="", expected_version=0)
    services.submit(slot.pk, user=north, expected_version=s.version)
    typed = "A late second thought that must not vanish."
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": typed, "rag": "", "version": 2}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "has been submitted" in html and typed in html and "Your text (not saved" in html
    slot.refresh_from_db()
    assert slot.text == "Submitted text"


def test_editor_inputs_hold_the_saved_text_escaped(slot, north):
    saved = services.save_draft(
        slot.pk, user=north, text="A <b> & c\nline two", rag="amber", expected_version=0
    )
    html = client_for(north).get(reverse("slot", args=[slot.pk])).content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert (
        'maxlength="10000" id="id_text" aria-describedby="id_text-hint">\n'
        "A &lt;b&gt; &amp; c\nline two</textarea>"
    ) in html
    assert (
        '<select class="govuk-select" name="rag" id="id_rag"><option value="">No RAG status</option>'
        '<option value="red">Red</option><option value="amber" selected>Amber</option>'
        '<option value="green">Green</option></select>'
    ) in html
    assert saved.version == 1


def test_editor_marks_the_wrong_field_and_keeps_the_typed_values(slot, north):
    r = client_for(north).post(
        reverse("slot", args=[slot.pk]), {"text": "keep me", "rag": "purple", "version": "0"}
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert (
        '<select class="govuk-select govuk-select--error" name="rag" id="id_rag" aria-invalid="true">'
        in html
    )
    assert '<a href="#id_rag">' in html  # the error summary links to the field
    assert 'aria-describedby="id_text-hint">\nkeep me</textarea>' in html
    assert 'name="version" value="0"' in html and " selected>" not in html
