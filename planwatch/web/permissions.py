"""Who may do what.

In: a user and (sometimes) a slot or department. Out: yes/no, or :class:`Forbidden`.
Analysts run the round; owners edit only their departments' slots; readers only read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from planwatch.web.models import Department, Membership, Profile, Role, Slot, SlotState


class Forbidden(PermissionDenied):
    """The signed-in user may not do this (HTTP 403)."""


def signed_in(request: HttpRequest) -> User:
    """The account making ``request`` (the views that call this require a sign-in)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Forbidden("Sign in first.")
    return user


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ANALYST
    cached = getattr(user, "_planwatch_role", None)
    if cached is None:
        joined = getattr(getattr(user, "_state", None), "fields_cache", {})
        if "profile" in joined:  # loaded with the user (planwatch.web.auth.ProfileBackend)
            profile = joined["profile"]
        else:
            profile = Profile.objects.filter(user=user).only("role").first()
        cached = profile.role if profile else Role.READER
        user._planwatch_role = cached
    return str(cached)


def is_analyst(user: Any) -> bool:
    return role_of(user) == Role.ANALYST


def department_ids(user: Any) -> frozenset[int]:
    """The departments a user belongs to, read once per user object (one request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_planwatch_departments", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(user=user).values_list("department_id", flat=True)
        )
        user._planwatch_departments = cached
    return frozenset(cached)


def departments_of(user: Any) -> list[Department]:
    """The departments a user belongs to, by name, in one query; also remembered as their
    :func:`department_ids` for the rest of the request (one query instead of two)."""
    if not getattr(user, "is_authenticated", False):
        return []
    departments = list(Department.objects.filter(memberships__user=user))
    user._planwatch_departments = frozenset(d.pk for d in departments)
    return departments


def can_read_slot(user: Any, slot: Slot) -> bool:
    if is_analyst(user):
        return True
    return role_of(user) == Role.OWNER and slot.department_id in department_ids(user)


def can_edit_slot(user: Any, slot: Slot) -> bool:
    """Owners of the slot's department (and analysts) while the round is open and before approval."""
    if not slot.round.is_open or slot.state in (SlotState.SUBMITTED, SlotState.APPROVED):
        return False
    return can_read_slot(user, slot)


def check_read_slot(user: Any, slot: Slot) -> None:
    """404 for another department's slot, exactly as for one that does not exist, so that
    slot ids cannot be probed."""
    if not can_read_slot(user, slot):
        raise Http404(f"no commentary slot {slot.pk}")


def check_department(user: Any, department: Department) -> None:
    if is_analyst(user):
        return
    if role_of(user) != Role.OWNER or department.pk not in department_ids(user):
        raise Forbidden("You are not a member of this department.")


def check_analyst(user: Any) -> None:
    if not is_analyst(user):
        raise Forbidden("Only analysts can do this.")


def analyst_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check_analyst(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def contributor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Analysts and owners; readers get 403."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if role_of(request.user) not in (Role.ANALYST, Role.OWNER):
            raise Forbidden("Readers cannot view or change commentary before it is published.")
        return view(request, *args, **kwargs)

    return wrapped
