"""overrides.yaml: read, written atomically, and malformed files named by line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.errors import ConfigError
from planwatch.narrative.overrides import Override
from planwatch.services.overrides import load_overrides, put_override, save_overrides


def test_missing_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "overrides.yaml") == ()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    first = Override(
        key="asb:trend", action="reword", text="New words.", fingerprint="abc", reason="clearer"
    )
    save_overrides(path, (first,))
    put_override(
        path, Override(key="note:x", action="add", text="Added.", measure="asb", priority=1)
    )
    put_override(path, Override(key="asb:trend", action="suppress", fingerprint="def"))
    loaded = load_overrides(path)
    assert [(o.key, o.action) for o in loaded] == [("note:x", "add"), ("asb:trend", "suppress")]
    assert loaded[0].priority == 1 and loaded[0].line == 2
    assert not list(tmp_path.glob(".overrides-*"))


def test_malformed_entries_are_all_reported_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "overrides:\n"
        "  - key: asb:trend\n"
        "    action: rewrod\n"
        "  - key: asb:gap\n"
        "    action: reword\n"
        "    fingerprint: abc\n"
        "    txt: hello\n"
        "  - key: asb:run\n"
        "    action: suppress\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_overrides(path)
    message = err.value.render()
    assert (
        "unknown action 'rewrod'" in message
        and "did you mean 'reword'" in message
        and "overrides.yaml:3" in message
    )
    assert (
        "unknown field 'txt'" in message
        and "overrides.yaml:7" in message
        and "did you mean 'text'" in message
    )
    assert "needs text" in message
    assert "needs the fingerprint" in message and "overrides.yaml:8" in message


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("overrides:\n  - key: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid YAML.*overrides.yaml:\d"):
        load_overrides(path)
    path.write_text("overrides: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must hold a list"):
        load_overrides(path)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "overrides:\n  - {key: a, action: suppress, fingerprint: x}\n  - {key: a, action: suppress, fingerprint: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="overridden twice"):
        load_overrides(path)
