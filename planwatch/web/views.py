"""Thin views: check who is asking, call a selector or a service, render.

In: HTTP requests. Out: pages, JSON (autosave), files (XLSX, reports). Writes go
through :mod:`planwatch.web.services`, reads through :mod:`planwatch.web.selectors`;
errors a user can cause come back as form errors with the typed text kept.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from planwatch.errors import ConfigError, Location, NotFoundError, PlanwatchError
from planwatch.formatting import long_date
from planwatch.periods import parse_quarter
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web import reporting, selectors, services, spreadsheet, tasks
from planwatch.web.forms import (
    RAG_CHOICES,
    AuditedPasswordResetForm,
    DeadlineForm,
    ImportForm,
    OpenRoundForm,
    PublishForm,
    ReturnForm,
    SlotForm,
    add_problems,
)
from planwatch.web.models import (
    Commitment,
    Department,
    KeyPointOverrideChange,
    PublishedVersion,
    Role,
    Round,
    Slot,
    SlotState,
    commitment_label,
)
from planwatch.web.permissions import (
    Forbidden,
    analyst_required,
    can_edit_slot,
    check_department,
    check_read_slot,
    contributor_required,
    departments_of,
    is_analyst,
    role_of,
    signed_in,
)
from planwatch.web.rows import chase_html, options_html, todo_rows_html, tracker_rows_html
from planwatch.web.security import HEADER as CSP_HEADER
from planwatch.web.security import REPORT_POLICY
from planwatch.web.tracker import filters, tracker_page


class LoginView(auth_views.LoginView):
    """Django's sign-in; repeated failures lock that username out from that address
    (planwatch.web.signin, django-axes)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True


def _plain_password_rules(form: Any) -> Any:
    """The validators' rules as one plain sentence under the new password (Django's default
    is an HTML list, which cannot sit inside the field's hint)."""
    form.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
    form.fields["new_password2"].label = "Type the new password again"
    return form


