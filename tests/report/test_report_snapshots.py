"""Small rendered fragments compared exactly with files in snapshots/.
Regenerate after an intended change with PLANWATCH_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

from report_snapshots import check_snapshot

from planwatch.report.build import render_fragment
from planwatch.report.chart import chart_spec
from planwatch.report.view import ReportOptions, report_view


def test_key_point_list(run):
    check_snapshot(
        "key_points.html", render_fragment("key_points", run.priorities[0].key_points, "Key points")
    )


def test_commitments_table(run, commentary):
    view = report_view(run, commentary, ReportOptions())
    check_snapshot(
        "commitments_priority_1.html", render_fragment("commitments_table", view.priorities[0])
    )


def test_chart_alt_texts(run):
    texts = [chart_spec(m).alt_text for p in run.priorities for m in p.measures]
    check_snapshot("alt_texts.txt", "\n".join(texts) + "\n")


def test_variance_table(run):
    sickness = run.priorities[2].measures[0]
    view = report_view(run, None, ReportOptions())
    table = view.priorities[2].measures[0].tables[0]
    assert sickness.measure.id == "sickness_hours"
    check_snapshot("variance_table.html", render_fragment("data_table", table))
