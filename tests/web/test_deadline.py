"""The round's deadline: a warning when it is set in the past, and an analyst moves it later,
each change kept in the round's history (who, when, from and to) and listed on its page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from web_helpers import client_for, slot_of

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
    html = _follow(c, reverse("rounds"), {"quarter": "2024/25 Q1", "deadline": last_week})
    assert "Opened the 2024/25 Q1 round" in html and PAST in html
    assert f"The deadline, {last_week.day} {last_week:%B %Y}, has already passed" in html
    html = _follow(c, reverse("rounds"), {"quarter": "2024/25 Q2", "deadline": date.today()})
    assert "Opened the 2024/25 Q2 round" in html and PAST not in html  # today is not past


def test_an_analyst_moves_the_deadline_and_the_change_is_kept(rnd, analyst):
    c = client_for(analyst)
    url = reverse("round_deadline", args=[rnd.pk])
    page = c.get(url).content.decode()
    assert "None: the deadline is the one the round was opened with." in page
    first, later = rnd.deadline, rnd.deadline + timedelta(days=14)
    assert f'value="{first:%d/%m/%Y}"' in page  # the box starts with the deadline, day first
    html = _follow(c, url, {"deadline": later.isoformat()})
    assert f"The deadline of 2024/25 Q1 is now {later.day} {later:%B %Y}." in html
    assert PAST not in html
    assert Round.objects.get(pk=rnd.pk).deadline == later
    _follow(c, url, {"deadline": f"{later.day}/{later.month}/{later.year}"})  # same, UK style
    yesterday = date.today() - timedelta(days=1)
    assert PAST in _follow(c, url, {"deadline": yesterday.isoformat()})
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
        ("31/7/2030", date(2030, 7, 31)),
        ("01/08/30", date(2030, 8, 1)),
        ("2030-07-31", date(2030, 7, 31)),
    ],
)
def test_dates_are_typed_day_first(rnd, analyst, typed, meant):
    c = client_for(analyst)
    page = c.get(reverse("round_deadline", args=[rnd.pk])).content.decode()
    assert "For example, 31/7/2024" in page and 'type="date"' not in page
    _follow(c, reverse("round_deadline", args=[rnd.pk]), {"deadline": typed})
    assert Round.objects.get(pk=rnd.pk).deadline == meant
    r = c.post(reverse("round_deadline", args=[rnd.pk]), {"deadline": "7/31/2030"})  # US order
    assert r.status_code == 400 and "Enter a valid date" in r.content.decode()


def test_a_bad_date_or_a_published_round_is_refused_and_nothing_changes(rnd, analyst, north):
    c = client_for(analyst)
    url = reverse("round_deadline", args=[rnd.pk])
    r = c.post(url, {"deadline": "31/02/2025"})
    assert r.status_code == 400 and "Enter a valid date" in r.content.decode()
    assert 'value="31/02/2025"' in r.content.decode()  # what was typed is kept
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs.", rag="", expected_version=0)
    services.approve(services.submit(s.pk, user=north, expected_version=s.version).pk, user=analyst)
    services.publish(rnd.pk, user=analyst)
    r = c.post(url, {"deadline": "2030-01-01"})
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