class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their own password: the old one first, the new one checked
    by the password validators; the session stays signed in; the change is in the history."""

    template_name = "web/password.html"

    def get_form(self, form_class: Any = None) -> Any:
        return _plain_password_rules(super().get_form(form_class))

    def get_success_url(self) -> str:
        return reverse("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Forgotten password: a link to choose a new one is emailed (and recorded) if the address
    belongs to an active account; the page says the same either way."""

    form_class = AuditedPasswordResetForm
    template_name = "web/password_reset.html"


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The emailed link (invitation or reset): choose a password, checked by the validators,
    then sign in with it."""

    template_name = "web/set_password.html"

    def get_form(self, form_class: Any = None) -> Any:
        return _plain_password_rules(super().get_form(form_class))

    def get_success_url(self) -> str:
        return reverse("login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been set. Sign in with it now.")
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role == Role.ANALYST:
        return redirect("rounds")
    if role == Role.OWNER:
        return redirect("todo")
    return redirect("dashboard")


# --------------------------------------------------------------------------- owners


@contributor_required
def todo(request: HttpRequest) -> HttpResponse:
    rnd = selectors.current_round()
    departments = (
        list(Department.objects.filter(active=True))
        if is_analyst(request.user)
        else departments_of(request.user)  # also the ids todo_rows filters on
    )
    return render(
        request,
        "web/todo.html",
        {
            "round": rnd,
            "rows_html": todo_rows_html(selectors.todo_rows(request.user, rnd)) if rnd else "",
            "departments": departments,
            "days_left": selectors.days_left(rnd.deadline) if rnd else None,
        },
    )


#: Short writing guidance beside the editor.
WRITING_GUIDANCE = (
    "Say what was done this quarter and what changed because of it, with numbers where you have them.",
    "Explain any change in the measures for this priority that readers will ask about.",
    "Say what happens next quarter, and by when.",
    "Plain words, short sentences; no internal abbreviations. 150 to 300 words is usually enough.",
)


def _slot_context(request: HttpRequest, slot: Slot, form: SlotForm, **extra: Any) -> dict[str, Any]:
    """The editor's context; its inputs are written in the template and the RAG options here
    (Django's widget templates were a tenth of the editor's time)."""
    return {
        "slot": slot,
        "form": form,
        "rag_options": options_html(RAG_CHOICES, form["rag"].value()),
        "editable": can_edit_slot(request.user, slot),
        "previous_text": selectors.previous_text(slot),
        "max_chars": MAX_COMMENTARY_CHARS,
        "return_form": ReturnForm(),
        "is_analyst": is_analyst(request.user),
        "priority": slot.commitment.priority,
        "guidance": WRITING_GUIDANCE,
        "rag_meanings": selectors.rag_meanings(),
        "analysis": reporting.priority_panel(slot.round.quarter, slot.commitment.priority.number),
        "state_label": selectors.state_label(slot.state, slot.return_reason),
        "edit_diff": (selectors.text_diff(slot.edited_from, slot.text) if slot.edited_from else ()),
        **extra,
    }


def _load_slot(request: HttpRequest, pk: int) -> Slot:
    slot = get_object_or_404(
        # Only what the slot's pages show (the priority is not; joining it cost a third more
        # time to build the query).
        Slot.objects.select_related(
            "round", "commitment", "commitment__priority", "department", "updated_by"
        ),
        pk=pk,
    )
    check_read_slot(request.user, slot)
    return slot


@contributor_required
@require_http_methods(["GET", "POST"])
def slot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _load_slot(request, pk)
    if request.method == "GET":
        form = SlotForm(initial={"text": slot.text, "rag": slot.rag, "version": slot.version})
        return render(request, "web/slot.html", _slot_context(request, slot, form))
    form = SlotForm(request.POST)
    if not form.is_valid():
        return render(request, "web/slot.html", _slot_context(request, slot, form), status=400)
    data = form.cleaned_data
    try:
        write = (
            services.save_and_submit
            if request.POST.get("action") == "submit"
            else services.save_draft
        )
        saved = write(
            slot.pk,
            user=signed_in(request),
            text=data["text"],
            rag=data["rag"],
            expected_version=data["version"],
        )
        if saved.state == SlotState.SUBMITTED:
            messages.success(
                request, f"Commentary submitted for approval (version {saved.version})."
            )
            return redirect("todo")
    except services.SlotConflict as exc:
        return _conflict(request, exc, data["text"], data["rag"])
    except PlanwatchError as exc:
        add_problems(form, exc)
        slot.refresh_from_db()
        return render(request, "web/slot.html", _slot_context(request, slot, form), status=400)
    messages.success(request, f"Draft saved (version {saved.version}).")
    return redirect("slot", pk=slot.pk)


def _conflict(
    request: HttpRequest, exc: services.SlotConflict, text: str, rag: str
) -> HttpResponse:
    """Show both texts; the form holds what this person typed, against the saved version."""
    current = exc.slot
    form = SlotForm(initial={"text": text, "rag": rag, "version": current.version})
    context = _slot_context(
        request,
        current,
        form,
        conflict=exc,
        theirs=current.text,
        diff=selectors.text_diff(current.text, text),
    )
    return render(request, "web/conflict.html", context, status=409)


@contributor_required
@require_POST
def slot_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    form = SlotForm(request.POST)
    if not form.is_valid():
        _load_slot(request, pk)  # 404 before saying what was wrong with the form
        return JsonResponse(
            {"ok": False, "errors": {k: [str(e) for e in v] for k, v in form.errors.items()}},
            status=400,
        )
    data = form.cleaned_data
    try:
        # save_draft reads the slot once, locked, and makes the same checks as _load_slot:
        # another department's slot is a 404, as one that does not exist.
        saved = services.save_draft(
            pk,
            user=signed_in(request),
            text=data["text"],
            rag=data["rag"],
            expected_version=data["version"],
        )
    except services.SlotConflict as exc:
        return JsonResponse(
            {"ok": False, "conflict": True, "version": exc.slot.version, "message": exc.render()},
            status=409,
        )
    except NotFoundError as exc:
        raise Http404(exc.render()) from exc
    except PlanwatchError as exc:
        return JsonResponse({"ok": False, "message": exc.render()}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "version": saved.version,
            "words": saved.word_count,
            "saved_at": saved.updated_at.isoformat(),
        }
    )


@contributor_required
@require_POST
def slot_submit(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _load_slot(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(
            request,
            "The form was incomplete (no version); open the commentary and submit it from there.",
        )
        return redirect("slot", pk=slot.pk)
    try:
        services.submit(slot.pk, user=signed_in(request), expected_version=version)
    except services.SlotConflict as exc:
        return _conflict(request, exc, exc.slot.text, exc.slot.rag)
    except PlanwatchError as exc:
        messages.error(request, exc.render())
        return redirect("slot", pk=slot.pk)
    messages.success(request, "Commentary submitted for approval.")
    return redirect("todo")


def _version_of(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@contributor_required
@require_POST
def slot_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner takes submitted commentary back before it is reviewed."""
    slot = _load_slot(request, pk)
    version = _version_of(request)
    try:
        if version is None:
            raise services.SlotConflict(slot, -1)
        services.withdraw(slot.pk, user=signed_in(request), expected_version=version)
    except services.SlotConflict:
        messages.error(request, "The commentary changed since you opened it; look again.")
    except PlanwatchError as exc:
        messages.error(request, exc.render())
    else:
        messages.success(request, "Submission withdrawn: the commentary is a draft again.")
    return redirect("slot", pk=slot.pk)


