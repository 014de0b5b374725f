"""One plan, every area (``planwatch report-areas``, :mod:`planwatch.services.batch`): a
national tidy file of three forces, a plan for one of them; each area's report is built by
the real report service in a real process pool and written into its own folder with its
own figures, and one area that fails loses no other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from children import planwatch

from planwatch.errors import ConfigError, ReportError
from planwatch.periods import Quarter
from planwatch.plan.load import load_plan
from planwatch.project import Project
from planwatch.services.analyse import plan_for_area, run_analysis
from planwatch.services.batch import ReportChoices, chosen_areas, report_areas
from planwatch.services.ingest import ingest

QUARTER = Quarter(2023, 4)
#: Each force's level: its figures in its own report tell the reports apart.
LEVELS = {"Essex": 1000, "Kent": 2000, "Norfolk": 3000}
#: HTML alone (and the figures JSON): what the tests read, at a small cost.
QUICK = ReportChoices(pdf=False, chart_data=False)


def _value(force: str, series: int, t: int) -> int:
    return LEVELS[force] + 100 * series + 7 * t + (t % 4) * 11


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("national") / "p"
    root.mkdir()
    (root / "plan.yaml").write_text(
        "metadata: {title: Essex Police and Crime Plan, organisation: 'Essex Police, Fire and "
        "Crime Commissioner', area: Essex, plan_period: 2022-2026}\n"
        "measures:\n"
        "  - {id: burglary, name: Burglary, source: {kind: series, series: burglary}}\n"
        "  - {id: robbery, name: Robbery, source: {kind: series, series: robbery}}\n"
        "priorities:\n"
        "  - {number: 1, title: Safer streets, objective: O, measures: [burglary, robbery]}\n",
        encoding="utf-8",
    )
    rows = ["measure,period,area,value"]
    for force in LEVELS:
        for i, series in enumerate(("burglary", "robbery")):
            for t in range(24):
                year, q = 2018 + t // 4, t % 4 + 1
                rows.append(
                    f"{series},{year}/{str(year + 1)[2:]} Q{q},{force},{_value(force, i, t)}"
                )
    csv = root.parent / "national.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ingest(root, "measures", [csv])
    return Project.at(root)


def _figures(folder: Path) -> dict:
    (path,) = folder.glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_areas_a_plan_can_be_run_for_are_the_forces_of_its_sources(national):
    assert chosen_areas(national) == ("Essex", "Kent", "Norfolk")
    assert chosen_areas(national, ["kent", "Kent"]) == ("Kent",)
    with pytest.raises(ConfigError, match="no data for 'Nowhere'") as err:
        chosen_areas(national, ["Kent", "Nowhere"])
    assert "Essex, Kent, Norfolk" in err.value.render()


def test_each_area_gets_its_own_report_with_its_own_figures(national, tmp_path):
    out = tmp_path / "areas"
    reports = report_areas(national, QUARTER, out_dir=out, choices=QUICK, workers=2)
    assert [r.area for r in reports] == ["Essex", "Kent", "Norfolk"]
    assert all(r.ok for r in reports), [r.error for r in reports]
    for report in reports:
        assert report.folder == out / report.area.lower()
        assert {p.suffix for p in report.files} == {".html", ".json"}
        assert all(p.parent == report.folder and p.stat().st_size > 0 for p in report.files)
        figures = _figures(report.folder)
        assert figures["report"]["organisation"] == (
            f"{report.area} Police, Fire and Crime Commissioner"
        )
        latest = {m["id"]: m["latest_value"] for p in figures["priorities"] for m in p["measures"]}
        assert latest == {
            "burglary": _value(report.area, 0, 23),
            "robbery": _value(report.area, 1, 23),
        }
        html = next(p for p in report.files if p.suffix == ".html").read_text(encoding="utf-8")
        assert f"{report.area} Police, Fire and Crime Commissioner" in html
        assert "by district" not in html  # the other forces are no districts of this one
    # the plan's own area is the project's own report
    own = run_analysis(national, QUARTER)
    assert own.plan == load_plan(national.plan_path)


def test_one_area_failing_loses_no_other(national, tmp_path):
    out = tmp_path / "areas"
    out.mkdir()
    (out / "kent").write_text("a file where Kent's folder would go", encoding="utf-8")
    seen = []
    reports = report_areas(
        national, QUARTER, out_dir=out, choices=QUICK, workers=1, on_done=seen.append
    )
    assert [r.area for r in seen] == ["Essex", "Kent", "Norfolk"]
    by_area = {r.area: r for r in reports}
    assert not by_area["Kent"].ok
    assert by_area["Kent"].exit_code == ReportError.exit_code
    assert "cannot write the report into" in by_area["Kent"].error
    assert by_area["Essex"].ok and by_area["Norfolk"].ok
    assert _figures(out / "norfolk")["report"]["organisation"].startswith("Norfolk")


def test_the_command_reports_every_area_and_fails_if_any_failed(national, tmp_path):
    out = tmp_path / "areas"
    out.mkdir()
    (out / "norfolk").write_text("in the way", encoding="utf-8")
    done = planwatch(
        "report-areas", "-p", national.root, "-q", QUARTER.label, "--no-pdf",
        "--no-chart-data", "--out", out, "--workers", "2", "--json",
    )  # fmt: skip
    assert done.returncode == ReportError.exit_code, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["areas"], summary["written"], summary["failed"]) == (3, 2, ["Norfolk"])
    assert [r["area"] for r in summary["reports"]] == ["Essex", "Kent", "Norfolk"]
    assert summary["reports"][1]["files"] and "cannot write" in summary["reports"][2]["error"]
    assert (out / "kent" / "kent-2023-24-Q4.html").exists()

    text = planwatch(
        "report-areas", "-p", national.root, "-q", QUARTER.label, "--no-pdf",
        "--no-chart-data", "--out", tmp_path / "text", "-a", "Kent",
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "[1] Kent: wrote 2 files into" in " ".join(text.stdout.split())
    assert "1 of 1 areas' reports written" in " ".join(text.stdout.split())

    unknown = planwatch("report-areas", "-p", national.root, "-q", QUARTER.label, "-a", "Mars")
    assert unknown.returncode == ConfigError.exit_code
    assert "no data for 'Mars'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_plan_run_for_another_area_names_that_area_wherever_it_named_its_own():
    from planwatch.plan.load import parse_plan

    plan = parse_plan(
        "metadata: {title: Essex Plan, organisation: Essex PFCC, area: Essex, "
        "plan_period: 2022-2026}\n"
        "measures:\n"
        "  - {id: a, name: A, source: {kind: prc, force: Essex}}\n"
        "  - {id: b, name: B, source: {kind: prc, force: Kent}}\n"
        "  - {id: c, name: C, source: {kind: police_uk, falls_within: Essex Police}}\n"
        "  - {id: d, name: D, source: {kind: series, series: d, area: Essex}}\n"
        "  - {id: e, name: E, source: {kind: series, series: e, area: Colchester}}\n"
        "priorities:\n  - {number: 1, title: P, objective: O, measures: [a, b, c, d, e]}\n"
    )
    moved = plan_for_area(plan, "Norfolk", "Norfolk Constabulary")
    assert (moved.metadata.area, moved.metadata.title, moved.metadata.organisation) == (
        "Norfolk",
        "Norfolk Plan",
        "Norfolk PFCC",
    )
    sources = [m.source for m in moved.measures]
    assert sources[0].force == "Norfolk"
    assert sources[1].force == "Kent"  # named another force on purpose: kept
    assert sources[2].falls_within == "Norfolk Constabulary"
    assert sources[3].area == "Norfolk"
    assert sources[4].area == "Colchester"
    assert plan_for_area(plan, "essex") is plan


STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def test_a_police_uk_plan_run_for_another_force_counts_that_forces_falls_within(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "plan.yaml").write_text(
        "metadata: {title: Essex Plan, organisation: Essex PFCC, area: Essex, "
        "plan_period: 2022-2026}\n"
        "measures:\n  - {id: crime, name: Crime, frequency: month, "
        "source: {kind: police_uk, falls_within: Essex Police}}\n"
        "priorities:\n  - {number: 1, title: P, objective: O, measures: [crime]}\n",
        encoding="utf-8",
    )
    counts = {"Essex Police": 3, "Kent Police": 5}  # crimes a month, each force
    archive = tmp_path / "archive"
    for month in ("2023-04", "2023-05", "2023-06"):
        for force, n in counts.items():
            slug = force.lower().replace(" ", "-")
            path = archive / month / f"{month}-{slug}-street.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = [
                f"{force[0]}{month}{i:03d}{'x' * 60},{month},{force},{force},0.5,51.7,"
                f"On or near High Street,E01000001,Town 001A,Burglary,Under investigation,"
                for i in range(n)
            ]
            path.write_text("\n".join([STREET_HEADER, *rows]) + "\n", encoding="utf-8")
    ingest(root, "police_uk", [archive])
    project = Project.at(root)
    assert chosen_areas(project) == ("Essex", "Kent")
    for area, force in (("Essex", "Essex Police"), ("Kent", "Kent Police")):
        run = run_analysis(project.for_area(area), Quarter(2023, 1))
        (result,) = run.priorities[0].measures
        assert run.plan.measures[0].source.falls_within == force
        assert result.series.values == (counts[force],) * 3


def test_other_forces_rows_are_no_districts(tmp_path):
    """A national tidy series with no rows for this force has no data for it; district
    rows alone are still the plan error they were."""
    from planwatch.errors import PlanError
    from planwatch.store.selectors import measure_frames

    root = tmp_path / "p"
    root.mkdir()
    (root / "plan.yaml").write_text(
        "metadata: {title: t, organisation: o, area: Kent, plan_period: 2022-2026}\n"
        "measures:\n"
        "  - {id: national, name: N, source: {kind: series, series: national}}\n"
        "  - {id: local, name: L, source: {kind: series, series: local}}\n"
        "priorities:\n  - {number: 1, title: P, objective: O, measures: [national, local]}\n",
        encoding="utf-8",
    )
    csv = tmp_path / "m.csv"
    csv.write_text(
        "measure,period,area,value\n"
        "national,2023/24 Q1,Essex,10\nnational,2023/24 Q1,Norfolk,12\n"
        "local,2023/24 Q1,Maidstone,3\n",
        encoding="utf-8",
    )
    ingest(root, "measures", [csv])
    frames = measure_frames(root, load_plan(root / "plan.yaml"))
    assert frames.frame("national").empty
    with pytest.raises(PlanError, match="rows only for areas Maidstone, none for Kent"):
        frames.frame("local")
