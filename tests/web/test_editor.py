"""The owner's editor: context beside the text, withdrawing a submission, the locked and
returned notices; and the analyst's tracked edit of submitted text."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from web_helpers import client_for, slot_of

from planwatch.errors import CommentaryError, NotFoundError
from planwatch.web import services
from planwatch.web.models import EmailKind, SentEmail, SlotState
from planwatch.web.selectors import slot_history


@pytest.fixture
def submitted(rnd, north):
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Two hubs opened.", rag="", expected_version=0)
    return services.submit(s.pk, user=north, expected_version=s.version)


def test_the_editor_shows_the_priority_guidance_and_rag_meanings(rnd, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    html = client_for(north).get(reverse("slot", args=[slot.pk])).content.decode()
    assert '<h1 class="govuk-heading-l">Neighbourhood policing</h1>' in html
    assert "2024/25 Q1 · North Local Policing Area" in html
    assert "Priority 1: Preventing crime" in html and "Stop crime before it happens." in html
    assert "How to write it" in html
    assert '<dt class="govuk-summary-list__key">Amber</dt>' in html
    assert "p1-neighbourhood" not in html
    # No data loaded in this project: the key-points panel says so instead of failing.
    assert 'id="key-points"' in html and "No data has been loaded" in html


def test_the_rag_meanings_come_from_the_plan(rnd, north, plan):
    """plan.yaml's rag: replaces the defaults (re-imported, as planwatch serve does)."""
    from planwatch.plan.models import RagDefinitions

    services.import_plan(
        plan.model_copy(update={"rag": RagDefinitions(amber="behind plan by a quarter or less")})
    )
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    html = client_for(north).get(reverse("slot", args=[slot.pk])).content.decode()
    assert "behind plan by a quarter or less" in html
    assert RagDefinitions().green in html  # not given: the default


def test_an_owner_withdraws_a_submission_before_review(submitted, north, analyst):
    c = client_for(north)
    page = c.get(reverse("slot", args=[submitted.pk])).content.decode()
    assert 'id="withdraw-form"' in page
    r = c.post(reverse("slot_withdraw", args=[submitted.pk]), {"version": submitted.version})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == SlotState.DRAFT and submitted.text == "Two hubs opened."
    # Once reviewed it cannot be withdrawn.
    again = services.submit(submitted.pk, user=north, expected_version=submitted.version)
    services.approve(again.pk, user=analyst)
    with pytest.raises(CommentaryError, match="only submitted commentary can be withdrawn"):
        services.withdraw(again.pk, user=north, expected_version=again.version + 1)


def test_another_department_cannot_withdraw(submitted, comms, reader):
    with pytest.raises(NotFoundError):
        services.withdraw(submitted.pk, user=comms, expected_version=submitted.version)
    url = reverse("slot_withdraw", args=[submitted.pk])
    assert client_for(comms).post(url, {"version": submitted.version}).status_code == 404
    assert client_for(reader).post(url, {"version": submitted.version}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == SlotState.SUBMITTED


def test_a_returned_draft_says_action_needed(submitted, north, analyst):
    services.return_slot(submitted.pk, user=analyst, reason="Add the number of officers.")
    html = client_for(north).get(reverse("slot", args=[submitted.pk])).content.decode()
    assert (
        '<span id="state"><strong class="govuk-tag govuk-tag--red">Returned – action needed</strong>'
        in html
    )
    assert "Add the number of officers." in html
    todo = client_for(north).get(reverse("todo")).content.decode()
    assert "Returned – action needed" in todo


def test_a_published_slot_says_it_is_locked(submitted, north, analyst):
    services.approve(submitted.pk, user=analyst)
    services.publish(submitted.round_id, user=analyst)
    html = client_for(north).get(reverse("slot", args=[submitted.pk])).content.decode()
    assert 'id="locked"' in html and "round has been published" in html
    assert 'id="id_text"' not in html


def test_an_analyst_edit_keeps_both_versions_shows_the_diff_and_tells_the_owner(
    submitted, analyst, north
):
    r = client_for(analyst).post(
        reverse("slot_analyst_edit", args=[submitted.pk]),
        {"text": "Two hubs opened in May.", "rag": "green", "version": submitted.version},
    )
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.text, submitted.edited_from) == (
        "Two hubs opened in May.",
        "Two hubs opened.",
    )
    assert submitted.state == SlotState.SUBMITTED and submitted.updated_by == analyst
    [email] = mail.outbox
    assert "nora@example.org" in email.to and email.subject.startswith("Edited by an analyst")
    assert SentEmail.objects.get().kind == EmailKind.EDITED
    html = client_for(north).get(reverse("slot", args=[submitted.pk])).content.decode()
    assert '<span class="del">- Two hubs opened.</span>' in html
    assert '<span class="add">+ Two hubs opened in May.</span>' in html
    versions = [e.text for e in slot_history(submitted)]
    assert versions[:2] == ["Two hubs opened in May.", "Two hubs opened."]


def test_only_analysts_edit_submitted_text_and_only_submitted(submitted, rnd, north, analyst):
    url = reverse("slot_analyst_edit", args=[submitted.pk])
    data = {"text": "Mine now.", "rag": "", "version": submitted.version}
    assert client_for(north).post(url, data).status_code == 403
    draft = slot_of(rnd, "p2-south", "south-lpa")
    with pytest.raises(CommentaryError, match="a draft is still its owner's"):
        services.analyst_edit(draft.pk, user=analyst, text="x", rag="", expected_version=0)
    submitted.refresh_from_db()
    assert submitted.text == "Two hubs opened." and not mail.outbox
