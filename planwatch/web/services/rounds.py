"""Rounds and slots: open a quarter's round; owners draft and submit; analysts return or approve.

In: the account acting, a slot (or round) id and what was typed. Out: the saved
:class:`~planwatch.web.models.Slot`, or a :class:`~planwatch.errors.PlanwatchError`
(nothing is written then). Each function runs in one transaction, locks the slot's row
and checks permissions itself, so the views, the XLSX import and the commands share the
same rules. A slot of another department is reported exactly as a slot that does not
exist, so slot ids cannot be probed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from planwatch.errors import CommentaryError, Location, NotFoundError
from planwatch.periods import parse_quarter
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web.models import MAX_REASON_CHARS, Rag, Round, Slot, SlotState
from planwatch.web.permissions import can_read_slot, check_analyst
from planwatch.web.services import emails
from planwatch.web.services.audit import attribute_change, save_if_changed
from planwatch.web.services.plan_import import add_missing_slots


class SlotConflict(CommentaryError):
    """Someone saved this slot since the editor loaded it (HTTP 409)."""

    title = "Saved by someone else"
    http_status = 409

    def __init__(self, slot: Slot, expected_version: int) -> None:
        self.slot = slot
        self.expected_version = expected_version
        super().__init__(
            f"this commentary was saved by {slot.updated_by or 'someone else'} after you opened it "
            f"(you edited version {expected_version}, the saved version is {slot.version})",
            location=Location(field="text"),
            suggestion=None,
        )


def no_such_slot(slot_id: int) -> NotFoundError:
    """What anyone is told of a slot that does not exist or that they may not see."""
    return NotFoundError(f"no commentary slot {slot_id}")


@transaction.atomic
def open_round(quarter_text: str, deadline: date, *, user: User) -> Round:
    """Open a reporting round for a quarter: every commitment gets a slot per owning department."""
    check_analyst(user)
    quarter = parse_quarter(quarter_text, source=Location(field="quarter"))
    if Round.objects.filter(quarter=quarter.slug).exists():
        raise CommentaryError(
            f"a round for {quarter.label} already exists", location=Location(field="quarter")
        )
    rnd = Round(
        quarter=quarter.slug,
        quarter_label=quarter.label,
        fy_start=quarter.fy_start,
        q=quarter.q,
        deadline=deadline,
        opened_by=user,
    )
    attribute_change(rnd, user)
    rnd.save()
    if add_missing_slots(rnd) == 0:
        raise CommentaryError(
            "the plan has no commitments with owners; import the plan first",
            expected="run 'planwatch serve --project DIR' or 'import_plan'",
        )
    return rnd


@transaction.atomic
def change_deadline(round_id: int, deadline: date, *, user: User) -> Round:
    """An analyst moves an open round's deadline; the change is kept in the round's history
    (who, when, from and to)."""
    check_analyst(user)
    rnd = Round.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None:
        raise NotFoundError(f"no round {round_id}")
    if not rnd.is_open:
        raise CommentaryError(
            f"{rnd.quarter_label} is published; its deadline can no longer be changed",
            location=Location(field="deadline"),
            expected="start a revision first",
        )
    save_if_changed(rnd, user, deadline=deadline)
    return rnd


def locked_slot(slot_id: int, user: User) -> Slot:
    """The slot, its row locked for this transaction, if ``user`` may read it."""
    # Lock only the slot's row (PostgreSQL refuses FOR UPDATE across outer joins).
    slot = (
        Slot.objects.select_for_update(of=("self",))
        .select_related("round", "department", "commitment")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None or not can_read_slot(user, slot):
        raise no_such_slot(slot_id)
    return slot


def clean_text(text: str | None, *, where: Location | None = None) -> str:
    """Normalise line endings and check the length limit the report can hold."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_COMMENTARY_CHARS:
        raise CommentaryError(
            f"commentary is {len(text):,} characters long",
            location=where or Location(field="text"),
            expected=f"at most {MAX_COMMENTARY_CHARS:,} characters",
        )
    return text


def clean_rag(rag: str | None, *, where: Location | None = None) -> str:
    """A RAG status as stored (lower case, blank for none), or a :class:`CommentaryError`."""
    value = (rag or "").strip().lower()
    if value and value not in Rag.values:
        raise CommentaryError(
            f"'{rag}' is not a RAG status",
            location=where or Location(field="rag"),
            expected="red, amber, green or blank",
        )
    return value


def _check_editable(slot: Slot) -> None:
    if not slot.round.is_open:
        raise CommentaryError(
            f"the {slot.round.quarter_label} round is published; its commentary can no longer be changed"
        )
    if slot.state == SlotState.SUBMITTED:
        raise CommentaryError(
            "this commentary has been submitted; ask the analyst to return it before changing it"
        )
    if slot.state == SlotState.APPROVED:
        raise CommentaryError(
            "this commentary has been approved; ask the analyst to return it before changing it"
        )


