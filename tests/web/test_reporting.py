"""Publishing builds the real report from approved commentary only; the dashboard shows
the real analysis. Uses a small project (one measure) ingested and analysed by planwatch's
own services, so the report builder and analysis are not mocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from web_helpers import PLAN_YAML, client_for, run_worker, slot_of

from planwatch.periods import Quarter, parse_quarter
from planwatch.project import Project
from planwatch.web import reporting, services
from planwatch.web.models import ReportStatus
from planwatch.web.security import PAGE_POLICY, REPORT_POLICY

pytestmark = pytest.mark.slow

#: Quarterly values, deterministic: a gentle rise with a wobble (29 quarters to 2023/24 Q1).
FIRST = Quarter(2016, 1)
N_QUARTERS = 29


@pytest.fixture(scope="module")
def data_project(tmp_path_factory) -> Path:
    from planwatch.services.ingest import ingest

    root = tmp_path_factory.mktemp("project")
    plan = PLAN_YAML.read_text().replace(
        "priorities:\n",
        (
            "measures:\n  - id: domestic_abuse\n    name: Domestic abuse offences\n"
            "    source: {kind: series, series: domestic_abuse}\n    series_start: 2016/17 Q1\n"
            "    analyses: [trend, short_term, extremes]\n\npriorities:\n"
        ),
        1,
    )
    plan = plan.replace(
        "    objective: Stop crime before it happens.\n",
        "    objective: Stop crime before it happens.\n    measures: [domestic_abuse]\n",
        1,
    )
    (root / "plan.yaml").write_text(plan)
    rows = ["measure,period,value,area,numerator,denominator,note"]
    rows += [
        f"domestic_abuse,{FIRST.shift(i).label},{2400 + 15 * i + (i * 37) % 50},Exampleshire,,,"
        for i in range(N_QUARTERS)
    ]
    (root / "measures.csv").write_text("\n".join(rows) + "\n")
    ingest(Project.at(root), "measures", [root / "measures.csv"])
    return root


@pytest.fixture
def project_settings(settings, data_project, tmp_path):
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def q1(analyst):
    from datetime import date

    return services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)


def _approve(rnd, commitment, dept, owner, analyst, text):
    s = slot_of(rnd, commitment, dept)
    s = services.save_draft(s.pk, user=owner, text=text, rag="green", expected_version=s.version)
    services.submit(s.pk, user=owner, expected_version=s.version)
    return services.approve(s.pk, user=analyst)


def test_publish_builds_the_report_from_approved_commentary_only(
    project_settings, q1, analyst, north, comms
):
    _approve(
        q1,
        "p1-neighbourhood",
        "north-lpa",
        north,
        analyst,
        "Two neighbourhood hubs opened in Exampletown.",
    )
    draft = slot_of(q1, "p2-reporting", "comms")
    services.save_draft(
        draft.pk,
        user=comms,
        text="An unapproved draft about online reporting.",
        rag="",
        expected_version=0,
    )
    r = client_for(analyst).post(reverse("publish", args=[q1.pk]), {"unapproved": "notice"})
    assert r.status_code == 302
    run_worker()
    version = q1.versions.get()
    assert version.report_status == ReportStatus.READY, version.report_message
    [html_file] = [f for f in reporting.report_files(version) if f.suffix == ".html"]
    html = html_file.read_text()
    assert "Two neighbourhood hubs opened in Exampletown." in html
    assert "unapproved draft" not in html
    download = client_for(north).get(reverse("published_file", args=[version.pk, html_file.name]))
    assert download.status_code == 200 and b"Two neighbourhood hubs" in b"".join(
        download.streaming_content
    )


#: Two districts of Exampleshire (the force's own rows are its total) for a count measure.
DISTRICT_ROWS = (
    "asb,2022/23 Q1,7000,Exampleshire\nasb,2023/24 Q1,6787,Exampleshire\n"
    "asb,2022/23 Q1,500,Northtown\nasb,2023/24 Q1,602,Northtown\n"
    "asb,2022/23 Q1,600,Southtown\nasb,2023/24 Q1,552,Southtown\n"
)


@pytest.fixture(scope="module")
def district_project(tmp_path_factory) -> Path:
    from planwatch.services.ingest import ingest

    root = tmp_path_factory.mktemp("districts")
    plan = PLAN_YAML.read_text().replace(
        "priorities:\n",
        "measures:\n  - {id: asb, name: ASB incidents, source: {kind: series, series: asb}, "
        "analyses: [short_term]}\n\npriorities:\n",
        1,
    )
    plan = plan.replace(
        "    objective: Stop crime before it happens.\n",
        "    objective: Stop crime before it happens.\n    measures: [asb]\n",
        1,
    )
    (root / "plan.yaml").write_text(plan)
    (root / "asb.csv").write_text("measure,period,value,area\n" + DISTRICT_ROWS)
    ingest(Project.at(root), "measures", [root / "asb.csv"])
    return root


def test_the_published_report_is_the_cli_report_with_its_district_table_and_chart_data(
    settings, district_project, tmp_path, q1, analyst, north
):
    """Publishing builds the report by the same service as `planwatch report`: the district
    table is in the HTML, and the charts' data (Excel and CSV) and every figure (JSON) are
    published beside it, listed on the version's page and downloadable."""
    from openpyxl import load_workbook

    settings.PROJECT_DIR = district_project
    settings.MEDIA_ROOT = tmp_path / "media"
    _approve(q1, "p1-neighbourhood", "north-lpa", north, analyst, "Hubs opened.")
    client_for(analyst).post(reverse("publish", args=[q1.pk]), {"unapproved": "notice"})
    run_worker()
    version = q1.versions.get()
    assert version.report_status == ReportStatus.READY, version.report_message
    files = {f.name: f for f in reporting.report_files(version)}
    [stem] = [Path(n).stem for n in files if n.endswith(".html")]
    assert {f"{stem}-data.xlsx", f"{stem}-data.csv", f"{stem}.json"} <= set(files)
    html = files[f"{stem}.html"].read_text()
    at = html.index("<caption>ASB incidents by district")
    table = html[at : html.index("</table>", at)]
    assert "Northtown" in table and "Southtown" in table and "602" in table
    assert f'href="{stem}-data.xlsx"' in html  # linked from the charts, beside the report
    page = client_for(north).get(reverse("published_version", args=[version.pk])).content.decode()
    c = client_for(north)
    for name in (f"{stem}-data.xlsx", f"{stem}-data.csv"):
        assert reverse("published_file", args=[version.pk, name]) in page
        download = c.get(reverse("published_file", args=[version.pk, name]))
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        assert body == files[name].read_bytes()
    assert b"ASB incidents" in files[f"{stem}-data.csv"].read_bytes()
    sheets = load_workbook(files[f"{stem}-data.xlsx"], read_only=True)
    assert any(
        "6787" in str(v) or v == 6787
        for ws in sheets.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
    )


