"""Every read the views need, in one place.

In: a user, a round or a slot. Out: querysets and small frozen rows ready for templates
(the tracker, who to chase, a slot's history with diffs, last quarter's text).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from itertools import pairwise
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from planwatch.errors import PlanwatchError
from planwatch.narrative.overrides import Override
from planwatch.periods import Month, Quarter
from planwatch.web.models import (
    Membership,
    PublishedVersion,
    Rag,
    RagDefinition,
    Round,
    RoundState,
    SentEmail,
    Slot,
    SlotState,
    commitment_label,
)
from planwatch.web.permissions import department_ids, is_analyst

#: States that still need the owner to act (they are chased).
OUTSTANDING = (SlotState.NOT_STARTED, SlotState.DRAFT)
#: How a draft the analyst sent back is shown, wherever a slot's state is shown.
RETURNED_LABEL = "Returned – action needed"


#: The GOV.UK tag colour of each state (the words carry the meaning; colour only helps):
#: grey not started, turquoise draft, red returned, yellow waiting for review, green approved.
STATE_TAGS = {
    SlotState.NOT_STARTED: "grey",
    SlotState.DRAFT: "turquoise",
    SlotState.SUBMITTED: "yellow",
    SlotState.APPROVED: "green",
}
RETURNED_TAG = "red"


def state_tag(state: str, return_reason: str = "") -> str:
    """The tag colour of a slot's state (:data:`STATE_TAGS`; a returned draft is red)."""
    if state == SlotState.DRAFT and return_reason:
        return RETURNED_TAG
    return STATE_TAGS[SlotState(state)]


def state_label(state: str, return_reason: str = "") -> str:
    """A slot's state in words; a returned draft is :data:`RETURNED_LABEL`."""
    if state == SlotState.DRAFT and return_reason:
        return RETURNED_LABEL
    return str(SlotState(state).label)


@dataclass(frozen=True)
class MissingSlot:
    """A slot whose commentary will not be published as written (not approved)."""

    pk: int
    commitment: str
    department: str
    state: str
    state_label: str
    return_reason: str


def not_approved(rnd: Round) -> list[MissingSlot]:
    """The round's slots that are not approved, in plan order, for the publish confirmation."""
    rows = (
        Slot.objects.filter(round=rnd)
        .exclude(state=SlotState.APPROVED)
        .values_list(
            "pk",
            "commitment__title",
            "commitment__text",
            "department__name",
            "state",
            "return_reason",
        )
    )
    return [
        MissingSlot(
            pk, commitment_label(title, text), dept, state, state_label(state, reason), reason
        )
        for pk, title, text, dept, state, reason in rows
    ]


@dataclass(frozen=True)
class DepartmentCommentary:
    """One department's commentary on a commitment, as the round overview shows it."""

    slot_pk: int
    department: str
    state: str
    return_reason: str
    text: str
    rag: str


@dataclass(frozen=True)
class CommitmentCommentary:
    """A commitment with its owning departments' commentary, in department order."""

    label: str
    text: str  # the commitment's full text when its label is a short title, else ""
    departments: tuple[DepartmentCommentary, ...]


@dataclass(frozen=True)
class PriorityCommentary:
    number: int
    title: str
    commitments: tuple[CommitmentCommentary, ...]


