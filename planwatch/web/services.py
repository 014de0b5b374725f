"""Every write the web app makes, in one place.

In: a user, the object to change and what they typed. Out: the changed rows, or a
:class:`~planwatch.errors.PlanwatchError` saying what was wrong (nothing is written
then). Each function runs in one transaction and checks permissions itself, so the
views stay thin and the XLSX import and management commands share the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max

from planwatch.errors import CommentaryError, ConfigError, Location, NotFoundError, Problem
from planwatch.periods import parse_quarter
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS, Commentary, CommentaryEntry
from planwatch.plan.commentary import Rag as RagLabel
from planwatch.plan.models import Plan
from planwatch.web.models import (
    MAX_REASON_CHARS,
    Commitment,
    Department,
    Membership,
    Ownership,
    Priority,
    Profile,
    PublishedVersion,
    Rag,
    Role,
    Round,
    RoundState,
    Slot,
    SlotState,
)
from planwatch.web.permissions import Forbidden, can_read_slot, check_analyst, is_analyst

if TYPE_CHECKING:
    from planwatch.web.selectors import TrackerSlot


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


# --------------------------------------------------------------------------- plan import


@dataclass(frozen=True)
class ImportSummary:
    departments: int
    priorities: int
    commitments: int
    slots_added: int


@transaction.atomic
def import_plan(plan: Plan, *, user: Any = None) -> ImportSummary:
    """Bring departments, priorities and commitments in line with ``plan``.

    Nothing is deleted (history and past rounds refer to it): things no longer in the
    plan are marked inactive. Open rounds gain slots for new commitments.
    """
    departments: dict[str, Department] = {}
    for d in plan.departments:
        dept = Department.objects.filter(slug=d.id).first() or Department(slug=d.id)
        _save_if_changed(dept, user, name=d.name, email=d.email or "", active=True)
        departments[d.id] = dept
    Department.objects.exclude(slug__in=departments).filter(active=True).update(active=False)

    seen_commitments: list[str] = []
    for p in plan.priorities:
        prio = Priority.objects.filter(number=p.number).first() or Priority(number=p.number)
        _save_if_changed(prio, user, title=p.title, objective=p.objective, active=True)
        for position, c in enumerate(p.commitments):
            com = Commitment.objects.filter(slug=c.id).first() or Commitment(slug=c.id)
            _save_if_changed(com, user, priority=prio, text=c.text, position=position, active=True)
            seen_commitments.append(c.id)
            wanted = {departments[o].pk for o in c.owners if o in departments}
            missing = [o for o in c.owners if o not in departments]
            if missing:
                raise CommentaryError(
                    f"commitment '{c.id}' names unknown owner(s) {', '.join(missing)}",
                    location=Location(field=f"priorities > commitment '{c.id}' > owners"),
                    expected="a department listed under 'departments'",
                )
            for own in Ownership.objects.filter(commitment=com).exclude(department_id__in=wanted):
                attribute_change(own, user)
                own.delete()
            have = set(
                Ownership.objects.filter(commitment=com).values_list("department_id", flat=True)
            )
            for dept_id in wanted - have:
                own = Ownership(commitment=com, department_id=dept_id)
                attribute_change(own, user)
                own.save()
    Priority.objects.exclude(number__in=[p.number for p in plan.priorities]).update(active=False)
    Commitment.objects.exclude(slug__in=seen_commitments).update(active=False)

    added = sum(_add_missing_slots(r) for r in Round.objects.filter(state=RoundState.OPEN))
    return ImportSummary(len(departments), len(plan.priorities), len(seen_commitments), added)


def attribute_change(obj: Any, user: Any) -> None:
    """Tell django-simple-history who is making the next save of ``obj``."""
    obj._history_user = user


def _save_if_changed(obj: Any, user: Any, **values: Any) -> None:
    changed = obj.pk is None or any(getattr(obj, k) != v for k, v in values.items())
    if changed:
        for k, v in values.items():
            setattr(obj, k, v)
        attribute_change(obj, user)
        obj.save()


def _add_missing_slots(rnd: Round) -> int:
    have = set(Slot.objects.filter(round=rnd).values_list("commitment_id", "department_id"))
    added = 0
    for own in Ownership.objects.filter(commitment__active=True).select_related("commitment"):
        if (own.commitment_id, own.department_id) not in have:
            Slot.objects.create(
                round=rnd, commitment_id=own.commitment_id, department_id=own.department_id
            )
            added += 1
    return added


# --------------------------------------------------------------------------- users


@transaction.atomic
def set_user(
    username: str,
    *,
    role: str,
    departments: tuple[str, ...] = (),
    email: str = "",
    password: str | None = None,
    actor: Any = None,
    clear_email: bool = False,
) -> Any:
    """Create or update a user with a role and (for owners) departments.

    ``email`` blank keeps the current address unless ``clear_email`` (the web form, where a
    blank box means no address). Only what changes is saved, so the audit history holds
    real changes."""
    if role not in Role.values:
        raise ConfigError(
            f"unknown role '{role}'",
            location=Location(field="role"),
            expected=" or ".join(Role.values),
        )
    depts = []
    for slug in departments:
        dept = Department.objects.filter(slug=slug).first()
        if dept is None:
            from planwatch.errors import suggest

            raise NotFoundError(
                f"no department '{slug}'",
                location=Location(field="departments"),
                suggestion=suggest(slug, Department.objects.values_list("slug", flat=True)),
            )
        depts.append(dept)
    if role == Role.OWNER and not depts:
        raise ConfigError(
            "an owner must belong to at least one department",
            location=Location(field="departments"),
            expected="one or more departments (--department SLUG on the command line)",
        )
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    before = (user.email, user.password)
    user.email = email if (email or clear_email) else user.email
    if password is not None:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ConfigError(
                problems=[Problem(m, Location(field="password")) for m in exc.messages]
            ) from exc
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    if user.pk is None or (user.email, user.password) != before:
        attribute_change(user, actor)
        user.save()
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    _save_if_changed(profile, actor, role=role)
    wanted = {d.pk for d in depts}
    for m in Membership.objects.filter(user=user).exclude(department_id__in=wanted):
        attribute_change(m, actor)
        m.delete()
    have = set(Membership.objects.filter(user=user).values_list("department_id", flat=True))
    for dept_id in wanted - have:
        m = Membership(user=user, department_id=dept_id)
        attribute_change(m, actor)
        m.save()
    return user


@transaction.atomic
def create_user(
    username: str,
    *,
    role: str,
    departments: tuple[str, ...],
    email: str,
    password: str,
    actor: Any,
) -> Any:
    """An analyst creates an account (a name nobody has yet); the change is audited."""
    check_analyst(actor)
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ConfigError(
            f"there is already an account called '{username}'",
            location=Location(field="username"),
            expected="a new username (open the existing account to change it)",
        )
    return set_user(
        username,
        role=role,
        departments=departments,
        email=email,
        password=password,
        actor=actor,
    )


@transaction.atomic
def update_user(
    user_id: int,
    *,
    role: str,
    departments: tuple[str, ...],
    email: str,
    active: bool,
    password: str | None,
    actor: Any,
) -> Any:
    """An analyst changes an account's role, departments, email, password or whether it can
    sign in. Analysts cannot lock themselves out (deactivate or demote their own account)."""
    check_analyst(actor)
    user = get_user_model().objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(f"no account {user_id}")
    if user.pk == actor.pk and not active:
        raise ConfigError(
            "you cannot deactivate your own account (another analyst can)",
            location=Location(field="active"),
        )
    if user.pk == actor.pk and role != Role.ANALYST:
        raise ConfigError(
            "you cannot take the analyst role away from your own account (another analyst can)",
            location=Location(field="role"),
        )
    if user.is_active != active:
        user.is_active = active
        attribute_change(user, actor)
        user.save(update_fields=["is_active"])
    return set_user(
        user.username,
        role=role,
        departments=departments,
        email=email,
        password=password or None,
        actor=actor,
        clear_email=True,
    )


# --------------------------------------------------------------------------- rounds


@transaction.atomic
def open_round(quarter_text: str, deadline: date, *, user: Any) -> Round:
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
    if _add_missing_slots(rnd) == 0:
        raise CommentaryError(
            "the plan has no commitments with owners; import the plan first",
            expected="run 'planwatch serve --project DIR' or 'import_plan'",
        )
    return rnd


def _locked_slot(slot_id: int) -> Slot:
    try:
        # Lock only the slot's row (PostgreSQL refuses FOR UPDATE across outer joins).
        return (
            Slot.objects.select_for_update(of=("self",))
            .select_related("round", "department", "commitment")
            .get(pk=slot_id)
        )
    except Slot.DoesNotExist as exc:
        raise NotFoundError(f"no commentary slot {slot_id}") from exc


def clean_text(text: str, *, where: Location | None = None) -> str:
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
    value = (rag or "").strip().lower()
    if value and value not in Rag.values:
        raise CommentaryError(
            f"'{rag}' is not a RAG status",
            location=where or Location(field="rag"),
            expected="red, amber, green or blank",
        )
    return value


def _check_editable(slot: Slot, user: Any) -> None:
    if not can_read_slot(user, slot):
        raise Forbidden("This commentary belongs to another department.")
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


def _bump(slot: Slot, user: Any, **values: Any) -> Slot:
    for k, v in values.items():
        setattr(slot, k, v)
    slot.version += 1
    slot.updated_by = user
    attribute_change(slot, user)
    slot.save()
    return slot


@transaction.atomic
def save_draft(
    slot_id: int, *, user: Any, text: str, rag: str | None, expected_version: int
) -> Slot:
    """Save a draft if nobody saved the slot since version ``expected_version`` was loaded."""
    slot = _locked_slot(slot_id)
    _check_editable(slot, user)
    text = clean_text(text)
    rag_value = clean_rag(rag)
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    if slot.text == text and slot.rag == rag_value and slot.state == SlotState.DRAFT:
        return slot  # nothing changed: no new version, no history row
    return _bump(slot, user, text=text, rag=rag_value, state=SlotState.DRAFT)


@transaction.atomic
def submit(slot_id: int, *, user: Any, expected_version: int) -> Slot:
    slot = _locked_slot(slot_id)
    _check_editable(slot, user)
    if slot.version != expected_version:
        raise SlotConflict(slot, expected_version)
    if not slot.text.strip():
        raise CommentaryError(
            "there is no commentary to submit",
            location=Location(field="text"),
            expected="some commentary text",
        )
    return _bump(slot, user, state=SlotState.SUBMITTED)


@transaction.atomic
def save_and_submit(
    slot_id: int, *, user: Any, text: str, rag: str | None, expected_version: int
) -> Slot:
    """Save what was typed and submit it, both or neither."""
    saved = save_draft(slot_id, user=user, text=text, rag=rag, expected_version=expected_version)
    return submit(slot_id, user=user, expected_version=saved.version)


@transaction.atomic
def approve(slot_id: int, *, user: Any) -> Slot:
    check_analyst(user)
    slot = _locked_slot(slot_id)
    if not slot.round.is_open:
        raise CommentaryError("the round is published; start a revision to change it")
    if slot.state != SlotState.SUBMITTED:
        raise CommentaryError(
            f"only submitted commentary can be approved (this is {slot.get_state_display().lower()})"
        )
    return _bump(slot, user, state=SlotState.APPROVED, return_reason="")


@transaction.atomic
def return_slot(slot_id: int, *, user: Any, reason: str) -> Slot:
    check_analyst(user)
    slot = _locked_slot(slot_id)
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
    if not slot.round.is_open:
        raise CommentaryError("the round is published; start a revision to change it")
    if slot.state not in (SlotState.SUBMITTED, SlotState.APPROVED):
        raise CommentaryError("only submitted or approved commentary can be returned")
    return _bump(slot, user, state=SlotState.DRAFT, return_reason=reason)


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminders:
    sent: int
    unreachable: tuple[str, ...]  # departments with nothing outstanding to email to


def send_reminders(rnd: Round, *, link: str) -> Reminders:
    """Email every department with commentary not yet submitted (Django's email backend)."""
    from django.core.mail import send_mail

    from planwatch.web.selectors import chase_list

    sent = 0
    unreachable: list[str] = []
    for row in chase_list(rnd):
        if not row.recipients:
            unreachable.append(row.department.name)
            continue
        lines = "\n".join(
            f"- {_slot_slug(s)}: {SlotState(s.state).label.lower()}" for s in row.slots
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


# --------------------------------------------------------------------------- publishing


def approved_commentary(rnd: Round) -> Commentary:
    """The round's APPROVED commentary as the report's :class:`Commentary` (nothing else)."""
    slots = (
        Slot.objects.filter(round=rnd, state=SlotState.APPROVED)
        .select_related("commitment", "department")
        .order_by("commitment__priority__number", "commitment__position", "department__slug")
    )
    entries = tuple(
        CommentaryEntry(
            commitment=s.commitment.slug,
            department=s.department.slug,
            text=s.text,
            rag=cast(RagLabel, s.rag) if s.rag else None,
        )
        for s in slots
        if s.text.strip()
    )
    return Commentary(quarter=rnd.quarter_label, entries=entries)


@transaction.atomic
def publish(round_id: int, *, user: Any) -> PublishedVersion:
    """Freeze the approved commentary as a new version and close the round to edits."""
    check_analyst(user)
    try:
        rnd = Round.objects.select_for_update().get(pk=round_id)
    except Round.DoesNotExist as exc:
        raise NotFoundError(f"no round {round_id}") from exc
    if not rnd.is_open:
        raise CommentaryError(
            f"{rnd.quarter_label} is already published; start a revision to publish a new version"
        )
    commentary = approved_commentary(rnd)
    if not commentary.entries:
        raise CommentaryError("no commentary has been approved yet, so there is nothing to publish")
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
    return version


@transaction.atomic
def start_revision(round_id: int, *, user: Any) -> Round:
    """Reopen a published round so that a new version can supersede the published one."""
    check_analyst(user)
    rnd = Round.objects.select_for_update().get(pk=round_id)
    if rnd.is_open:
        raise CommentaryError(f"{rnd.quarter_label} is already open")
    rnd.state = RoundState.OPEN
    attribute_change(rnd, user)
    rnd.save()
    return rnd


def set_report_result(
    version: PublishedVersion, *, status: str, message: str = "", file: str = ""
) -> None:
    version.report_status = status
    version.report_message = message
    version.report_file = file
    version.save(update_fields=["report_status", "report_message", "report_file"])


def is_contributor(user: Any) -> bool:
    from planwatch.web.permissions import role_of

    return is_analyst(user) or role_of(user) == Role.OWNER


def _slot_slug(slot: Slot | TrackerSlot) -> str:
    from planwatch.web.selectors import TrackerSlot

    return slot.commitment_slug if isinstance(slot, TrackerSlot) else slot.commitment.slug
