"""An analyst's own key point, added from the overrides page: written to overrides.yaml as
an ``add`` override, printed in its priority's key points by the real analysis, kept in the
page's history with who, when and why, and reworded or removed like the others."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from web_helpers import client_for, make_data_project

from planwatch.periods import parse_quarter
from planwatch.project import Project
from planwatch.services.overrides import load_overrides
from planwatch.web import services
from planwatch.web.models import KeyPointOverrideChange

pytestmark = pytest.mark.slow

OWN = "Three new domestic abuse caseworkers started in June."


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


@pytest.fixture
def overrides_path(settings, data_project, tmp_path):
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path / "media"
    path = Project.at(data_project).overrides_path
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture
def q1(analyst):
    return services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)


def _post(client, rnd, **fields):
    return client.post(reverse("key_points", args=[rnd.pk]), fields)


def _priority_texts(data_project, number):
    from planwatch.services.analyse import run_analysis

    run = run_analysis(Project.at(data_project), parse_quarter("2023/24 Q1"))
    [pr] = [p for p in run.priorities if p.priority.number == number]
    return [k.text for k in pr.key_points]


def _history(client, rnd):
    page = client.get(reverse("key_points", args=[rnd.pk])).content.decode()
    return page[page.index('id="override-history"') :]


def test_an_analyst_adds_rewords_and_removes_a_key_point_of_their_own(
    overrides_path, data_project, q1, analyst
):
    c = client_for(analyst)
    assert OWN not in _priority_texts(data_project, 1)
    r = _post(c, q1, action="add", priority="1", text=f"  {OWN} ", reason="from the DA lead")
    assert r.status_code == 302
    assert "Added your key point &#x27;added:p1-1&#x27;" in c.get(r["Location"]).content.decode()
    [added] = load_overrides(overrides_path)
    assert (added.key, added.action, added.text, added.priority, added.reason) == (
        "added:p1-1",
        "add",
        OWN,
        1,
        "from the DA lead",
    )
    # The analysis reads the file: the sentence is in priority 1's key points, and only there.
    assert OWN in _priority_texts(data_project, 1)
    assert OWN not in _priority_texts(data_project, 2)
    page = c.get(reverse("key_points", args=[q1.pk])).content.decode()
    own = page[page.index('id="added-key-points"') : page.index('id="add-key-point"')]
    assert OWN in own and 'data-key="added:p1-1"' in own
    assert (
        "ann changed <code>added:p1-1</code> from no override to an analyst&#x27;s own key point"
        f" “{OWN}”; reason: from the DA lead" in _history(c, q1)
    )
    # A second one gets a key of its own.
    _post(c, q1, action="add", priority="1", text="A second point.", reason="")
    assert [o.key for o in load_overrides(overrides_path)] == ["added:p1-1", "added:p1-2"]

    reworded = "Three domestic abuse caseworkers started in June and July."
    _post(c, q1, key="added:p1-1", action="reword", text=reworded, reason="July too")
    by_key = {o.key: o for o in load_overrides(overrides_path)}
    assert (by_key["added:p1-1"].action, by_key["added:p1-1"].text) == ("add", reworded)
    assert by_key["added:p1-1"].priority == 1
    texts = _priority_texts(data_project, 1)
    assert reworded in texts and OWN not in texts
    assert f"“{OWN}” to an analyst&#x27;s own key point “{reworded}”; reason: July too" in (
        _history(c, q1)
    )

    _post(c, q1, key="added:p1-1", action="", text="", reason="no longer news")
    assert [o.key for o in load_overrides(overrides_path)] == ["added:p1-2"]
    assert reworded not in _priority_texts(data_project, 1)
    assert f"from an analyst&#x27;s own key point “{reworded}” to no override" in _history(c, q1)
    assert KeyPointOverrideChange.objects.count() == 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"priority": "1", "text": "   "}, "a key point needs its wording"),
        ({"priority": "99", "text": "A point."}, "no priority 99 in the plan"),
        ({"priority": "", "text": "A point."}, "choose the priority the key point belongs to"),
    ],
)
def test_a_bad_key_point_of_ones_own_is_refused_and_nothing_is_written(
    overrides_path, q1, analyst, fields, message
):
    c = client_for(analyst)
    r = _post(c, q1, action="add", reason="", **fields)
    assert message in c.get(r["Location"]).content.decode()
    assert not overrides_path.exists() and not KeyPointOverrideChange.objects.exists()


def test_an_added_point_cannot_be_pinned_and_an_owner_cannot_add_one(
    overrides_path, q1, analyst, north
):
    c = client_for(analyst)
    _post(c, q1, action="add", priority="1", text=OWN, reason="")
    before = overrides_path.read_text()
    r = _post(c, q1, key="added:p1-1", action="pin", text="", reason="")
    assert "cannot be given the action &#x27;pin&#x27;" in c.get(r["Location"]).content.decode()
    assert overrides_path.read_text() == before and KeyPointOverrideChange.objects.count() == 1
    r = _post(client_for(north), q1, action="add", priority="1", text="Mine.", reason="")
    assert r.status_code == 403
    assert overrides_path.read_text() == before
