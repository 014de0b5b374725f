"""The libyaml happy path (plan/fast_yaml.py) gives what the line-tracking ruamel path gives,
or steps aside; errors are still found, with their lines, by the ruamel path."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap

import planwatch
from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import load, parse_plan
from planwatch.plan.fast_yaml import load_fast

DEMO_PLAN = Path(planwatch.__file__).parent / "demo" / "plan.yaml"


def _slow(text: str) -> Any:
    """The ruamel path's data, made plain the way the loader makes it before validating."""
    return load._plain(load._ruamel().load(text))


def _plans() -> list[tuple[str, str]]:
    return [("example", example_plan_text()), ("demo", DEMO_PLAN.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("name", "text"), _plans(), ids=[n for n, _ in _plans()])
def test_both_paths_give_the_same_plan(name: str, text: str) -> None:
    fast = load._parse_fast(text, f"{name}.yaml")
    assert fast is not None, "the happy path stepped aside on a valid plan"
    assert fast == load._parse_located(text, f"{name}.yaml")
    assert load_fast(text) == _slow(text)


def _typed(value: Any) -> Any:
    """The value with the type of every scalar, so that True and 1 or 1.0 and 1 differ."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    plain = (bool, int, float, str, date, type(None))
    kind = next(t for t in plain if isinstance(value, t))
    return (kind.__name__, value)


#: Scalars where YAML 1.1 (PyYAML's default) and YAML 1.2 (ruamel's) differ, or that the
#: happy path hands to the slow one.
SCALARS = [
    "yes", "no", "on", "off", "y", "n", "True", "false", "FALSE", "~", "null", "Null", "",
    "0777", "0o17", "0x1f", "0b101", "1_000", "1:30", "190:20:30", "007", "0", "-3", "+4",
    "1e3", "1.5e3", "1.", ".5", "-.inf", ".nan", "1_0.5", "2024-04-01", "2024-4-1",
    "2024-04-01 10:00:00", "2024-04-01T10:00:00Z", "2020-02-30", "2023/24 Q1", "'1'",
    '"no"', "=", "<<", "!!str 12", "12:00", "3 Q1", "Q1 2023/24",
]  # fmt: skip


@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_reads_the_same_or_goes_the_slow_way(scalar: str) -> None:
    text = f"key: {scalar}\nlist: [{scalar}]\n{scalar or '~'}: 1\n"
    fast = load_fast(text)
    if fast is not None:
        assert _typed(fast) == _typed(_slow(text))


def test_yaml_1_1_words_stay_text() -> None:
    assert load_fast("a: no\nb: on\nc: 1e3\nd: 2024-04-01\n") == {
        "a": "no",
        "b": "on",
        "c": 1000.0,
        "d": date(2024, 4, 1),
    }


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: ruamel refuses it, PyYAML would keep the last
        "a: &x 1\nb: *x\n",  # aliases are counted by the slow path only
        "%YAML 1.1\n---\na: no\n",  # a directive changes the rules
        "a: !custom 1\n",
        "a: [1\n",  # invalid YAML
        "a: 2020-02-30\n",  # an impossible date is reported at its field by the slow path
        "? [a]\n: 1\n",
    ],
)
def test_the_happy_path_steps_aside(text: str) -> None:
    assert load_fast(text) is None


def test_a_valid_plan_is_read_without_the_line_tracking_loader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse() -> None:
        raise AssertionError("the slow path was used")

    monkeypatch.setattr(load, "_ruamel", refuse)
    assert parse_plan(example_plan_text()).metadata.area == "Exampleshire"


def test_a_plan_with_an_alias_loads_by_the_slow_path() -> None:
    text = example_plan_text().replace("metadata:", "metadata: &meta", 1)
    assert "&meta" in text and load_fast(text) is None
    assert parse_plan(text) == parse_plan(example_plan_text())


def test_an_error_found_after_the_happy_path_still_names_its_line() -> None:
    text = example_plan_text().replace("frequency: month", "frequency: fortnight", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "fortnight" in row)
    with pytest.raises(PlanError) as info:
        parse_plan(text, filename="plan.yaml")
    assert f"plan.yaml:{line}" in str(info.value)
    assert "frequency" in str(info.value)


def test_the_slow_path_keeps_its_lines() -> None:
    data = load._ruamel().load(example_plan_text())
    assert isinstance(data, CommentedMap)
    assert load._line_of(data, ["metadata"]) == 1 + next(
        i for i, row in enumerate(example_plan_text().splitlines()) if row.startswith("metadata:")
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.eE+-_:oxbTtrufalsNn~ '\"", min_size=1, max_size=10))
def test_any_short_scalar_reads_the_same_or_goes_the_slow_way(scalar: str) -> None:
    text = f"key: {scalar}\nlist: [{scalar}]\n"
    fast = load_fast(text)
    if fast is not None:
        assert _typed(fast) == _typed(_slow(text))