def test_report_is_pending_while_the_builder_is_missing_and_can_be_generated_later(
    project_settings, q1, analyst, north, monkeypatch
):
    _approve(q1, "p1-neighbourhood", "north-lpa", north, analyst, "Hubs.")
    version = services.publish(q1.pk, user=analyst)
    monkeypatch.setattr(
        reporting, "_builders", lambda: None
    )  # as in an installation without planwatch.report
    assert reporting.generate_report(version) == ReportStatus.PENDING
    version.refresh_from_db()
    assert (
        "pending" in version.report_message and version.commentary["entries"][0]["text"] == "Hubs."
    )
    monkeypatch.undo()
    r = client_for(analyst).post(reverse("regenerate", args=[version.pk]))
    assert r.status_code == 302
    run_worker()
    version.refresh_from_db()
    assert version.report_status == ReportStatus.READY


def test_report_failure_is_recorded_with_the_reason(settings, tmp_path, q1, analyst, north):
    settings.PROJECT_DIR = tmp_path  # no plan.yaml, no store
    settings.MEDIA_ROOT = tmp_path / "media"
    _approve(q1, "p1-neighbourhood", "north-lpa", north, analyst, "Hubs.")
    version = services.publish(q1.pk, user=analyst)
    assert reporting.generate_report(version) == ReportStatus.FAILED
    version.refresh_from_db()
    assert version.report_message  # the builder's own error, shown on the version page
    html = client_for(analyst).get(reverse("published_version", args=[version.pk])).content.decode()
    assert "Failed" in html and "Generate the report again" in html


