"""The tracker's filters (state, department, priority) and pages, and its "last saved" times."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone
from web_helpers import client_for, slot_of

from planwatch.web import services, tracker
from planwatch.web.selectors import SAVED_AT_FORMAT, month_abbreviations, saved_at

# The test plan's round: p1-neighbourhood (north), p1-shared (north, comms),
# p2-reporting (comms), p2-south (south): five slots.


@pytest.fixture
def drafted(rnd, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    services.save_draft(slot.pk, user=north, text="Some words.", rag="", expected_version=0)
    return rnd


#: How the tracker names p1-shared (no title in the plan: its text).
SHARED = "Tell residents what their local teams are doing."


def _shown(client, rnd, **query):
    r = client.get(reverse("tracker", args=[rnd.pk]), query)
    html = r.content.decode()
    rows = re.findall(
        r'<tr class="govuk-table__row state-[a-z_]+" data-slot="\d+">'
        r'<td class="govuk-table__cell">([^<]+)</td><td class="govuk-table__cell">([^<]+)</td>',
        html,
    )
    return r.status_code, html, sorted(rows)


def test_filters_narrow_the_rows_and_can_be_combined(drafted, analyst):
    c = client_for(analyst)
    status, _, rows = _shown(c, drafted)
    assert status == 200 and len(rows) == 5
    _, html, rows = _shown(c, drafted, state="draft")
    assert rows == [("Neighbourhood policing", "North Local Policing Area")]
    assert "Showing 1 to 1 of 1 slot matching the filters." in html
    _, _, rows = _shown(c, drafted, department="comms")
    assert rows == [
        ("Make it easier to report crime online and by phone.", "Media and Communications"),
        ("Tell residents what their local teams are doing.", "Media and Communications"),
    ]
    _, _, rows = _shown(c, drafted, priority="1")
    assert [r[0] for r in rows] == ["Neighbourhood policing", *[SHARED] * 2]
    _, _, rows = _shown(c, drafted, priority="1", department="north-lpa", state="not_started")
    assert rows == [(SHARED, "North Local Policing Area")]
    _, html, rows = _shown(c, drafted, priority="2", state="approved")
    assert rows == [] and "No slots match these filters." in html


def test_the_summary_and_chase_list_still_count_the_whole_round(drafted, analyst):
    _, html, _ = _shown(client_for(analyst), drafted, department="comms")
    assert (
        '<dt class="govuk-summary-list__key">Total</dt><dd class="govuk-summary-list__value">5</dd>'
        in html
    )
    assert (
        '<dt class="govuk-summary-list__key">Draft</dt><dd class="govuk-summary-list__value">1</dd>'
        in html
    )
    assert "North Local Policing Area: 2 outstanding" in html


def test_the_filters_offer_only_what_the_round_holds(drafted, analyst):
    _, html, _ = _shown(client_for(analyst), drafted)
    filters = html[html.index("<form") : html.index('id="approver-form"')]
    options = re.findall(r'<option value="([^"]*)"', filters)
    assert options == [
        *["", "not_started", "draft", "submitted", "approved"],
        *["", "comms", "north-lpa", "south-lpa"],  # by name: Media, North, South
        *["", "1", "2"],
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"state": "lost"}, "&#x27;lost&#x27; is not a state"),
        ({"department": "nowhere"}, "No department &#x27;nowhere&#x27; has commentary"),
        ({"priority": "9"}, "No priority &#x27;9&#x27; has commentary"),
        ({"page": "two"}, "The page must be a whole number"),
        ({"page": "0"}, "The page must be 1 or more"),
    ],
)
def test_a_wrong_filter_is_reported_and_left_out(drafted, analyst, query, message):
    status, html, rows = _shown(client_for(analyst), drafted, **query)
    assert status == 400
    assert message in html
    assert len(rows) == 5  # the wrong filter is not applied


def test_a_wrong_filter_does_not_undo_the_right_ones(drafted, analyst):
    status, _, rows = _shown(client_for(analyst), drafted, state="draft", priority="9")
    assert status == 400 and rows == [("Neighbourhood policing", "North Local Policing Area")]


def test_large_rounds_are_paged_and_the_links_keep_the_filters(drafted, analyst, monkeypatch):
    monkeypatch.setattr(tracker, "PAGE_SIZE", 2)
    c = client_for(analyst)
    _, html, first = _shown(c, drafted)
    assert len(first) == 2 and "Showing 1 to 2 of 5 slots." in html and "Page 1 of 3" in html
    assert 'href="?page=2" rel="next"' in html and 'rel="prev"' not in html
    _, html, second = _shown(c, drafted, page="2")
    assert len(second) == 2 and not set(first) & set(second)
    assert 'href="?page=1" rel="prev"' in html and 'href="?page=3" rel="next"' in html
    _, html, last = _shown(c, drafted, page="99")  # past the end: the last page
    assert len(last) == 1 and "Page 3 of 3" in html
    assert len(set(first + second + last)) == 5  # every slot on exactly one page
    _, html, rows = _shown(c, drafted, priority="1")
    assert 'href="?priority=1&amp;page=2" rel="next"' in html
    _, html, rows = _shown(c, drafted, priority="1", page="2")
    assert len(rows) == 1 and "Showing 3 to 3 of 3 slots matching the filters." in html


@pytest.mark.parametrize(
    "when",
    [
        datetime(2024, 1, 5, 9, 7, tzinfo=UTC),  # GMT
        datetime(2024, 7, 15, 23, 30, tzinfo=UTC),  # BST: the next day in London
        datetime(2024, 3, 31, 0, 59, tzinfo=UTC),  # the hour before the clocks go forward
        datetime(2024, 10, 27, 1, 0, tzinfo=UTC),  # as the clocks go back
    ],
)
def test_saved_times_read_as_django_formats_them(when):
    expected = dateformat.format(timezone.localtime(when), SAVED_AT_FORMAT)
    assert saved_at(when, month_abbreviations()) == expected
    assert saved_at(when, month_abbreviations(), timezone.get_current_timezone()) == expected


def test_the_chosen_filter_stays_selected_and_options_are_escaped(drafted, analyst):
    from planwatch.web.rows import options_html

    _, html, _ = _shown(client_for(analyst), drafted, department="comms", priority="2")
    assert '<option value="comms" selected>Media and Communications</option>' in html
    assert '<option value="2" selected>2. Supporting victims</option>' in html
    assert '<option value="" selected>Any state</option>' in html
    assert str(options_html([("<x>", 'A "b" & c')], "<x>")) == (
        '<option value="&lt;x&gt;" selected>A &quot;b&quot; &amp; c</option>'
    )


def test_the_chase_list_names_who_to_email_and_escapes_names(drafted, analyst):
    from planwatch.web.rows import chase_html
    from planwatch.web.selectors import ChaseRow, DepartmentRef

    _, html, _ = _shown(client_for(analyst), drafted)
    chase = html[html.index('id="chase">') :].split("</ul>")[0]
    assert (
        "<li>North Local Policing Area: 2 outstanding (nora@example.org, north@example.org)</li>"
        in chase
    )
    assert "<li>South Local Policing Area: 1 outstanding (no email address)</li>" in chase
    dept = DepartmentRef(1, "<b>R&D</b>", "rd", "")
    assert str(chase_html([ChaseRow(dept, (), ("a<b@example.org",))])) == (
        "<li>&lt;b&gt;R&amp;D&lt;/b&gt;: 0 outstanding (a&lt;b@example.org)</li>\n"
    )


def _overview(client, rnd, **query):
    r = client.get(reverse("round_overview", args=[rnd.pk]), query)
    html = r.content.decode()
    return r.status_code, html, sorted(int(pk) for pk in re.findall(r'data-slot="(\d+)"', html))


def test_the_overview_filters_by_department_state_and_priority(drafted, analyst):
    c = client_for(analyst)
    pks = {
        (s.commitment.slug, s.department.slug): s.pk
        for s in drafted.slots.select_related("commitment", "department")
    }
    status, html, shown = _overview(c, drafted)
    assert status == 200 and shown == sorted(pks.values()) and "Clear filters" not in html
    _, html, shown = _overview(c, drafted, department="comms")
    assert shown == sorted([pks["p1-shared", "comms"], pks["p2-reporting", "comms"]])
    assert "matching the filters" in html and "Clear filters" in html
    assert '<option value="comms" selected>' in html
    _, _, shown = _overview(c, drafted, state="draft")
    assert shown == [pks["p1-neighbourhood", "north-lpa"]]
    _, _, shown = _overview(c, drafted, department="north-lpa", priority="2")
    assert shown == []
    _, html, _ = _overview(c, drafted, department="north-lpa", priority="2")
    assert "No commentary matches these filters." in html


def test_a_wrong_overview_filter_is_reported_and_left_out(drafted, analyst):
    status, html, shown = _overview(
        client_for(analyst), drafted, department="nowhere", state="draft"
    )
    assert status == 400
    assert "Some filters were not used" in html and "No department &#x27;nowhere&#x27;" in html
    assert shown == [slot_of(drafted, "p1-neighbourhood", "north-lpa").pk]  # state still applies
