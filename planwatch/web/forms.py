"""Forms: check what people type and keep it when it is wrong.

In: POST data. Out: cleaned values, or form errors shown beside the field with the
typed text still in it. Length limits come from the plan's commentary contract.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date
from typing import Any, NamedTuple, cast

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.urls import reverse

from planwatch.errors import PlanwatchError
from planwatch.periods import Month, Quarter, parse_quarter
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web.models import MAX_REASON_CHARS, EmailKind, Rag, Role, SlotState
from planwatch.web.services import emails
from planwatch.web.services.publishing import Unapproved

#: Longest password accepted (Django's own forms allow any length; this bounds the hashing work).
MAX_PASSWORD_CHARS = 128
#: Largest spreadsheet accepted for import (a department's slots take a few kilobytes).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def add_problems(form: forms.Form, exc: PlanwatchError) -> None:
    """Show each problem of ``exc`` beside its field (or above the form), capitalised."""
    for problem in exc.problems:
        field = problem.location.field
        text = problem.message[:1].upper() + problem.message[1:]
        if problem.expected:
            text += f"; expected {problem.expected}"
        form.add_error(field if field in form.fields else None, text)


#: Dates are entered as GOV.UK's date input pattern asks: three boxes, day, month and year
#: (https://design-system.service.gov.uk/patterns/dates/), so the order is never in doubt,
#: whatever the browser's language (its date picker would follow that, and GOV.UK advises
#: against it).
UK_DATE_HINT = "For example, 31 7 2024"
#: The three boxes, in the order they are shown, with their labels.
DATE_PARTS = (("day", "Day"), ("month", "Month"), ("year", "Year"))
#: Month names (and their first three letters) read in the month box, as GOV.UK advises.
_MONTH_NAMES = {
    name: number
    for number, full in enumerate(calendar.month_name)
    if number
    for name in (full.lower(), full[:3].lower())
}


class DateParts(NamedTuple):
    """What was typed in a date input's three boxes, as typed."""

    day: str = ""
    month: str = ""
    year: str = ""


