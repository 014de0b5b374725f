"""Email that does the chasing: each message sent through Django's email backend and kept.

In: what happened (an account created, a slot returned, approved or edited, a round
published or due) and who did it. Out: emails to the people concerned (console or file
backend by default, SMTP by settings), each also saved as a
:class:`~planwatch.web.models.SentEmail` row, the audit history's record of what was sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from planwatch.web.models import (
    Department,
    EmailKind,
    Membership,
    Round,
    SentEmail,
    Slot,
    commitment_label,
)

SIGN_OFF = "\n\nPerformance Analysis"


def site_url(path: str = "/") -> str:
    """``path`` on the site as people reach it (``PLANWATCH_SITE_URL``)."""
    return str(settings.SITE_URL).rstrip("/") + path


def uk_date(day: date) -> str:
    """A date as people in the UK write it: 14 June 2024."""
    return f"{day.day} {day:%B %Y}"


def due_phrase(deadline: date, today: date) -> str:
    """When commentary is due, said plainly: 'is due on 14 June 2024, in 3 days',
    'is due today, 14 June 2024', 'was due on 11 June 2024, 3 days ago'."""
    days = (deadline - today).days
    when = uk_date(deadline)
    if days == 0:
        return f"is due today, {when}"
    if days == 1:
        return f"is due tomorrow, {when}"
    if days > 1:
        return f"is due on {when}, in {days} days"
    ago = -days
    return f"was due on {when}, {ago} day{'s' if ago != 1 else ''} ago"


def send(
    kind: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    *,
    sent_by: User | None = None,
    slot: Slot | None = None,
    rnd: Round | None = None,
    account: User | None = None,
) -> SentEmail | None:
    """Send one email to ``recipients`` (none: nothing is sent) and record it."""
    to = sorted({r for r in recipients if r})
    if not to:
        return None
    send_mail(subject=subject, message=body, from_email=None, recipient_list=to)
    return SentEmail.objects.create(
        kind=kind,
        recipients="\n".join(to),
        subject=subject,
        body=body,
        sent_by=sent_by,
        slot=slot,
        round=rnd if rnd is not None else (slot.round if slot is not None else None),
        account=account,
    )


def department_addresses(department_id: int) -> list[str]:
    """The department's own address and its members' (active accounts only)."""
    members = Membership.objects.filter(
        department_id=department_id, user__is_active=True
    ).values_list("user__email", flat=True)
    own = Department.objects.filter(pk=department_id).values_list("email", flat=True)
    return [*members, *own]


def set_password_link(user: User) -> str:
    """An address where ``user`` chooses their password (valid until it is used, or for
    Django's PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return site_url(path)


def invite(user: User, *, actor: User | None) -> SentEmail | None:
    """Email a new account's holder a link to choose their password."""
    body = (
        f"Dear colleague,\n\nAn account called {user.username} has been made for you on the "
        f"commentary site, where you write and submit the quarterly commentary.\n\n"
        f"Choose your password here (the link works once):\n{set_password_link(user)}\n\n"
        f"Then sign in at {site_url(reverse('login'))} with the username {user.username}."
        + SIGN_OFF
    )
    return send(
        EmailKind.INVITATION,
        [user.email],
        "Your account for the quarterly commentary",
        body,
        sent_by=actor,
        account=user,
    )


def _slot_words(slot: Slot) -> str:
    return (
        f"{commitment_label(slot.commitment.title, slot.commitment.text)} "
        f"({slot.department.name}, {slot.round.quarter_label})"
    )


def _tell_owners(slot: Slot, kind: str, subject: str, news: str, actor: User) -> SentEmail | None:
    """Email the slot's department: ``subject`` about the slot, ``news`` then its address."""
    link = site_url(reverse("slot", args=[slot.pk]))
    return send(
        kind,
        department_addresses(slot.department_id),
        f"{subject}: {_slot_words(slot)}"[:300],
        f"Dear colleague,\n\n{news}\n\n{link}" + SIGN_OFF,
        sent_by=actor,
        slot=slot,
    )


def returned(slot: Slot, *, actor: User) -> SentEmail | None:
    news = (
        f"The commentary on {_slot_words(slot)} has been returned to you by "
        f"{actor.get_username()}, who says:\n\n{slot.return_reason}\n\n"
        "Please change it and submit it again at:"
    )
    return _tell_owners(slot, EmailKind.RETURNED, "Returned – action needed", news, actor)


def approved(slot: Slot, *, actor: User) -> SentEmail | None:
    news = (
        f"The commentary on {_slot_words(slot)} has been approved by {actor.get_username()}. "
        "Thank you: nothing more is needed."
    )
    return _tell_owners(slot, EmailKind.APPROVED, "Approved", news, actor)


def edited(slot: Slot, *, actor: User) -> SentEmail | None:
    news = (
        f"{actor.get_username()} has edited the commentary you submitted on {_slot_words(slot)}. "
        "Both versions are kept; see what changed at:"
    )
    return _tell_owners(slot, EmailKind.EDITED, "Edited by an analyst", news, actor)


def published(rnd: Round, version_pk: int, *, actor: User) -> SentEmail | None:
    """Tell every active account with an address that the round's report is published."""
    to = User.objects.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    body = (
        f"Dear colleague,\n\nThe performance report for {rnd.quarter_label} has been published. "
        f"Read it at {site_url(reverse('published_version', args=[version_pk]))}" + SIGN_OFF
    )
    return send(
        EmailKind.PUBLISHED,
        to,
        f"Published: the {rnd.quarter_label} performance report",
        body,
        sent_by=actor,
        rnd=rnd,
    )


def sign_off_requested(rnd: Round, approver: User, *, actor: User) -> SentEmail | None:
    """Ask the named approver to sign the round off."""
    body = (
        f"Dear {approver.get_username()},\n\n{actor.get_username()} has asked you to sign off the "
        f"{rnd.quarter_label} performance report before it is published. Look at what will be "
        f"published and sign it off at {site_url(reverse('sign_off', args=[rnd.pk]))}" + SIGN_OFF
    )
    return send(
        EmailKind.SIGN_OFF,
        [approver.email],
        f"Please sign off the {rnd.quarter_label} performance report",
        body,
        sent_by=actor,
        rnd=rnd,
        account=approver,
    )