# --------------------------------------------------------------------------- analysts


@analyst_required
@require_POST
def slot_analyst_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An analyst edits submitted text; both versions are kept and the owners told."""
    slot = _load_slot(request, pk)
    form = SlotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.analyst_edit(
                slot.pk,
                user=signed_in(request),
                text=data["text"],
                rag=data["rag"],
                expected_version=data["version"],
            )
        except services.SlotConflict as exc:
            return _conflict(request, exc, data["text"], data["rag"])
        except PlanwatchError as exc:
            messages.error(request, exc.render())
        else:
            messages.success(request, "Your edit is saved; the owners have been told.")
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("slot", pk=slot.pk)


@analyst_required
@require_POST
def slot_approve(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(Slot, pk=pk)
    try:
        services.approve(slot.pk, user=signed_in(request))
        messages.success(request, f"Approved {slot.commitment.label} ({slot.department.name}).")
    except PlanwatchError as exc:
        messages.error(request, exc.render())
    return redirect("tracker", pk=slot.round_id)


@analyst_required
@require_POST
def slot_return(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _load_slot(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_slot(
                slot.pk, user=signed_in(request), reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, f"Returned {slot.commitment.label} to {slot.department.name}."
            )
            return redirect("tracker", pk=slot.round_id)
        except PlanwatchError as exc:
            add_problems(form, exc)
    slot_form = SlotForm(initial={"text": slot.text, "rag": slot.rag, "version": slot.version})
    return render(
        request,
        "web/slot.html",
        _slot_context(request, slot, slot_form, return_form=form),
        status=400,
    )


@analyst_required
def slot_history(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _load_slot(request, pk)
    return render(
        request,
        "web/history.html",
        {
            "slot": slot,
            "entries": selectors.slot_history(slot),
            "emails": selectors.emails_about(slot),
        },
    )


def _warn_if_past(request: HttpRequest, deadline: date) -> None:
    """Say so when a deadline just set has already passed (most likely a mistyped date)."""
    if deadline < timezone.localdate():
        messages.warning(
            request,
            f"The deadline, {long_date(deadline)}, has already passed: owners will be told "
            "their commentary is overdue. Change it on the tracker if that is a mistake.",
        )


@analyst_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    existing = list(Round.objects.all())  # a refused form changes none of them
    form = OpenRoundForm(
        request.POST or None,
        today=timezone.localdate(),
        taken={r.quarter_label for r in existing},
        held=selectors.data_quarters(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.open_round(
                form.cleaned_data["quarter"], form.cleaned_data["deadline"], user=signed_in(request)
            )
            messages.success(
                request,
                f"Opened the {rnd.quarter_label} round with {rnd.slots.count()} commentary slots.",
            )
            _warn_if_past(request, rnd.deadline)
            return redirect("tracker", pk=rnd.pk)
        except PlanwatchError as exc:
            add_problems(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/rounds.html", {"rounds": existing, "form": form}, status=status)


@analyst_required
def tracker(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    slots = selectors.tracker_slots(rnd)
    shown = tracker_page(slots, request.GET)
    chase = selectors.chase_list(rnd, slots)
    return render(
        request,
        "web/tracker.html",
        {
            "round": rnd,
            "rows_html": tracker_rows_html(selectors.tracker_rows(shown.slots)),
            "shown": shown,
            "summary": selectors.tracker_summary(rnd, slots),
            "chase": chase,
            "chase_html": chase_html(chase),
            "versions": list(selectors.published_versions(rnd)),
            "approver_options": options_html(
                [("", "Nobody (no sign-off)"), *selectors.active_accounts()],
                rnd.approver_id,
            ),
            "unapproved": sum(s.state != SlotState.APPROVED for s in slots),
        },
        status=400 if shown.form.errors else 200,
    )


@analyst_required
def round_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every commentary of the round, commitment by commitment, grouped by department."""
    rnd = get_object_or_404(Round, pk=pk)
    asked = filters(request.GET, *selectors.round_departments_and_priorities(rnd))
    return render(
        request,
        "web/overview.html",
        {
            "round": rnd,
            "priorities": selectors.commentary_by_department(rnd, **asked.chosen),
            "shown": asked,
        },
        status=400 if asked.form.errors else 200,
    )


