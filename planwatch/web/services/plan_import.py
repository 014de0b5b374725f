"""Plan import: the database's departments, priorities, commitments and RAG meanings in line with plan.yaml.

In: a loaded :class:`~planwatch.plan.models.Plan`. Out: an :class:`ImportSummary`; nothing
is deleted (history and past rounds refer to it), what left the plan is marked inactive,
and open rounds gain slots for new commitments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from planwatch.errors import CommentaryError, Location
from planwatch.plan.models import Plan
from planwatch.web.models import (
    Commitment,
    Department,
    Ownership,
    Priority,
    Rag,
    RagDefinition,
    Round,
    RoundState,
    Slot,
)
from planwatch.web.services.audit import save_if_changed, sync_links


@dataclass(frozen=True)
class ImportSummary:
    departments: int
    priorities: int
    commitments: int
    slots_added: int


@transaction.atomic
def import_plan(plan: Plan, *, user: User | None = None) -> ImportSummary:
    """Bring departments, priorities and commitments in line with ``plan``."""
    departments: dict[str, Department] = {}
    for d in plan.departments:
        dept = Department.objects.filter(slug=d.id).first() or Department(slug=d.id)
        save_if_changed(dept, user, name=d.name, email=d.email or "", active=True)
        departments[d.id] = dept
    Department.objects.exclude(slug__in=departments).filter(active=True).update(active=False)

    seen_commitments: list[str] = []
    for p in plan.priorities:
        prio = Priority.objects.filter(number=p.number).first() or Priority(number=p.number)
        save_if_changed(prio, user, title=p.title, objective=p.objective, active=True)
        for position, c in enumerate(p.commitments):
            com = Commitment.objects.filter(slug=c.id).first() or Commitment(slug=c.id)
            save_if_changed(
                com,
                user,
                priority=prio,
                text=c.text,
                title=c.title or "",
                position=position,
                active=True,
            )
            seen_commitments.append(c.id)
            _set_owners(com, c.id, c.owners, departments, user)
    Priority.objects.exclude(number__in=[p.number for p in plan.priorities]).update(active=False)
    Commitment.objects.exclude(slug__in=seen_commitments).update(active=False)

    for status in Rag.values:
        rag = RagDefinition.objects.filter(status=status).first() or RagDefinition(status=status)
        save_if_changed(rag, user, meaning=getattr(plan.rag, status))

    added = sum(add_missing_slots(r) for r in Round.objects.filter(state=RoundState.OPEN))
    return ImportSummary(len(departments), len(plan.priorities), len(seen_commitments), added)


def _set_owners(
    com: Commitment,
    slug: str,
    owners: tuple[str, ...],
    departments: dict[str, Department],
    user: User | None,
) -> None:
    missing = [o for o in owners if o not in departments]
    if missing:
        raise CommentaryError(
            f"commitment '{slug}' names unknown owner(s) {', '.join(missing)}",
            location=Location(field=f"priorities > commitment '{slug}' > owners"),
            expected="a department listed under 'departments'",
        )
    wanted = {departments[o].pk for o in owners}
    sync_links(Ownership, {"commitment": com}, "department_id", wanted, user)


def add_missing_slots(rnd: Round) -> int:
    """Give ``rnd`` a slot for every (active commitment, owning department) it lacks."""
    have = set(Slot.objects.filter(round=rnd).values_list("commitment_id", "department_id"))
    added = 0
    for own in Ownership.objects.filter(commitment__active=True).select_related("commitment"):
        if (own.commitment_id, own.department_id) not in have:
            Slot.objects.create(
                round=rnd, commitment_id=own.commitment_id, department_id=own.department_id
            )
            added += 1
    return added
