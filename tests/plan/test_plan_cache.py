"""The plan cache (plan/cache.py): a plan read before is rebuilt from the cache exactly as the
reader makes it — the same models, fields, types and fields set — without reading it again;
any change to the plan's bytes (or to the code that reads plans) reads it again, so an
invalid plan gives its error with its lines as before; a damaged, foreign or unwritable
cache only means the plan is read again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import planwatch
from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import cache, load, load_plan

DEMO_PLAN = Path(planwatch.__file__).parent / "demo" / "plan.yaml"
ESSEX_PLAN = Path(planwatch.__file__).parent.parent / "examples" / "essex" / "plan.yaml"


def _shape(value: Any) -> Any:
    """The value as nested plain data with every type named: two plans with the same shape
    have the same models, fields (and which were set), containers and scalar types."""
    if isinstance(value, BaseModel):
        return (
            type(value).__qualname__,
            sorted(value.model_fields_set),
            {k: _shape(v) for k, v in value.__dict__.items()},
        )
    if isinstance(value, tuple | list):
        return (type(value).__name__, [_shape(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _shape(v) for k, v in value.items()})
    return (type(value).__name__, value)


def _plans() -> list[tuple[str, str]]:
    plans = [("example", example_plan_text()), ("demo", DEMO_PLAN.read_text(encoding="utf-8"))]
    if ESSEX_PLAN.exists():
        plans.append(("essex", ESSEX_PLAN.read_text(encoding="utf-8")))
    return plans


@pytest.mark.parametrize(("name", "text"), _plans(), ids=[n for n, _ in _plans()])
def test_a_cached_plan_is_the_plan_read(
    name: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    folder = tmp_path / cache.CACHE_DIR
    read = load_plan(path, cache_dir=folder)
    assert (folder / "plan.yaml.json").exists()
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert read == load_plan(path)  # keeping it changed nothing
    monkeypatch.setattr(load, "parse_plan", None)  # reading again would fail
    kept = load_plan(path, cache_dir=folder)
    assert kept is not read
    assert kept == read
    assert _shape(kept) == _shape(read)
    assert kept.metadata.area == read.metadata.area
    for measure in read.measures:  # methods and properties work on the rebuilt models
        assert kept.measure(measure.id).start_period == measure.start_period
        assert kept.measure_definition(measure.id) == read.measure_definition(measure.id)


def test_the_demo_plan_exercises_every_tag(tmp_path: Path) -> None:
    """The demo plan holds models, tuples, dicts and dates, so the test above covers them."""
    path = tmp_path / "plan.yaml"
    path.write_text(DEMO_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    load_plan(path, cache_dir=tmp_path)
    text = (tmp_path / "plan.yaml.json").read_text(encoding="utf-8")
    for tag in ('"$m"', '"$t"', '"$d"', '"$date"', '"$set"'):
        assert tag in text


def test_an_edit_reads_the_plan_again(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    text = example_plan_text()
    path.write_text(text, encoding="utf-8")
    first = load_plan(path, cache_dir=tmp_path)
    edited = text.replace(first.metadata.title, first.metadata.title + " (revised)", 1)
    path.write_text(edited, encoding="utf-8")
    again = load_plan(path, cache_dir=tmp_path)
    assert again.metadata.title == first.metadata.title + " (revised)"
    assert again == load_plan(path)


def test_an_edited_invalid_plan_gives_its_error_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    text = example_plan_text()
    path.write_text(text, encoding="utf-8")
    load_plan(path, cache_dir=tmp_path)  # kept while valid
    path.write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "title:" in row)
    with pytest.raises(PlanError) as cached_error:
        load_plan(path, cache_dir=tmp_path)
    with pytest.raises(PlanError) as plain_error:
        load_plan(path)
    assert cached_error.value.render() == plain_error.value.render()
    assert f"plan.yaml:{line}" in cached_error.value.render()
    assert "unknown field 'titel'" in cached_error.value.render()


def test_a_one_byte_change_is_a_new_key() -> None:
    text = example_plan_text().encode()
    assert cache.key_of(text) != cache.key_of(text + b" ")
    assert cache.key_of(text) == cache.key_of(bytes(text))


def test_the_key_holds_the_code_that_reads_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_plan_text().encode()
    before = cache.key_of(text)
    cache._code_digest.cache_clear()
    monkeypatch.setattr(planwatch, "__version__", planwatch.__version__ + ".dev1")
    try:
        assert cache.key_of(text) != before
    finally:
        cache._code_digest.cache_clear()


def _kept(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "plan.yaml"
    path.write_text(example_plan_text(), encoding="utf-8")
    load_plan(path, cache_dir=tmp_path)
    return path, tmp_path / "plan.yaml.json"


def _edit_entry(entry: Path, change: Any) -> None:
    data = json.loads(entry.read_text(encoding="utf-8"))
    change(data)
    entry.write_text(json.dumps(data), encoding="utf-8")


def _rename_model(data: dict[str, Any]) -> None:
    data["plan"]["$m"] = "NotAModel"


def _drop_field(data: dict[str, Any]) -> None:
    del data["plan"]["$f"]["metadata"]


def _foreign_key(data: dict[str, Any]) -> None:
    data["key"] = "0" * 64


def _not_a_plan(data: dict[str, Any]) -> None:
    data["plan"] = {"$date": "2024-01-01"}


@pytest.mark.parametrize("change", [_rename_model, _drop_field, _foreign_key, _not_a_plan])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, change: Any) -> None:
    path, entry = _kept(tmp_path)
    _edit_entry(entry, change)
    assert cache.cached(tmp_path, path, path.read_bytes()) is None
    assert load_plan(path, cache_dir=tmp_path) == load_plan(path)
    assert cache.cached(tmp_path, path, path.read_bytes()) is not None  # kept again


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b"\xff\xfe", b'{"key": 1}'])
def test_garbage_in_the_cache_is_a_miss(tmp_path: Path, garbage: bytes) -> None:
    path, entry = _kept(tmp_path)
    entry.write_bytes(garbage)
    assert load_plan(path, cache_dir=tmp_path) == load_plan(path)


def test_a_cache_folder_that_cannot_be_made_reads_the_plan_without_one(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(example_plan_text(), encoding="utf-8")
    beside_a_file = path / cache.CACHE_DIR  # the folder would be inside plan.yaml
    assert load_plan(path, cache_dir=beside_a_file) == load_plan(path)
    assert load_plan(path, cache_dir=beside_a_file) == load_plan(path)


def test_an_unwritable_cache_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(example_plan_text(), encoding="utf-8")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", full_disk)
    assert load_plan(path, cache_dir=tmp_path / "c") == load_plan(path)
    assert [f.name for f in (tmp_path / "c").iterdir()] == [".gitignore"]  # no .tmp left


def test_values_the_format_does_not_hold_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(example_plan_text(), encoding="utf-8")
    odd = load_plan(path).model_copy(update={"departments": (object(),)})
    cache.keep(tmp_path / "c", path, path.read_bytes(), odd)
    assert not (tmp_path / "c").exists()


def test_the_entry_is_plain_data(tmp_path: Path) -> None:
    """JSON of tagged nodes and scalars only: nothing in an entry is code."""
    path = tmp_path / "plan.yaml"
    path.write_text(DEMO_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    load_plan(path, cache_dir=tmp_path)
    data = json.loads((tmp_path / "plan.yaml.json").read_text(encoding="utf-8"))
    models = set(cache._classes())

    def check(node: Any) -> None:
        if isinstance(node, list):
            for value in node:
                check(value)
        elif isinstance(node, dict):
            [tag] = set(node) - {"$set", "$f"} if "$m" in node else set(node)
            if tag == "$m":
                assert node["$m"] in models and set(node) == {"$m", "$set", "$f"}
                assert all(isinstance(name, str) for name in node["$set"])
                for value in node["$f"].values():
                    check(value)
            elif tag == "$t":
                check(node["$t"])
            elif tag == "$d":
                for value in node["$d"].values():
                    check(value)
            else:
                assert tag == "$date"
                date.fromisoformat(node["$date"])
        else:
            assert node is None or isinstance(node, str | int | float | bool)

    check(data["plan"])


def test_code_that_cannot_be_read_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without its source files (a zipped app): plans are read as without a cache."""

    def unreadable() -> bytes:
        raise OSError(2, "No such file or directory")

    monkeypatch.setattr(cache, "_code_digest", unreadable)
    path = tmp_path / "plan.yaml"
    path.write_text(example_plan_text(), encoding="utf-8")
    assert load_plan(path, cache_dir=tmp_path / "c") == load_plan(path)
    assert not (tmp_path / "c" / "plan.yaml.json").exists()
