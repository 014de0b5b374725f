"""Publishing builds the real report from approved commentary only; the dashboard shows
the real analysis. Uses a small project (one measure) ingested and analysed by planwatch's
own services, so the report builder and analysis are not mocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from web_helpers import PLAN_YAML, client_for, run_worker, slot_of

from planwatch.periods import Quarter
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


def test_dashboard_shows_key_points_and_charts_from_the_analysis(project_settings, q1, reader):
    response = client_for(reader).get(reverse("dashboard"))
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
    html = c.get(reverse("slot", args=[slot_of(q1, "p1-neighbourhood", "north-lpa").pk])).content
    page = html.decode()
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