#: How an override's action reads on the overrides page.
ACTION_LABELS = {
    "": "No override",
    "pin": "Pin: lead the priority's key points",
    "promote": "Promote: into the key points",
    "demote": "Demote: to the analyst's notes",
    "suppress": "Suppress: leave it out",
    "reword": "Reword it",
    "add": "An analyst's own key point",
}
#: What can be done to an analyst's own key point on the overrides page.
ADDED_ACTION_LABELS = {"reword": "Reword it", "": "Remove it"}


def _priority_number(typed: str) -> int:
    if not typed.strip().isdigit():
        raise ConfigError(
            "choose the priority the key point belongs to",
            location=Location(field="priority"),
            expected="one of the plan's priorities",
        )
    return int(typed)


@analyst_required
@require_http_methods(["GET", "POST"])
def key_points(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarter's key points with the overrides on them: change one (pin, promote,
    demote, suppress, reword, or remove the override), and who changed what, when."""
    rnd = get_object_or_404(Round, pk=pk)
    if request.method == "POST":
        key = request.POST.get("key", "")
        text, reason = request.POST.get("text", ""), request.POST.get("reason", "")
        try:
            if request.POST.get("action") == "add":
                change = services.add_key_point(
                    rnd.pk,
                    priority=_priority_number(request.POST.get("priority", "")),
                    text=text,
                    reason=reason,
                    user=signed_in(request),
                )
                done = f"Added your key point '{change.key}'"
            else:
                services.set_key_point_override(
                    rnd.pk,
                    key,
                    action=request.POST.get("action", ""),
                    text=text,
                    reason=reason,
                    user=signed_in(request),
                )
                done = f"Saved the override of '{key}'"
        except PlanwatchError as exc:
            messages.error(request, exc.render())
        else:
            messages.success(request, f"{done}; the report and dashboard use it now.")
            # The dashboard's and editors' analysis with it, prepared by the worker now.
            reporting.dashboard_if_ready(parse_quarter(rnd.quarter))
        return redirect("key_points", pk=rnd.pk)
    return render(
        request,
        "web/key_points.html",
        {
            "round": rnd,
            "overview": reporting.key_point_overview(rnd),
            "actions": [(v, label) for v, label in ACTION_LABELS.items() if v != "add"],
            "labels": ACTION_LABELS,
            "added": selectors.added_key_points(),
            "added_actions": list(ADDED_ACTION_LABELS.items()),
            "changes": KeyPointOverrideChange.objects.filter(quarter=rnd.quarter).select_related(
                "changed_by"
            ),
        },
    )


@analyst_required
@require_POST
def chase(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    outcome = services.send_reminders(rnd, link=request.build_absolute_uri(reverse("todo")))
    for name in outcome.unreachable:
        messages.warning(request, f"{name} has no email address; chase them another way.")
    messages.success(
        request, f"Sent {outcome.sent} reminder email{'s' if outcome.sent != 1 else ''}."
    )
    return redirect("tracker", pk=rnd.pk)


@analyst_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation listing what will be missing; then publishing, the report built by a
    background job whose progress the version's page shows."""
    rnd = get_object_or_404(Round, pk=pk)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        initial={"unapproved": services.Unapproved.NOTICE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                version = services.publish(
                    rnd.pk, user=signed_in(request), unapproved=form.cleaned_data["unapproved"]
                )
                tasks.queue_report(version)
        except PlanwatchError as exc:
            add_problems(form, exc)
        else:
            messages.success(
                request,
                f"Published {rnd.quarter_label} version {version.number}; the report is being built.",
            )
            return redirect("published_version", pk=version.pk)
    missing = selectors.not_approved(rnd)
    return render(
        request,
        "web/publish.html",
        {
            "round": rnd,
            "form": form,
            "missing": missing,
            "submitted": sum(m.state == SlotState.SUBMITTED for m in missing),
            "total": rnd.slots.count(),
            "not_yet_approved": services.NOT_YET_APPROVED,
        },
        status=400 if request.method == "POST" else 200,
    )


@analyst_required
@require_http_methods(["GET", "POST"])
def round_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an open round's deadline; every change is kept in the round's history, listed here."""
    rnd = get_object_or_404(Round, pk=pk)
    form = DeadlineForm(request.POST or None, initial={"deadline": rnd.deadline})
    if request.method == "POST" and form.is_valid():
        deadline = form.cleaned_data["deadline"]
        try:
            services.change_deadline(rnd.pk, deadline, user=signed_in(request))
        except PlanwatchError as exc:
            add_problems(form, exc)
        else:
            messages.success(
                request, f"The deadline of {rnd.quarter_label} is now {long_date(deadline)}."
            )
            _warn_if_past(request, deadline)
            return redirect("tracker", pk=rnd.pk)
    return render(
        request,
        "web/deadline.html",
        {"round": rnd, "form": form, "changes": selectors.deadline_changes(rnd)},
        status=400 if request.method == "POST" else 200,
    )


@analyst_required
@require_POST
def round_approver(request: HttpRequest, pk: int) -> HttpResponse:
    """Name (or clear) who signs the round off before it is published."""
    rnd = get_object_or_404(Round, pk=pk)
    chosen = request.POST.get("approver", "")
    try:
        services.name_approver(
            rnd.pk, approver_id=int(chosen) if chosen.isdigit() else None, user=signed_in(request)
        )
    except PlanwatchError as exc:
        messages.error(request, exc.render())
    else:
        messages.success(
            request,
            "Sign-off requested: they have been emailed." if chosen else "No sign-off needed.",
        )
    return redirect("tracker", pk=rnd.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The named approver looks at what will be missing and signs the round off."""
    rnd = get_object_or_404(Round.objects.select_related("approver"), pk=pk)
    user = signed_in(request)
    if rnd.approver_id != user.pk:
        raise Forbidden("Only the named approver can sign this round off.")
    if request.method == "POST":
        try:
            services.sign_off(rnd.pk, user=user)
        except PlanwatchError as exc:
            messages.error(request, exc.render())
        else:
            messages.success(request, f"You have signed off {rnd.quarter_label} for publication.")
        return redirect("sign_off", pk=rnd.pk)
    return render(
        request,
        "web/sign_off.html",
        {"round": rnd, "missing": selectors.not_approved(rnd), "total": rnd.slots.count()},
    )


@analyst_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole report as it would read with every current draft (not published; HTML)."""
    rnd = get_object_or_404(Round, pk=pk)
    try:
        page = reporting.preview_report(rnd)
    except PlanwatchError as exc:
        messages.error(request, f"The preview could not be built: {exc.render()}")
        return redirect("tracker", pk=rnd.pk)
    response = HttpResponse(page.read_bytes(), content_type="text/html; charset=utf-8")
    response[CSP_HEADER] = REPORT_POLICY
    return response


@analyst_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    try:
        services.start_revision(rnd.pk, user=signed_in(request))
        messages.success(
            request,
            f"{rnd.quarter_label} is open for a revision. Return the commentary that needs changing; the published version stays until the new one is published.",
        )
    except PlanwatchError as exc:
        messages.error(request, exc.render())
    return redirect("tracker", pk=rnd.pk)


@analyst_required
@require_POST
def regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(PublishedVersion, pk=pk)
    if version.report_in_progress:
        messages.info(request, "The report is already being built.")
    else:
        tasks.queue_report(version)
        messages.info(request, "The report is being built again.")
    return redirect("published_version", pk=version.pk)


# --------------------------------------------------------------------------- spreadsheets


@contributor_required
def export_xlsx(request: HttpRequest, pk: int, dept: str) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    department = get_object_or_404(Department, slug=dept)
    check_department(request.user, department)
    data = spreadsheet.export_department(rnd, department)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="commentary-{rnd.quarter}-{department.slug}.xlsx"'
    )
    return response


@contributor_required
@require_http_methods(["GET", "POST"])
def import_xlsx(request: HttpRequest, pk: int, dept: str) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    department = get_object_or_404(Department, slug=dept)
    check_department(request.user, department)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = spreadsheet.import_department(
                rnd, department, upload, user=signed_in(request), filename=upload.name
            )
            messages.success(
                request,
                f"Imported {count} changed commentar{'ies' if count != 1 else 'y'} from {upload.name}.",
            )
            return redirect("todo")
        except PlanwatchError as exc:
            problems = [str(p) for p in exc.problems]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/import.html",
        {"round": rnd, "department": department, "form": form, "problems": problems},
        status=status,
    )


# --------------------------------------------------------------------------- readers


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rnd = selectors.current_round()
    quarter_text = request.GET.get("quarter") or (rnd.quarter_label if rnd else "")
    error = ""
    board = None
    if quarter_text:
        try:
            board = reporting.dashboard_if_ready(parse_quarter(quarter_text))
        except PlanwatchError as exc:
            error = exc.render()
    progress = selectors.department_progress(rnd) if rnd else []
    return render(
        request,
        "web/dashboard.html",
        {
            "board": board,
            "error": error,
            "quarter": quarter_text,
            "round": rnd,
            "progress": progress,
            "overdue": sum(p.overdue for p in progress),
        },
    )


def _public_or_login(request: HttpRequest) -> HttpResponseBase | None:
    if settings.PUBLIC_REPORTS or request.user.is_authenticated:
        return None
    return redirect_to_login(request.get_full_path())


def published(request: HttpRequest) -> HttpResponseBase:
    denied = _public_or_login(request)
    if denied:
        return denied
    return render(request, "web/published.html", {"versions": selectors.published_versions()})


def published_version(request: HttpRequest, pk: int) -> HttpResponseBase:
    denied = _public_or_login(request)
    if denied:
        return denied
    version = get_object_or_404(
        PublishedVersion.objects.select_related("round", "published_by"), pk=pk
    )
    entries = version.commentary.get("entries", [])
    titles = {
        slug: commitment_label(title, text)
        for slug, title, text in Commitment.objects.values_list("slug", "title", "text")
    }
    names = dict(Department.objects.values_list("slug", "name"))
    rows = [
        {
            **e,
            "commitment_label": titles.get(e["commitment"], e["commitment"]),
            "department_name": names.get(e["department"], e["department"]),
        }
        for e in entries
    ]
    files = [
        p.relative_to(reporting.version_dir(version)).as_posix()
        for p in reporting.report_files(version)
    ]
    return render(
        request,
        "web/version.html",
        {"version": version, "rows": rows, "files": files, "is_analyst": is_analyst(request.user)},
    )


def published_file(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    denied = _public_or_login(request)
    if denied:
        return denied
    version = get_object_or_404(PublishedVersion, pk=pk)
    folder = reporting.version_dir(version).resolve()
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        raise Http404("No such report file")
    response = FileResponse(
        path.open("rb"), as_attachment=path.suffix == ".pdf", filename=Path(name).name
    )
    response[CSP_HEADER] = REPORT_POLICY
    return response
