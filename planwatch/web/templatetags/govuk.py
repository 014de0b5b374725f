"""GOV.UK Design System markup for Django form fields and page furniture.

In: a bound form field, a form, or a slot's state. Out: safe HTML in the GOV.UK Frontend
classes (form group, label, hint, error message, the input with its error style; the error
summary; a state as a tag), every text escaped. One place writes this markup, so every form
of the app looks and behaves alike (https://design-system.service.gov.uk/components/).
"""

from __future__ import annotations

from html import escape

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from planwatch.web.forms import DATE_PARTS, GovukDateInput
from planwatch.web.rows import tag_html

register = template.Library()

#: The GOV.UK class of each kind of input, and its error modifier.
_INPUT_CLASS = (
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.ClearableFileInput, "govuk-file-upload"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.widgets.Input, "govuk-input"),
)


def _input_class(widget: forms.Widget) -> str:
    for kind, css in _INPUT_CLASS:
        if isinstance(widget, kind):
            return css
    return "govuk-input"


def _error_html(field: BoundField) -> str:
    if not field.errors:
        return ""
    text = " ".join(escape(str(e)) for e in field.errors)
    return (
        f'<p class="govuk-error-message" id="{field.auto_id}-error">'
        f'<span class="govuk-visually-hidden">Error:</span> {text}</p>'
    )


def _hint_html(field: BoundField) -> str:
    if not field.help_text:
        return ""
    return f'<div class="govuk-hint" id="{field.auto_id}_helptext">{escape(str(field.help_text))}</div>'


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


def _group(field: BoundField, inner: str) -> SafeString:
    css = "govuk-form-group" + (" govuk-form-group--error" if field.errors else "")
    return mark_safe(f'<div class="{css}" id="{field.auto_id}-group">{inner}</div>')


def _choices(field: BoundField, kind: str) -> str:
    """Checkboxes or radios, one GOV.UK item each (``kind``: 'checkboxes' or 'radios')."""
    items = []
    for option in field.subwidgets:
        data = option.data
        checked = " checked" if data.get("selected") else ""
        oid = escape(str(data["attrs"].get("id") or f"{field.auto_id}_{data['index']}"))
        items.append(
            f'<div class="govuk-{kind}__item"><input class="govuk-{kind}__input" id="{oid}" '
            f'name="{escape(field.html_name)}" type="{data["type"]}" '
            f'value="{escape(str(data["value"]))}"{checked}>'
            f'<label class="govuk-label govuk-{kind}__label" for="{oid}">'
            f"{escape(str(data['label']))}</label></div>"
        )
    described = _described_by(field)
    aria = f' aria-describedby="{described}"' if described else ""
    return (
        f'<fieldset class="govuk-fieldset"{aria}><legend class="govuk-fieldset__legend '
        f'govuk-fieldset__legend--s">{escape(str(field.label))}</legend>'
        f"{_hint_html(field)}{_error_html(field)}"
        f'<div class="govuk-{kind}{" govuk-checkboxes--small" if kind == "checkboxes" else ""}" '
        f'data-module="govuk-{kind}">{"".join(items)}</div></fieldset>'
    )


def _date_parts_in_error(field: BoundField) -> tuple[str, ...]:
    """The boxes of a date input to show in error: those left empty when some were filled,
    else all three (GOV.UK's date input pattern)."""
    if not field.errors:
        return ()
    typed = GovukDateInput().format_value(field.value())
    missing = tuple(part for part, _ in DATE_PARTS if not getattr(typed, part))
    if any(typed) and missing:
        return missing
    if any(str(e).startswith("Year ") for e in field.errors):
        return ("year",)
    return tuple(part for part, _ in DATE_PARTS)


def _date_input(field: BoundField) -> str:
    """GOV.UK's date input: a fieldset of three boxes (day, month, year) with the hint and
    the error message (https://design-system.service.gov.uk/components/date-input/)."""
    typed = GovukDateInput().format_value(field.value())
    in_error = _date_parts_in_error(field)
    boxes = []
    for part, label in DATE_PARTS:
        box_id = f"{field.auto_id}-{part}"
        css = "govuk-input govuk-date-input__input " + (
            "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
        )
        css += " govuk-input--error" if part in in_error else ""
        boxes.append(
            f'<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{box_id}">{label}</label>'
            f'<input class="{css}" id="{box_id}" name="{escape(field.html_name)}-{part}" '
            f'type="text" inputmode="numeric" autocomplete="off" spellcheck="false" '
            f'value="{escape(getattr(typed, part))}"></div></div>'
        )
    described = _described_by(field)
    aria = f' aria-describedby="{described}"' if described else ""
    return (
        f'<fieldset class="govuk-fieldset"{aria}><legend class="govuk-fieldset__legend '
        f'govuk-fieldset__legend--s">{escape(str(field.label))}</legend>'
        f"{_hint_html(field)}{_error_html(field)}"
        f'<div class="govuk-date-input" id="{field.auto_id}">{"".join(boxes)}</div></fieldset>'
    )


@register.simple_tag
def govuk_field(field: BoundField) -> SafeString:
    """One field as a GOV.UK form group."""
    widget = field.field.widget
    if isinstance(widget, GovukDateInput):
        return _group(field, _date_input(field))
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return _group(field, _choices(field, "checkboxes"))
    if isinstance(widget, forms.RadioSelect):
        return _group(field, _choices(field, "radios"))
    described = _described_by(field)
    attrs: dict[str, str | bool] = {}
    if described:
        attrs["aria-describedby"] = described
    if isinstance(widget, forms.CheckboxInput):
        attrs["class"] = "govuk-checkboxes__input"
        inner = (
            f'<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            f'<div class="govuk-checkboxes__item">{field.as_widget(attrs=attrs)}'
            f'<label class="govuk-label govuk-checkboxes__label" for="{field.id_for_label}">'
            f"{escape(str(field.label))}</label></div></div>"
        )
        return _group(field, _error_html(field) + inner + _hint_html(field))
    css = _input_class(widget)
    if field.errors:
        css += f" {css}--error"
        attrs["aria-invalid"] = "true"
    attrs["class"] = css
    label = (
        f'<label class="govuk-label" for="{field.id_for_label}">{escape(str(field.label))}</label>'
    )
    return _group(
        field, label + _hint_html(field) + _error_html(field) + field.as_widget(attrs=attrs)
    )


@register.inclusion_tag("web/_error_summary.html")
def error_summary(form: forms.BaseForm | None, *extra: str) -> dict[str, object]:
    """GOV.UK's error summary for ``form``: each error a link to its field (errors not
    about one field, and any ``extra`` messages, link to the form)."""
    links: list[tuple[str, str]] = []
    if form is not None and form.is_bound:
        links += [("", str(e)) for e in form.non_field_errors()]
        for field in form:
            target = field.auto_id
            if isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                target = f"{field.auto_id}_0"
            if isinstance(field.field.widget, GovukDateInput):  # the first box in error
                target = f"{field.auto_id}-{(_date_parts_in_error(field) or ('day',))[0]}"
            links += [(target, str(e)) for e in field.errors]
    links += [("", m) for m in extra if m]
    return {"links": links}


@register.simple_tag
def state_tag_html(state: str, return_reason: str = "") -> SafeString:
    """A slot's state as a GOV.UK tag (colour and words; the words carry the meaning)."""
    return tag_html(state, return_reason)


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    """``mapping[key]`` in a template (blank when absent)."""
    return mapping.get(key, "")
