"""User management for analysts: list accounts, create one, change its role, departments,
email (its holder chooses the password through an emailed link), deactivate or reactivate it,
lift a sign-in lock-out, and see every change made to it.

In: HTTP requests from analysts (owners and readers get 403). Out: pages; writes go through
:func:`planwatch.web.services.create_user` / :func:`~planwatch.web.services.update_user`,
which audit every change (who and when) with django-simple-history.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from planwatch.errors import PlanwatchError
from planwatch.web import accounts, services, signin
from planwatch.web.forms import AccountForm, NewAccountForm, add_problems
from planwatch.web.models import Department, Membership, Role
from planwatch.web.permissions import analyst_required, role_of, signed_in
from planwatch.web.services import emails


def _department_choices() -> list[tuple[str, str]]:
    return list(Department.objects.filter(active=True).values_list("slug", "name"))


@analyst_required
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    # Most new accounts are commitment owners; an analyst's rights are never the default.
    form = NewAccountForm(
        request.POST or None, departments=_department_choices(), initial={"role": Role.OWNER}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                data["username"],
                role=data["role"],
                departments=tuple(data["departments"]),
                email=data["email"],
                actor=signed_in(request),
            )
            messages.success(
                request,
                f"Created the account {user.username} and emailed {user.email} a link to choose a password.",
            )
            return redirect("user_edit", pk=user.pk)
        except PlanwatchError as exc:
            add_problems(form, exc)
    return render(
        request,
        "web/users.html",
        {"accounts": accounts.account_rows(), "form": form, "lockouts": signin.lockouts()},
        status=400 if request.method == "POST" else 200,
    )


@analyst_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(get_user_model(), pk=pk)
    current = {
        "email": account.email,
        "role": role_of(account) or Role.READER,
        "departments": list(
            Membership.objects.filter(user=account).values_list("department__slug", flat=True)
        ),
        "active": account.is_active,
    }
    form = AccountForm(request.POST or None, initial=current, departments=_department_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                account.pk,
                role=data["role"],
                departments=tuple(data["departments"]),
                email=data["email"],
                active=data["active"],
                actor=signed_in(request),
            )
            messages.success(request, f"Saved the changes to {account.username}.")
            return redirect("user_edit", pk=account.pk)
        except PlanwatchError as exc:
            add_problems(form, exc)
    return render(
        request,
        "web/user_edit.html",
        {
            "account": account,
            "form": form,
            "history": accounts.account_history(account),
            "lockouts": [lock for lock in signin.lockouts() if lock.username == account.username],
        },
        status=400 if request.method == "POST" else 200,
    )


@analyst_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Email the account's holder a new link to choose their password."""
    account = get_object_or_404(get_user_model(), pk=pk)
    if not account.email:
        messages.error(request, f"{account.username} has no email address; add one first.")
    else:
        emails.invite(account, actor=signed_in(request))
        messages.success(request, f"Emailed {account.email} a link to choose a password.")
    return redirect("user_edit", pk=account.pk)


@analyst_required
@require_POST
def user_unlock(request: HttpRequest) -> HttpResponse:
    """Lift a sign-in lock-out (the username as it was typed, from every address)."""
    username = request.POST.get("username", "")
    services.unlock_sign_in(username, actor=signed_in(request))
    messages.success(request, f"{username} can sign in again.")
    account = get_user_model().objects.filter(username=username).first()
    if account is not None and request.POST.get("back") == "account":
        return redirect("user_edit", pk=account.pk)
    return redirect("users")
