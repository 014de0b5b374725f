"""Table rows built in Python for the pages that list every slot of a round.

In: :class:`~planwatch.web.selectors.TrackerRow` and ``TodoRow`` objects. Out: safe HTML for
the rows of the tracker and to-do tables. The Django template engine resolves and escapes each variable through
several layers of calls; for a 120-slot round that was most of the tracker's time, so the
rows are formatted here instead, every text value escaped with :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from planwatch.web.selectors import ChaseRow, TodoRow, TrackerRow, state_label, state_tag

#: A slot's state as a GOV.UK tag.
TAG = '<strong class="govuk-tag govuk-tag--{colour}">{label}</strong>'


def tag_html(state: str, return_reason: str = "") -> SafeString:
    """A slot's state as a GOV.UK tag, its colour from :data:`~planwatch.web.selectors.STATE_TAGS`."""
    return mark_safe(
        TAG.format(
            colour=state_tag(state, return_reason),
            label=escape(state_label(state, return_reason)),
        )
    )


#: One tracker line (the columns of the table header in web/tracker.html).
TRACKER_ROW = (
    '<tr class="govuk-table__row state-{state}" data-slot="{pk}">'
    '<td class="govuk-table__cell">{commitment}</td><td class="govuk-table__cell">{department}</td>'
    '<td class="govuk-table__cell">{tag}</td><td class="govuk-table__cell">{saved}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{words}</td>'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{url}">Open'
    '<span class="govuk-visually-hidden"> {commitment} ({department})</span></a></td></tr>\n'
)


def tracker_rows_html(rows: Iterable[TrackerRow]) -> SafeString:
    """Every row, with each value escaped (numbers are formatted from ints)."""
    return mark_safe(
        "".join(
            TRACKER_ROW.format(
                pk=int(r.pk),
                state=escape(r.state),
                commitment=escape(r.commitment),
                department=escape(r.department),
                tag=TAG.format(colour=r.tag, label=escape(r.state_label)),
                saved=escape(r.saved),
                words=int(r.words),
                url=escape(r.url),
            )
            for r in rows
        )
    )


#: One to-do line (the columns of the table header in web/todo.html).
TODO_ROW = (
    '<tr class="govuk-table__row state-{state}" data-slot="{pk}">'
    '<td class="govuk-table__cell">{priority}</td>'
    '<td class="govuk-table__cell">{commitment}{detail}</td>'
    '<td class="govuk-table__cell">{department}</td>'
    '<td class="govuk-table__cell">{tag}{returned}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{words}</td>'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{url}">{action}'
    '<span class="govuk-visually-hidden"> {commitment} ({department})</span></a></td></tr>\n'
)
#: The commitment's full text under its short title (when the plan gives one).
DETAIL = '<br><span class="govuk-body-s">{text}</span>'

RETURNED = '<br><span class="govuk-body-s">Returned because: {reason}</span>'


def todo_rows_html(rows: Iterable[TodoRow]) -> SafeString:
    """Every to-do row, with each value escaped (numbers are formatted from ints)."""
    return mark_safe(
        "".join(
            TODO_ROW.format(
                pk=int(r.pk),
                state=escape(r.state),
                priority=int(r.priority),
                commitment=escape(r.commitment),
                detail=DETAIL.format(text=escape(r.commitment_text)) if r.commitment_text else "",
                department=escape(r.department),
                tag=TAG.format(colour=r.tag, label=escape(r.state_label)),
                returned=RETURNED.format(reason=escape(r.return_reason)) if r.return_reason else "",
                words=int(r.words),
                url=escape(r.url),
                action=escape(r.action),
            )
            for r in rows
        )
    )


def options_html(choices: Iterable[tuple[object, object]], selected: object) -> SafeString:
    """``<option>`` elements for a ``<select>``, escaped, with ``selected`` marked (Django's
    widget templates took a quarter of the tracker's time for its three filters)."""
    chosen = "" if selected is None else str(selected)
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"'
            + (" selected" if str(value) == chosen else "")
            + f">{escape(str(label))}</option>"
            for value, label in choices
        )
    )


#: One department in the tracker's list of who to chase.
CHASE_ITEM = "<li>{department}: {count} outstanding ({recipients})</li>\n"


def chase_html(rows: Iterable[ChaseRow]) -> SafeString:
    """The list of who to chase, escaped (40 departments through the template engine were
    a tenth of the tracker's time)."""
    return mark_safe(
        "".join(
            CHASE_ITEM.format(
                department=escape(r.department.name),
                count=len(r.slots),
                recipients=", ".join(escape(e) for e in r.recipients) or "no email address",
            )
            for r in rows
        )
    )
