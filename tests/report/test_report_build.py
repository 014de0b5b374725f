"""Writing the report: file names, atomic writes, bad output folders, the service and the CLI."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date

import pytest
from sample_run import PUBLISHED

from planwatch.errors import CommentaryError, ReportError
from planwatch.project import Project
from planwatch.report.build import build_report, render_html
from planwatch.report.files import write_atomic, write_with
from planwatch.report.view import ReportOptions
from planwatch.services.report import generate_report, project_commentary


def test_html_only_build_writes_the_rendered_html(run, commentary, tmp_path):
    files = build_report(run, commentary, tmp_path / "out", pdf=False, published=PUBLISHED)
    assert files.pdf is None
    assert files.html == tmp_path / "out" / "exampleshire-2023-24-Q1.html"
    assert files.html.read_text(encoding="utf-8") == render_html(
        run, commentary, options=ReportOptions(published=PUBLISHED)
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == [
        files.html.name
    ]  # no temporary files left


def test_output_folder_that_is_a_file_is_a_clear_error(run, tmp_path):
    target = tmp_path / "output"
    target.write_text("not a folder")
    with pytest.raises(ReportError, match="it is a file"):
        build_report(run, None, target, pdf=False)
    assert target.read_text() == "not a folder"


def test_failed_write_keeps_the_previous_file(tmp_path):
    path = write_atomic(tmp_path / "report.html", b"old")

    def broken(tmp):
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportError, match="No space left on device") as info:
        write_with(path, broken)
    assert str(path) in str(info.value)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _project(tmp_path, commentary_yaml: str | None) -> Project:
    project = Project.at(tmp_path)
    if commentary_yaml is not None:
        project.commentary_dir.mkdir()
        project.commentary_path(run_quarter()).write_text(commentary_yaml, encoding="utf-8")
    return project


def run_quarter():
    from sample_run import REPORT_QUARTER

    return REPORT_QUARTER


COMMENTARY = """\
quarter: 2023/24 Q1
entries:
  - commitment: p2-reporting
    department: comms
    text: |
      The online form now takes reports of hate crime.

      Calls answered within ten seconds rose to 91%.
"""


def test_service_reads_the_quarters_commentary(run, tmp_path):
    project = _project(tmp_path, COMMENTARY)
    files = generate_report(
        project, run.quarter, pdf=False, published=PUBLISHED, analyse=lambda _p, _q: run
    )
    page = files.html.read_text(encoding="utf-8")
    assert files.html.parent == project.output_dir
    assert "<p>The online form now takes reports of hate crime.</p>" in page
    assert "<p>Calls answered within ten seconds rose to 91%.</p>" in page


def test_commentary_for_another_quarter_is_refused(run, tmp_path):
    project = _project(tmp_path, COMMENTARY.replace("2023/24 Q1", "2022/23 Q4"))
    with pytest.raises(
        CommentaryError, match="commentary is for 2022/23 Q4, not 2023/24 Q1"
    ) as info:
        project_commentary(project, run.plan, run.quarter)
    assert "2023-24-Q1.yaml" in str(info.value) and "quarter" in str(info.value)


def test_commentary_naming_an_unknown_commitment_is_refused(run, tmp_path):
    project = _project(tmp_path, COMMENTARY.replace("p2-reporting", "p2-reportin"))
    with pytest.raises(CommentaryError, match="did you mean 'p2-reporting'"):
        project_commentary(project, run.plan, run.quarter)


def test_no_commentary_file_means_none(run, tmp_path):
    assert project_commentary(_project(tmp_path, None), run.plan, run.quarter) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2023/24-Q5"], "cannot read '2023/24-Q5'"),
        (["--quarter", "2023/24-Q1", "--published", "15/08/2023"], "YYYY-MM-DD"),
    ],
)
def test_cli_reports_bad_options_without_a_traceback(tmp_path, monkeypatch, capsys, args, message):
    from planwatch.cli.main import run as cli

    monkeypatch.setattr(
        sys, "argv", ["planwatch", "report", "--project", str(tmp_path), "--no-pdf", *args]
    )
    with pytest.raises(SystemExit) as exit_:
        cli()
    err = capsys.readouterr().err
    assert exit_.value.code != 0
    assert "Traceback" not in err and message in " ".join(err.split())


def _with_published(run, published):
    meta = run.plan.metadata.model_copy(update={"published": published})
    return dataclasses.replace(run, plan=run.plan.model_copy(update={"metadata": meta}))


def test_the_cover_date_comes_from_the_plan_not_the_build_day(run, tmp_path):
    dated = _with_published(run, {"2023/24 Q1": date(2023, 8, 17), "2023/24 Q2": date(2023, 11, 9)})
    page = build_report(dated, None, tmp_path / "a", pdf=False).html.read_text(encoding="utf-8")
    assert "<dt>Published</dt><dd>17 August 2023</dd>" in page
    undated = build_report(run, None, tmp_path / "b", pdf=False).html.read_text(encoding="utf-8")
    assert "<dt>Published</dt>" not in undated  # no date given: none printed, never today's
    given = build_report(dated, None, tmp_path / "c", pdf=False, published=PUBLISHED)
    assert "<dd>15 August 2023</dd>" in given.html.read_text(encoding="utf-8")  # --published wins
