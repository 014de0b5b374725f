"""Opening a round: the quarter is chosen from a list (this quarter and the 15 before it,
and the quarters the store holds data for, newest first, without those that have a round), the latest quarter that has ended chosen
to start with; a refused form shows what was sent."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from web_helpers import DATA_QUARTERS, client_for, date_boxes, make_data_project

from planwatch.periods import Month, Quarter, parse_quarter, quarter_range
from planwatch.web.forms import QUARTERS_OFFERED, quarter_choices
from planwatch.web.models import Round


def _options(html: str) -> list[tuple[str, bool]]:
    select = html[html.index('<select name="quarter"') : html.index("</select>")]
    return [(v, bool(sel)) for v, sel in re.findall(r'<option value="([^"]*)"( selected)?', select)]


def test_the_quarter_is_a_choice_starting_at_the_latest_ended_quarter(analyst, plan_db):
    today = timezone.localdate()
    current = Month(today.year, today.month).quarter
    c = client_for(analyst)
    options = _options(c.get(reverse("rounds")).content.decode())
    assert [v for v, _ in options] == [current.shift(-i).label for i in range(QUARTERS_OFFERED)]
    assert [v for v, selected in options if selected] == [current.previous.label]

    deadline = date_boxes(today + timedelta(days=10))
    r = c.post(reverse("rounds"), {"quarter": current.previous.label, **deadline})
    assert r.status_code == 302 and Round.objects.get().quarter_label == current.previous.label
    options = _options(c.get(reverse("rounds")).content.decode())
    assert current.previous.label not in [v for v, _ in options]  # it has its round
    assert [v for v, selected in options if selected] == [current.label]


def test_a_refused_quarter_is_shown_as_sent_and_nothing_is_opened(analyst, plan_db):
    r = client_for(analyst).post(
        reverse("rounds"), {"quarter": "2024/25 Q9", **date_boxes(("", "", ""))}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert ("2024/25 Q9", True) in _options(html)
    assert "cannot read &#x27;2024/25 Q9&#x27; as a period" in html
    assert not Round.objects.exists()


def test_the_choices_leave_out_taken_quarters_and_keep_what_was_sent():
    assert quarter_choices(date(2026, 12, 1), ())[:2] == [
        ("2026/27 Q3", "2026/27 Q3"),
        ("2026/27 Q2", "2026/27 Q2"),
    ]
    choices = quarter_choices(date(2026, 4, 1), {"2026/27 Q1"}, kept="2019/20 Q1")
    assert choices[0] == ("2019/20 Q1", "2019/20 Q1")
    assert ("2026/27 Q1", "2026/27 Q1") not in choices
    assert choices[-1] == ("2022/23 Q2", "2022/23 Q2")  # 16 quarters back from 2026/27 Q1
    assert len(choices) == QUARTERS_OFFERED  # one taken, one kept


def test_the_choices_add_the_quarters_the_data_are_for_each_once_newest_first():
    held = [Quarter(2016, 1), Quarter(2016, 2), Quarter(2025, 4), Quarter(2026, 1)]
    labels = [v for v, _ in quarter_choices(date(2026, 4, 1), {"2016/17 Q2"}, held=held)]
    assert labels[0] == "2026/27 Q1" and labels[-1] == "2016/17 Q1"
    assert labels == sorted(set(labels), key=lambda t: parse_quarter(t), reverse=True)  # once each
    assert "2016/17 Q2" not in labels  # it has a round
    assert len(labels) == QUARTERS_OFFERED + 1  # the two recent ones held count once


def test_a_project_whose_data_lag_can_open_a_round_for_its_data(settings, tmp_path, analyst):
    settings.PROJECT_DIR = make_data_project(tmp_path)  # 2016/17 Q1 to 2023/24 Q1
    today = timezone.localdate()
    current = Month(today.year, today.month).quarter
    held = quarter_range(Quarter(2016, 1), Quarter(2016, 1).shift(DATA_QUARTERS - 1))
    c = client_for(analyst)
    offered = [v for v, _ in _options(c.get(reverse("rounds")).content.decode())]
    recent = {current.shift(-i) for i in range(QUARTERS_OFFERED)}
    assert offered == [q.label for q in sorted(recent | set(held), reverse=True)]
    assert "2016/17 Q1" in offered  # years behind the recent quarters

    deadline = date_boxes(today + timedelta(days=10))
    r = c.post(reverse("rounds"), {"quarter": "2016/17 Q1", **deadline})
    assert r.status_code == 302 and Round.objects.get().quarter_label == "2016/17 Q1"
    assert "2016/17 Q1" not in [v for v, _ in _options(c.get(reverse("rounds")).content.decode())]
