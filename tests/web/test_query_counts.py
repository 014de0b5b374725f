"""The hot pages and every list run a fixed number of SQL queries however large the round.

In: a generated plan with one department owning ``n`` commitments (so the owner's to-do
list and the analyst's tracker both show ``n`` slots, with saved drafts) and ``n // 10``
extra accounts. Out: the number of queries each page runs, pinned, and the same for a
round of N and of 2N slots (no N+1 queries): the tracker (whole, filtered and its second
page once 2N passes the page size), the round overview (whole and filtered), to-do list, editor, autosave, rounds, users, published.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web_helpers import PASSWORD, client_for

from planwatch.web.tracker import PAGE_SIZE

SMALL, LARGE = 60, 120  # N and 2N; 2N is more than a tracker page (PAGE_SIZE 100)
#: Queries each page runs: the user with their role (one join; the session comes from the
#: cache), then the page's own reads. to-do list: open round, the owner's departments, their
#: slots. editor: the slot, departments, last quarter's text, the plan's RAG meanings. autosave: the slot (locked),
#: departments, update, history row, plus a savepoint and its release here because the test
#: itself runs inside a transaction (5 in production). tracker: round, slots, chase emails, versions, accounts (the approver choice). rounds:
#: the list. users: departments for the form, memberships, accounts, sign-in lock-outs.
#: published: the list. overview (whole or filtered): the round, the departments and
#: priorities it holds (for the filters), the commentary shown.
EXPECTED = {
    "tracker": 6,
    "tracker filtered": 6,
    "tracker page 2": 6,
    "todo": 4,
    "editor": 5,
    "autosave": 7,
    "rounds": 2,
    "users": 5,
    "published": 2,
    "overview": 4,
    "overview filtered": 4,
}
#: One slot in this many has a saved draft (so per-row "last saved by" lookups would show).
DRAFTED_EVERY = 5


def _plan_yaml(n: int) -> str:
    lines = [
        "metadata: {title: Q, organisation: Q, area: Q, plan_period: 2024-2028}",
        "departments:",
        "  - {id: dept-a, name: Department A, email: a@example.org}",
        "priorities:",
        "  - number: 1",
        "    title: Everything",
        "    objective: All of it.",
        "    commitments:",
    ]
    for c in range(n):
        lines += [f"      - {{id: c-{c:03d}, text: Commitment {c}., owners: [dept-a]}}"]
    return "\n".join(lines) + "\n"


def _world(tmp_path, n: int):
    from planwatch.plan.load import load_plan
    from planwatch.web import services
    from planwatch.web.models import Slot

    path = tmp_path / f"plan-{n}.yaml"
    path.write_text(_plan_yaml(n))
    services.import_plan(load_plan(path))
    analyst = services.set_user(f"analyst{n}", role="analyst", password=PASSWORD)
    owner = services.set_user(
        f"owner{n}", role="owner", departments=("dept-a",), email="o@example.org", password=PASSWORD
    )
    for extra in range(n // 10):  # the users page lists more accounts as well
        services.set_user(f"reader{n}-{extra}", role="reader")
    rnd = services.open_round("2024/25 Q1", date.today() + timedelta(days=7), user=analyst)
    slots = list(Slot.objects.filter(round=rnd))
    for slot in slots[: n // DRAFTED_EVERY]:  # some drafted: "last saved by", word counts
        services.save_draft(slot.pk, user=owner, text="Some words.", rag="", expected_version=0)
    return analyst, owner, rnd, slots[0]


def _count(client, method: str, url: str, data: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _counts(tmp_path, n: int) -> dict[str, int]:
    analyst, owner, rnd, slot = _world(tmp_path, n)
    as_analyst, as_owner = client_for(analyst), client_for(owner)
    edit = reverse("slot", args=[slot.pk])
    tracker = reverse("tracker", args=[rnd.pk])
    html = as_analyst.get(tracker).content.decode()
    # The tracker lists the slots (a page of them), with who saved it and its word count.
    on_page = min(n, PAGE_SIZE)
    assert html.count('data-slot="') == on_page
    assert f'<a class="govuk-link" href="{edit}">Open' in html
    assert html.count(f"{owner.username}, ") == n // DRAFTED_EVERY
    assert (
        html.count('govuk-table__cell--numeric">2</td>') == n // DRAFTED_EVERY
    )  # "Some words." is two words
    page2 = as_analyst.get(tracker, {"page": 2}).content.decode()
    assert page2.count('data-slot="') == n - PAGE_SIZE if n > PAGE_SIZE else on_page
    assert as_owner.get(reverse("todo")).content.decode().count('data-slot="') == n
    # The overview lists the whole round on one page; filtered, only what matches.
    overview = reverse("round_overview", args=[rnd.pk])
    assert as_analyst.get(overview).content.decode().count('data-slot="') == n
    drafts = as_analyst.get(overview, {"state": "draft", "department": "dept-a"})
    assert drafts.content.decode().count('data-slot="') == n // DRAFTED_EVERY
    counts = {
        "tracker": _count(as_analyst, "get", tracker),
        "tracker filtered": _count(as_analyst, "get", tracker + "?state=draft&priority=1"),
        "tracker page 2": _count(as_analyst, "get", tracker + "?page=2"),
        "todo": _count(as_owner, "get", reverse("todo")),
        "editor": _count(as_owner, "get", edit),
        "rounds": _count(as_analyst, "get", reverse("rounds")),
        "users": _count(as_analyst, "get", reverse("users")),
        "published": _count(as_analyst, "get", reverse("published")),
        "overview": _count(as_analyst, "get", overview),
        "overview filtered": _count(as_analyst, "get", overview + "?state=draft&priority=1"),
    }
    slot.refresh_from_db()
    counts["autosave"] = _count(
        as_owner,
        "post",
        reverse("slot_autosave", args=[slot.pk]),
        {"text": "New words.", "rag": "green", "version": str(slot.version)},
    )
    return counts


@pytest.mark.django_db(transaction=False)
def test_query_counts_do_not_grow_with_the_round(tmp_path):
    from django.db import transaction

    # Two independent worlds in one test: roll the first back before building the second.
    with transaction.atomic():
        small = _counts(tmp_path, SMALL)
        transaction.set_rollback(True)
    large = _counts(tmp_path, LARGE)
    assert small == large, f"queries grew with the round: {small} for {SMALL}, {large} for {LARGE}"
    assert large == EXPECTED


def test_tracker_rows_escape_every_value():
    from planwatch.web.rows import tracker_rows_html
    from planwatch.web.selectors import TrackerRow

    row = TrackerRow(
        pk=7,
        state="draft",
        commitment="c-1",
        department='<script>alert("x")</script> & Co',
        department_slug="d",
        state_label="Draft",
        tag="turquoise",
        saved="o'brien, 1 Jan 09:00",
        words=3,
        url="/slots/7/",
    )
    html = tracker_rows_html([row])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert "o&#x27;brien" in html and 'href="/slots/7/">' in html