def round_departments_and_priorities(
    rnd: Round,
) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The departments (slug, name) and priorities (number, title) with commentary in the
    round, by name and by number, for its filters. One query."""
    rows = (
        Slot.objects.filter(round=rnd)
        .values_list(
            "department__slug",
            "department__name",
            "commitment__priority__number",
            "commitment__priority__title",
        )
        .distinct()
    )
    departments = sorted({(slug, name) for slug, name, _, _ in rows}, key=lambda d: d[1])
    priorities = sorted({(number, title) for _, _, number, title in rows})
    return departments, priorities


def commentary_by_department(
    rnd: Round, *, state: str = "", department: str = "", priority: int | None = None
) -> list[PriorityCommentary]:
    """The round's commentary for reading through: priority by priority, each commitment
    with its departments' texts under it (as the reference update groups a commitment's
    commentary by district), only in ``state``, of ``department`` and of ``priority`` when
    given. One query."""
    chosen = Q(round=rnd)
    if state:
        chosen &= Q(state=state)
    if department:
        chosen &= Q(department__slug=department)
    if priority is not None:
        chosen &= Q(commitment__priority__number=priority)
    rows = Slot.objects.filter(chosen).values_list(
        "pk",
        "state",
        "return_reason",
        "text",
        "rag",
        "department__name",
        "commitment_id",
        "commitment__title",
        "commitment__text",
        "commitment__priority__number",
        "commitment__priority__title",
    )
    priorities: dict[int, tuple[str, dict[int, tuple[str, str, list[DepartmentCommentary]]]]] = {}
    for pk, state, reason, text, rag, dept, cid, ctitle, ctext, number, ptitle in rows:
        commitments = priorities.setdefault(number, (ptitle, {}))[1]
        entry = commitments.setdefault(
            cid, (commitment_label(ctitle, ctext), ctext if ctitle else "", [])
        )
        entry[2].append(DepartmentCommentary(pk, dept, state, reason, text, rag))
    return [
        PriorityCommentary(
            number,
            title,
            tuple(
                CommitmentCommentary(label, full, tuple(depts))
                for label, full, depts in commitments.values()
            ),
        )
        for number, (title, commitments) in priorities.items()
    ]


#: The order the editor lists the RAG statuses in (best first, as the report's key).
RAG_ORDER = (Rag.GREEN, Rag.AMBER, Rag.RED)


def rag_meanings() -> list[tuple[str, str]]:
    """(status, meaning) of each RAG status as the plan defines it (plan.yaml ``rag:``,
    imported with the plan; the plan's defaults for any not imported yet). One query."""
    from planwatch.plan.models import RagDefinitions

    stored = dict(RagDefinition.objects.values_list("status", "meaning"))
    defaults = RagDefinitions()
    return [
        (str(status.label), stored.get(status) or getattr(defaults, status.value))
        for status in RAG_ORDER
    ]


def current_round() -> Round | None:
    """The latest open round, else the latest published one."""
    return Round.objects.filter(state=RoundState.OPEN).first() or Round.objects.first()


def slots_of(rnd: Round) -> QuerySet[Slot]:
    return Slot.objects.filter(round=rnd).select_related(
        "commitment", "commitment__priority", "department", "updated_by"
    )


#: Columns the tracker reads: the slot's own, and only the names of what it points to,
#: read as plain tuples (building 120 slots with their commitment, department and user as
#: Django model instances was most of the tracker's CPU time).
TRACKER_COLUMNS = (
    "pk",
    "state",
    "text",
    "return_reason",
    "updated_at",
    "commitment__slug",
    "commitment__title",
    "commitment__text",
    "department_id",
    "department__name",
    "department__slug",
    "department__email",
    "updated_by__username",
    "commitment__priority__number",
    "commitment__priority__title",
)
#: How the tracker shows when a slot was last saved (Django date format, local time);
#: :func:`saved_at` writes the same text without parsing the format for every row.
SAVED_AT_FORMAT = "j M H:i"


@dataclass(frozen=True, slots=True)
class DepartmentRef:
    """The few columns of a department the tracker shows (hashable: one per department)."""

    pk: int
    name: str
    slug: str
    email: str


@dataclass(frozen=True, slots=True)
class PriorityRef:
    """A priority's number and title (for the tracker's filter; one per priority)."""

    number: int
    title: str


class TrackerSlot(NamedTuple):
    """One slot as the tracker reads it: its own columns and the names it shows (a named
    tuple: a round's worth are built every time the tracker is shown, and a frozen
    dataclass costs several times more to build)."""

    pk: int
    state: str
    text: str
    return_reason: str
    updated_at: Any
    commitment_slug: str
    commitment_label: str
    department: DepartmentRef
    updated_by: str | None
    priority: PriorityRef

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def was_returned(self) -> bool:
        return self.state == SlotState.DRAFT and bool(self.return_reason)


def tracker_slots(rnd: Round) -> list[TrackerSlot]:
    """The round's slots for the tracker: one query, only the columns it shows."""
    departments: dict[int, DepartmentRef] = {}
    priorities: dict[int, PriorityRef] = {}
    slots = []
    for (
        pk,
        state,
        text,
        reason,
        updated_at,
        slug,
        ctitle,
        ctext,
        dept_id,
        name,
        dslug,
        email,
        user,
        number,
        title,
    ) in Slot.objects.filter(round=rnd).values_list(*TRACKER_COLUMNS):
        dept = departments.get(dept_id)
        if dept is None:
            dept = departments[dept_id] = DepartmentRef(dept_id, name, dslug, email)
        prio = priorities.get(number)
        if prio is None:
            prio = priorities[number] = PriorityRef(number, title)
        label = commitment_label(ctitle, ctext)
        slots.append(
            TrackerSlot(pk, state, text, reason, updated_at, slug, label, dept, user, prio)
        )
    return slots


def saved_at(when: datetime, months: dict[int, str], tz: tzinfo | None = None) -> str:
    """``when`` in local time as :data:`SAVED_AT_FORMAT` ("3 Jun 14:05"); ``months`` from
    :func:`month_abbreviations`, ``tz`` the current time zone if already looked up (Django's
    dateformat re-parses the format for every value, which was most of the tracker's time
    once every slot had been saved)."""
    local = when.astimezone(tz) if tz is not None else timezone.localtime(when)
    return f"{local.day} {months[local.month]} {local.hour:02d}:{local.minute:02d}"


def month_abbreviations() -> dict[int, str]:
    """Month abbreviations as Django's "M" format writes them, in the active language."""
    return {m: str(name).title() for m, name in MONTHS_3.items()}


class TrackerRow(NamedTuple):
    """One tracker line with everything already formatted, so the template only prints."""

    pk: int
    state: str
    commitment: str
    department: str
    department_slug: str
    state_label: str
    tag: str  # the state's GOV.UK tag colour
    saved: str
    words: int
    url: str


def tracker_rows(slots: Iterable[TrackerSlot]) -> list[TrackerRow]:
    """Format each slot once in Python (the Django template engine costs ~10 variable
    look-ups a cell; for 120 slots that was most of the page's time)."""
    labels = dict(SlotState.choices)
    # One reverse() for all rows: the editor's address is this prefix plus the slot's id.
    prefix = reverse("slot", args=[0]).removesuffix("0/")
    months = month_abbreviations()
    tz = timezone.get_current_timezone()
    rows = []
    for s in slots:
        saved = ""
        if s.updated_by is not None:
            saved = f"{s.updated_by}, {saved_at(s.updated_at, months, tz)}"
        rows.append(
            TrackerRow(
                pk=s.pk,
                state=s.state,
                commitment=s.commitment_label,
                department=s.department.name,
                department_slug=s.department.slug,
                state_label=RETURNED_LABEL if s.was_returned else labels[s.state],
                tag=RETURNED_TAG if s.was_returned else STATE_TAGS[s.state],  # type: ignore[index]
                saved=saved,
                words=s.word_count,
                url=f"{prefix}{s.pk}/",
            )
        )
    return rows


#: Columns the to-do list shows, read as tuples (as the tracker's): building each slot as a
#: model with its commitment, priority, department and last editor, ordered through those
#: joins, was most of the page's database-side CPU time.
TODO_COLUMNS = (
    "pk",
    "state",
    "text",
    "return_reason",
    "commitment__title",
    "commitment__text",
    "commitment__priority__number",
    "department__name",
    "department__slug",
)


class TodoRow(NamedTuple):
    """One line of the to-do list, formatted for printing."""

    pk: int
    state: str
    state_label: str
    tag: str  # the state's GOV.UK tag colour
    return_reason: str
    priority: int
    commitment: str
    commitment_text: str
    department: str
    department_slug: str
    words: int
    action: str
    url: str


def todo_rows(user: Any, rnd: Round) -> list[TodoRow]:
    """The to-do list of ``user`` in ``rnd`` (every slot for an analyst): one query."""
    qs = Slot.objects.filter(round=rnd)
    if not is_analyst(user):
        qs = qs.filter(department_id__in=department_ids(user))
    prefix = reverse("slot", args=[0]).removesuffix("0/")
    rows = []
    for pk, state, text, reason, ctitle, ctext, number, dname, dslug in qs.values_list(
        *TODO_COLUMNS
    ):
        writable = rnd.is_open and state not in (SlotState.SUBMITTED, SlotState.APPROVED)
        rows.append(
            TodoRow(
                pk=pk,
                state=state,
                state_label=state_label(state, reason),
                tag=state_tag(state, reason),
                return_reason=reason if state == SlotState.DRAFT else "",
                priority=number,
                commitment=commitment_label(ctitle, ctext),
                commitment_text=ctext if ctitle else "",
                department=dname,
                department_slug=dslug,
                words=len(text.split()),
                action="Write" if writable else "View",
                url=f"{prefix}{pk}/",
            )
        )
    return rows


def days_left(deadline: date, today: date | None = None) -> int:
    return (deadline - (today or timezone.localdate())).days


class DeadlineChange(NamedTuple):
    when: datetime
    who: str
    old: date
    new: date


def deadline_changes(rnd: Round) -> list[DeadlineChange]:
    """Every change of the round's deadline after it was opened, newest first (its history)."""
    records = list(
        rnd.history.order_by("history_date", "history_id").values_list(
            "history_date", "history_user__username", "deadline"
        )
    )
    changes = [
        DeadlineChange(when, who or "the system", before[2], deadline)
        for before, (when, who, deadline) in pairwise(records)
        if deadline != before[2]
    ]
    return changes[::-1]


@dataclass(frozen=True)
class TrackerSummary:
    counts: dict[str, int]
    total: int
    days_to_deadline: int


def tracker_summary(
    rnd: Round, slots: Iterable[Slot | TrackerSlot] | None = None
) -> TrackerSummary:
    counts = {label: 0 for label in SlotState.labels}
    total = 0
    states = (
        (s.state for s in slots)
        if slots is not None
        else Slot.objects.filter(round=rnd).values_list("state", flat=True)
    )
    for state in states:
        counts[SlotState(state).label] += 1
        total += 1
    return TrackerSummary(counts, total, days_left(rnd.deadline))


@dataclass(frozen=True)
class DepartmentProgress:
    """One department's commentary in a round, for the dashboard."""

    department: str
    approved: int
    submitted: int
    outstanding: int  # not started or draft (returned ones included)
    overdue: int  # outstanding after the deadline

    @property
    def total(self) -> int:
        return self.approved + self.submitted + self.outstanding


def department_progress(rnd: Round, today: date | None = None) -> list[DepartmentProgress]:
    """Each department's slots in ``rnd`` by where they stand, and how many are overdue."""
    late = days_left(rnd.deadline, today) < 0 and rnd.is_open
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, state in Slot.objects.filter(round=rnd).values_list("department__name", "state"):
        counts[name][state] += 1
    rows = []
    for name in sorted(counts):
        by_state = counts[name]
        outstanding = sum(by_state[s] for s in OUTSTANDING)
        rows.append(
            DepartmentProgress(
                name,
                by_state[SlotState.APPROVED],
                by_state[SlotState.SUBMITTED],
                outstanding,
                outstanding if late else 0,
            )
        )
    return rows


@dataclass(frozen=True)
class ChaseRow:
    department: Any
    slots: tuple[Slot | TrackerSlot, ...]
    recipients: tuple[str, ...]


def chase_list(rnd: Round, slots: Iterable[Slot | TrackerSlot] | None = None) -> list[ChaseRow]:
    """Departments with commentary not yet submitted, and who to email about it.

    ``slots``: the round's slots if already loaded (the tracker page), to avoid reading them twice.
    """
    by_dept: dict[Any, list[Slot | TrackerSlot]] = defaultdict(list)
    pool = slots if slots is not None else slots_of(rnd).filter(state__in=OUTSTANDING)
    for slot in pool:
        if slot.state in OUTSTANDING:
            by_dept[slot.department].append(slot)
    members: dict[int, set[str]] = defaultdict(set)
    for dept_id, email in Membership.objects.filter(
        department_id__in=[d.pk for d in by_dept]
    ).values_list("department_id", "user__email"):
        if email:
            members[dept_id].add(email)
    rows = []
    for dept, slots in sorted(by_dept.items(), key=lambda kv: kv[0].name):
        recipients = set(members[dept.pk])
        if dept.email:
            recipients.add(dept.email)
        rows.append(ChaseRow(dept, tuple(slots), tuple(sorted(recipients))))
    return rows


def previous_text(slot: Slot) -> str | None:
    """Last quarter's approved commentary on the same commitment by the same department
    (the latest earlier round's; one query returning only the text)."""
    fy, q = slot.round.fy_start, slot.round.q
    earlier = Q(round__fy_start__lt=fy) | Q(round__fy_start=fy, round__q__lt=q)
    return (
        Slot.objects.filter(
            earlier,
            commitment_id=slot.commitment_id,
            department_id=slot.department_id,
            state=SlotState.APPROVED,
        )
        .order_by("-round__fy_start", "-round__q")
        .values_list("text", flat=True)
        .first()
    )


@dataclass(frozen=True)
class HistoryEntry:
    when: Any
    who: str
    version: int
    state: str
    rag: str
    text: str
    reason: str
    diff: tuple[tuple[str, str], ...]  # (css class, line) pairs against the entry before
    change: str


def slot_history(slot: Slot) -> list[HistoryEntry]:
    """Every saved state of a slot, newest first, each with a diff of the text against the one before."""
    records = list(
        slot.history.order_by("history_date", "history_id").select_related("history_user")
    )
    entries: list[HistoryEntry] = []
    before = ""
    for rec in records:
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                who=str(rec.history_user) if rec.history_user else "system",
                version=rec.version,
                state=SlotState(rec.state).label,
                rag=rec.rag,
                text=rec.text,
                reason=rec.return_reason,
                diff=text_diff(before, rec.text),
                change={"+": "created", "~": "changed", "-": "deleted"}[rec.history_type],
            )
        )
        before = rec.text
    return list(reversed(entries))


