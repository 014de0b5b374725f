"""Forms: check what people type and keep it when it is wrong.

In: POST data. Out: cleaned values, or form errors shown beside the field with the
typed text still in it. Length limits come from the plan's commentary contract.
"""

from __future__ import annotations

from typing import Any

from django import forms

from planwatch.errors import PlanwatchError
from planwatch.periods import parse_quarter
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web.models import MAX_REASON_CHARS, Rag

#: Largest spreadsheet accepted for import (a department's slots take a few kilobytes).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class OpenRoundForm(forms.Form):
    quarter = forms.CharField(max_length=32, help_text="For example 2024/25 Q1")
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_quarter(self) -> str:
        text = self.cleaned_data["quarter"]
        try:
            return parse_quarter(text).label
        except PlanwatchError as exc:
            raise forms.ValidationError(
                exc.problems[0].message + "; expected a quarter such as 2024/25 Q1"
            ) from exc


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
    rag = forms.ChoiceField(
        required=False, choices=[("", "No RAG status"), *Rag.choices], label="RAG status"
    )
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
