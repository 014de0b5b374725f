"""The analyst sees what the reader does not: key points the claim check left out and the
analyst's notes on the data are printed by ``planwatch report`` and shown in the draft
for review, and never in the published report."""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest
from sample_run import _kp

from planwatch.errors import ReportError
from planwatch.narrative.checker import verified
from planwatch.project import Project
from planwatch.report.build import build_report
from planwatch.report.docx import docx_bytes
from planwatch.report.view import LEFT_OUT, ReportOptions, report_view

WRONG = (
    "Anti-social behaviour incidents have risen by a statistically significant 4.0% a year "
    "since April 2021."
)
NOTE = "One value of Anti-social behaviour incidents (March 2022) is held out as a probable data-entry error."


@pytest.fixture(scope="module")
def reviewed(run):
    """The sample run with one key point the real claim checker refused, and an analyst's
    note on priority 1's data."""
    asb = next(m for p in run.priorities for m in p.measures if m.measure.id == "asb_incidents")
    wrong = _kp(
        "asb_incidents",
        "trend",
        WRONG,
        evidence={"p_value": 0.46, "pct_per_year": -0.8},
        significant=True,
    )
    kept, refused = verified((wrong,), asb.series, asb.measure, run.quarter)
    assert kept == () and len(refused) == 1
    note = _kp("asb_incidents", "suspect_value", NOTE)
    first = dataclasses.replace(run.priorities[0], analyst_notes=(note,))
    return dataclasses.replace(
        run, priorities=(first, *run.priorities[1:]), warnings=(*run.warnings, *refused)
    )


def test_the_published_report_shows_no_analyst_only_notes(reviewed, tmp_path):
    files = build_report(reviewed, None, tmp_path, pdf=False)
    page = files.html.read_text(encoding="utf-8")
    assert files.html.name == "exampleshire-2023-24-Q1.html"
    assert "is left out" not in page and WRONG not in page and NOTE not in page
    assert "Analyst&#39;s notes" not in page and "Draft for review" not in page
    # the other warnings (about the data, for every reader) stay in "Notes on the data"
    assert "Victim survey results for 2023/24 Q1 were not available" in page
    assert len(files.refused) == 1


def test_the_draft_shows_the_left_out_key_point_and_the_notes_at_the_top(reviewed, tmp_path):
    files = build_report(reviewed, None, tmp_path, pdf=False, draft=True)
    page = files.html.read_text(encoding="utf-8")
    assert files.html.name == "exampleshire-2023-24-Q1-draft.html"
    notes = page.index('id="analyst-notes"')
    assert notes < page.index('id="priority-1"')  # at the top, before the first priority
    section = page[notes : page.index("</section>", notes)]
    assert LEFT_OUT in section
    assert "key point &#39;asb_incidents:trend&#39; is left out" in section
    assert "expected a p-value below 0.05 (it is 0.46)" in section
    assert "Priority 1: " in section and NOTE in section
    assert "<title>Draft for review: " in page
    assert "Draft for review: not for publication" in page


def test_a_draft_with_nothing_to_say_says_so(run):
    view = report_view(run, None, ReportOptions(draft=True))
    assert view.analyst_notes == ()
    assert report_view(run, None, ReportOptions()).analyst_notes == ()


def test_the_word_draft_has_the_notes_and_the_published_word_file_does_not(reviewed):
    import io

    from docx import Document

    def text(options):
        doc = Document(io.BytesIO(docx_bytes(report_view(reviewed, None, options))))
        return "\n".join(p.text for p in doc.paragraphs)

    assert NOTE in text(ReportOptions(draft=True)) and LEFT_OUT in text(ReportOptions(draft=True))
    published = text(ReportOptions())
    assert NOTE not in published and "is left out" not in published


def _cli(monkeypatch, capsys, project, reviewed, *args):
    import planwatch.services.report as service
    from planwatch.cli.main import run as cli

    # the project's own analysis is replaced by the hand-built run (as the service tests do)
    monkeypatch.setattr(service, "default_analyse", lambda: lambda _p, _q: reviewed)
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "planwatch",
            "report",
            "--project",
            str(project.root),
            "-q",
            "2023/24-Q1",
            "--no-pdf",
            *args,
        ],
    )
    code = 0
    try:
        cli()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def test_the_cli_prints_left_out_key_points_as_warnings(monkeypatch, capsys, tmp_path, reviewed):
    project = Project.at(tmp_path)
    code, out, err = _cli(monkeypatch, capsys, project, reviewed)
    assert code == 0  # the exit code is unchanged without --strict
    assert "Wrote" in out
    assert "Warning: measure 'asb_incidents': key point 'asb_incidents:trend' is left out" in err
    assert "expected a p-value below 0.05 (it is 0.46)" in err
    assert "Victim survey results" in err
    assert "Traceback" not in err


def test_strict_exits_with_the_report_error_code_after_writing(
    monkeypatch, capsys, tmp_path, reviewed, run
):
    project = Project.at(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, project, reviewed, "--strict", "--draft")
    assert code == ReportError.exit_code
    assert "--strict: the claim check left out 1 key point(s)" in err
    assert (project.output_dir / "exampleshire-2023-24-Q1-draft.html").exists()
    clean, _, _ = _cli(monkeypatch, capsys, project, run, "--strict")
    assert clean == 0  # nothing left out: strict has nothing to refuse


def test_the_cli_json_lists_the_warnings(monkeypatch, capsys, tmp_path, reviewed):
    code, out, _ = _cli(monkeypatch, capsys, Project.at(tmp_path), reviewed, "--json")
    data = json.loads(out)
    assert code == 0 and data["key_points_left_out"] == 1
    assert any("is left out" in w["message"] for w in data["warnings"])
