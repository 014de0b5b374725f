"""Table rows built in Python for the pages that list every slot of a round.

In: :class:`~planwatch.web.selectors.TrackerRow` objects. Out: safe HTML for the rows of
the tracker table. The Django template engine resolves and escapes each variable through
several layers of calls; for a 120-slot round that was most of the tracker's time, so the
rows are formatted here instead, every text value escaped with :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from planwatch.web.selectors import TrackerRow

#: One tracker line (the columns of the table header in web/tracker.html).
TRACKER_ROW = (
    '<tr class="state-{state}" data-slot="{pk}"><td>{commitment}</td><td>{department}</td>'
    "<td>{state_label}</td><td>{saved}</td><td>{words}</td>"
    '<td><a href="{url}">Open<span class="visually-hidden"> {commitment} ({department_slug})'
    "</span></a></td></tr>\n"
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
                department_slug=escape(r.department_slug),
                state_label=escape(r.state_label),
                saved=escape(r.saved),
                words=int(r.words),
                url=escape(r.url),
            )
            for r in rows
        )
    )