class GovukDateInput(forms.Widget):
    """GOV.UK's date input: the boxes ``<name>-day``, ``<name>-month`` and ``<name>-year``
    (written by the ``govuk_field`` template tag). Its value is a :class:`DateParts`."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> DateParts:
        return DateParts(*(str(data.get(f"{name}-{part}", "")).strip() for part, _ in DATE_PARTS))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part, _ in DATE_PARTS)

    def format_value(self, value: Any) -> DateParts:  # type: ignore[override]
        if isinstance(value, date):
            return DateParts(str(value.day), str(value.month), str(value.year))
        return value if isinstance(value, DateParts) else DateParts()


class GovukDateField(forms.Field):
    """A date entered in GOV.UK's three boxes, with GOV.UK's error messages, which name the
    date (``name``): "Deadline must include a month", "Deadline must be a real date"."""

    widget = GovukDateInput

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.error_messages["required"] = f"Enter the {name.lower()}"

    def to_python(self, value: Any) -> date | None:
        parts = value if isinstance(value, DateParts) else DateParts()
        if not any(parts):
            return None
        missing = [part for part, _ in DATE_PARTS if not getattr(parts, part)]
        if missing:
            raise forms.ValidationError(f"{self.name} must include a {' and '.join(missing)}")
        month = _MONTH_NAMES.get(parts.month.lower(), parts.month)
        if not all(str(p).isdigit() for p in (parts.day, month, parts.year)):
            raise forms.ValidationError(f"{self.name} must be a real date")
        if len(parts.year) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return date(int(parts.year), int(month), int(parts.day))
        except ValueError:
            raise forms.ValidationError(f"{self.name} must be a real date") from None


def deadline_field(label: str) -> GovukDateField:
    return GovukDateField(name="Deadline", label=label, help_text=UK_DATE_HINT)


#: How many recent quarters the form opening a round offers: the current one and those
#: before it, as many as a four-year Police and Crime Plan has.
QUARTERS_OFFERED = 16


def quarter_choices(
    today: date, taken: Collection[str], kept: str = "", held: Collection[Quarter] = ()
) -> list[tuple[str, str]]:
    """The quarters a round can be opened for, newest first: the recent ones and every
    quarter the store holds data for (``held``: a project whose data lag more than the
    recent quarters can still open a round for them), each once, leaving out those that
    have a round (``taken``, as labels); ``kept``, a value sent that is not among them,
    comes first, so that a refused form shows what was sent."""
    current = Month(today.year, today.month).quarter
    recent = {current.shift(-i) for i in range(QUARTERS_OFFERED)}
    labels = [q.label for q in sorted(recent | set(held), reverse=True)]
    choices = [(label, label) for label in labels if label not in taken]
    if kept and kept not in labels:
        choices.insert(0, (kept, kept))
    return choices


class OpenRoundForm(forms.Form):
    """The quarter, chosen from a list (the latest quarter that has ended, by default), and
    the deadline."""

    quarter = forms.CharField(
        max_length=32, help_text="The quarter the commentary reports on", widget=forms.Select
    )
    deadline = deadline_field("Deadline")

    def __init__(
        self,
        *args: Any,
        today: date,
        taken: Collection[str] = (),
        held: Collection[Quarter] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kept = str(self.data.get("quarter", "")) if self.is_bound else ""
        choices = quarter_choices(today, taken, kept, held)
        cast(forms.Select, self.fields["quarter"].widget).choices = choices
        ended = Month(today.year, today.month).quarter.previous.label
        offered = [value for value, _ in choices]
        self.initial.setdefault("quarter", ended if ended in offered else next(iter(offered), ""))

    def clean_quarter(self) -> str:
        text = self.cleaned_data["quarter"]
        try:
            return parse_quarter(text).label
        except PlanwatchError as exc:
            raise forms.ValidationError(
                exc.problems[0].message + "; expected a quarter such as 2024/25 Q1"
            ) from exc


class DeadlineForm(forms.Form):
    """A new deadline for an open round."""

    deadline = deadline_field("New deadline")


#: The editor's RAG choices (blank: none).
RAG_CHOICES: list[tuple[object, object]] = [("", "No RAG status"), *Rag.choices]


class SlotForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_COMMENTARY_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "maxlength": MAX_COMMENTARY_CHARS}),
        error_messages={
            "max_length": "Commentary can be at most %(limit_value)s characters (it has %(show_value)s)."
        },
    )
    rag = forms.ChoiceField(required=False, choices=RAG_CHOICES, label="RAG status")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the commentary is being returned."},
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Spreadsheet (.xlsx)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Upload the .xlsx file exported from this page.")
        return upload


class TrackerFilterForm(forms.Form):
    """The tracker's filters (a GET form). Each offers only what the round holds."""

    state = forms.ChoiceField(
        required=False,
        choices=[("", "Any state"), *SlotState.choices],
        error_messages={"invalid_choice": "'%(value)s' is not a state; choose one from the list."},
    )
    department = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "No department '%(value)s' has commentary in this round; choose one from the list."
        },
    )
    priority = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": "No priority '%(value)s' has commentary in this round; choose one from the list."
        },
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": "The page must be a whole number such as 2.",
            "min_value": "The page must be 1 or more.",
        },
    )

    def __init__(
        self,
        data: Any,
        *,
        departments: list[tuple[str, str]],
        priorities: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        dept = cast(forms.ChoiceField, self.fields["department"])
        prio = cast(forms.ChoiceField, self.fields["priority"])
        dept.choices = [("", "Any department"), *departments]
        prio.choices = [("", "Any priority"), *((str(n), f"{n}. {t}") for n, t in priorities)]


class AccountForm(forms.Form):
    """An account's role, departments and email, and whether it can sign in (passwords are
    chosen by their holders, through the emailed link)."""

    email = forms.EmailField(required=False, max_length=254)
    role = forms.ChoiceField(choices=Role.choices)
    departments = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Commitment owners edit only their departments' commentary.",
        error_messages={
            "invalid_choice": "There is no department '%(value)s'; choose from the list."
        },
    )
    active = forms.BooleanField(
        required=False, label="Can sign in", help_text="Untick to deactivate the account."
    )

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["departments"]).choices = departments

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.OWNER and not data.get("departments"):
            self.add_error(
                "departments", "A commitment owner must belong to at least one department."
            )
        return data


class NewAccountForm(AccountForm):
    """A new account: a username nobody has and an email address, to which an invitation
    to choose a password is sent (the analyst never chooses it)."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )
    field_order = ("username", "email", "role", "departments")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["active"]
        self.fields["email"].required = True
        self.fields["email"].help_text = "The invitation to choose a password is sent here."
        self.fields["email"].error_messages["required"] = (
            "Enter the person's email address, for the invitation."
        )


class AuditedPasswordResetForm(PasswordResetForm):
    """Django's password reset form, its email sent and recorded as every other email is."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        link = emails.site_url(
            reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        emails.send(
            EmailKind.PASSWORD_RESET,
            [to_email],
            "Choose a new password for the quarterly commentary",
            (
                f"Dear colleague,\n\nSomeone (we hope you) asked to reset the password of the "
                f"account {user.get_username()}. Choose a new one here (the link works once):\n"
                f"{link}\n\nIf it was not you, ignore this email: your password is unchanged."
                + emails.SIGN_OFF
            ),
            account=user,
        )


class PublishForm(forms.Form):
    """The publish confirmation: what to do with commentary submitted but not approved."""

    unapproved = forms.ChoiceField(
        choices=Unapproved.choices,
        widget=forms.RadioSelect,
        label="Commentary that has been submitted but not approved",
        error_messages={
            "required": "Choose what to do with submitted commentary not yet approved."
        },
    )
