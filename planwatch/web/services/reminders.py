"""Reminders: email every department whose commentary is still outstanding.

In: a round, the address of the to-do list and today's date. Out: how many emails were
sent (each one also recorded, see :mod:`~planwatch.web.services.emails`) and which
departments had no address to send to. ``planwatch manage send_reminders``, run daily by
cron or a systemd timer, sends them on the days of :data:`REMINDER_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.utils import timezone

from planwatch.web.models import EmailKind, Round
from planwatch.web.selectors import chase_list, state_label
from planwatch.web.services.emails import SIGN_OFF, due_phrase, send

#: Days before (positive) and after (negative) the deadline on which the scheduled run
#: sends reminders; after the last, every week until the commentary is in.
REMINDER_DAYS = (7, 3, 1, 0, -1, -3, -7)


@dataclass(frozen=True)
class Reminders:
    sent: int
    unreachable: tuple[str, ...]  # departments with nothing outstanding to email to


def reminder_due(deadline: date, today: date) -> bool:
    """Whether the scheduled run reminds people today."""
    days = (deadline - today).days
    return days in REMINDER_DAYS or (days < min(REMINDER_DAYS) and days % 7 == 0)


def send_reminders(
    rnd: Round, *, link: str, today: date | None = None, actor: User | None = None
) -> Reminders:
    """Email every department with commentary not yet submitted."""
    today = today or timezone.localdate()
    due = due_phrase(rnd.deadline, today)
    sent = 0
    unreachable: list[str] = []
    for row in chase_list(rnd):
        if not row.recipients:
            unreachable.append(row.department.name)
            continue
        lines = "\n".join(
            f"- {s.commitment_label}: {state_label(s.state, s.return_reason).lower()}"
            for s in row.slots
        )
        overdue = (rnd.deadline - today).days < 0
        send(
            EmailKind.REMINDER,
            row.recipients,
            f"{'Overdue: c' if overdue else 'C'}ommentary for {rnd.quarter_label} {due}",
            (
                f"Dear colleague,\n\nThe commentary for {rnd.quarter_label} {due}. The following "
                f"for {row.department.name} has not yet been submitted:\n\n{lines}\n\n"
                f"Please complete it at {link}" + SIGN_OFF
            ),
            sent_by=actor,
            rnd=rnd,
        )
        sent += 1
    return Reminders(sent, tuple(unreachable))
