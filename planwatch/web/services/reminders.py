"""Reminders: email every department whose commentary is still outstanding.

In: a round and the address of the to-do list. Out: how many emails were sent and which
departments had no address to send to (Django's email backend).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.mail import send_mail

from planwatch.web.models import Round, SlotState
from planwatch.web.selectors import chase_list


@dataclass(frozen=True)
class Reminders:
    sent: int
    unreachable: tuple[str, ...]  # departments with nothing outstanding to email to


def send_reminders(rnd: Round, *, link: str) -> Reminders:
    """Email every department with commentary not yet submitted."""
    sent = 0
    unreachable: list[str] = []
    for row in chase_list(rnd):
        if not row.recipients:
            unreachable.append(row.department.name)
            continue
        lines = "\n".join(
            f"- {s.commitment_label}: {SlotState(s.state).label.lower()}" for s in row.slots
        )
        send_mail(
            subject=f"Commentary for {rnd.quarter_label} is due on {rnd.deadline:%d %B %Y}",
            message=(
                f"Dear colleague,\n\nThe following commentary for {row.department.name} has not yet "
                f"been submitted:\n\n{lines}\n\nPlease complete it at {link}\n\nPerformance Analysis"
            ),
            from_email=None,
            recipient_list=list(row.recipients),
        )
        sent += 1
    return Reminders(sent, tuple(unreachable))
