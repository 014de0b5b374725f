"""The dashboard's one screen: priorities x measures with the latest value, the trend and the
change on a year earlier (arrows, and better/worse in colour and words only where the test
found the movement), with a key; and each department's commentary with the overdue count."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from django.urls import reverse
from web_helpers import client_for, make_data_project, run_worker, slot_of

from planwatch import formatting as fmt
from planwatch.periods import parse_quarter
from planwatch.project import Project
from planwatch.web import reporting, selectors, services


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


@pytest.fixture
def project_settings(settings, data_project, tmp_path):
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def _analysis(settings):
    from planwatch.services.analyse import run_analysis

    run = run_analysis(Project.at(settings.PROJECT_DIR), parse_quarter("2023/24 Q1"))
    return run.priorities[0].measures[0]


def test_the_grid_shows_each_measure_with_its_trend_and_year_on_year_change(project_settings):
    board = reporting.dashboard(parse_quarter("2023/24 Q1"))
    [row] = board.grid
    m = _analysis(project_settings)
    trend = m.analysis.trend
    assert trend.significant and trend.direction == "up"  # the data project rises
    assert (row.priority, row.priority_title, row.measure) == (
        1,
        "Preventing crime",
        "Domestic abuse offences",
    )
    assert row.latest == f"{fmt.number(m.analysis.latest_value)} (2023/24 Q1)"
    assert (row.trend.arrow, row.trend.judgement, row.trend.judgement_words) == (
        "↑",
        "bad",
        "worse",
    )
    assert row.trend.words == f"rising {fmt.pct(trend.pct_per_year)} a year"
    change = next(c for c in m.analysis.changes if c.kind == "same_period_last_year")
    assert row.year.words.startswith(f"{fmt.signed(change.pct_change, 1, '%')} on 2022/23 Q1")
    assert row.year.judgement == (
        ("bad" if change.direction == "up" else "good") if change.significant else "neutral"
    )


def test_a_movement_is_judged_only_when_the_test_found_it(project_settings):
    trend = _analysis(project_settings).analysis.trend
    flat = reporting._trend_movement(dataclasses.replace(trend, significant=False), "down_is_good")
    assert (flat.arrow, flat.words, flat.judgement) == ("→", "no clear trend", "neutral")
    short = reporting._trend_movement(
        dataclasses.replace(trend, method="insufficient_data"), "down_is_good"
    )
    assert (short.words, short.judgement) == ("too few periods to test", "neutral")
    assert reporting._trend_movement(trend, "up_is_good").judgement == "good"
    assert reporting._trend_movement(trend, "neutral").judgement == "neutral"
    assert reporting._trend_movement(None, "down_is_good").arrow == "–"


def test_the_page_has_the_grid_its_key_and_the_departments_progress(
    project_settings, analyst, north, comms, reader
):
    rnd = services.open_round("2023/24 Q1", date.today() - timedelta(days=3), user=analyst)
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs.", rag="", expected_version=0)
    services.approve(services.submit(s.pk, user=north, expected_version=s.version).pk, user=analyst)
    s = slot_of(rnd, "p2-reporting", "comms")
    s = services.save_draft(s.pk, user=comms, text="Online.", rag="", expected_version=0)
    services.submit(s.pk, user=comms, expected_version=s.version)
    progress = {p.department: p for p in selectors.department_progress(rnd)}
    north_lpa, media = progress["North Local Policing Area"], progress["Media and Communications"]
    assert (north_lpa.approved, north_lpa.submitted, north_lpa.outstanding, north_lpa.overdue) == (
        1,
        0,
        1,
        1,
    )
    assert (media.approved, media.submitted, media.outstanding, media.overdue) == (0, 1, 1, 1)
    assert selectors.department_progress(rnd, today=rnd.deadline)[0].overdue == 0  # due today

    reader_client = client_for(reader)
    waiting = reader_client.get(reverse("dashboard")).content.decode()
    assert reporting.PREPARING_MESSAGE in waiting and 'id="grid"' not in waiting
    assert "3 overdue" in waiting  # the round's progress does not wait for the analysis
    run_worker()  # the background worker prepares the analysis
    html = reader_client.get(reverse("dashboard")).content.decode()
    assert 'id="grid"' in html and 'id="grid-key"' in html
    assert '<th scope="row" class="govuk-table__header">Domestic abuse offences</th>' in html
    assert '<strong class="govuk-tag govuk-tag--red">worse</strong> rising' in html
    assert '<strong class="govuk-tag govuk-tag--red">3 overdue</strong>' in html
    assert "Hubs." not in html and "Online." not in html  # counts only, never the text
    assert 'name="quarter" value="2023/24 Q1"' in html  # the quarter's words, not its id
    assert "Priority 1: Preventing crime — key points and charts" in html  # under the grid
