"""The plan's outline (what `planwatch status` reads of a plan) and how it is kept: the
outline of a plan is its measures' ids, frequencies, lags and selections; the one kept in
the plan cache is the one the plan gives; an edited, invalid or damaged one is never used;
a plan with record-based measures is given whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_plan_cache import DEMO_PLAN

from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import cache, load, load_plan
from planwatch.plan.load import load_outline
from planwatch.plan.models import Plan
from planwatch.plan.outline import (
    PlanOutline,
    PoliceUkOutline,
    PrcOutline,
    RecordsOutline,
    SeriesOutline,
    outline_of,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", [example_plan_text(), DEMO_PLAN.read_text(encoding="utf-8")])
def test_the_outline_holds_what_status_reads_of_each_measure(text: str, tmp_path: Path) -> None:
    plan = load_plan(_write(tmp_path, text))
    outline = outline_of(plan)
    assert outline.area == plan.metadata.area
    assert [m.id for m in outline.measures] == [m.id for m in plan.measures]
    kinds = set()
    for m, o in zip(plan.measures, outline.measures, strict=True):
        kinds.add(m.source.kind)
        assert (o.frequency, o.source.kind) == (m.frequency, m.source.kind)
        assert o.expected_lag == (m.data_lag.periods if m.data_lag else 0)
        fields = {k: v for k, v in o.source._asdict().items() if k != "kind"}
        assert fields == {k: getattr(m.source, k) for k in fields}
    assert PlanOutline.from_json(json.loads(json.dumps(outline.to_json()))) == outline
    assert outline.plain == ("records" not in kinds)


def test_the_example_plan_is_plain_and_the_demo_is_not(tmp_path: Path) -> None:
    example = outline_of(load_plan(_write(tmp_path, example_plan_text())))
    assert example.plain
    assert {type(m.source) for m in example.measures} == {
        PrcOutline,
        PoliceUkOutline,
        SeriesOutline,
    }
    demo = outline_of(load_plan(_write(tmp_path, DEMO_PLAN.read_text(encoding="utf-8"))))
    assert not demo.plain
    assert RecordsOutline in {type(m.source) for m in demo.measures}


def test_a_plain_plan_is_given_as_its_outline_read_before_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, example_plan_text())
    first = load_outline(path, cache_dir=tmp_path / "c")  # read, checked and kept
    assert first == outline_of(load_plan(path))
    monkeypatch.setattr(load, "parse_plan", None)  # reading again would fail
    monkeypatch.setattr(cache, "cached", None)  # and so would rebuilding the models
    assert load_outline(path, cache_dir=tmp_path / "c") == first


def test_a_plan_with_record_measures_is_given_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, DEMO_PLAN.read_text(encoding="utf-8"))
    for _ in range(2):  # read, then from the cache
        given = load_outline(path, cache_dir=tmp_path / "c")
        assert isinstance(given, Plan) and given == load_plan(path)
    assert cache.cached_outline(tmp_path / "c", path, path.read_bytes()) is None


def test_an_edited_plan_is_outlined_again(tmp_path: Path) -> None:
    text = example_plan_text()
    path = _write(tmp_path, text)
    load_outline(path, cache_dir=tmp_path)
    first = load_plan(path).measures[0]
    assert first.data_lag is None or first.data_lag.periods != 5
    edited = text.replace(
        f"  - id: {first.id}\n", f"  - id: {first.id}\n    data_lag: {{periods: 5}}\n", 1
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    again = load_outline(path, cache_dir=tmp_path)
    assert isinstance(again, PlanOutline) and again.measures[0].expected_lag == 5


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("title:", "titel:", 1), "unknown field 'titel'"),
        (lambda t: t + "\n: [", "not valid YAML"),
    ],
)
def test_an_edited_invalid_plan_gives_the_same_error(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    text = example_plan_text()
    path = _write(tmp_path, text)
    load_outline(path, cache_dir=tmp_path)  # kept while valid
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(PlanError) as outlined:
        load_outline(path, cache_dir=tmp_path)
    with pytest.raises(PlanError) as plain:
        load_plan(path)
    assert outlined.value.render() == plain.value.render()
    assert expected in outlined.value.render() and "plan.yaml" in outlined.value.render()


def test_a_missing_or_huge_plan_gives_the_plans_errors(tmp_path: Path) -> None:
    missing = tmp_path / "plan.yaml"
    (tmp_path / "big").mkdir()
    for path in (missing, _write(tmp_path / "big", "#" * (load.MAX_PLAN_BYTES + 1))):
        with pytest.raises(PlanError) as outlined:
            load_outline(path, cache_dir=tmp_path / "c")
        with pytest.raises(PlanError) as plain:
            load_plan(path)
        assert outlined.value.render() == plain.value.render()


def _measure(data: dict[str, Any]) -> dict[str, Any]:
    return data["outline"]["measures"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _measure(d)["source"].update(kind="hologram"),
        lambda d: _measure(d).update(expected_lag="1"),
        lambda d: _measure(d).update(expected_lag=True),
        lambda d: _measure(d).update(id=7),
        lambda d: _measure(d)["source"].update(force=["Essex"]),
        lambda d: _measure(d)["source"].pop("force"),
        lambda d: _measure(d)["source"].update(offence_codes="abc"),
        lambda d: d["outline"].update(area=None),
        lambda d: d.pop("outline"),
        lambda d: d.update(outline=[]),
        lambda d: d.update(key="0" * 64),
    ],
)
def test_a_damaged_outline_is_a_miss(tmp_path: Path, change: Any) -> None:
    path = _write(tmp_path, example_plan_text())
    load_outline(path, cache_dir=tmp_path)
    assert (
        _measure(json.loads((tmp_path / "plan.yaml.json").read_bytes()))["source"]["kind"] == "prc"
    )
    entry = tmp_path / "plan.yaml.json"
    data = json.loads(entry.read_bytes())
    change(data)
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert cache.cached_outline(tmp_path, path, path.read_bytes()) is None
    assert load_outline(path, cache_dir=tmp_path) == outline_of(load_plan(path))
