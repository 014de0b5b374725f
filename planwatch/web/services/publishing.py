"""Publishing: freeze a round's approved commentary as a numbered version; reopen it for a revision.

In: the analyst and a round. Out: the :class:`~planwatch.web.models.PublishedVersion`
(its report is built afterwards, see :mod:`planwatch.web.reporting`), or a
:class:`~planwatch.errors.CommentaryError` saying why not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from planwatch.errors import CommentaryError, Location, NotFoundError
from planwatch.plan.commentary import Commentary, CommentaryEntry
from planwatch.plan.commentary import Rag as RagLabel
from planwatch.web.models import (
    PublishedVersion,
    ReportStatus,
    Round,
    RoundState,
    Slot,
    SlotState,
)
from planwatch.web.permissions import Forbidden, check_analyst
from planwatch.web.services import emails
from planwatch.web.services.audit import attribute_change

#: What the report prints for commentary that was submitted but not approved in time
#: (never "No commentary received": the owner did send it).
NOT_YET_APPROVED = "Commentary not yet approved."


class Unapproved(models.TextChoices):
    """What publishing does with commentary received (submitted) but not approved."""

    NOTICE = "notice", f"Publish, printing “{NOT_YET_APPROVED}” in its place"
    REFUSE = "refuse", "Do not publish until every submitted commentary is approved"


def _commentary(
    rnd: Round,
    states: Sequence[str],
    *,
    shown: Sequence[str],
    marks: Mapping[str, str] | None = None,
) -> Commentary:
    """The report's :class:`Commentary` from the round's slots in ``states`` that have text;
    those in ``shown`` with their own words, the others as :data:`NOT_YET_APPROVED`; a slot
    whose state is in ``marks`` has that mark as its first paragraph."""
    slots = (
        Slot.objects.filter(round=rnd, state__in=states)
        .select_related("commitment", "department")
        .order_by("commitment__priority__number", "commitment__position", "department__slug")
    )
    entries = []
    for s in slots:
        if not s.text.strip():
            continue
        entry = CommentaryEntry(
            commitment=s.commitment.slug,
            department=s.department.slug,
            text=s.text if s.state in shown else NOT_YET_APPROVED,
            rag=cast(RagLabel, s.rag) if s.rag and s.state in shown else None,
        )
        mark = (marks or {}).get(s.state)
        if mark:  # after the check of the owner's text: the mark may take it over the limit
            entry = entry.model_copy(update={"text": f"{mark}\n\n{entry.text}"})
        entries.append(entry)
    return Commentary(quarter=rnd.quarter_label, entries=tuple(entries))


def approved_commentary(rnd: Round, *, unapproved: str = Unapproved.NOTICE) -> Commentary:
    """The round's APPROVED commentary as the report's :class:`Commentary`; with
    :attr:`Unapproved.NOTICE`, submitted commentary stands as :data:`NOT_YET_APPROVED`
    (its text is not published)."""
    states = [SlotState.APPROVED]
    if unapproved == Unapproved.NOTICE:
        states.append(SlotState.SUBMITTED)
    return _commentary(rnd, states, shown=(SlotState.APPROVED,))


#: How the analysts' preview marks commentary not approved yet (its first paragraph), so that
#: a draft is never read as the text that will be published.
PREVIEW_MARKS: dict[str, str] = {
    SlotState.DRAFT: "[Draft, not yet submitted]",
    SlotState.SUBMITTED: "[Submitted, not yet approved]",
}


def current_commentary(rnd: Round) -> Commentary:
    """Every slot's current text, whatever its state, for the analysts' preview of the report;
    text not yet approved starts with its state (:data:`PREVIEW_MARKS`)."""
    return _commentary(
        rnd, list(SlotState.values), shown=tuple(SlotState.values), marks=PREVIEW_MARKS
    )


def _check_policy(rnd: Round, unapproved: str) -> None:
    if unapproved not in Unapproved.values:
        raise CommentaryError(
            f"'{unapproved}' is not a choice for unapproved commentary",
            location=Location(field="unapproved"),
            expected=" or ".join(Unapproved.values),
        )
    waiting = Slot.objects.filter(round=rnd, state=SlotState.SUBMITTED).count()
    if unapproved == Unapproved.REFUSE and waiting:
        raise CommentaryError(
            f"{waiting} submitted commentar{'y is' if waiting == 1 else 'ies are'} not approved yet, "
            "and you chose not to publish until every one is",
            location=Location(field="unapproved"),
            expected="approve or return them first, or choose to print that they are not yet approved",
        )


def _locked_round(round_id: int) -> Round:
    rnd = Round.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None:
        raise NotFoundError(f"no round {round_id}")
    return rnd


@transaction.atomic
def publish(round_id: int, *, user: User, unapproved: str = Unapproved.NOTICE) -> PublishedVersion:
    """Freeze the approved commentary as a new version and close the round to edits.

    ``unapproved``: what becomes of submitted but unapproved commentary (:class:`Unapproved`).
    The report is built afterwards, in the background (:mod:`planwatch.web.tasks`)."""
    check_analyst(user)
    rnd = _locked_round(round_id)
    if not rnd.is_open:
        raise CommentaryError(
            f"{rnd.quarter_label} is already published; start a revision to publish a new version"
        )
    _check_policy(rnd, unapproved)
    if rnd.awaits_sign_off:
        raise CommentaryError(
            f"{rnd.approver} has not signed the round off yet",
            expected="their sign-off first (they have been emailed a link)",
        )
    if not Slot.objects.filter(round=rnd, state=SlotState.APPROVED).exclude(text="").exists():
        raise CommentaryError("no commentary has been approved yet, so there is nothing to publish")
    commentary = approved_commentary(rnd, unapproved=unapproved)
    previous = PublishedVersion.objects.filter(round=rnd).aggregate(n=Max("number"))["n"] or 0
    for old in PublishedVersion.objects.filter(round=rnd, superseded=False):
        old.superseded = True
        attribute_change(old, user)
        old.save()
    try:
        version = PublishedVersion(
            round=rnd,
            number=previous + 1,
            commentary=commentary.model_dump(mode="json"),
            published_by=user,
        )
        attribute_change(version, user)
        version.save()
    except IntegrityError as exc:  # two analysts pressing publish at once
        raise CommentaryError("this round was published by someone else a moment ago") from exc
    rnd.state = RoundState.PUBLISHED
    attribute_change(rnd, user)
    rnd.save()
    emails.published(rnd, version.pk, actor=user)
    return version


@transaction.atomic
def start_revision(round_id: int, *, user: User) -> Round:
    """Reopen a published round so that a new version can supersede the published one."""
    check_analyst(user)
    rnd = _locked_round(round_id)
    if rnd.is_open:
        raise CommentaryError(f"{rnd.quarter_label} is already open")
    rnd.state = RoundState.OPEN
    attribute_change(rnd, user)
    rnd.save()
    return rnd


def set_report_result(
    version: PublishedVersion,
    *,
    status: str,
    message: str = "",
    file: str = "",
    progress: int | None = None,
) -> None:
    """Record how building a version's report is going (queued, being built with how far it
    has got) or went (ready, failed with the reason, pending)."""
    version.report_status = status
    version.report_message = message
    version.report_file = file
    if progress is not None:
        version.report_progress = progress
    elif status in (ReportStatus.READY, ReportStatus.FAILED, ReportStatus.PENDING):
        version.report_progress = 100
    version.save(
        update_fields=["report_status", "report_message", "report_file", "report_progress"]
    )


@transaction.atomic
def name_approver(round_id: int, *, approver_id: int | None, user: User) -> Round:
    """An analyst names who signs the round off before publication (``None``: nobody); the
    approver is emailed, and any earlier sign-off is cleared."""
    check_analyst(user)
    rnd = _locked_round(round_id)
    approver = None
    if approver_id is not None:
        approver = User.objects.filter(pk=approver_id, is_active=True).first()
        if approver is None:
            raise NotFoundError(
                f"no active account {approver_id}", location=Location(field="approver")
            )
    rnd.approver = approver
    rnd.signed_off_at = None
    attribute_change(rnd, user)
    rnd.save()
    if approver is not None:
        emails.sign_off_requested(rnd, approver, actor=user)
    return rnd


@transaction.atomic
def sign_off(round_id: int, *, user: User) -> Round:
    """The named approver signs the round off for publication (audited)."""
    rnd = _locked_round(round_id)
    if rnd.approver_id != user.pk:
        raise Forbidden("Only the named approver can sign this round off.")
    if not rnd.is_open:
        raise CommentaryError(f"{rnd.quarter_label} is already published")
    rnd.signed_off_at = timezone.now()
    attribute_change(rnd, user)
    rnd.save()
    return rnd
