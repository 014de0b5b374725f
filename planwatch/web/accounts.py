"""Reads for the user-management pages.

In: the accounts, their roles and departments, and their audit history (django-simple-history).
Out: one row per account for the list (two queries whatever the number of accounts), and an
account's history as plain sentences, newest first: created, email changed, password changed,
role changed, added to or removed from a department, deactivated or reactivated, invitations
and password resets emailed, sign-in lock-outs lifted, with who
made each change and when. Sign-ins (which update ``last_login``) are not changes and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from planwatch.web.models import (
    Department,
    EmailKind,
    Membership,
    Profile,
    Role,
    SentEmail,
    SignInUnlock,
)

ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True)
class AccountRow:
    """One account in the list."""

    pk: int
    username: str
    email: str
    role: str
    departments: tuple[str, ...]
    active: bool
    last_login: datetime | None


def account_rows() -> list[AccountRow]:
    """Every account with its role and departments: two queries."""
    names: dict[int, list[str]] = defaultdict(list)
    for user_id, name in Membership.objects.order_by("department__name").values_list(
        "user_id", "department__name"
    ):
        names[user_id].append(name)
    users = get_user_model().objects.order_by("username")
    return [
        AccountRow(
            pk=pk,
            username=username,
            email=email,
            role=ROLE_LABELS[Role.ANALYST if superuser else (role or Role.READER)],
            departments=tuple(names[pk]),
            active=active,
            last_login=last_login,
        )
        for pk, username, email, role, superuser, active, last_login in users.values_list(
            "pk", "username", "email", "profile__role", "is_superuser", "is_active", "last_login"
        )
    ]


@dataclass(frozen=True)
class AuditEntry:
    """One audited change to an account."""

    when: datetime
    who: str
    what: str


def _who(record: Any) -> str:
    return str(record.history_user) if record.history_user_id else "system"


def account_history(user: Any) -> list[AuditEntry]:
    """Every change to ``user``'s account, role and departments, newest first (five queries)."""
    entries = (
        _user_changes(user)
        + _role_changes(user)
        + _membership_changes(user)
        + _emails_sent(user)
        + _unlocks(user)
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def _emails_sent(user: Any) -> list[AuditEntry]:
    """Invitations and password resets emailed to the account's holder."""
    return [
        AuditEntry(
            sent_at,
            by or "system",
            f"{EmailKind(kind).label.lower()} emailed to {recipients.replace(chr(10), ', ')}",
        )
        for sent_at, by, kind, recipients in SentEmail.objects.filter(account=user).values_list(
            "sent_at", "sent_by__username", "kind", "recipients"
        )
    ]


def _unlocks(user: Any) -> list[AuditEntry]:
    """Sign-in lock-outs an analyst lifted."""
    return [
        AuditEntry(when, by, "sign-in unlocked after too many failed attempts")
        for when, by in SignInUnlock.objects.filter(account=user).values_list(
            "unlocked_at", "unlocked_by__username"
        )
    ]


def _user_changes(user: Any) -> list[AuditEntry]:
    entries = []
    before = None
    for rec in user.history.order_by("history_date", "history_id").select_related("history_user"):
        changes = []
        if before is None:
            changes.append("account created" + (f" with email {rec.email}" if rec.email else ""))
        else:
            if rec.email != before.email:
                changes.append(
                    f"email changed from {before.email or '(none)'} to {rec.email or '(none)'}"
                )
            if rec.password != before.password:
                changes.append("password changed")
            if rec.is_active != before.is_active:
                changes.append("reactivated" if rec.is_active else "deactivated")
        before = rec
        if changes:
            entries.append(AuditEntry(rec.history_date, _who(rec), "; ".join(changes)))
    return entries


def _role_changes(user: Any) -> list[AuditEntry]:
    entries = []
    before = None
    records = Profile.history.filter(user_id=user.pk).order_by("history_date", "history_id")
    for rec in records.select_related("history_user"):
        label = ROLE_LABELS.get(rec.role, rec.role).lower()
        if before is None:
            entries.append(AuditEntry(rec.history_date, _who(rec), f"role set to {label}"))
        elif rec.role != before.role:
            old = ROLE_LABELS.get(before.role, before.role).lower()
            entries.append(
                AuditEntry(rec.history_date, _who(rec), f"role changed from {old} to {label}")
            )
        before = rec
    return entries


def _membership_changes(user: Any) -> list[AuditEntry]:
    records = list(
        Membership.history.filter(user_id=user.pk)
        .exclude(history_type="~")
        .order_by("history_date", "history_id")
        .select_related("history_user")
    )
    names = dict(
        Department.objects.filter(pk__in={r.department_id for r in records}).values_list(
            "pk", "name"
        )
    )
    return [
        AuditEntry(
            rec.history_date,
            _who(rec),
            ("added to " if rec.history_type == "+" else "removed from ")
            + names.get(rec.department_id, f"department {rec.department_id}"),
        )
        for rec in records
    ]