def bump(slot: Slot, user: User | None, **values: Any) -> Slot:
    """Save ``values`` on ``slot`` as its next version, attributed to ``user``."""
    for k, v in values.items():
        setattr(slot, k, v)
    slot.version += 1
    slot.updated_by = user
    attribute_change(slot, user)
    slot.save()
    return slot


@transaction.atomic
def save_draft(
    slot_id: int, *, user: User, text: str, rag: str | None, expected_version: int
) -> Slot:
    """Save a draft if nobody saved the slot since version ``expected_version`` was loaded."""
    slot = locked_slot(slot_id, user)
    _check_editable(slot)
    text = clean_text(text)
    rag_value = clean_rag(rag)
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    if slot.text == text and slot.rag == rag_value and slot.state == SlotState.DRAFT:
        return slot  # nothing changed: no new version, no history row
    return bump(slot, user, text=text, rag=rag_value, state=SlotState.DRAFT, edited_from="")


@transaction.atomic
def submit(slot_id: int, *, user: User, expected_version: int) -> Slot:
    """Send the saved draft to the analysts for approval."""
    slot = locked_slot(slot_id, user)
    _check_editable(slot)
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    if not slot.text.strip():
        raise CommentaryError(
            "there is no commentary to submit",
            location=Location(field="text"),
            expected="some commentary text",
        )
    return bump(slot, user, state=SlotState.SUBMITTED)


@transaction.atomic
def save_and_submit(
    slot_id: int, *, user: User, text: str, rag: str | None, expected_version: int
) -> Slot:
    """Save what was typed and submit it, both or neither."""
    saved = save_draft(slot_id, user=user, text=text, rag=rag, expected_version=expected_version)
    return submit(slot_id, user=user, expected_version=saved.version)


def _check_reviewable(slot: Slot) -> None:
    if not slot.round.is_open:
        raise CommentaryError("the round is published; start a revision to change it")


@transaction.atomic
def approve(slot_id: int, *, user: User) -> Slot:
    """An analyst approves submitted commentary for the report."""
    check_analyst(user)
    slot = locked_slot(slot_id, user)
    _check_reviewable(slot)
    if slot.state != SlotState.SUBMITTED:
        raise CommentaryError(
            f"only submitted commentary can be approved (this is {slot.get_state_display().lower()})"
        )
    saved = bump(slot, user, state=SlotState.APPROVED, return_reason="")
    emails.approved(saved, actor=user)
    return saved


@transaction.atomic
def return_slot(slot_id: int, *, user: User, reason: str) -> Slot:
    """An analyst sends commentary back to its owners with a reason they can act on."""
    check_analyst(user)
    slot = locked_slot(slot_id, user)
    reason = (reason or "").strip()
    if not reason:
        raise CommentaryError(
            "say why the commentary is being returned",
            location=Location(field="reason"),
            expected="a reason the owner can act on",
        )
    if len(reason) > MAX_REASON_CHARS:
        raise CommentaryError(
            f"the reason is {len(reason):,} characters long",
            location=Location(field="reason"),
            expected=f"at most {MAX_REASON_CHARS:,} characters",
        )
    _check_reviewable(slot)
    if slot.state not in (SlotState.SUBMITTED, SlotState.APPROVED):
        raise CommentaryError("only submitted or approved commentary can be returned")
    saved = bump(slot, user, state=SlotState.DRAFT, return_reason=reason)
    emails.returned(saved, actor=user)
    return saved


@transaction.atomic
def withdraw(slot_id: int, *, user: User, expected_version: int) -> Slot:
    """The owner takes back submitted commentary before it is reviewed (it is a draft again)."""
    slot = locked_slot(slot_id, user)
    _check_reviewable(slot)
    if slot.state != SlotState.SUBMITTED:
        raise CommentaryError(
            f"only submitted commentary can be withdrawn (this is {slot.get_state_display().lower()})"
        )
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    return bump(slot, user, state=SlotState.DRAFT)


@transaction.atomic
def analyst_edit(
    slot_id: int, *, user: User, text: str, rag: str | None, expected_version: int
) -> Slot:
    """An analyst changes submitted commentary before approving it: the owner's text is kept
    beside the new one (and in the history), and the owners are told by email."""
    check_analyst(user)
    slot = locked_slot(slot_id, user)
    _check_reviewable(slot)
    if slot.state != SlotState.SUBMITTED:
        raise CommentaryError(
            "analysts edit submitted commentary; a draft is still its owner's to write",
            expected="wait until it is submitted, or return it with a reason",
        )
    text = clean_text(text)
    rag_value = clean_rag(rag)
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    if slot.text == text and slot.rag == rag_value:
        return slot
    owners_text = slot.edited_from or slot.text
    saved = bump(slot, user, text=text, rag=rag_value, edited_from=owners_text)
    emails.edited(saved, actor=user)
    return saved
