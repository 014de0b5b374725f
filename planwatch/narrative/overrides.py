"""Analysts' overrides of key points: suppress, reword or add; pin, promote or demote.

In: the generated :class:`~planwatch.narrative.model.KeyPoint` objects and the
:class:`Override` records read from ``overrides.yaml`` (reading and writing the file
is :mod:`planwatch.services.overrides`; this module is pure).
Out: :class:`OverrideOutcome` — the key points with overrides applied, and warnings.

An override is keyed by ``KeyPoint.key`` and carries the **fingerprint** of the
evidence it was written against (:func:`fingerprint`). While the numbers are the
same, the override applies on every re-run. When they change, the override is
**stale**: it is *not* applied (a reworded sentence may quote old figures; a
suppressed finding may now matter), the generated point is shown with
``override_stale=True`` and a warning asks for a review. Added points have no
evidence and are never stale. An override whose key matches no key point is reported.

**Pin**, **promote** and **demote** place a point without changing its words: a pinned
point leads its priority's key points, a promoted one enters them (a note on the data
too), a demoted one goes to the analyst's notes
(:func:`~planwatch.narrative.keypoints.priority_points`). They apply whatever the
numbers, since the sentence they place is the generated one, checked afresh each run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from planwatch.analysis.results import to_jsonable
from planwatch.narrative.keypoints import BASE_IMPORTANCE
from planwatch.narrative.model import KeyPoint, Placement

Action = Literal["suppress", "reword", "add", "pin", "promote", "demote"]
ACTIONS: tuple[Action, ...] = ("suppress", "reword", "add", "pin", "promote", "demote")
#: The actions that place a point and the placement each gives it.
PLACEMENTS: dict[str, Placement] = {"pin": "pinned", "promote": "promoted", "demote": "demoted"}
#: Hex digits of the SHA-256 kept as a fingerprint: enough to tell evidence apart.
FINGERPRINT_LENGTH = 16
#: Significant digits a number is compared at, so float noise does not make an override stale.
FINGERPRINT_DIGITS = 10


@dataclass(frozen=True)
class Override:
    key: str
    action: Action
    text: str | None = None  # the new wording (reword, add)
    fingerprint: str | None = None  # of the evidence it was written against (suppress, reword)
    measure: str | None = None  # for added points
    priority: int | None = None  # for added points; default: the priorities holding ``measure``
    reason: str | None = None
    line: int | None = None  # where it is in overrides.yaml, for messages


@dataclass(frozen=True)
class OverrideOutcome:
    key_points: tuple[KeyPoint, ...]
    warnings: tuple[str, ...]


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.{FINGERPRINT_DIGITS}g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def fingerprint(evidence: dict[str, Any]) -> str:
    """A short stable hash of the numbers behind a key point."""
    canonical = json.dumps(_rounded(to_jsonable(evidence)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def override_for(
    point: KeyPoint, action: Action, text: str | None = None, reason: str | None = None
) -> Override:
    """An override of ``point`` recorded against its current evidence."""
    return Override(
        key=point.key,
        action=action,
        text=text,
        fingerprint=fingerprint(point.evidence),
        measure=point.measure,
        reason=reason,
    )


def _where(o: Override) -> str:
    return f" (overrides.yaml line {o.line})" if o.line else ""


def _added(o: Override) -> KeyPoint:
    return KeyPoint(
        measure=o.measure or "",
        kind="override",
        period="",
        direction=None,
        good_or_bad="neutral",
        significant=None,
        method=None,
        magnitude=None,
        evidence={},
        text=o.text or "",
        importance=BASE_IMPORTANCE["override"],
        priority=o.priority,
        overridden=True,
        key=o.key,
    )


def apply_overrides(points: Sequence[KeyPoint], overrides: Iterable[Override]) -> OverrideOutcome:
    """The key points with every override applied (rules in the module docstring)."""
    every = tuple(overrides)
    by_key = {o.key: o for o in every if o.action != "add"}
    added = [o for o in every if o.action == "add"]
    out: list[KeyPoint] = []
    warnings: list[str] = []
    used: set[str] = set()
    for point in points:
        o = by_key.get(point.key)
        if o is None:
            out.append(point)
            continue
        used.add(o.key)
        if o.action in PLACEMENTS:
            out.append(replace(point, placement=PLACEMENTS[o.action]))
            continue
        if o.fingerprint != fingerprint(point.evidence):
            out.append(replace(point, override_stale=True))
            warnings.append(
                f"the override ({o.action}) of key point '{o.key}'{_where(o)} was written against different numbers; "
                "the generated text is shown until it is reviewed"
            )
        elif o.action == "reword":
            out.append(replace(point, text=o.text or point.text, overridden=True))
        # suppress with matching numbers: the point is left out
    for key, o in by_key.items():
        if key not in used:
            warnings.append(
                f"the override of key point '{key}'{_where(o)} matches no key point in this run"
            )
    return OverrideOutcome(tuple(out) + tuple(_added(o) for o in added), tuple(warnings))