def _waiting(html: str) -> bool:
    """The page says the analysis is being prepared (and shows no key point or chart yet)."""
    return reporting.PREPARING_MESSAGE in html and "domestic abuse" not in html.lower()


def test_dashboard_shows_key_points_and_charts_from_the_analysis(project_settings, q1, reader):
    c = client_for(reader)
    assert _waiting(c.get(reverse("dashboard")).content.decode())  # not run in the request
    run_worker()  # the background worker prepares it
    response = c.get(reverse("dashboard"))
    html = response.content.decode()
    assert "Priority 1: Preventing crime" in html
    assert "upward trend in domestic abuse offences" in html
    assert "<svg" in html and "Chart: " in html
    # The charts draw with presentation attributes, so the strict policy (no inline style)
    # holds on this page too.
    assert " style=" not in html and "<style" not in html
    assert response["Content-Security-Policy"] == PAGE_POLICY


def test_the_owners_editor_shows_the_priority_key_points_and_charts(project_settings, q1, north):
    """Beside the text box: the current analysis of the commitment's priority (priority 1
    holds the measure; priority 2 has none), from the same cached analysis as the dashboard."""
    c = client_for(north)
    editor = reverse("slot", args=[slot_of(q1, "p1-neighbourhood", "north-lpa").pk])
    waiting = c.get(editor).content.decode()
    assert _waiting(waiting[waiting.index('id="key-points"') :])
    run_worker()
    page = c.get(editor).content.decode()
    panel = page[page.index('id="key-points"') :]
    assert "upward trend in domestic abuse offences" in panel
    assert "<svg" in panel and "Chart: Domestic abuse offences" in panel
    assert " style=" not in page and "<style" not in page  # the strict policy still holds
    other = c.get(reverse("slot", args=[slot_of(q1, "p1-shared", "north-lpa").pk])).content
    assert b"upward trend in domestic abuse offences" in other  # same priority