def emails_about(slot: Slot) -> QuerySet[SentEmail]:
    """Every email sent about ``slot`` (returned, approved, edited), newest first."""
    return SentEmail.objects.filter(slot=slot).select_related("sent_by")


def text_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """A line diff (difflib.ndiff) as (kind, line) with kind 'add', 'del' or 'same'."""
    kinds = {"+ ": "add", "- ": "del", "  ": "same"}
    return tuple(
        (kinds[line[:2]], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:2] in kinds
    )


def published_versions(rnd: Round | None = None) -> QuerySet[PublishedVersion]:
    """Published versions for lists (without their frozen commentary, which lists never show)."""
    qs = PublishedVersion.objects.select_related("round", "published_by").defer("commentary")
    return qs.filter(round=rnd) if rnd is not None else qs


def latest_versions() -> QuerySet[PublishedVersion]:
    return published_versions().filter(superseded=False)


def active_accounts() -> list[tuple[int, str]]:
    """Every account that can sign in, as (id, username), for choosing an approver."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("username")
        .values_list("pk", "username")
    )


def added_key_points() -> tuple[Override, ...]:
    """The analysts' own key points (``add`` overrides) in the project's overrides.yaml,
    read fresh (they change from the overrides page); none when it cannot be read (the
    page says why through the analysis)."""
    from django.conf import settings

    from planwatch.project import Project
    from planwatch.services.overrides import load_overrides

    try:
        overrides = load_overrides(Project.at(settings.PROJECT_DIR).overrides_path)
    except PlanwatchError:
        return ()
    return tuple(o for o in overrides if o.action == "add")


def data_quarters() -> tuple[Quarter, ...]:
    """Every quarter the project's store holds data for (from the first to the last period
    of each source, months read as their quarter), newest first; none without a store.
    Read once for each version of the store file (cached by its modification time)."""
    from django.conf import settings
    from django.core.cache import cache

    from planwatch.periods import parse_period, quarter_range
    from planwatch.project import Project
    from planwatch.store.status import store_status

    store = Project.at(settings.PROJECT_DIR).store_path
    if not store.exists():
        return ()
    key = f"pw-data-quarters:{store}:{store.stat().st_mtime_ns}"
    found: tuple[Quarter, ...] | None = cache.get(key)
    if found is None:
        held: set[Quarter] = set()
        for source in store_status(store).coverage:
            first, last = (_as_quarter(parse_period(p)) for p in (source.first, source.last))
            held.update(quarter_range(first, last))
        found = tuple(sorted(held, reverse=True))
        cache.set(key, found, None)
    return found


def _as_quarter(period: object) -> Quarter:
    if isinstance(period, Quarter):
        return period
    if isinstance(period, Month):
        return period.quarter
    raise TypeError(f"a source's period is a month or a quarter, not {period!r}")
