"""The demo generator: its plan loads, its files are deterministic and in the real
layouts, and the trends set in advance can be recovered from the files it writes."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from planwatch.demo import spec
from planwatch.demo.generate import MARKER, DemoFiles, generate_demo_project
from planwatch.demo.offences import OFFENCES, SUBGROUP_TRENDS
from planwatch.demo.prc import generate_prc
from planwatch.periods import Month, Quarter, parse_period
from planwatch.plan.commentary import load_commentary
from planwatch.plan.load import load_plan

#: How far a fitted % a year may sit from the one set: a few standard errors of the fit.
TREND_TOLERANCE_PCT = 2.0


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh))


def _digest(files: DemoFiles) -> dict[str, str]:
    return {
        str(p.relative_to(files.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (*files.data_files(), files.plan, files.commentary)
    }


def _poisson_pct_per_year(
    counts: list[int],
    index: list[int],
    season: list[int],
    per_year: int,
    steps: list[list[float]] = (),
) -> tuple[float, np.ndarray]:
    """Log-linear Poisson fit with seasonal dummies: % change a year, and the step coefficients."""
    t = np.asarray(index, dtype=float) / per_year
    dummies = np.eye(max(season) + 1)[season][:, 1:]
    parts = [np.ones_like(t), t, dummies, *[np.asarray(s, dtype=float)[:, None] for s in steps]]
    X = np.column_stack(parts)
    fit = sm.GLM(np.asarray(counts), X, family=sm.families.Poisson()).fit()
    return 100 * (np.exp(fit.params[1]) - 1), np.exp(fit.params[2 + dummies.shape[1] :])


# ---------------------------------------------------------------------------
# Plan and commentary
# ---------------------------------------------------------------------------
def test_demo_plan_and_commentary_load(demo_files: DemoFiles) -> None:
    plan = load_plan(demo_files.plan)
    assert plan.metadata.area == spec.AREA
    assert len(plan.priorities) == 12
    sources = {m.source.kind for m in plan.measures}
    assert sources == {"prc", "police_uk", "series", "records"}
    assert {m.aggregation for m in plan.measures} >= {
        "sum",
        "harm_weighted",
        "proportion",
        "mean",
        "last",
    }
    assert any(m.baseline for m in plan.measures) and any(m.benchmark for m in plan.measures)
    assert any(m.data_lag for m in plan.measures)
    assert any(e.breaks_comparability for e in plan.events) and any(
        not e.breaks_comparability for e in plan.events
    )
    commentary = load_commentary(demo_files.commentary, plan)
    assert commentary.period == spec.REPORT_QUARTER
    without = [c.id for _, c in plan.commitments() if not commentary.for_commitment(c.id)]
    assert without == ["p2-violence-orders", "p8-shop-workers"]


def test_every_series_the_plan_names_is_generated(demo_files: DemoFiles) -> None:
    plan = load_plan(demo_files.plan)
    generated = {row["measure"] for path in demo_files.measures for row in _rows(path)}
    wanted = {m.source.series for m in plan.measures if m.source.kind == "series"}
    assert wanted <= generated, wanted - generated


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------
def test_same_seed_gives_identical_files_and_a_rerun_starts_a_fresh_store(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    earlier = tmp_path / "again"
    earlier.mkdir()
    (earlier / MARKER).write_text("", encoding="utf-8")  # as an earlier demo run leaves it
    (earlier / "planwatch.duckdb").write_bytes(b"an earlier store")
    again = generate_demo_project(earlier, seed=demo_files.seed)
    assert _digest(again) == _digest(demo_files)
    assert not again.project.store_path.exists()


def test_another_seed_gives_other_figures() -> None:
    first, second = generate_prc(spec_seed := 7), generate_prc(spec_seed + 1)
    assert any((first[spec.AREA][o.code] != second[spec.AREA][o.code]).any() for o in OFFENCES)


# ---------------------------------------------------------------------------
# Layouts identical to the real files
# ---------------------------------------------------------------------------
@pytest.mark.shared
def test_headers_match_the_real_files(demo_files: DemoFiles, shared_data: Path) -> None:
    assert _header(demo_files.prc) == _header(shared_data / "prc-pfa-2017-18.csv")
    real_street = sorted((shared_data / "police-uk-street" / "essex").glob("*.csv"))[0]
    for path in (demo_files.police_uk[0], demo_files.police_uk[-1]):
        assert _header(path) == _header(real_street)
    real_weights = shared_data / "lookups" / "crime-severity-weights-policeuk-ons-code-join.csv"
    assert _header(demo_files.weights) == _header(real_weights)


@pytest.mark.shared
def test_offence_codes_agree_with_the_home_office_lookup(shared_data: Path) -> None:
    lookup = {
        r["Offence Code"]: r
        for r in _rows(shared_data / "lookups" / "ho-offence-code-to-policeuk-category.csv")
    }
    for o in OFFENCES:
        real = lookup[o.code]
        assert (o.description, o.group, o.subgroup) == (
            real["Offence Description"],
            real["Offence Group"],
            real["Offence Subgroup"],
        ), o.code
    assert set(SUBGROUP_TRENDS) == {o.subgroup for o in OFFENCES}


def test_street_files_look_like_data_police_uk(demo_files: DemoFiles) -> None:
    assert all(
        re.fullmatch(r"\d{4}-\d{2}-anyshire-street\.csv", p.name) for p in demo_files.police_uk
    )
    months = [parse_period(p.name[:7]) for p in demo_files.police_uk]
    assert months[0] == spec.STREET_FIRST and months[-1] == spec.LAST_MONTH
    assert len(months) == spec.LAST_MONTH.index - spec.STREET_FIRST.index + 1  # no gaps
    rows = _rows(demo_files.police_uk[-1])
    asb = [r for r in rows if r["Crime type"] == "Anti-social behaviour"]
    crimes = [r for r in rows if r["Crime type"] != "Anti-social behaviour"]
    assert asb and crimes
    assert all(r["Crime ID"] == "" and r["Last outcome category"] == "" for r in asb)
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["Crime ID"]) for r in crimes)
    assert {r["Month"] for r in rows} == {spec.LAST_MONTH.label}
    assert {r["Falls within"] for r in rows} == {spec.FORCE_NAME}


def test_prc_has_one_row_per_force_quarter_and_code(demo_files: DemoFiles) -> None:
    rows = _rows(demo_files.prc)
    keys = Counter(
        (r["Financial Year"], r["Financial Quarter"], r["Force Name"], r["Offence Code"])
        for r in rows
    )
    assert max(keys.values()) == 1
    assert {r["Force Name"] for r in rows} == {f.name for f in spec.FORCES}
    assert rows[-1]["Financial Year"] == "2023/24" and rows[-1]["Financial Quarter"] == "1"


# ---------------------------------------------------------------------------
# The trends set in advance are in the files
# ---------------------------------------------------------------------------
def test_asb_trend_is_recoverable_from_the_street_files(demo_files: DemoFiles) -> None:
    counts: dict[Month, int] = {}
    for path in demo_files.police_uk:
        month = parse_period(path.name[:7])
        assert isinstance(month, Month)
        counts[month] = sum(1 for r in _rows(path) if r["Crime type"] == "Anti-social behaviour")
    kept = [m for m in counts if m not in spec.LOCKDOWN_ASB]  # lockdown months explain, not trend
    pct, _ = _poisson_pct_per_year(
        [counts[m] for m in kept], [m.index for m in kept], [(m.month - 4) % 12 for m in kept], 12
    )
    assert pct == pytest.approx(spec.ASB_PCT_PER_YEAR, abs=TREND_TOLERANCE_PCT)


def _anyshire_quarterly(demo_files: DemoFiles, subgroup: str) -> dict[Quarter, int]:
    totals: dict[Quarter, int] = defaultdict(int)
    for r in _rows(demo_files.prc):
        if r["Force Name"] == spec.AREA and r["Offence Subgroup"] == subgroup:
            q = parse_period(f"{r['Financial Year']} Q{r['Financial Quarter']}")
            assert isinstance(q, Quarter)
            totals[q] += int(r["Number of Offences"])
    return dict(totals)


def _outside_lockdown(quarters: dict[Quarter, int]) -> list[Quarter]:
    locked = {m.quarter for m in spec.LOCKDOWN_CRIME}
    return [q for q in quarters if q not in locked]


def test_violence_with_injury_trend_is_recoverable(demo_files: DemoFiles) -> None:
    totals = _anyshire_quarterly(demo_files, "Violence with injury")
    kept = _outside_lockdown(totals)
    pct, _ = _poisson_pct_per_year(
        [totals[q] for q in kept], [q.index for q in kept], [q.q - 1 for q in kept], 4
    )
    assert pct == pytest.approx(SUBGROUP_TRENDS["Violence with injury"], abs=TREND_TOLERANCE_PCT)


def test_recording_rule_change_is_a_step_of_the_size_set(demo_files: DemoFiles) -> None:
    totals = _anyshire_quarterly(demo_files, "Stalking and harassment")
    kept = [
        q for q in _outside_lockdown(totals) if q.last_month.index < spec.RECORDING_REVISION.index
    ]
    after = [1.0 if q.first_month.index >= spec.RECORDING_CHANGE.index else 0.0 for q in kept]
    pct, (step,) = _poisson_pct_per_year(
        [totals[q] for q in kept],
        [q.index for q in kept],
        [q.q - 1 for q in kept],
        4,
        steps=[after],
    )
    assert step == pytest.approx(spec.RECORDING_CHANGE_STEP, rel=0.06)
    assert pct == pytest.approx(SUBGROUP_TRENDS["Stalking and harassment"], abs=TREND_TOLERANCE_PCT)


def test_drug_homicides_are_low_counts(demo_files: DemoFiles) -> None:
    values = [
        int(r["value"])
        for p in demo_files.measures
        for r in _rows(p)
        if r["measure"] == "drug_related_homicides"
    ]
    assert len(values) > 20 and max(values) <= 10 and np.mean(values[-8:]) < 3


def test_surveys_stop_one_quarter_before_the_report_quarter(demo_files: DemoFiles) -> None:
    surveys = [
        r
        for p in demo_files.measures
        for r in _rows(p)
        if r["measure"] in {"victim_confidence", "women_safe_after_dark"}
    ]
    latest = max(parse_period(r["period"]) for r in surveys)
    assert latest == spec.REPORT_QUARTER.shift(-spec.SURVEY_LAG_QUARTERS)
    for r in surveys:
        assert float(r["value"]) == pytest.approx(
            100 * int(r["numerator"]) / int(r["denominator"]), abs=0.05
        )


# ---------------------------------------------------------------------------
# The deliberate data-entry error
# ---------------------------------------------------------------------------
def test_the_data_entry_error_is_in_the_workforce_file(demo_files: DemoFiles) -> None:
    rows = {
        parse_period(r["period"]): float(r["value"])
        for p in demo_files.measures
        for r in _rows(p)
        if r["measure"] == spec.ERROR_SERIES
    }
    wrong = rows.pop(spec.ERROR_PERIOD)
    assert all(2 < v < 6 for v in rows.values())
    assert 200 < wrong < 600 and wrong == int(wrong)  # the decimal point is missing
