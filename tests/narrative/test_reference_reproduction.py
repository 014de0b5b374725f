"""The reference reproduction: series shaped like the statements of the reference
quarterly update (``reference_reproduction.json``: each statement's paraphrase, the
measure and series behind it, and the facts planwatch's sentence must carry), run through
the real engine, the key points and the claim checker.

* :func:`test_statements_written_correctly` counts the statements planwatch writes
  correctly — a key point of an expected kind, passing the claim checker, stating every
  expected fact — and fails if fewer than :data:`WRITTEN_AT_LEAST` are (the count of this
  session, so that a change that loses one is seen). The table of every statement is
  printed (shown with ``-s`` or on failure).
* :func:`test_headline_findings_make_the_box` checks that each headline finding of the
  reference (the movement a reader needs first) is among its priority's key points, the
  box the Commissioner reads, not ranked out of it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import verified
from planwatch.narrative.keypoints import measure_key_points, priority_points
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.relations import Related
from planwatch.periods import Month, Quarter, month_range, parse_period, quarter_range
from planwatch.plan.models import Event, Measure, SeriesSource

FIXTURE = Path(__file__).with_name("reference_reproduction.json")
#: Statements of the reproduction written correctly at the end of session 5 (of 30).
WRITTEN_AT_LEAST = 29


@dataclass(frozen=True)
class Outcome:
    points: dict[str, tuple[KeyPoint, ...]]  # by measure: every key point that passed the check
    refused: dict[str, tuple[str, ...]]  # by measure: what the checker refused
    quarter: Quarter


def _series(entry: dict[str, Any]) -> MeasureSeries:
    first = parse_period(entry["first"])
    n = len(entry["values"])
    if isinstance(first, Month):
        periods: tuple[Month | Quarter, ...] = tuple(month_range(first, first.shift(n - 1)))
        frequency = "month"
    else:
        assert isinstance(first, Quarter)
        periods = tuple(quarter_range(first, first.shift(n - 1)))
        frequency = "quarter"
    values = tuple(float(v) for v in entry["values"])
    return MeasureSeries(entry["id"], frequency, periods, values, unit=entry.get("unit", "count"))  # type: ignore[arg-type]


def _measure(entry: dict[str, Any]) -> Measure:
    kw = {k: v for k, v in entry.items() if k not in ("first", "values")}
    return Measure(source=SeriesSource(series=entry["id"]), **kw)


@cache
def outcome() -> Outcome:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    quarter = parse_period(data["report_quarter"])
    assert isinstance(quarter, Quarter)
    events = tuple(Event(**{**e, "date": date.fromisoformat(e["date"])}) for e in data["events"])
    measures = {e["id"]: (_measure(e), _series(e)) for e in data["measures"]}
    points: dict[str, tuple[KeyPoint, ...]] = {}
    refused: dict[str, tuple[str, ...]] = {}
    for mid, (m, s) in measures.items():
        links = {k: measures[k][1] for k in (m.part_of, m.pattern_like) if k is not None}
        related = [Related(measures[k][0], v) for k, v in links.items()]
        analysis = analyse_measure(s, m, events, quarter)
        every = measure_key_points(analysis, m, s, events, related=related)
        kept, problems = verified(every, s, m, quarter, links)
        points[mid] = kept
        refused[mid] = tuple(f"{p.message}; expected {p.expected}" for p in problems)
    return Outcome(points, refused, quarter)


def statements() -> list[dict[str, Any]]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return list(data["statements"])


def written(statement: dict[str, Any], points: tuple[KeyPoint, ...]) -> KeyPoint | None:
    """The key point that carries the statement's first expected fact set, when every set
    is carried by some key point of its kinds."""
    found: list[KeyPoint] = []
    for expect in statement["expect"]:
        match = next(
            (
                kp
                for kp in points
                if kp.kind in expect["kinds"] and all(c in kp.text for c in expect["contains"])
            ),
            None,
        )
        if match is None:
            return None
        found.append(match)
    return found[0]


def test_every_sentence_of_the_reproduction_passes_the_checker() -> None:
    refused = {mid: r for mid, r in outcome().refused.items() if r}
    assert refused == {}


def test_statements_written_correctly() -> None:
    out = outcome()
    rows = []
    for st in statements():
        kp = written(st, out.points[st["measure"]])
        rows.append((st["id"], kp is not None, kp.text if kp else st["reference"]))
    count = sum(ok for _, ok, _ in rows)
    print(f"\nreference reproduction: {count} of {len(rows)} statements written correctly")
    for sid, ok, text in rows:
        print(f"  {'ok ' if ok else 'NOT'} {sid}: {text}")
    assert count >= WRITTEN_AT_LEAST, [sid for sid, ok, _ in rows if not ok]


def test_headline_findings_make_the_box() -> None:
    out = outcome()
    by_priority: dict[int, set[str]] = {}
    for st in statements():
        by_priority.setdefault(st["priority"], set()).add(st["measure"])
    missing = []
    for st in statements():
        if not st["headline"]:
            continue
        kp = written(st, out.points[st["measure"]])
        assert kp is not None, st["id"]  # a headline the reproduction writes
        members = sorted(by_priority[st["priority"]])
        box, _ = priority_points([p for mid in members for p in out.points[mid]])
        if kp.key not in {p.key for p in box}:
            missing.append((st["id"], [p.key for p in box]))
    assert missing == []


SNAPSHOT = Path(__file__).parent / "snapshots" / "reference_key_points.txt"


def _reproduction_text(out: Outcome) -> str:
    by_priority: dict[int, list[str]] = {}
    for st in statements():
        members = by_priority.setdefault(st["priority"], [])
        if st["measure"] not in members:
            members.append(st["measure"])
    lines: list[str] = []
    for number in sorted(by_priority):
        every = [p for mid in by_priority[number] for p in out.points[mid]]
        box, notes = priority_points(every)
        lines.append(f"## Priority {number}")
        lines += [f"- {p.text}" for p in box]
        told = {p.key for p in (*box, *notes)}  # a box point's words may be shortened
        rest = [p for p in every if p.key not in told]
        lines += [f"  (not in the box) {p.text}" for p in rest]
        lines += [f"  (analyst's note) {p.text}" for p in notes]
        lines.append("")
    return "\n".join(lines)


def test_reproduction_key_point_text_matches_its_reviewed_snapshot() -> None:
    """The full key-point text of the reproduction, reviewed by reading it (regenerate with
    PLANWATCH_UPDATE_SNAPSHOTS=1 and read the diff)."""
    text = _reproduction_text(outcome())
    if os.environ.get("PLANWATCH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")