def test_the_analyst_previews_the_report_with_current_drafts(
    project_settings, q1, analyst, north, comms
):
    s = slot_of(q1, "p1-neighbourhood", "north-lpa")
    services.save_draft(s.pk, user=north, text="A draft about hubs.", rag="", expected_version=0)
    r = client_for(analyst).get(reverse("preview", args=[q1.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "A draft about hubs." in html
    assert r["Content-Security-Policy"] == REPORT_POLICY  # the report's own policy: no script
    assert not q1.versions.exists()  # previewing publishes nothing
    for owner in (north, comms):
        assert client_for(owner).get(reverse("preview", args=[q1.pk])).status_code == 403


def _override(client, rnd, key, action, text="", reason=""):
    return client.post(
        reverse("key_points", args=[rnd.pk]),
        {"key": key, "action": action, "text": text, "reason": reason},
    )


def _priority_keys(settings, quarter="2023/24 Q1"):
    from planwatch.services.analyse import run_analysis

    run = run_analysis(Project.at(settings.PROJECT_DIR), parse_quarter(quarter))
    pr = run.priorities[0]
    return [k.key for k in pr.key_points], [k.key for k in pr.analyst_notes]


@pytest.fixture
def fresh_overrides(project_settings):
    """Each test starts without overrides (the data project is shared by the module)."""
    path = Project.at(project_settings.PROJECT_DIR).overrides_path
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def test_an_analyst_pins_and_demotes_key_points_in_the_web_app_with_history(
    fresh_overrides, project_settings, q1, analyst
):
    from planwatch.services.overrides import load_overrides

    c = client_for(analyst)
    page = c.get(reverse("key_points", args=[q1.pk])).content.decode()
    assert 'data-key="domestic_abuse:changes"' in page and "No overrides changed" in page
    points, _ = _priority_keys(project_settings)
    assert points[0] != "domestic_abuse:changes"
    assert (
        _override(c, q1, "domestic_abuse:changes", "pin", reason="the panel asks").status_code
        == 302
    )
    assert _override(c, q1, "domestic_abuse:trend", "demote").status_code == 302
    # The analysis reads the file the web app wrote: pinned first, demoted to the notes.
    points, notes = _priority_keys(project_settings)
    assert points[0] == "domestic_abuse:changes"
    assert "domestic_abuse:trend" not in points and "domestic_abuse:trend" in notes
    assert {o.key: o.action for o in load_overrides(fresh_overrides)} == {
        "domestic_abuse:changes": "pin",
        "domestic_abuse:trend": "demote",
    }
    history = c.get(reverse("key_points", args=[q1.pk])).content.decode()
    history = history[history.index('id="override-history"') :]
    assert "ann changed <code>domestic_abuse:changes</code>" in history
    assert (
        "from no override to pin: lead the priority&#x27;s key points; reason: the panel asks"
        in history
    )
    # Taking the pin off again is a change of its own, with what it was before.
    _override(c, q1, "domestic_abuse:changes", "")
    assert [o.key for o in load_overrides(fresh_overrides)] == ["domestic_abuse:trend"]
    history = c.get(reverse("key_points", args=[q1.pk])).content.decode()
    assert "from pin: lead the priority&#x27;s key points to no override" in history


def test_a_reworded_point_reaches_the_dashboard_and_a_suppressed_one_can_come_back(
    fresh_overrides, project_settings, q1, analyst, reader
):
    c = client_for(analyst)
    reporting.dashboard(parse_quarter(q1.quarter))  # as the worker prepares it
    before = client_for(reader).get(reverse("dashboard")).content.decode()
    risen = "Domestic abuse offences have risen in each quarter since 2016/17 Q1"
    assert risen in before and "The highest quarter on record." not in before
    _override(c, q1, "domestic_abuse:extreme", "reword", text="The highest quarter on record.")
    _override(c, q1, "domestic_abuse:run", "suppress")  # each queues the new analysis
    assert _waiting(client_for(reader).get(reverse("dashboard")).content.decode())
    run_worker()
    board = client_for(reader).get(reverse("dashboard")).content.decode()
    assert "The highest quarter on record." in board
    assert risen not in board
    page = c.get(reverse("key_points", args=[q1.pk])).content.decode()
    hidden = page[page.index('id="hidden-overrides"') :]
    assert "domestic_abuse:run" in hidden
    _override(c, q1, "domestic_abuse:run", "")  # "Show it again"
    run_worker()
    assert risen in (client_for(reader).get(reverse("dashboard")).content.decode())


def test_a_bad_override_is_refused_and_nothing_is_written(
    fresh_overrides, project_settings, q1, analyst, north
):
    from planwatch.web.models import KeyPointOverrideChange

    c = client_for(analyst)
    r = _override(c, q1, "domestic_abuse:trend", "reword", text="   ")
    assert r.status_code == 302
    assert "needs its new wording" in c.get(r["Location"]).content.decode()
    r = _override(c, q1, "domestic_abuse:nothing", "pin")
    assert (
        "no key point &#x27;domestic_abuse:nothing&#x27;" in c.get(r["Location"]).content.decode()
    )
    assert not fresh_overrides.exists() and not KeyPointOverrideChange.objects.exists()
    assert _override(client_for(north), q1, "domestic_abuse:trend", "pin").status_code == 403
    assert not fresh_overrides.exists()
