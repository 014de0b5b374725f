"""The tracker's filters and pages.

In: a round's slots as the tracker reads them (:class:`~planwatch.web.selectors.TrackerSlot`,
one query) and the query string (``state``, ``department``, ``priority``, ``page``). Out: the
slots on this page, the filter form (offering only the departments and priorities the round
holds, with a clear error for anything else) and links to the other pages. The summary and
the list of who to chase still count the whole round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.forms import ChoiceField
from django.utils.safestring import SafeString

from planwatch.web.forms import TrackerFilterForm
from planwatch.web.rows import options_html
from planwatch.web.selectors import TrackerSlot

#: Slots on one tracker page: a typical plan's whole round (30-100 commitment-department
#: pairs) fits on one page; larger rounds are paged, and the filters narrow them further.
PAGE_SIZE = 100
#: The query-string fields that choose which slots are shown (``page`` is kept apart).
FILTERS = ("state", "department", "priority")


@dataclass(frozen=True)
class TrackerPage:
    """One page of the tracker: its slots, the filter form and where the other pages are."""

    slots: list[TrackerSlot]
    page: Page  # type: ignore[type-arg]
    form: TrackerFilterForm
    options: dict[str, SafeString]  # each filter's <option>s, the one asked for selected
    filtered: bool
    previous_url: str
    next_url: str


@dataclass(frozen=True)
class Filters:
    """The filter form as asked for: the form (its errors), each filter's <option>s with
    the one asked for selected, and the valid filters chosen (``state``, ``department``,
    ``priority``: only those given)."""

    form: TrackerFilterForm
    options: dict[str, SafeString]
    chosen: dict[str, Any]


def filters(
    query: Mapping[str, Any],
    departments: list[tuple[str, str]],
    priorities: list[tuple[int, str]],
) -> Filters:
    """Read the filters in ``query``, offering only ``departments`` (slug, name) and
    ``priorities`` (number, title); a wrong value is reported and that filter left out."""
    form = TrackerFilterForm(query, departments=departments, priorities=priorities)
    form.is_valid()
    chosen = {k: v for k, v in form.cleaned_data.items() if k in FILTERS and v not in ("", None)}
    options = {name: options_html(_choices(form, name), form.data.get(name)) for name in FILTERS}
    return Filters(form, options, chosen)


def tracker_page(slots: list[TrackerSlot], query: Mapping[str, Any]) -> TrackerPage:
    """Filter ``slots`` by the valid filters in ``query`` and cut out the page it asks for."""
    departments = sorted({s.department for s in slots}, key=lambda d: d.name)
    priorities = sorted({s.priority for s in slots}, key=lambda p: p.number)
    asked = filters(
        query,
        [(d.slug, d.name) for d in departments],
        [(p.number, p.title) for p in priorities],
    )
    form, chosen = asked.form, asked.chosen
    shown = [s for s in slots if _matches(s, chosen)]
    page = Paginator(shown, PAGE_SIZE).get_page(form.cleaned_data.get("page") or 1)
    return TrackerPage(
        slots=list(page.object_list),
        page=page,
        form=form,
        options=asked.options,
        filtered=bool(chosen),
        previous_url=_page_url(chosen, page.previous_page_number()) if page.has_previous() else "",
        next_url=_page_url(chosen, page.next_page_number()) if page.has_next() else "",
    )


def _choices(form: TrackerFilterForm, name: str) -> list[tuple[object, object]]:
    """A filter's (value, label) pairs, as the form validates them."""
    return cast("list[tuple[object, object]]", cast(ChoiceField, form.fields[name]).choices)


def _matches(slot: TrackerSlot, chosen: Mapping[str, Any]) -> bool:
    return (
        chosen.get("state", slot.state) == slot.state
        and chosen.get("department", slot.department.slug) == slot.department.slug
        and chosen.get("priority", slot.priority.number) == slot.priority.number
    )


def _page_url(chosen: Mapping[str, Any], number: int) -> str:
    return "?" + urlencode({**chosen, "page": number})
