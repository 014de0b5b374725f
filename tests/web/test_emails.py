"""Email that does the chasing (Django's locmem backend): who is told what, in words, and
every email kept in the audit history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from web_helpers import client_for, slot_of

from planwatch.web import services
from planwatch.web.models import EmailKind, SentEmail
from planwatch.web.permissions import Forbidden
from planwatch.web.services.emails import due_phrase
from planwatch.web.services.reminders import reminder_due


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (3, "is due on 14 June 2024, in 3 days"),
        (1, "is due tomorrow, 14 June 2024"),
        (0, "is due today, 14 June 2024"),
        (-1, "was due on 14 June 2024, 1 day ago"),
        (-3, "was due on 14 June 2024, 3 days ago"),
    ],
)
def test_the_deadline_is_told_plainly_before_and_after(days, words):
    deadline = date(2024, 6, 14)
    assert due_phrase(deadline, deadline - timedelta(days=days)) == words


def test_reminders_go_out_on_the_schedule_days_only():
    deadline = date(2024, 6, 14)
    sent_on = [
        d for d in range(10, -16, -1) if reminder_due(deadline, deadline - timedelta(days=d))
    ]
    assert sent_on == [7, 3, 1, 0, -1, -3, -7, -14]


def test_an_overdue_reminder_says_how_late_and_is_recorded(rnd, north, comms):
    outcome = services.send_reminders(
        rnd, link="https://x/todo/", today=rnd.deadline + timedelta(3)
    )
    assert outcome.sent == 2
    message = next(m for m in mail.outbox if "nora@example.org" in m.to)
    assert message.subject.startswith("Overdue: commentary for 2024/25 Q1 was due on ")
    assert message.subject.endswith(", 3 days ago")
    assert "- Neighbourhood policing: not started" in message.body
    assert SentEmail.objects.filter(kind=EmailKind.REMINDER, round=rnd).count() == 2


def _submitted(rnd, north):
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs.", rag="", expected_version=0)
    return services.submit(s.pk, user=north, expected_version=s.version)


def test_returning_emails_the_owners_the_reason_and_the_history_shows_it(rnd, north, analyst):
    slot = _submitted(rnd, north)
    services.return_slot(slot.pk, user=analyst, reason="Add the number of hubs.")
    [message] = mail.outbox
    assert sorted(message.to) == ["nora@example.org", "north@example.org"]
    assert message.subject.startswith("Returned – action needed: Neighbourhood policing")
    assert "Add the number of hubs." in message.body and f"/slots/{slot.pk}/" in message.body
    html = client_for(analyst).get(reverse("slot_history", args=[slot.pk])).content.decode()
    assert "Returned</strong> to nora@example.org" in html and "Add the number of hubs." in html


def test_approving_and_publishing_tell_people(rnd, north, comms, analyst, reader):
    slot = _submitted(rnd, north)
    services.approve(slot.pk, user=analyst)
    assert mail.outbox[-1].subject.startswith("Approved: Neighbourhood policing")
    services.publish(rnd.pk, user=analyst)
    published = mail.outbox[-1]
    assert published.subject == "Published: the 2024/25 Q1 performance report"
    assert "rita@example.org" in published.to and "colin@example.org" in published.to
    kinds = list(SentEmail.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [EmailKind.APPROVED, EmailKind.PUBLISHED]


def test_nobody_is_emailed_in_a_refused_change(rnd, north, comms):
    theirs = slot_of(rnd, "p2-reporting", "comms")
    with pytest.raises(Forbidden):  # owners cannot return commentary
        services.return_slot(theirs.pk, user=north, reason="x")
    assert not mail.outbox and not SentEmail.objects.exists()
