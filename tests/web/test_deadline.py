"""The round's deadline: entered in GOV.UK's date input (day, month and year boxes, with
GOV.UK's error messages), a warning when it is set in the past, and an analyst moves it
later, each change kept in the round's history (who, when, from and to) and listed on its
page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from web_helpers import client_for, date_boxes, slot_of

from planwatch.errors import CommentaryError
from planwatch.web import services
from planwatch.web.models import Round
from planwatch.web.permissions import Forbidden

PAST = "has already passed: owners will be told their commentary is overdue"


def _follow(client, url, data):
    return client.post(url, data, follow=True).content.decode()


def test_opening_a_round_with_a_past_deadline_warns(analyst, plan_db):
    c = client_for(analyst)
    last_week = date.today() - timedelta(days=7)
    html = _follow(c, reverse("rounds"), {"quarter": "2024/25 Q1", **date_boxes(last_week)})
    assert "Opened the 2024/25 Q1 round" in html and PAST in html
    assert f"The deadline, {last_week.day} {last_week:%B %Y}, has already passed" in html
    html = _follow(c, reverse("rounds"), {"quarter": "2024/25 Q2", **date_boxes(date.today())})
    assert "Opened the 2024/25 Q2 round" in html and PAST not in html  # today is not past


def test_an_analyst_moves_the_deadline_and_the_change_is_kept(rnd, analyst):
    c = client_for(analyst)
    url = reverse("round_deadline", args=[rnd.pk])
    page = c.get(url).content.decode()
    assert "None: the deadline is the one the round was opened with." in page
    first, later = rnd.deadline, rnd.deadline + timedelta(days=14)
    for part, value in date_boxes(first).items():  # the boxes start with the deadline
        assert f'id="id_{part}" name="{part}" type="text" inputmode="numeric"' in page
        assert (
            f'name="{part}" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" value="{value}"'
            in page
        )
    html = _follow(c, url, date_boxes(later))
    assert f"The deadline of 2024/25 Q1 is now {later.day} {later:%B %Y}." in html
    assert PAST not in html
    assert Round.objects.get(pk=rnd.pk).deadline == later
    _follow(c, url, date_boxes((f"0{later.day}"[-2:], later.strftime("%B"), later.year)))  # same
    yesterday = date.today() - timedelta(days=1)
    assert PAST in _follow(c, url, date_boxes(yesterday))
    changes = c.get(url).content.decode()
    items = changes[changes.index('id="deadline-changes"') :]
    assert items.count("<li>") == 2  # two real changes, newest first
    newer = items.index(f"ann moved the deadline from {later.day} {later:%B %Y} to {yesterday.day}")
    older = items.index(f"ann moved the deadline from {first.day} {first:%B %Y} to {later.day}")
    assert newer < older
    assert [h.history_user for h in Round.objects.get(pk=rnd.pk).history.all()[:2]] == [
        analyst,
        analyst,
    ]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (("31", "7", "2030"), date(2030, 7, 31)),
        (("01", "08", "2030"), date(2030, 8, 1)),
        ((" 1 ", "Aug", "2030"), date(2030, 8, 1)),  # a month's name, as GOV.UK reads it
        (("1", "august", "2030"), date(2030, 8, 1)),
    ],
)
def test_a_date_is_entered_as_day_month_and_year(rnd, analyst, typed, meant):
    c = client_for(analyst)
    page = c.get(reverse("round_deadline", args=[rnd.pk])).content.decode()
    assert "For example, 31 7 2024" in page and 'type="date"' not in page
    assert '<div class="govuk-date-input" id="id_deadline">' in page
    assert _follow(c, reverse("round_deadline", args=[rnd.pk]), date_boxes(typed))
    assert Round.objects.get(pk=rnd.pk).deadline == meant


@pytest.mark.parametrize(
    ("typed", "message", "in_error"),
    [
        (("", "", ""), "Enter the deadline", ("day", "month", "year")),
        (("31", "", "2030"), "Deadline must include a month", ("month",)),
        (("", "", "2030"), "Deadline must include a day and month", ("day", "month")),
        (("31", "2", "2030"), "Deadline must be a real date", ("day", "month", "year")),
        (("31", "13", "2030"), "Deadline must be a real date", ("day", "month", "year")),
        (("3x", "7", "2030"), "Deadline must be a real date", ("day", "month", "year")),
        (("31", "7", "30"), "Year must include 4 numbers", ("year",)),
    ],
)
def test_a_wrong_date_gets_govuk_messages_and_is_kept_as_typed(
    rnd, analyst, typed, message, in_error
):
    r = client_for(analyst).post(reverse("round_deadline", args=[rnd.pk]), date_boxes(typed))
    assert r.status_code == 400
    html = r.content.decode()
    summary = html[html.index("govuk-error-summary") : html.index("</h1>")]
    assert f'href="#id_deadline-{in_error[0]}">{message}</a>' in summary  # the first box in error
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html
    for part, value in zip(("day", "month", "year"), typed, strict=True):
        box = html[
            html.index(f'id="id_deadline-{part}"') - 120 : html.index(f'id="id_deadline-{part}"')
        ]
        assert ("govuk-input--error" in box) == (part in in_error), part
        assert f'name="deadline-{part}" type="text"' in html and f'value="{value}"' in html
    assert Round.objects.get(pk=rnd.pk).deadline == rnd.deadline


def test_a_bad_date_or_a_published_round_is_refused_and_nothing_changes(rnd, analyst, north):
    c = client_for(analyst)
    url = reverse("round_deadline", args=[rnd.pk])
    r = c.post(url, date_boxes(("31", "02", "2025")))
    assert r.status_code == 400 and "Deadline must be a real date" in r.content.decode()
    assert 'value="02"' in r.content.decode()  # what was typed is kept
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs.", rag="", expected_version=0)
    services.approve(services.submit(s.pk, user=north, expected_version=s.version).pk, user=analyst)
    services.publish(rnd.pk, user=analyst)
    r = c.post(url, date_boxes(date(2030, 1, 1)))
    assert r.status_code == 400
    assert "2024/25 Q1 is published; its deadline can no longer be changed" in r.content.decode()
    assert Round.objects.get(pk=rnd.pk).deadline == rnd.deadline
    with pytest.raises(CommentaryError):
        services.change_deadline(rnd.pk, date(2030, 1, 1), user=analyst)


def test_only_analysts_move_the_deadline(rnd, north, reader):
    for user in (north, reader):
        with pytest.raises(Forbidden):
            services.change_deadline(rnd.pk, date(2030, 1, 1), user=user)
    assert Round.objects.get(pk=rnd.pk).deadline == rnd.deadline
