"""Reading and writing ``overrides.yaml`` (analysts' key-point overrides).

In: the path of a project's overrides file (``Project.overrides_path``).
Out: :class:`~planwatch.narrative.overrides.Override` records; and the file, written
back atomically (a failed write leaves the old file as it was).

The file looks like::

    overrides:
      - key: asb:change_previous          # KeyPoint.key
        action: reword                    # suppress | reword | add | pin | promote | demote
        text: ASB incidents fell again this quarter, by 3.1%.
        fingerprint: 1f0c9a7e44b2d310     # of the numbers it was written against
        reason: clearer for the panel
      - key: note:school-closures
        action: add
        measure: education_audience
        priority: 12
        text: Figures this quarter include three weeks of school holidays.

A malformed file is reported all at once, each problem naming the file, line and field.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, cast

from planwatch.errors import ConfigError, Location, Problem, suggest
from planwatch.narrative.overrides import ACTIONS, Action, Override

FIELDS = ("key", "action", "text", "fingerprint", "measure", "priority", "reason")
NEEDS_TEXT = ("reword", "add")
NEEDS_FINGERPRINT = ("suppress", "reword")


def _line(node: Any, field: str | None = None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    if field is not None:
        try:
            return int(lc.key(field)[0]) + 1
        except (KeyError, TypeError):
            pass
    return int(lc.line) + 1


def _entry(node: Any, path: Path, index: int, problems: list[Problem]) -> Override | None:
    def where(field: str | None = None) -> Location:
        return Location(file=str(path), line=_line(node, field), row=index + 1, field=field)

    if not isinstance(node, dict):
        problems.append(
            Problem(
                "an override must be a mapping of fields", where(), expected="key, action and text"
            )
        )
        return None
    before = len(problems)
    for name in node:
        if name not in FIELDS:
            problems.append(
                Problem(
                    f"unknown field '{name}'",
                    where(str(name)),
                    expected=", ".join(FIELDS),
                    suggestion=suggest(str(name), FIELDS),
                )
            )
    key, action, text = node.get("key"), node.get("action"), node.get("text")
    if not isinstance(key, str) or not key.strip():
        problems.append(
            Problem(
                "missing or empty key",
                where("key"),
                expected="the key point's key, e.g. 'asb:trend'",
            )
        )
    if action not in ACTIONS:
        problems.append(
            Problem(
                f"unknown action '{action}'",
                where("action"),
                expected=" | ".join(ACTIONS),
                suggestion=suggest(str(action), ACTIONS),
            )
        )
    if action in NEEDS_TEXT and (not isinstance(text, str) or not text.strip()):
        problems.append(
            Problem(
                f"an override with action '{action}' needs text",
                where("text"),
                expected="the wording to show",
            )
        )
    if action in NEEDS_FINGERPRINT and not isinstance(node.get("fingerprint"), str):
        problems.append(
            Problem(
                f"an override with action '{action}' needs the fingerprint of the numbers it was written against",
                where("fingerprint"),
                expected="the fingerprint shown by 'planwatch analyse --json'",
            )
        )
    priority = node.get("priority")
    if priority is not None and (not isinstance(priority, int) or isinstance(priority, bool)):
        problems.append(
            Problem(
                f"priority '{priority}' is not a number",
                where("priority"),
                expected="a priority number, e.g. 3",
            )
        )
    if len(problems) > before:
        return None
    return Override(
        key=str(key).strip(),
        action=cast(Action, action),
        text=str(text) if text is not None else None,
        fingerprint=str(node["fingerprint"]) if node.get("fingerprint") is not None else None,
        measure=str(node["measure"]) if node.get("measure") is not None else None,
        priority=priority,
        reason=str(node["reason"]) if node.get("reason") is not None else None,
        line=_line(node),
    )


def load_overrides(path: Path) -> tuple[Override, ...]:
    """Every override in ``path``; none when the file does not exist."""
    if not path.exists():
        return ()
    from ruamel.yaml import YAML  # only when there is a file: not at start-up (issue 17)
    from ruamel.yaml.error import MarkedYAMLError

    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(
            f"overrides file is not valid YAML: {exc.problem or exc}",
            location=Location(file=str(path), line=line),
            expected="YAML as in the documentation",
        ) from None
    if data is None:
        return ()
    entries = data.get("overrides") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(
            "overrides file must hold a list under 'overrides:'",
            location=Location(file=str(path), line=_line(data), field="overrides"),
            expected="overrides: followed by a list of entries",
        )
    problems: list[Problem] = []
    found = [_entry(node, path, i, problems) for i, node in enumerate(entries)]
    seen: dict[str, int] = {}
    for o in found:
        if o is None:
            continue
        if o.key in seen:
            problems.append(
                Problem(
                    f"key '{o.key}' is overridden twice (first at line {seen[o.key]})",
                    Location(file=str(path), line=o.line, field="key"),
                    expected="one override per key point",
                )
            )
        seen[o.key] = o.line or 0
    if problems:
        raise ConfigError(problems=problems)
    return tuple(o for o in found if o is not None)


def _as_mapping(o: Override) -> dict[str, Any]:
    fields = {
        "key": o.key,
        "action": o.action,
        "text": o.text,
        "fingerprint": o.fingerprint,
        "measure": o.measure,
        "priority": o.priority,
        "reason": o.reason,
    }
    return {k: v for k, v in fields.items() if v is not None}


def save_overrides(path: Path, overrides: tuple[Override, ...]) -> None:
    """Write ``overrides`` to ``path`` atomically (temporary file, then rename)."""
    from ruamel.yaml import YAML

    buffer = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump({"overrides": [_as_mapping(o) for o in overrides]}, buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".overrides-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put_override(path: Path, override: Override) -> tuple[Override, ...]:
    """Add ``override`` to the file, replacing any override with the same key."""
    kept = tuple(o for o in load_overrides(path) if o.key != override.key)
    updated = (*kept, override)
    save_overrides(path, updated)
    return updated
