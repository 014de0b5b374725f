"""Accounts: create and change them, unlock their sign-in, each change audited.

In: a username, a role, departments, an email address (and, from the command line, a
password). Out: the :class:`~django.contrib.auth.models.User`, or a
:class:`~planwatch.errors.PlanwatchError` naming the field that was wrong.
"""

from __future__ import annotations

from axes.utils import reset
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from planwatch.errors import ConfigError, Location, NotFoundError, Problem, suggest
from planwatch.web.models import Department, Membership, Profile, Role, SignInUnlock
from planwatch.web.permissions import check_analyst
from planwatch.web.services import emails
from planwatch.web.services.audit import attribute_change, save_if_changed, sync_links


def _departments(slugs: tuple[str, ...], role: str) -> list[Department]:
    depts = []
    for slug in slugs:
        dept = Department.objects.filter(slug=slug).first()
        if dept is None:
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
    return depts


def _check_email_free(email: str, user: User) -> None:
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ConfigError(
            f"another account already uses the email address {email}",
            location=Location(field="email"),
            expected="an address of this person's own",
        )


@transaction.atomic
def set_user(
    username: str,
    *,
    role: str,
    departments: tuple[str, ...] = (),
    email: str = "",
    password: str | None = None,
    actor: User | None = None,
    clear_email: bool = False,
) -> User:
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
    depts = _departments(departments, role)
    user = User.objects.filter(username=username).first() or User(username=username)
    before = (user.email, user.password)
    user.email = email if (email or clear_email) else user.email
    _check_email_free(user.email, user)
    if password is not None:
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
    save_if_changed(profile, actor, role=role)
    sync_links(Membership, {"user": user}, "department_id", {d.pk for d in depts}, actor)
    return user


@transaction.atomic
def create_user(
    username: str,
    *,
    role: str,
    departments: tuple[str, ...],
    email: str,
    actor: User,
    password: str | None = None,
) -> User:
    """An analyst creates an account (a name nobody has yet); the change is audited. Without
    a ``password`` (the web form never asks for one) the person is emailed an invitation
    with a link to choose their own."""
    check_analyst(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise ConfigError(
            f"there is already an account called '{username}'",
            location=Location(field="username"),
            expected="a new username (open the existing account to change it)",
        )
    if password is None and not email:
        raise ConfigError(
            "a new account needs an email address, for the invitation to choose a password",
            location=Location(field="email"),
            expected="the person's work email address",
        )
    user = set_user(
        username,
        role=role,
        departments=departments,
        email=email,
        password=password,
        actor=actor,
    )
    if password is None:
        emails.invite(user, actor=actor)
    return user


@transaction.atomic
def update_user(
    user_id: int,
    *,
    role: str,
    departments: tuple[str, ...],
    email: str,
    active: bool,
    actor: User,
    password: str | None = None,
) -> User:
    """An analyst changes an account's role, departments, email, password or whether it can
    sign in. Analysts cannot lock themselves out (deactivate or demote their own account)."""
    check_analyst(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
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


@transaction.atomic
def unlock_sign_in(username: str, *, actor: User) -> None:
    """An analyst lifts a sign-in lock-out: every recorded failure of ``username``, from any
    address, is cleared (planwatch.web.signin), and the unlock is kept in the account's history."""
    check_analyst(actor)
    reset(username=username)
    SignInUnlock.objects.create(
        username=username,
        account=User.objects.filter(username=username).first(),
        unlocked_by=actor,
    )
