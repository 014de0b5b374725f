from pathlib import Path

import pytest

from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.periods import Quarter, Rolling12
from planwatch.plan import load_plan, parse_plan


def test_example_plan_loads() -> None:
    plan = parse_plan(example_plan_text())
    assert plan.metadata.area == "Exampleshire"
    assert [p.number for p in plan.priorities] == [1, 2]
    assert plan.measure("asb_incidents").frequency == "month"
    assert plan.report_title(Quarter(2023, 1)) == "Quarterly Update: 2023/24 Q1"
    assert plan.events_for("all_crime")[0].label == "First national lockdown"
    assert plan.events_for("victim_confidence") == ()


def _broken(replacements: dict[str, str]) -> str:
    text = example_plan_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_typo_in_measure_reference_names_line_and_nearest_name() -> None:
    text = _broken({"measures: [all_crime, asb_incidents]": "measures: [all_crime, asb_incident]"})
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "asb_incident]" in row)
    with pytest.raises(PlanError) as info:
        parse_plan(text, filename="plan.yaml")
    message = str(info.value)
    assert "unknown measure 'asb_incident' in priority 1" in message
    assert f"plan.yaml:{line}" in message
    assert "did you mean 'asb_incidents'?" in message


def test_every_error_is_reported_at_once() -> None:
    text = _broken(
        {
            "  unit: Performance": "  unitt: Performance",
            "polarity: up_is_good": "polarity: up_is_gud",
            "owners: [comms]": "owners: [com]",
            "measures: [all_crime, asb_incidents]": "measures: [all_crime, asb_incident]",
        }
    )
    with pytest.raises(PlanError) as info:
        parse_plan(text, filename="plan.yaml")
    problems = info.value.problems
    messages = [str(p) for p in problems]
    assert len(problems) >= 4, messages
    assert any("unknown field 'unitt'" in m and "did you mean 'unit'" in m for m in messages)
    assert any("polarity" in m and "up_is_good" in m for m in messages)
    assert any("unknown department 'com'" in m and "did you mean 'comms'" in m for m in messages)
    assert all(p.location.file == "plan.yaml" and p.location.line for p in problems)


def test_duplicate_ids_and_missing_fields() -> None:
    text = _broken(
        {
            "  - id: comms": "  - id: north-lpa",
            "    objective: Put victims first at every stage.\n": "",
        }
    )
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    messages = str(info.value)
    assert "department id 'north-lpa' is defined twice" in messages
    assert "missing required field 'objective'" in messages


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(PlanError, match=r"not valid YAML.*plan.yaml:3"):
        parse_plan("metadata:\n  title: x\n  bad: [unclosed\n", filename="plan.yaml")


def test_bad_period_in_plan() -> None:
    text = _broken({"series_start: 2016/17 Q1": "series_start: 2016/18 Q1"})
    with pytest.raises(PlanError, match="does not follow 2016"):
        parse_plan(text)


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="planwatch init"):
        load_plan(tmp_path / "plan.yaml")


def test_plan_is_frozen() -> None:
    plan = parse_plan(example_plan_text())
    with pytest.raises(Exception, match="frozen"):
        plan.metadata.title = "x"  # type: ignore[misc]


def test_baseline_window() -> None:
    text = _broken(
        {
            "    analyses: [trend, short_term, extremes, rolling12]": "    analyses: [trend, short_term, extremes, rolling12]\n    baseline: {label: pre-pandemic, period: 12 months to December 2019}"
        }
    )
    measure = parse_plan(text).measure("all_crime")
    assert isinstance(measure.baseline_window, Rolling12)
    assert measure.baseline_window.end_month.label == "2019-12"
